package report

import (
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

func TestSummaryGolden(t *testing.T) {
	tests := []struct {
		name string
		res  *merge.Result
		opts Options
	}{
		{"a passing run", passingRun(), fixtureOpts},
		{"a failing run", failingRun(), fixtureOpts},
		{"a run with flaky tests", flakyRun(), Options{ModulePath: mod, RepoRoot: "/home/runner/work/shop/shop", ReportURL: "https://example.com/runs/1/report.html"}},
		{"a run with a missing worker", missingWorkerRun(), fixtureOpts},
		{"a run without manifests", uncheckedRun(), Options{TargetDuration: 60}},
		{"a huge run trimmed to the cap", hugeRun(), Options{ModulePath: mod, MaxBytes: 20_000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summary(tt.res, tt.opts)
			golden(t, "summary-"+strings.ReplaceAll(tt.name, " ", "-")+".md", got)
			if max := tt.opts.maxBytes(); len(got) > max {
				t.Errorf("summary is %d bytes, over the cap of %d", len(got), max)
			}
			if again := Summary(tt.res, tt.opts); again != got {
				t.Error("a second rendering of the same Result differs")
			}
		})
	}
}

func TestEmptyResult(t *testing.T) {
	res := &merge.Result{}
	got := Summary(res, Options{})
	for _, want := range []string{"# ⚠️ xshard: no tests ran\n", "Completeness was not checked: no manifests."} {
		if !strings.Contains(got, want) {
			t.Errorf("summary of an empty result does not contain %q:\n%s", want, got)
		}
	}
	var b strings.Builder
	if err := HTML(&b, res, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<script type="application/json" id="xshard-data">{"w":[],"r":[]}</script>`) {
		t.Error("the page of an empty result does not embed empty rows")
	}
}

// TestFailureTextShownOnce: go test's one-line failure is both the message
// and the (indented) trace; the summary and the page show it once. A
// trace with more to it is shown beside the message.
func TestFailureTextShownOnce(t *testing.T) {
	tests := []struct {
		name, message, detail string
		want                  int // times the message's text appears
		trace                 bool
	}{
		{"a trace equal to the message but indented", "a_test.go:5: got 1, want 2", "    a_test.go:5: got 1, want 2\n", 1, false},
		{"a trace equal to the message but for blank lines", "a_test.go:5: got 1, want 2\n", "\n  a_test.go:5: got 1, want 2  \n\n", 1, false},
		{"a trace with more lines", "a_test.go:5: got 1, want 2", "    a_test.go:5: got 1, want 2\n    a_test.go:9: and then\n", 2, true},
		{"a different trace", "a_test.go:5: got 1, want 2", "panic: boom\n", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := model.Case{Classname: "pkg", Name: "TestA", Worker: "gw0", Outcome: model.Failed, Message: tt.message, Detail: tt.detail}
			res := &merge.Result{Totals: merge.Totals{Tests: 1, Failed: 1}, Failures: []model.Case{c}}
			sum := Summary(res, Options{})
			if n := strings.Count(sum, "got 1, want 2"); n != tt.want {
				t.Errorf("summary shows the message %d times, want %d:\n%s", n, tt.want, sum)
			}
			if got := strings.Contains(sum, "<details><summary>Trace"); got != tt.trace {
				t.Errorf("summary has a trace: %v, want %v:\n%s", got, tt.trace, sum)
			}
			var b strings.Builder
			if err := HTML(&b, res, Options{}); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(b.String(), "got 1, want 2"); n != tt.want {
				t.Errorf("report.html shows the message %d times, want %d", n, tt.want)
			}
			if got := strings.Contains(b.String(), `<pre class="trace">`); got != tt.trace {
				t.Errorf("report.html has a trace: %v, want %v", got, tt.trace)
			}
		})
	}
}
