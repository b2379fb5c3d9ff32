package gocollect

import (
	"errors"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/diag"
)

var modFileTests = []struct {
	name    string
	in      string
	want    modFile
	wantErr string
}{
	{
		name: "a bare module path",
		in:   "module example.com/m\n\ngo 1.25\n",
		want: modFile{Path: "example.com/m"},
	},
	{
		name: "a double-quoted module path with a comment after it",
		in:   "// leading comment\nmodule \"example.com/m\" // trailing\n",
		want: modFile{Path: "example.com/m"},
	},
	{
		name: "a back-quoted module path",
		in:   "module `example.com/m`\n",
		want: modFile{Path: "example.com/m"},
	},
	{
		name: "a module path in a block",
		in:   "module (\n\texample.com/m\n)\n",
		want: modFile{Path: "example.com/m"},
	},
	{
		name: "CRLF line endings and tabs",
		in:   "\tmodule\texample.com/m\r\ngo 1.25\r\n",
		want: modFile{Path: "example.com/m"},
	},
	{
		name: "a // inside a quoted path is not a comment",
		in:   "module \"example.com/a//b\"\n",
		want: modFile{Path: "example.com/a//b"},
	},
	{
		name: "ignore directives, single and in a block, quoted or not",
		in:   "module m\nignore ./build\nignore (\n\tnode_modules // comment\n\t\"tmp dir\"\n)\n",
		want: modFile{Path: "m", Ignore: []string{"./build", "node_modules", "tmp dir"}},
	},
	{
		name: "other directives are skipped",
		in:   "module m\nrequire (\n\tx.org/y v1.0.0\n)\nreplace a => ../a\ntoolchain go1.26.0\n",
		want: modFile{Path: "m"},
	},
	{
		name:    "a word that merely begins with module is not the module directive",
		in:      "modulex example.com/m\n",
		wantErr: "go.mod: missing module directive",
	},
	{
		name:    "an empty file has no module directive",
		in:      "",
		wantErr: "go.mod: missing module directive",
	},
	{
		name:    "a module directive without a path",
		in:      "module\n",
		wantErr: `go.mod:1:7: malformed module argument ""`,
	},
	{
		name:    "a module directive with two paths",
		in:      "go 1.25\nmodule a b\n",
		wantErr: `go.mod:2:8: malformed module argument "a b"`,
	},
	{
		name:    "an unterminated quoted path",
		in:      "module \"example.com/m\n",
		wantErr: "go.mod:1:8: unterminated quoted string",
	},
	{
		name:    "a quoted path with a bad escape",
		in:      "module \"a\\qb\"\n",
		wantErr: `go.mod:1:8: malformed module argument "\"a\\qb\""`,
	},
	{
		name:    "a repeated module directive",
		in:      "module a\nmodule b\n",
		wantErr: "go.mod:2:8: repeated module directive (first on line 1)",
	},
}

func TestParseModFile(t *testing.T) {
	for _, tt := range modFileTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseModFile("go.mod", []byte(tt.in))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("parseModFile() = %+v, want error %q", got, tt.wantErr)
				}
				var d *diag.Error
				if !errors.As(err, &d) {
					t.Errorf("parseModFile() error %q (%T) is not a *diag.Error", err, err)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("parseModFile() error = %q, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseModFile() error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseModFile() (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseModFile checks that parseModFile never panics, that what it
// accepts has a module path, and that the path survives being written
// back quoted and read again.
func FuzzParseModFile(f *testing.F) {
	for _, tt := range modFileTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		mf, err := parseModFile("go.mod", []byte(in))
		if err != nil {
			var d *diag.Error
			if !errors.As(err, &d) {
				t.Fatalf("error %q (%T) is not a *diag.Error", err, err)
			}
			return
		}
		if mf.Path == "" {
			t.Fatalf("accepted %q with an empty module path", in)
		}
		again, err := parseModFile("go.mod", []byte("module "+strconv.Quote(mf.Path)+"\n"))
		if err != nil {
			t.Fatalf("module path %q does not round-trip: %v", mf.Path, err)
		}
		if again.Path != mf.Path {
			t.Fatalf("module path %q round-trips to %q", mf.Path, again.Path)
		}
	})
}
