package gocollect

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// modDir is the test tree that the table and oracle tests read.
const modDir = "testdata/mod"

// lines renders items as "ID File" lines, checking on the way that each
// item's Package is its ID's prefix.
func lines(t *testing.T, items []model.Item) []string {
	t.Helper()
	out := []string{}
	for _, it := range items {
		if !strings.HasPrefix(it.ID, it.Package+".") || strings.Contains(it.ID[len(it.Package)+1:], "/") {
			t.Errorf("item %q has Package %q, not its ID's import path", it.ID, it.Package)
		}
		out = append(out, it.ID+" "+it.File)
	}
	return out
}

// linuxAMD64 returns opts for linux/amd64 without cgo, so that the table
// does not depend on the machine running it.
func linuxAMD64(opts Options) Options {
	if opts.GOOS == "" {
		opts.GOOS = "linux"
	}
	if opts.GOARCH == "" {
		opts.GOARCH = "amd64"
	}
	if opts.CgoEnabled == nil {
		off := false
		opts.CgoEnabled = &off
	}
	return opts
}

// rootItems, ..., are the items of each package of testdata/mod for
// linux/amd64 without tags, as seen from the module root.
var (
	rootItems = []string{
		"example.com/m.ExampleHello m_ext_test.go",
		"example.com/m.Example_empty m_ext_test.go",
		"example.com/m.Example_unordered m_ext_test.go",
		"example.com/m.TestRoot m_test.go",
		"example.com/m.TestRootExternal m_ext_test.go",
	}
	mainpkgItems = []string{
		"example.com/m/mainpkg.TestA mainpkg/main_test.go",
		"example.com/m/mainpkg.TestB mainpkg/main_test.go",
		"example.com/m/mainpkg.TestC mainpkg/other_test.go",
	}
	namesItems = []string{
		"example.com/m/names.Fuzz names/names_test.go",
		"example.com/m/names.FuzzParse names/names_test.go",
		"example.com/m/names.Test names/names_test.go",
		"example.com/m/names.Test1 names/names_test.go",
		"example.com/m/names.TestMain names/names_test.go",
		"example.com/m/names.Test_x names/names_test.go",
		"example.com/m/names.TestÉcole names/names_test.go",
	}
	osfileItems = []string{
		"example.com/m/osfile.TestAny osfile/any_test.go",
		"example.com/m/osfile.TestLinux osfile/x_linux_test.go",
	}
	subItems = []string{
		"example.com/m/sub.TestSub sub/sub_test.go",
	}
	deepItems = []string{
		"example.com/m/sub/deep.TestDeep sub/deep/deep_test.go",
	}
	taggedItems = []string{
		"example.com/m/tagged.TestNotIntegration tagged/short_test.go",
		"example.com/m/tagged.TestUnit tagged/unit_test.go",
	}
)

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func TestCollect(t *testing.T) {
	all := concat(rootItems, mainpkgItems, namesItems, osfileItems, subItems, deepItems, taggedItems)
	tests := []struct {
		name string
		opts Options // Dir is relative to testdata/mod
		want []string
	}{
		{
			name: "./... finds every package's tests and skips testdata, vendor, _x, .x, ignored and nested modules",
			opts: Options{Patterns: []string{"./..."}},
			want: all,
		},
		{
			name: "the module path followed by /... is the same as ./...",
			opts: Options{Patterns: []string{"example.com/m/..."}},
			want: all,
		},
		{
			name: "no pattern means the package in Dir",
			opts: Options{},
			want: rootItems,
		},
		{
			name: "the module path names the root package",
			opts: Options{Patterns: []string{"example.com/m"}},
			want: rootItems,
		},
		{
			name: "./sub/... includes sub and the packages below it",
			opts: Options{Patterns: []string{"./sub/..."}},
			want: concat(subItems, deepItems),
		},
		{
			name: "./sub names only sub",
			opts: Options{Patterns: []string{"./sub"}},
			want: subItems,
		},
		{
			name: "an import path with ... selects by import path",
			opts: Options{Patterns: []string{"example.com/m/sub/..."}},
			want: concat(subItems, deepItems),
		},
		{
			name: "a ... inside an element matches any string",
			opts: Options{Patterns: []string{"./...i..."}},
			want: concat(mainpkgItems, osfileItems),
		},
		{
			name: "overlapping patterns give each item once",
			opts: Options{Patterns: []string{"./sub", "./sub/...", "example.com/m/sub", "./sub/../sub"}},
			want: concat(subItems, deepItems),
		},
		{
			name: "TestMain is the entry point and the package's tests are listed one by one",
			opts: Options{Patterns: []string{"./mainpkg"}},
			want: mainpkgItems,
		},
		{
			name: "isTest rules: Test_x, Test1 and TestÉcole are tests, Testing and Testfoo are not, TestMain(*testing.T) is",
			opts: Options{Patterns: []string{"example.com/m/names"}},
			want: namesItems,
		},
		{
			name: "without tags, the !integration file counts and the integration file does not",
			opts: Options{Patterns: []string{"./tagged"}},
			want: taggedItems,
		},
		{
			name: "with the integration tag, the tagged file replaces the !integration one",
			opts: Options{Patterns: []string{"./tagged"}, Tags: []string{"integration"}},
			want: []string{
				"example.com/m/tagged.TestIntegration tagged/integration_test.go",
				"example.com/m/tagged.TestUnit tagged/unit_test.go",
			},
		},
		{
			name: "GOOS windows keeps the _windows file and drops the _linux one",
			opts: Options{Patterns: []string{"./osfile"}, GOOS: "windows"},
			want: []string{
				"example.com/m/osfile.TestAny osfile/any_test.go",
				"example.com/m/osfile.TestWindows osfile/x_windows_test.go",
			},
		},
		{
			name: "GOARCH arm64 keeps the _arm64 file",
			opts: Options{Patterns: []string{"./osfile"}, GOARCH: "arm64"},
			want: []string{
				"example.com/m/osfile.TestARM64 osfile/x_arm64_test.go",
				"example.com/m/osfile.TestAny osfile/any_test.go",
				"example.com/m/osfile.TestLinux osfile/x_linux_test.go",
			},
		},
		{
			name: "a package without test files has no items and is no error",
			opts: Options{Patterns: []string{"./notests"}},
			want: []string{},
		},
		{
			name: "a literal pattern may name a directory that ... skips",
			opts: Options{Patterns: []string{"./_x", "./testdata"}},
			want: []string{
				"example.com/m/_x.TestUnderscoreDir _x/x_test.go",
				"example.com/m/testdata.TestInTestdata testdata/t_test.go",
			},
		},
		{
			name: "files are relative to Dir when Dir is a subdirectory",
			opts: Options{Dir: "sub", Patterns: []string{"./...", "../mainpkg"}},
			want: []string{
				"example.com/m/mainpkg.TestA ../mainpkg/main_test.go",
				"example.com/m/mainpkg.TestB ../mainpkg/main_test.go",
				"example.com/m/mainpkg.TestC ../mainpkg/other_test.go",
				"example.com/m/sub.TestSub sub_test.go",
				"example.com/m/sub/deep.TestDeep deep/deep_test.go",
			},
		},
		{
			name: "an absolute directory is a local pattern",
			opts: Options{Patterns: []string{mustAbs(t, filepath.Join(modDir, "sub", "deep"))}},
			want: deepItems,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := linuxAMD64(tt.opts)
			opts.Dir = filepath.Join(modDir, opts.Dir)
			items, err := Collect(opts)
			if err != nil {
				t.Fatalf("Collect() error: %v", err)
			}
			if diff := cmp.Diff(tt.want, lines(t, items)); diff != "" {
				t.Errorf("Collect() items (-want +got):\n%s", diff)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func TestCollectPatternErrors(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		want     string
	}{
		{
			name:     "a ... pattern that matches nothing is an error naming it",
			patterns: []string{"./...", "./nope/..."},
			want:     `pattern "./nope/..." matched no packages`,
		},
		{
			name:     "a testdata tree is skipped by ..., so matches nothing",
			patterns: []string{"./testdata/..."},
			want:     `pattern "./testdata/..." matched no packages`,
		},
		{
			name:     "a ... pattern that finds only directories without Go files matches nothing",
			patterns: []string{"./empty/..."},
			want:     `pattern "./empty/..." matched no packages`,
		},
		{
			name:     "a ... pattern whose files the constraints all exclude matches nothing",
			patterns: []string{"./onlyignored/..."},
			want:     `pattern "./onlyignored/..." matched no packages`,
		},
		{
			name:     "a directory without Go files",
			patterns: []string{"./empty"},
			want:     `pattern "./empty": no Go files in "empty"`,
		},
		{
			name:     "a directory whose files the constraints all exclude",
			patterns: []string{"./onlyignored"},
			want:     `pattern "./onlyignored": build constraints exclude all Go files in "onlyignored"`,
		},
		{
			name:     "a directory that does not exist",
			patterns: []string{"./missing"},
			want:     `pattern "./missing": directory "missing" does not exist`,
		},
		{
			name:     "a directory in a nested module",
			patterns: []string{"./nested"},
			want:     `pattern "./nested": directory "nested" is in another module`,
		},
		{
			name:     "a ... pattern rooted in a nested module",
			patterns: []string{"example.com/m/nested/..."},
			want:     `pattern "example.com/m/nested/..." matched no packages`,
		},
		{
			name:     "an import path outside the module",
			patterns: []string{"example.org/other/..."},
			want:     `pattern "example.org/other/...": not in module "example.com/m"`,
		},
		{
			name:     "a directory outside the module",
			patterns: []string{"../.."},
			want:     `pattern "../..": directory is outside module root "."`,
		},
		{
			name:     "a meta-package",
			patterns: []string{"all"},
			want:     `pattern "all": only directories and import paths of module "example.com/m" are supported`,
		},
		{
			name:     "a version query",
			patterns: []string{"example.com/m@latest"},
			want:     `pattern "example.com/m@latest": only directories and import paths of module "example.com/m" are supported`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := linuxAMD64(Options{Dir: modDir, Patterns: tt.patterns})
			items, err := Collect(opts)
			if err == nil {
				t.Fatalf("Collect() = %d items, want error %q", len(items), tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Collect() error = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCollectOutsideModule(t *testing.T) {
	dir := t.TempDir()
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "go.mod")); err == nil {
		t.Skip("the temporary directory is inside a module")
	}
	_, err := Collect(Options{Dir: dir, Patterns: []string{"./..."}})
	if err == nil || !strings.Contains(err.Error(), "no go.mod file") {
		t.Errorf("Collect() error = %v, want one about the missing go.mod", err)
	}
}

// extract writes the files of the txtar archive at file into a new
// temporary directory and returns it.
func extract(t testing.TB, file string) string {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCollectFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		archive string // in testdata/err
		wantErr string // "" for success
		want    []string
	}{
		{
			name:    "a test file that does not parse is reported at the parser's file:line:col",
			archive: "syntax.txtar",
			wantErr: "pkg/bad_test.go:7:1: expected operand, found '}'",
		},
		{
			name:    "a file that does not parse is ignored when its build constraints exclude it",
			archive: "excluded_syntax.txtar",
			want:    []string{"example.com/e.TestOK ok_test.go"},
		},
		{
			name:    "a name in both test packages is one item, on the first file",
			archive: "duplicate.txtar",
			want:    []string{"example.com/e.TestDup a_test.go", "example.com/e.TestOther b_test.go"},
		},
		{
			name:    "a Test function taking *testing.B has the wrong signature",
			archive: "signature.txtar",
			wantErr: "x_test.go:5:1: wrong signature for TestX, must be: func TestX(t *testing.T)",
		},
		{
			name:    "a Test function with type parameters is rejected",
			archive: "generic.txtar",
			wantErr: "x_test.go:5:1: wrong signature for TestG, test functions cannot have type parameters",
		},
		{
			name:    "a benchmark with the wrong signature is rejected though benchmarks are no items",
			archive: "benchsig.txtar",
			wantErr: "x_test.go:3:1: wrong signature for BenchmarkX, must be: func BenchmarkX(b *testing.B)",
		},
		{
			name:    "two TestMain functions in one package are rejected at the second",
			archive: "twomains.txtar",
			wantErr: `b_test.go:5:1: multiple definitions of TestMain (also in "a_test.go")`,
		},
		{
			name:    "a test file that imports C is rejected",
			archive: "cgo.txtar",
			wantErr: "x_test.go:3:8: use of cgo in test file not supported",
		},
		{
			name:    "a malformed //go:build line is rejected",
			archive: "buildline.txtar",
			wantErr: "x_test.go: parsing //go:build line: unexpected end of expression",
		},
		{
			name:    "a go.mod without a module directive is rejected",
			archive: "nomodule.txtar",
			wantErr: "go.mod: missing module directive",
		},
		{
			name:    "a go.mod with an unterminated module path is rejected at the quote",
			archive: "badquote.txtar",
			wantErr: "go.mod:2:8: unterminated quoted string",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := extract(t, filepath.Join("testdata", "err", tt.archive))
			items, err := Collect(linuxAMD64(Options{Dir: dir, Patterns: []string{"./..."}}))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Collect() error: %v", err)
				}
				if diff := cmp.Diff(tt.want, lines(t, items)); diff != "" {
					t.Errorf("Collect() items (-want +got):\n%s", diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("Collect() = %d items, want error %q", len(items), tt.wantErr)
			}
			var d *diag.Error
			if !errors.As(err, &d) {
				t.Errorf("Collect() error %q (%T) is not a *diag.Error", err, err)
			}
			if got := err.Error(); got != tt.wantErr {
				t.Errorf("Collect() error = %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"m/...", "m", true},
		{"m/...", "m/x/y", true},
		{"m/...", "mx", false},
		{"m...", "mx", true},
		{"m/x", "m/x", true},
		{"m/x", "m/x/y", false},
		{"m/.../y", "m/a/b/y", true},
		{"m/...", "m/vendor", true},
		{"m/...", "m/vendor/x", false},
		{"m/...", "m/a/vendor/x", false},
		{"m/vendor/...", "m/vendor/x", true},
		{"m/vendor/...", "m/vendor", true},
	}
	for _, tt := range tests {
		if got := matchPattern(tt.pattern)(tt.name); got != tt.want {
			t.Errorf("matchPattern(%q)(%q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestIgnoreMatcher(t *testing.T) {
	m := newIgnoreMatcher([]string{"./build", "node_modules", "a/b"})
	tests := []struct {
		dir  string
		want bool
	}{
		{"", false},
		{"build", true},
		{"build/x", true},
		{"x/build", false},
		{"node_modules", true},
		{"x/node_modules/y", true},
		{"x/a/b", true},
		{"x/a/bc", false},
	}
	for _, tt := range tests {
		if got := m.ignored(tt.dir); got != tt.want {
			t.Errorf("ignored(%q) = %v, want %v", tt.dir, got, tt.want)
		}
	}
}
