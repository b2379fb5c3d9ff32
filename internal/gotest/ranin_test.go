package gotest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/model"
)

// ev writes one event of package pkg; test "" is the package's own.
func ev(pkg, action, test string) string {
	if test == "" {
		return fmt.Sprintf(`{"Action":%q,"Package":%q}`, action, pkg)
	}
	return fmt.Sprintf(`{"Action":%q,"Package":%q,"Test":%q}`, action, pkg, test)
}

// TestReadRanIn checks which tests a test that another test ran is
// attributed to, from the order of the events alone.
func TestReadRanIn(t *testing.T) {
	type ranIn struct {
		Name    string // package.test
		Outcome model.Outcome
		RanIn   string
	}
	tests := []struct {
		name string
		in   []string
		want []ranIn
	}{
		{
			name: "a top-level test that starts while another runs was run by it",
			in:   []string{ev("p", "run", "TestSuite"), ev("p", "run", "TestInner"), ev("p", "pass", "TestInner"), ev("p", "pass", "TestSuite"), ev("p", "run", "TestAfter"), ev("p", "pass", "TestAfter"), ev("p", "pass", "")},
			want: []ranIn{{"p.TestSuite", model.Passed, ""}, {"p.TestInner", model.Passed, "TestSuite"}, {"p.TestAfter", model.Passed, ""}},
		},
		{
			name: "a test that starts while another is paused (t.Parallel) is the package's own",
			in:   []string{ev("p", "run", "TestPar"), ev("p", "pause", "TestPar"), ev("p", "run", "TestB"), ev("p", "pass", "TestB"), ev("p", "cont", "TestPar"), ev("p", "pass", "TestPar"), ev("p", "pass", "")},
			want: []ranIn{{"p.TestPar", model.Passed, ""}, {"p.TestB", model.Passed, ""}},
		},
		{
			name: "of parallel tests, those still running when it ends",
			in: []string{ev("p", "run", "TestX"), ev("p", "pause", "TestX"), ev("p", "run", "TestY"), ev("p", "pause", "TestY"), ev("p", "run", "TestZ"), ev("p", "pause", "TestZ"),
				ev("p", "cont", "TestX"), ev("p", "cont", "TestY"), ev("p", "cont", "TestZ"),
				ev("p", "run", "TestInner"), ev("p", "pass", "TestX"), ev("p", "pass", "TestInner"), ev("p", "pass", "TestY"), ev("p", "pass", "TestZ"), ev("p", "pass", "")},
			want: []ranIn{{"p.TestX", model.Passed, ""}, {"p.TestY", model.Passed, ""}, {"p.TestZ", model.Passed, ""}, {"p.TestInner", model.Passed, "TestY TestZ"}},
		},
		{
			name: "a test run by a test that another ran belongs to the outermost, and so do subtests",
			in: []string{ev("p", "run", "TestSuite"), ev("p", "run", "TestMid"), ev("p", "run", "TestDeep"), ev("p", "run", "TestDeep/sub"), ev("p", "pass", "TestDeep/sub"),
				ev("p", "pass", "TestDeep"), ev("p", "pass", "TestMid"), ev("p", "pass", "TestSuite"), ev("p", "pass", "")},
			want: []ranIn{{"p.TestSuite", model.Passed, ""}, {"p.TestMid", model.Passed, "TestSuite"}, {"p.TestDeep", model.Passed, "TestSuite"}, {"p.TestDeep/sub", model.Passed, "TestSuite"}},
		},
		{
			name: "packages interleaved (go test -p) keep their own running tests",
			in: []string{ev("p", "run", "TestSuite"), ev("q", "run", "TestQ"), ev("p", "run", "TestInner"), ev("q", "pass", "TestQ"), ev("q", "run", "TestQ2"),
				ev("p", "pass", "TestInner"), ev("q", "pass", "TestQ2"), ev("p", "pass", "TestSuite"), ev("q", "pass", ""), ev("p", "pass", "")},
			want: []ranIn{{"p.TestSuite", model.Passed, ""}, {"p.TestInner", model.Passed, "TestSuite"}, {"q.TestQ", model.Passed, ""}, {"q.TestQ2", model.Passed, ""}},
		},
		{
			name: "a test named like the package's own is a case of its own",
			in:   []string{ev("p", "run", "TestA"), ev("p", "pass", "TestA"), ev("p", "run", "TestSuite"), ev("p", "run", "TestA"), ev("p", "fail", "TestA"), ev("p", "fail", "TestSuite"), ev("p", "fail", "")},
			want: []ranIn{{"p.TestA", model.Passed, ""}, {"p.TestSuite", model.Failed, ""}, {"p.TestA", model.Failed, "TestSuite"}},
		},
		{
			name: "a failure its passing runner expected is skipped; under a failing one it stays a failure",
			in: []string{ev("p", "run", "TestOK"), ev("p", "run", "TestExpected"), ev("p", "fail", "TestExpected"), ev("p", "pass", "TestOK"),
				ev("p", "run", "TestBad"), ev("p", "run", "TestReal"), ev("p", "fail", "TestReal"), ev("p", "fail", "TestBad"), ev("p", "fail", "")},
			want: []ranIn{{"p.TestOK", model.Passed, ""}, {"p.TestExpected", model.Skipped, "TestOK"}, {"p.TestBad", model.Failed, ""}, {"p.TestReal", model.Failed, "TestBad"}},
		},
		{
			name: "a rerun of the package attributes again",
			in: []string{ev("p", "run", "TestSuite"), ev("p", "run", "TestInner"), ev("p", "fail", "TestInner"), ev("p", "fail", "TestSuite"), ev("p", "fail", ""),
				ev("p", "start", ""), ev("p", "run", "TestSuite"), ev("p", "run", "TestInner"), ev("p", "pass", "TestInner"), ev("p", "pass", "TestSuite"), ev("p", "pass", "")},
			want: []ranIn{{"p.TestSuite", model.Passed, ""}, {"p.TestInner", model.Passed, "TestSuite"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []ranIn
			_, err := Read(strings.NewReader(strings.Join(tt.in, "\n")), Options{Source: "x.json"}, func(c *model.Case) error {
				got = append(got, ranIn{c.Classname + "." + c.Name, c.Outcome, c.RanIn})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
