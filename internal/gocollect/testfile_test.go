package gocollect

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/diag"
)

const header = "package p\n\nimport \"testing\"\n\n"

var testFileTests = []struct {
	name     string
	src      string
	want     []string
	wantMain bool
	wantErr  string
}{
	{
		name: "tests and fuzz targets in source order, examples after",
		src:  header + "func ExampleA() {\n\t// Output: a\n}\nfunc TestB(t *testing.T) {}\nfunc FuzzC(f *testing.F) {}\n",
		want: []string{"TestB", "FuzzC", "ExampleA"},
	},
	{
		name: "the prefix alone, an underscore, a digit or an upper-case letter after it make a test",
		src:  header + "func Test(t *testing.T) {}\nfunc Test_x(t *testing.T) {}\nfunc Test1(t *testing.T) {}\nfunc TestÜ(t *testing.T) {}\n",
		want: []string{"Test", "Test_x", "Test1", "TestÜ"},
	},
	{
		name: "a lower-case letter after the prefix makes no test, whatever the signature",
		src:  header + "func Testing(s string) {}\nfunc Testfoo(t *testing.T) {}\nfunc Testé() {}\nfunc Fuzzy() {}\nfunc Examplex() {}\n",
		want: nil,
	},
	{
		name: "methods are never tests",
		src:  header + "type T struct{}\n\nfunc (T) TestM(t *testing.T) {}\nfunc (*T) FuzzM(f *testing.F) {}\nfunc (T) ExampleM() {\n\t// Output:\n}\n",
		want: nil,
	},
	{
		name:     "TestMain(*testing.M) is the entry point, not a test",
		src:      header + "func TestMain(m *testing.M) { m.Run() }\nfunc TestA(t *testing.T) {}\n",
		want:     []string{"TestA"},
		wantMain: true,
	},
	{
		name: "TestMain(*testing.T) is an ordinary test",
		src:  header + "func TestMain(t *testing.T) {}\n",
		want: []string{"TestMain"},
	},
	{
		name: "a dot-imported or renamed testing package is accepted as the go command does",
		src:  "package p\n\nimport tt \"testing\"\n\nfunc TestA(t *tt.T) {}\nfunc TestB(*tt.T) {}\n",
		want: []string{"TestA", "TestB"},
	},
	{
		name: "benchmarks are not items",
		src:  header + "func BenchmarkA(b *testing.B) {}\nfunc Benchmark(b *testing.B) {}\n",
		want: nil,
	},
	{
		name: "examples without an output comment are not run",
		src:  header + "func ExampleA() {}\nfunc ExampleB() {\n\t// Output:\n}\nfunc ExampleC() {\n\t// Unordered output: x\n}\n",
		want: []string{"ExampleB", "ExampleC"},
	},
	{
		name: "an example with parameters or results is no example",
		src:  header + "func ExampleA(n int) {\n\t// Output: a\n}\nfunc ExampleB() int {\n\t// Output: b\n\treturn 0\n}\n",
		want: nil,
	},
	{
		name:    "a syntax error is reported at its position",
		src:     header + "func TestA(t *testing.T) {\n",
		wantErr: "x_test.go:5:28: expected '}', found 'EOF'",
	},
	{
		name:    "a fuzz target taking *testing.T has the wrong signature",
		src:     header + "func FuzzA(t *testing.T) {}\n",
		wantErr: "x_test.go:5:1: wrong signature for FuzzA, must be: func FuzzA(f *testing.F)",
	},
	{
		name:    "a test with a result has the wrong signature",
		src:     header + "func TestA(t *testing.T) error { return nil }\n",
		wantErr: "x_test.go:5:1: wrong signature for TestA, must be: func TestA(t *testing.T)",
	},
	{
		name:    "a TestMain with neither *testing.M nor *testing.T",
		src:     header + "func TestMain() {}\n",
		wantErr: "x_test.go:5:1: wrong signature for TestMain, must be: func TestMain(m *testing.M)",
	},
	{
		name:    "two TestMain functions in one file",
		src:     header + "func TestMain(m *testing.M) {}\nfunc TestMain(m *testing.M) {}\n",
		wantErr: "x_test.go:6:1: multiple definitions of TestMain",
	},
}

func TestParseTestFile(t *testing.T) {
	for _, tt := range testFileTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTestFile("x_test.go", []byte(tt.src))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("parseTestFile() = %+v, want error %q", got, tt.wantErr)
				}
				var d *diag.Error
				if !errors.As(err, &d) {
					t.Errorf("parseTestFile() error %q (%T) is not a *diag.Error", err, err)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("parseTestFile() error = %q, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseTestFile() error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got.Names); diff != "" {
				t.Errorf("parseTestFile() names (-want +got):\n%s", diff)
			}
			if got.TestMain.IsValid() != tt.wantMain {
				t.Errorf("parseTestFile() has TestMain = %v, want %v", got.TestMain.IsValid(), tt.wantMain)
			}
		})
	}
}

// FuzzParseTestFile checks that parseTestFile never panics, that its
// errors are positioned *diag.Errors on the file, and that every name it
// returns is a test, fuzz target or example by the go command's rule.
// It is seeded from the table and from the test tree's _test.go files.
func FuzzParseTestFile(f *testing.F) {
	for _, tt := range testFileTests {
		f.Add(tt.src)
	}
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, "_test.go") {
			return err
		}
		data, err := os.ReadFile(p)
		f.Add(string(data))
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, err := parseTestFile("x_test.go", []byte(src))
		if err != nil {
			var d *diag.Error
			if !errors.As(err, &d) || d.File != "x_test.go" {
				t.Fatalf("error %q (%T) is not a *diag.Error on x_test.go", err, err)
			}
			return
		}
		for _, name := range got.Names {
			if !isTest(name, "Test") && !isTest(name, "Fuzz") && !isTest(name, "Example") {
				t.Errorf("name %q is not a test, fuzz target or example", name)
			}
			if !strings.Contains(src, name) {
				t.Errorf("name %q is not in the source", name)
			}
		}
		again, _ := parseTestFile("x_test.go", []byte(src))
		if !slices.Equal(got.Names, again.Names) {
			t.Errorf("names differ between two parses: %q, %q", got.Names, again.Names)
		}
	})
}
