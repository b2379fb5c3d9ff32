package testid

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

// The pools mixCases draws its cases from: every ecosystem's classnames,
// suites, files and names, and the odd ones (empty, backslashes, "./").
var (
	mixClassnames = []string{
		"", "example.com/m/pkg", "m/pkg", "mypkg", "main.py", `a\b`,
		"tests.test_a.TestC", "tests.test_a", "tests.unit.test_b.TestOuter.TestInner", "test_c.TestK", "tests.test_a.Helper",
		"com.example.module3.Service12Test", "com.example.FooTest", "math adds 1 + 2", "api works",
	}
	mixSuites = []string{
		"", "example.com/m/pkg", "pytest", "smoke suite", "com.example.FooTest",
		"test/api.spec.ts", "./test/x.test.js", `src\a.test.js`, "lib/b.rb",
	}
	mixFiles = []string{
		"", "tests/test_a.py", "./sub/test_c.py", `tests\test_a.py`, `.\tests\unit\test_b.py`, "a//b/../test_d.py",
		"src/math.test.js", "./src/x.spec.ts", `src\y.test.tsx`, "./", ".", "pkg/x_test.go",
	}
	mixNames = []string{
		"", "TestA", "TestA/case_1/deeper", "FuzzParse/seed#0", "ExampleFoo", "Test.A", "Test A/b",
		"test_x", "test_x[1-2]", "test_x[", "[a]", "test_x[a]b", "test_y[p[0]]",
		"testBar", "test123HandlesCase4", "boots", "math adds 1 + 2",
	}
)

// mixCases returns the fixtures of ofTests and cases drawn from the pools,
// in an order that hits a Resolver's last triple (runs of one triple, and
// names of every ecosystem under one triple, so that a triple's lazy
// parts are worked out under any of them), misses it and hits its map
// (triples interleaved), overflows the map (more than maxTriples new
// triples) and comes back to triples it forgot.
func mixCases() []model.Case {
	var cs []model.Case
	for _, tt := range ofTests {
		cs = append(cs, tt.c, tt.c)
	}
	for _, tt := range ofTests {
		cs = append(cs, tt.c)
	}
	var triples []model.Case
	for _, cls := range mixClassnames {
		for _, suite := range mixSuites {
			for _, file := range mixFiles {
				triples = append(triples, model.Case{Classname: cls, Suite: suite, File: file})
			}
		}
	}
	// Runs of one triple, then the triples interleaved.
	for _, c := range triples {
		for _, name := range mixNames {
			c.Name = name
			cs = append(cs, c)
		}
	}
	for i, name := range mixNames {
		for j, c := range triples {
			c.Name = mixNames[(i+j)%len(mixNames)]
			cs = append(cs, c)
			c.Name = name
			cs = append(cs, c)
		}
	}
	// More new triples than a Resolver keeps, then the first ones again.
	for i := range maxTriples + 100 {
		cls := fmt.Sprintf("com.example.module%d.Service%dTest", i%10, i)
		cs = append(cs, model.Case{Suite: cls, Classname: cls, Name: "testBar"})
	}
	for i, c := range triples {
		c.Name = mixNames[i%len(mixNames)]
		cs = append(cs, c)
	}
	return cs
}

func TestResolver(t *testing.T) {
	var r Resolver
	for i, c := range mixCases() {
		if diff := cmp.Diff(Of(&c), r.Of(&c)); diff != "" {
			t.Fatalf("case %d: Resolver.Of(%+v) (-Of +Resolver.Of):\n%s", i, c, diff)
		}
		if len(r.seen) > maxTriples {
			t.Fatalf("case %d: the Resolver remembers %d triples, more than %d", i, len(r.seen), maxTriples)
		}
	}
	for _, tt := range ofTests {
		if diff := cmp.Diff(tt.want, r.Of(&tt.c)); diff != "" {
			t.Errorf("%s: Resolver.Of(%+v) (-want +got):\n%s", tt.name, tt.c, diff)
		}
	}
}

// TestResolverAllocs checks that, its triple known, a case costs the
// Resolver only the building of its ID: a Parent equal to the ID or a
// prefix of it is not built again, and the file and scope are shared.
func TestResolverAllocs(t *testing.T) {
	tests := []struct {
		name string
		c    model.Case
	}{
		{"a Go subtest", model.Case{Classname: "example.com/m/pkg", Name: "TestA/sub"}},
		{"pytest with a file", model.Case{Classname: "tests.test_a.TestC", Name: "test_x", File: "tests/test_a.py"}},
		{"pytest with parameters", model.Case{Classname: "tests.test_a.TestC", Name: "test_x[1-2]", File: "tests/test_a.py"}},
		{"pytest without a file", model.Case{Classname: "tests.unit.test_b.TestOuter", Name: "test_z[a]"}},
		{"a jest file", model.Case{Classname: "math adds 1 + 2", Name: "math adds 1 + 2", File: `.\src\math.test.js`}},
		{"a suite named after its file", model.Case{Suite: "./test/api.spec.ts", Classname: "api works", Name: "api works"}},
		{"a JVM test", model.Case{Suite: "com.example.FooTest", Classname: "com.example.FooTest", Name: "testBar"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Resolver
			r.Of(&tt.c)
			if n := testing.AllocsPerRun(100, func() { sink = r.Of(&tt.c) }); n != 1 {
				t.Errorf("Resolver.Of(%+v) allocates %v times, want 1", tt.c, n)
			}
		})
	}
}

// FuzzResolver checks that a Resolver keys two cases in a row, of one
// triple or two, and the first triple again, as Of does.
func FuzzResolver(f *testing.F) {
	for _, x := range ofTests {
		for _, y := range ofTests {
			c, d := x.c, y.c
			f.Add(c.Classname, c.Suite, c.File, c.Name, true, "", "", "", d.Name)
			f.Add(c.Classname, c.Suite, c.File, c.Name, false, d.Classname, d.Suite, d.File, d.Name)
		}
	}
	f.Fuzz(func(t *testing.T, cls, suite, file, name string, same bool, cls2, suite2, file2, name2 string) {
		c := model.Case{Classname: cls, Suite: suite, File: file, Name: name}
		d := model.Case{Classname: cls2, Suite: suite2, File: file2, Name: name2}
		if same {
			d.Classname, d.Suite, d.File = cls, suite, file
		}
		again := c
		again.Name = name2
		var r Resolver
		for _, c := range []*model.Case{&c, &d, &again} {
			if diff := cmp.Diff(Of(c), r.Of(c)); diff != "" {
				t.Fatalf("Resolver.Of(%+v) (-Of +Resolver.Of):\n%s", *c, diff)
			}
		}
	})
}
