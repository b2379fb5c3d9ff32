package report

import (
	"math"
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
		{"a queue run", queueRun(), fixtureOpts},
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

// TestNoPredictionWithoutTimings: a plan made without timings weighs
// every test one second, so its per-worker "predictions" are test counts;
// the summary and the page say there is no prediction and draw no line.
func TestNoPredictionWithoutTimings(t *testing.T) {
	tests := []struct {
		name string
		plan *merge.PlanInfo
		note string // "" for predictions shown
	}{
		{"a hash plan without timings", &merge.PlanInfo{Total: 2, Strategy: "hash", By: "test"}, "No prediction (hash plan): without timings the plan split the tests into equal numbers"},
		{"a timing plan without timings", &merge.PlanInfo{Total: 2, Strategy: "timing", By: "file"}, "No prediction (no timings): without timings the plan split the files into equal numbers"},
		{"an unknown unit from a manifest", &merge.PlanInfo{Total: 2, Strategy: "hash", By: "<b>"}, "the plan split the units into"},
		{"a timing plan with timings", &merge.PlanInfo{Total: 2, Strategy: "timing", By: "test", KnownShare: 1}, ""},
		{"a hash plan with timings", &merge.PlanInfo{Total: 2, Strategy: "hash", By: "test", KnownShare: 0.5}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &merge.Result{
				Totals: merge.Totals{Tests: 20, Passed: 20, Seconds: 5, WallSeconds: 4.5},
				Workers: []merge.Worker{
					{Index: 0, Name: "gw0", Present: true, Tests: 19, Seconds: 4.5, Predicted: 19, Attempt: 1},
					{Index: 1, Name: "gw1", Present: true, Tests: 1, Seconds: 0.5, Predicted: 18, Attempt: 1},
				},
				Plan:         tt.plan,
				Verification: merge.Verification{Checked: true, Expected: 2},
			}
			sum := Summary(res, Options{})
			var b strings.Builder
			if err := HTML(&b, res, Options{}); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			predicted := tt.note == ""
			checks := []struct {
				what string
				got  bool
			}{
				{"the summary's chart has a line", strings.Contains(sum, "    line [19, 18]")},
				{"the summary shows a predicted time", strings.Contains(sum, "| 19.0s | −14.5s |")},
				{"the summary explains the line", strings.Contains(sum, "line: the plan's prediction")},
				{"the page has prediction ticks", strings.Contains(page, `class="mark"`)},
				{"the page explains the ticks", strings.Contains(page, "Ticks: the plan's prediction.")},
			}
			for _, c := range checks {
				if c.got != predicted {
					t.Errorf("%s: %v, want %v", c.what, c.got, predicted)
				}
			}
			if !predicted {
				if !strings.Contains(sum, tt.note) {
					t.Errorf("the summary does not say %q:\n%s", tt.note, sum)
				}
				if !strings.Contains(page, tt.note) {
					t.Errorf("the page does not say %q", tt.note)
				}
				if !strings.Contains(sum, "| `gw0` | ✅ | 19 | 4.50s | +80.0% | – | – |") {
					t.Errorf("the summary's worker row is not without prediction:\n%s", sum)
				}
			}
		})
	}
}

func TestTestDuration(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		want string
	}{
		{0, "0 ms"}, {0.0004, "<1 ms"}, {0.0006, "1 ms"}, {0.14, "140 ms"}, {0.9994, "999 ms"},
		{0.9996, "1.00s"}, {1.5, "1.50s"}, {75, "1m 15s"}, {math.NaN(), "?"}, {-0.5, "-0.50s"},
	} {
		if got := testDuration(tt.in); got != tt.want {
			t.Errorf("testDuration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
