package testid

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

// collectedIDs are what pytest --collect-only -q lists for a project with
// unittest classes, nested classes, parametrized methods (one parameter
// holding "." and "::"), a package directory with a capital letter, a
// module named as neither test_* nor *_test, a test inherited from a base
// class in another file, and a module and a class of the same dotted name.
var collectedIDs = []string{
	"tests/test_mod.py::SomeTests::test_x",
	"tests/test_mod.py::TestOuter::test_a",
	"tests/test_mod.py::TestOuter::TestInner::test_b",
	"tests/test_mod.py::TestOuter::TestInner::test_p[1]",
	"tests/test_mod.py::TestOuter::TestInner::test_p[a.b::c]",
	"tests/test_mod.py::test_fn",
	"tests/Models/test_user.py::UserTests::test_name",
	"tests/checks.py::Checks::test_ok",
	"tests/test_sub.py::Sub::test_inherited",
	"a/b/C.py::test_module_named_c",
	"x/y.py::Z::test_class_named_z",
}

func TestResolverWithScopes(t *testing.T) {
	tests := []struct {
		name string
		c    model.Case
		want Key
	}{
		{"a unittest class in xunit2, without a file attribute",
			model.Case{Suite: "pytest", Classname: "tests.test_mod.SomeTests", Name: "test_x"},
			Key{Test: "tests/test_mod.py::SomeTests::test_x", File: "tests/test_mod.py", Scope: "tests/test_mod.py::SomeTests", Parent: "tests/test_mod.py::SomeTests::test_x"}},
		{"a nested class",
			model.Case{Suite: "pytest", Classname: "tests.test_mod.TestOuter.TestInner", Name: "test_b"},
			Key{Test: "tests/test_mod.py::TestOuter::TestInner::test_b", File: "tests/test_mod.py", Scope: "tests/test_mod.py::TestOuter::TestInner", Parent: "tests/test_mod.py::TestOuter::TestInner::test_b"}},
		{"a parametrized method whose parameter holds . and ::",
			model.Case{Suite: "pytest", Classname: "tests.test_mod.TestOuter.TestInner", Name: "test_p[a.b::c]"},
			Key{Test: "tests/test_mod.py::TestOuter::TestInner::test_p[a.b::c]", File: "tests/test_mod.py", Scope: "tests/test_mod.py::TestOuter::TestInner", Sub: true, Parent: "tests/test_mod.py::TestOuter::TestInner::test_p"}},
		{"a module-level function",
			model.Case{Suite: "pytest", Classname: "tests.test_mod", Name: "test_fn"},
			Key{Test: "tests/test_mod.py::test_fn", File: "tests/test_mod.py", Scope: "tests/test_mod.py", Parent: "tests/test_mod.py::test_fn"}},
		{"xunit1, the file attribute agreeing",
			model.Case{Suite: "pytest", Classname: "tests.test_mod.SomeTests", Name: "test_x", File: "tests/test_mod.py", Line: 4},
			Key{Test: "tests/test_mod.py::SomeTests::test_x", File: "tests/test_mod.py", Scope: "tests/test_mod.py::SomeTests", Parent: "tests/test_mod.py::SomeTests::test_x"}},
		{"xunit1, a test inherited from a base class in another file",
			model.Case{Suite: "pytest", Classname: "tests.test_sub.Sub", Name: "test_inherited", File: "tests/base.py", Line: 3},
			Key{Test: "tests/test_sub.py::Sub::test_inherited", File: "tests/test_sub.py", Scope: "tests/test_sub.py::Sub", Parent: "tests/test_sub.py::Sub::test_inherited"}},
		{"a directory with a capital letter",
			model.Case{Suite: "pytest", Classname: "tests.Models.test_user.UserTests", Name: "test_name"},
			Key{Test: "tests/Models/test_user.py::UserTests::test_name", File: "tests/Models/test_user.py", Scope: "tests/Models/test_user.py::UserTests", Parent: "tests/Models/test_user.py::UserTests::test_name"}},
		{"a module not named test_*",
			model.Case{Suite: "pytest", Classname: "tests.checks.Checks", Name: "test_ok"},
			Key{Test: "tests/checks.py::Checks::test_ok", File: "tests/checks.py", Scope: "tests/checks.py::Checks", Parent: "tests/checks.py::Checks::test_ok"}},
		{"a.b.C read as file a/b/C.py",
			model.Case{Suite: "pytest", Classname: "a.b.C", Name: "test_module_named_c"},
			Key{Test: "a/b/C.py::test_module_named_c", File: "a/b/C.py", Scope: "a/b/C.py", Parent: "a/b/C.py::test_module_named_c"}},
		{"x.y.Z read as file x/y.py class Z",
			model.Case{Suite: "pytest", Classname: "x.y.Z", Name: "test_class_named_z"},
			Key{Test: "x/y.py::Z::test_class_named_z", File: "x/y.py", Scope: "x/y.py::Z", Parent: "x/y.py::Z::test_class_named_z"}},
		{"a class no collected ID names, in a collected file",
			model.Case{Suite: "pytest", Classname: "tests.checks.NewChecks", Name: "test_new"},
			Key{Test: "tests/checks.py::NewChecks::test_new", File: "tests/checks.py", Scope: "tests/checks.py::NewChecks", Parent: "tests/checks.py::NewChecks::test_new"}},
		{"a JVM class is still a JVM class",
			model.Case{Suite: "com.example.FooTest", Classname: "com.example.FooTest", Name: "testBar"},
			Key{Test: "com.example.FooTest.testBar", Scope: "com.example.FooTest"}},
		{"a Go test is still a Go test",
			model.Case{Suite: "example.com/m/pkg", Classname: "example.com/m/pkg", Name: "TestA/sub"},
			Key{Test: "example.com/m/pkg.TestA", Scope: "example.com/m/pkg", Sub: true, Parent: "example.com/m/pkg.TestA"}},
	}
	scopes := NewScopes()
	for _, id := range collectedIDs {
		scopes.Add(id)
	}
	shared := Resolver{Scopes: scopes}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh := Resolver{Scopes: scopes}
			if diff := cmp.Diff(tt.want, fresh.Of(&tt.c)); diff != "" {
				t.Errorf("Resolver.Of(%+v) (-want +got):\n%s", tt.c, diff)
			}
			if diff := cmp.Diff(tt.want, shared.Of(&tt.c)); diff != "" {
				t.Errorf("a Resolver that saw the other cases: Resolver.Of(%+v) (-want +got):\n%s", tt.c, diff)
			}
		})
	}
}

