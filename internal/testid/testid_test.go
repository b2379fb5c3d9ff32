package testid

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

// ofTests are the fixtures of TestOf, one per rule; TestResolver and
// FuzzResolver replay them too.
var ofTests = []struct {
	name string
	c    model.Case
	want Key
}{
	{"a Go test from go test -json",
		model.Case{Suite: "example.com/m/pkg", Classname: "example.com/m/pkg", Name: "TestA"},
		Key{Test: "example.com/m/pkg.TestA", Scope: "example.com/m/pkg", Parent: "example.com/m/pkg.TestA"}},
	{"a Go subtest rolls up into its test",
		model.Case{Classname: "example.com/m/pkg", Name: "TestA/case_1/deeper"},
		Key{Test: "example.com/m/pkg.TestA", Scope: "example.com/m/pkg", Sub: true, Parent: "example.com/m/pkg.TestA"}},
	{"a Go example and a fuzz seed are tests too",
		model.Case{Classname: "m/pkg", Name: "FuzzParse/seed#0"},
		Key{Test: "m/pkg.FuzzParse", Scope: "m/pkg", Sub: true, Parent: "m/pkg.FuzzParse"}},
	{"a module-less Go package is a single word",
		model.Case{Classname: "mypkg", Name: "TestX"},
		Key{Test: "mypkg.TestX", Scope: "mypkg", Parent: "mypkg.TestX"}},
	{"pytest xunit1 with a file attribute and a class",
		model.Case{Classname: "tests.test_a.TestC", Name: "test_x[1-2]", File: "tests/test_a.py"},
		Key{Test: "tests/test_a.py::TestC::test_x[1-2]", File: "tests/test_a.py", Scope: "tests/test_a.py::TestC", Sub: true, Parent: "tests/test_a.py::TestC::test_x"}},
	{"pytest xunit1 with a module-level function",
		model.Case{Classname: "tests.test_a", Name: "test_y", File: "tests/test_a.py"},
		Key{Test: "tests/test_a.py::test_y", File: "tests/test_a.py", Scope: "tests/test_a.py", Parent: "tests/test_a.py::test_y"}},
	{"pytest xunit2 derives the file from the classname",
		model.Case{Classname: "tests.unit.test_b.TestOuter.TestInner", Name: "test_z"},
		Key{Test: "tests/unit/test_b.py::TestOuter::TestInner::test_z", File: "tests/unit/test_b.py", Scope: "tests/unit/test_b.py::TestOuter::TestInner", Parent: "tests/unit/test_b.py::TestOuter::TestInner::test_z"}},
	{"pytest with a rootdir-relative file outside the classname",
		model.Case{Classname: "test_c.TestK", Name: "test_q", File: "./sub/test_c.py"},
		Key{Test: "sub/test_c.py::TestK::test_q", File: "sub/test_c.py", Scope: "sub/test_c.py::TestK", Parent: "sub/test_c.py::TestK::test_q"}},
	{"jest-junit with a file attribute",
		model.Case{Suite: "adds numbers", Classname: "math adds 1 + 2", Name: "math adds 1 + 2", File: "src/math.test.js"},
		Key{Test: "src/math.test.js::math adds 1 + 2", File: "src/math.test.js", Scope: "src", Parent: "src/math.test.js"}},
	{"a suite named after its file (mocha, vitest)",
		model.Case{Suite: "test/api.spec.ts", Classname: "api works", Name: "api works"},
		Key{Test: "test/api.spec.ts::api works", File: "test/api.spec.ts", Scope: "test", Parent: "test/api.spec.ts"}},
	{"a JVM test is class.method",
		model.Case{Suite: "com.example.FooTest", Classname: "com.example.FooTest", Name: "testBar"},
		Key{Test: "com.example.FooTest.testBar", Scope: "com.example.FooTest"}},
	{"a .NET test is its fully qualified name, a nested class joined with +",
		model.Case{Suite: "Shop.Tests.PriceTests+Rounding", Classname: "Shop.Tests.PriceTests+Rounding", Name: "HalfToEven"},
		Key{Test: "Shop.Tests.PriceTests+Rounding.HalfToEven", Scope: "Shop.Tests.PriceTests+Rounding"}},
	{"a .NET theory row has its method as parent",
		model.Case{Classname: "Shop.Tests.CartTests", Name: `Adds(a: 1.5, s: "x)(")`},
		Key{Test: `Shop.Tests.CartTests.Adds(a: 1.5, s: "x)(")`, Scope: "Shop.Tests.CartTests", Sub: true, Parent: "Shop.Tests.CartTests.Adds"}},
	{"an NUnit parameterised fixture's test has no argument list of its own",
		model.Case{Classname: `Ledger.Tests.RateTests("EUR")`, Name: "Converts"},
		Key{Test: `Ledger.Tests.RateTests("EUR").Converts`, Scope: `Ledger.Tests.RateTests("EUR")`}},
	{"a case without classname is its name, scoped by its suite",
		model.Case{Suite: "smoke suite", Name: "boots"},
		Key{Test: "boots", Scope: "smoke suite"}},
	{"a name alone is its own scope",
		model.Case{Name: "smoke"},
		Key{Test: "smoke", Scope: "smoke"}},
}

func TestOf(t *testing.T) {
	for _, tt := range ofTests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Of(&tt.c)); diff != "" {
				t.Errorf("Of(%+v) (-want +got):\n%s", tt.c, diff)
			}
		})
	}
}

func FuzzOf(f *testing.F) {
	f.Add("example.com/m/pkg", "TestA/x", "")
	f.Add("tests.test_a.TestC", "test_x[1]", "tests/test_a.py")
	f.Add("a b", "c", "src/a.test.js")
	f.Fuzz(func(t *testing.T, cls, name, file string) {
		k := Of(&model.Case{Classname: cls, Name: name, File: file})
		if k.Test == "" && name != "" {
			t.Fatalf("empty test id for %q %q %q", cls, name, file)
		}
	})
}

func TestWithoutArgs(t *testing.T) {
	tests := []struct {
		name, id, want string
		ok             bool
	}{
		{"an NUnit test case loses its arguments", "Ns.C.M(1,2)", "Ns.C.M", true},
		{"an xUnit.net theory row with named arguments", "Ns.C.M(a: 1, b: \"2\")", "Ns.C.M", true},
		{"quoted parentheses do not end the list", `Ns.C.M("(", ")")`, "Ns.C.M", true},
		{"an escaped quote stays inside the string", `Ns.C.M("a\")b")`, "Ns.C.M", true},
		{"nested parentheses are one list", "Ns.C.M(new(1, 2), 3)", "Ns.C.M", true},
		{"a parameterised fixture's test is not an instance", `Ns.F("EUR").M`, `Ns.F("EUR").M`, false},
		{"a name without a list is itself", "Ns.C.M", "Ns.C.M", false},
		{"a list alone is not an instance", "(1)", "(1)", false},
		{"unbalanced parentheses are no list", "Ns.C.M(1))", "Ns.C.M(1))", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := WithoutArgs(tt.id)
			if got != tt.want || ok != tt.ok {
				t.Errorf("WithoutArgs(%q) = %q, %v; want %q, %v", tt.id, got, ok, tt.want, tt.ok)
			}
		})
	}
}
