package merge

import (
	"testing"

	"github.com/xshard/xshard/internal/model"
)

// TestName: a report names a Go subtest by its whole path, while its key
// (verification, timings, history) stays the top-level test; other
// ecosystems' names are their keys.
func TestName(t *testing.T) {
	tests := []struct {
		name string
		c    model.Case
		key  string
		want string
	}{
		{"go top-level test", model.Case{Classname: "example.com/m/pkg", Name: "TestA"}, "example.com/m/pkg.TestA", "example.com/m/pkg.TestA"},
		{"go subtest", model.Case{Classname: "example.com/m/pkg", Name: "TestOdd/x/y"}, "example.com/m/pkg.TestOdd", "example.com/m/pkg.TestOdd/x/y"},
		{"go fuzz seed", model.Case{Classname: "example.com/m/pkg", Name: "FuzzAdd/seed#0"}, "example.com/m/pkg.FuzzAdd", "example.com/m/pkg.FuzzAdd/seed#0"},
		{"pytest parameter", model.Case{Classname: "tests.test_a", Name: "test_x[a/b c]", File: "tests/test_a.py"}, "tests/test_a.py::test_x[a/b c]", "tests/test_a.py::test_x[a/b c]"},
		{"JVM parameter", model.Case{Classname: "com.shop.CartTest", Name: "adds(1, \"a/b\")"}, "com.shop.CartTest.adds(1, \"a/b\")", "com.shop.CartTest.adds(1, \"a/b\")"},
	}
	var r Result
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Key(&tt.c).Test; got != tt.key {
				t.Errorf("Key().Test = %q, want %q", got, tt.key)
			}
			if got := r.Name(&tt.c); got != tt.want {
				t.Errorf("Name() = %q, want %q", got, tt.want)
			}
		})
	}
}