// TestScopesAdd lists what each kind of collected ID adds.
func TestScopesAdd(t *testing.T) {
	tests := []struct {
		id   string
		want []string
	}{
		{"tests/test_a.py::TestC::TestD::test_x[p::q]", []string{"tests/test_a.py", "tests/test_a.py::TestC", "tests/test_a.py::TestC::TestD"}},
		{"tests/test_a.py::test_y", []string{"tests/test_a.py"}},
		{"tests/test_a.py", []string{"tests/test_a.py"}},
		{"src/a.test.js::adds", nil},
		{"example.com/m/pkg.TestA", nil},
		{"com.example.FooTest.testBar", nil},
	}
	for _, tt := range tests {
		s := NewScopes()
		s.Add(tt.id)
		var got []string
		for k := range s.set {
			got = append(got, k)
		}
		if diff := cmp.Diff(tt.want, got, cmpSorted); diff != "" {
			t.Errorf("Add(%q) (-want +got):\n%s", tt.id, diff)
		}
	}
}

var cmpSorted = cmp.Transformer("sort", func(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

// TestResolverWithScopesRemembers checks that a Resolver with Scopes keys
// every case of the mix as a fresh one does: what it remembers of a
// triple does not depend on the case that brought it.
func TestResolverWithScopesRemembers(t *testing.T) {
	scopes := NewScopes()
	for _, id := range collectedIDs {
		scopes.Add(id)
	}
	for _, id := range []string{"tests/test_a.py::TestC::test_x", "tests/unit/test_b.py::TestOuter::TestInner::test_z", "test_c.py::TestK::test_q"} {
		scopes.Add(id)
	}
	r := Resolver{Scopes: scopes}
	for i, c := range mixCases() {
		fresh := Resolver{Scopes: scopes}
		if diff := cmp.Diff(fresh.Of(&c), r.Of(&c)); diff != "" {
			t.Fatalf("case %d: Resolver.Of(%+v) (-fresh +remembering):\n%s", i, c, diff)
		}
	}
}

// TestResolverWithScopesAllocs: the scopes are looked up per triple, so a
// case still costs one allocation, its ID.
func TestResolverWithScopesAllocs(t *testing.T) {
	scopes := NewScopes()
	for _, id := range collectedIDs {
		scopes.Add(id)
	}
	for _, c := range []model.Case{
		{Suite: "pytest", Classname: "tests.test_mod.TestOuter.TestInner", Name: "test_p[1]"},
		{Suite: "pytest", Classname: "tests.test_sub.Sub", Name: "test_inherited", File: "tests/base.py"},
		{Suite: "com.example.FooTest", Classname: "com.example.FooTest", Name: "testBar"},
	} {
		r := Resolver{Scopes: scopes}
		r.Of(&c)
		if n := testing.AllocsPerRun(100, func() { sink = r.Of(&c) }); n != 1 {
			t.Errorf("Resolver.Of(%+v) allocates %v times, want 1", c, n)
		}
	}
}
