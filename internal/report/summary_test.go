package report

import (
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/merge"
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
