package collect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

func TestReadIDs(t *testing.T) {
	in := "a\n\n  # a comment\n b  \r\n#x\nc::d[1 2]\n"
	got, err := ReadIDs(strings.NewReader(in), "ids.txt")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c::d[1 2]"}, got); diff != "" {
		t.Errorf("ReadIDs (-want +got):\n%s", diff)
	}
	_, err = ReadIDs(strings.NewReader("ok\nbad\x00id\n"), "ids.txt")
	if err == nil || err.Error() != "ids.txt:2: test id contains a NUL byte; is this a text file of ids?" {
		t.Errorf("binary input: got %v", err)
	}
}

func TestInfer(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want model.Item
	}{
		{"a pytest method is scoped by its class", "tests/test_a.py::TestC::test_x[1]",
			model.Item{ID: "tests/test_a.py::TestC::test_x[1]", File: "tests/test_a.py", Package: "tests/test_a.py::TestC"}},
		{"a pytest function is scoped by its module", "tests/test_a.py::test_y",
			model.Item{ID: "tests/test_a.py::test_y", File: "tests/test_a.py", Package: "tests/test_a.py"}},
		{"pytest parameters may contain separators", "t.py::test_z[a::b/c]",
			model.Item{ID: "t.py::test_z[a::b/c]", File: "t.py", Package: "t.py"}},
		{"a Go test is scoped by its import path", "example.com/m/pkg.TestA",
			model.Item{ID: "example.com/m/pkg.TestA", Package: "example.com/m/pkg"}},
		{"a Go example in a dotted module", "gopkg.in/yaml.v3.ExampleUnmarshal",
			model.Item{ID: "gopkg.in/yaml.v3.ExampleUnmarshal", Package: "gopkg.in/yaml.v3"}},
		{"a JUnit 5 style id is scoped by its class", "com.example.FooTest#testBar",
			model.Item{ID: "com.example.FooTest#testBar", Package: "com.example.FooTest"}},
		{"a dotted JVM id is scoped by its class", "com.example.FooTest.testBar",
			model.Item{ID: "com.example.FooTest.testBar", Package: "com.example.FooTest"}},
		{"a .NET test is scoped by its class", "Shop.Tests.PriceTests+Rounding.HalfToEven",
			model.Item{ID: "Shop.Tests.PriceTests+Rounding.HalfToEven", Package: "Shop.Tests.PriceTests+Rounding"}},
		{"a .NET theory row's arguments may hold dots, slashes and brackets", `Shop.Tests.CartTests.Adds(path: "a/b.c", xs: [1, 2])`,
			model.Item{ID: `Shop.Tests.CartTests.Adds(path: "a/b.c", xs: [1, 2])`, Package: "Shop.Tests.CartTests"}},
		{"a file path is its own file, scoped by its directory", "src/app/a.test.js",
			model.Item{ID: "src/app/a.test.js", File: "src/app/a.test.js", Package: "src/app"}},
		{"a bare test file is in the current directory", "test_a.py",
			model.Item{ID: "test_a.py", File: "test_a.py", Package: "."}},
		{"a plain word is its own scope", "smoke",
			model.Item{ID: "smoke", Package: "smoke"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Infer(tt.id)); diff != "" {
				t.Errorf("Infer(%q) (-want +got):\n%s", tt.id, diff)
			}
		})
	}
}

func TestDedup(t *testing.T) {
	in := []model.Item{{ID: "b"}, {ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "b"}, {ID: "a"}}
	got, dups := Dedup(in)
	if diff := cmp.Diff([]model.Item{{ID: "b"}, {ID: "a"}, {ID: "c"}}, got); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "b"}, dups); diff != "" {
		t.Errorf("dups (-want +got):\n%s", diff)
	}
}

func TestGlob(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{
		"tests/test_a.py", "tests/unit/test_b.py", "tests/unit/deep/test_c.py", "tests/helper.py",
		"src/a.test.js", "src/lib/b.test.js", "node_modules/x/c.test.js", ".git/test_d.py", "test_e.py",
	} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		patterns []string
		want     []string
		wantErr  string
	}{
		{"double star matches any depth, none included", []string{"**/test_*.py"},
			[]string{"test_e.py", "tests/test_a.py", "tests/unit/deep/test_c.py", "tests/unit/test_b.py"}, ""},
		{"a single star stays in one directory", []string{"tests/*.py"}, []string{"tests/helper.py", "tests/test_a.py"}, ""},
		{"node_modules is skipped unless named", []string{"**/*.test.js"}, []string{"src/a.test.js", "src/lib/b.test.js"}, ""},
		{"node_modules is entered when named", []string{"node_modules/**/*.test.js"}, []string{"node_modules/x/c.test.js"}, ""},
		{"several patterns are a union without duplicates", []string{"./src/*.test.js", "src/**/*.js"}, []string{"src/a.test.js", "src/lib/b.test.js"}, ""},
		{"a pattern matching nothing is an error", []string{"**/*.rb"}, nil, `--glob "**/*.rb" matches no file under`},
		{"a pattern leaving the directory is an error", []string{"../x/*.py"}, nil, `--glob "../x/*.py": patterns must stay inside the working directory`},
		{"a malformed pattern is an error", []string{"tests/[.py"}, nil, `--glob "tests/[.py": syntax error in pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Glob(root, tt.patterns)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.ID)
				if it.File != it.ID || it.Package != filepath.ToSlash(filepath.Dir(it.ID)) {
					t.Errorf("item %+v: File must be the ID and Package its directory", it)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Glob(%q) (-want +got):\n%s", tt.patterns, diff)
			}
		})
	}
}

func FuzzInfer(f *testing.F) {
	for _, s := range []string{"tests/test_a.py::TestC::test_x[1]", "example.com/m/pkg.TestA", "com.x.Y#z", "src/a.test.js", "a", "[", "::", "a/b.TestX[::]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		it := Infer(id)
		if it.ID != id || it.Package == "" {
			t.Fatalf("Infer(%q) = %+v: ID must be kept and Package never empty", id, it)
		}
		if it.File != "" && !strings.HasPrefix(id, it.File) {
			t.Fatalf("Infer(%q): File %q is not a prefix of the id", id, it.File)
		}
	})
}
