package report

import (
	"maps"
	"math"
	"slices"
	"sync"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/plan"
)

// TuningWorkers are the worker counts that RecommendWorkers predicts, as
// matrices are usually written; the run's own count is added when it is
// not one of them.
var TuningWorkers = []int{1, 2, 4, 8, 16, 32}

// Prediction is the predicted cost of a run with Workers workers.
type Prediction struct {
	Workers int
	// Makespan is the predicted test time of the busiest worker; Wall
	// adds the job overhead: the run's wall time.
	Makespan float64
	Wall     float64
	// JobSeconds is what all jobs together cost: the test time plus the
	// overhead of every job (billed runner time).
	JobSeconds float64
}

// RecommendWorkers predicts the wall time of the run for each of
// TuningWorkers (and the run's own worker count) from this run's timings
// at the plan's granularity, and recommends a worker count: with
// Options.TargetDuration, the smallest count whose predicted wall time
// meets it, else the one with the least; without it, the smallest count
// within 10% of the least. It returns 0 and no table when there are no
// timings, or only zeros.
func RecommendWorkers(res *merge.Result, opts Options) (n int, table []Prediction) {
	// The summary, the HTML report and the step outputs all ask; with a
	// million tests each answer costs seconds, so the last is kept.
	key := tuningKey{res, opts.JobOverhead, opts.TargetDuration}
	tuningMemo.Lock()
	defer tuningMemo.Unlock()
	if tuningMemo.key == key {
		return tuningMemo.n, slices.Clone(tuningMemo.table)
	}
	n, table = recommendWorkers(res, opts)
	tuningMemo.key, tuningMemo.n, tuningMemo.table = key, n, slices.Clone(table)
	return n, table
}

type tuningKey struct {
	res              *merge.Result
	overhead, target float64
}

// tuningMemo holds the last RecommendWorkers answer. A Result is not
// changed once merged, so its pointer identifies it.
var tuningMemo struct {
	sync.Mutex
	key   tuningKey
	n     int
	table []Prediction
}

func recommendWorkers(res *merge.Result, opts Options) (n int, table []Prediction) {
	units, _ := tuningUnits(res)
	if len(units) == 0 {
		return 0, nil
	}
	overhead := opts.JobOverhead
	if math.IsNaN(overhead) || overhead < 0 {
		overhead = 0
	}
	sum := 0.0
	for _, u := range units {
		if u > 0 {
			sum += u
		}
	}
	if sum == 0 {
		return 0, nil
	}
	ns := slices.Clone(TuningWorkers)
	if cur := currentWorkers(res); cur > 0 && !slices.Contains(ns, cur) {
		ns = append(ns, cur)
		slices.Sort(ns)
	}
	// One call for all counts: the planner orders the units once (they
	// come largest first, so it needs no sort) and predicts the counts in
	// parallel, with the same results as Predict for each.
	makespans := plan.PredictMany(units, ns)
	for i, k := range ns {
		m := makespans[i]
		table = append(table, Prediction{
			Workers:    k,
			Makespan:   m,
			Wall:       m + overhead,
			JobSeconds: sum + float64(k)*overhead,
		})
	}
	best := table[0]
	for _, p := range table {
		if p.Wall < best.Wall {
			best = p
		}
	}
	if opts.TargetDuration > 0 {
		for _, p := range table {
			if p.Wall <= opts.TargetDuration {
				return p.Workers, table
			}
		}
		return best.Workers, table
	}
	for _, p := range table {
		if p.Wall <= best.Wall*1.1 {
			return p.Workers, table
		}
	}
	return best.Workers, table
}

// currentWorkers is the run's worker count: the plan's, else the number
// of workers seen or expected.
func currentWorkers(res *merge.Result) int {
	if res.Plan != nil && res.Plan.Total > 0 {
		return res.Plan.Total
	}
	return max(len(res.Workers), res.Verification.Expected)
}

// tuningUnits returns the durations of the units a plan would balance,
// largest first so that predictions are deterministic, and names
// the granularity: the plan's when the timings have it, else tests, else
// the rows of the test table.
func tuningUnits(res *merge.Result) ([]float64, string) {
	tests := func() []float64 {
		v := make([]float64, 0, res.NumTestTimings())
		for s := range res.TestSeconds() {
			v = append(v, s)
		}
		return v
	}
	if t := res.Timings; t != nil || res.NumTestTimings() > 0 {
		by := "test"
		if res.Plan != nil && res.Plan.By != "" {
			by = res.Plan.By
		}
		var m map[string]float64
		if t != nil {
			m = map[string]map[string]float64{"file": t.Files, "package": t.Packages, "group": t.Groups}[by]
		}
		switch {
		case len(m) > 0:
			return sortedValues(slices.Collect(maps.Values(m))), by
		case res.NumTestTimings() > 0:
			return sortedValues(tests()), "test"
		}
	}
	if len(res.Tests) == 0 {
		return nil, ""
	}
	m := make(map[string]float64, len(res.Tests))
	for _, r := range res.Tests {
		m[r.ID] += r.Seconds
	}
	return sortedValues(slices.Collect(maps.Values(m))), "test"
}

// tuningBy is the granularity tuningUnits names, without the durations.
func tuningBy(res *merge.Result) string {
	if t := res.Timings; t != nil || res.NumTestTimings() > 0 {
		by := "test"
		if res.Plan != nil && res.Plan.By != "" {
			by = res.Plan.By
		}
		if t != nil && len(map[string]map[string]float64{"file": t.Files, "package": t.Packages, "group": t.Groups}[by]) > 0 {
			return by
		}
		if res.NumTestTimings() > 0 {
			return "test"
		}
	}
	if len(res.Tests) == 0 {
		return ""
	}
	return "test"
}

// sortedValues sorts durations largest first, in place. A prediction
// depends only on the durations, not on which unit has which, so sorting
// the numbers (not a million keys) makes it deterministic. (Durations are
// never NaN; slices.Sort's ordered sort is several times faster than a
// comparison function.)
func sortedValues(v []float64) []float64 {
	slices.Sort(v)
	slices.Reverse(v)
	return v
}
