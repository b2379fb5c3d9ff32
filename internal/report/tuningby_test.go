package report

import (
	"testing"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

// tuningBy names the granularity that tuningUnits does, without building
// the durations.
func TestTuningByAgreesWithTuningUnits(t *testing.T) {
	timings := &model.Timings{
		Tests: map[string]float64{"a.T1": 1, "a.T2": 3},
		Files: map[string]float64{"a_test.go": 4},
	}
	tests := []struct {
		name string
		res  *merge.Result
	}{
		{"nothing", &merge.Result{}},
		{"test rows only", &merge.Result{Tests: []merge.TestRow{{ID: "a.T1", Seconds: 1}}}},
		{"timings without a plan", &merge.Result{Timings: timings}},
		{"a plan by file", &merge.Result{Timings: timings, Plan: &merge.PlanInfo{By: "file"}}},
		{"a plan by package without package timings", &merge.Result{Timings: timings, Plan: &merge.PlanInfo{By: "package"}}},
		{"a plan by group without timings", &merge.Result{Plan: &merge.PlanInfo{By: "group"}, Tests: []merge.TestRow{{ID: "x"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			units, want := tuningUnits(tt.res)
			if got := tuningBy(tt.res); got != want {
				t.Errorf("tuningBy = %q, tuningUnits names %q", got, want)
			}
			for i := 1; i < len(units); i++ {
				if units[i] > units[i-1] {
					t.Errorf("units not largest first: %v", units)
				}
			}
		})
	}
}
