package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

func TestWriteFailuresText(t *testing.T) {
	fail := func(name, msg string) model.Case {
		return model.Case{Classname: "pkg", Name: name, Worker: "gw1", Outcome: model.Failed, Seconds: 0.5, Message: msg}
	}
	res := &merge.Result{
		Totals: merge.Totals{Tests: 5, Failed: 3, Errors: 1},
		Failures: []model.Case{
			fail("Test_A", "a_test.go:5: got *1*, want `2` \x1b[2J\n\n  line two\nthree\nfour"),
			{Classname: "pkg", Name: "TestB", Outcome: model.Errored, Detail: "\npanic: boom\n\tstack"},
			fail("TestC\x1b]0;title\x07", ""),
		},
	}
	var b strings.Builder
	WriteFailuresText(&b, res, Options{}, 2)
	want := "FAILED pkg.Test_A on gw1 after 0.50s at a_test.go:5\n" +
		"    a_test.go:5: got *1*, want `2`  [2J\n" +
		"    line two\n" +
		"    three\n" +
		"    …\n" +
		"ERRORED pkg.TestB on an unknown worker\n" +
		"    panic: boom\n" +
		"... and 2 more failures (summary.md, report.html and junit.xml have them)\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("WriteFailuresText (-want +got):\n%s", diff)
	}
	b.Reset()
	WriteFailuresText(&b, res, Options{}, 10)
	if got := b.String(); !strings.Contains(got, "FAILED pkg.TestC ]0;title on gw1") || strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("a test name with escape sequences is not printed plain:\n%q", got)
	}
}
