package plan

import (
	"fmt"
	"math"

	"github.com/xshard/xshard/internal/model"
)

// ChooseTotal picks the number of workers for a run: the smallest N in
// 1..maxWorkers whose plan's makespan plus overhead (the fixed cost of a
// job: checkout, setup, build) is at most target seconds; when none is,
// the N with the least makespan plus overhead, the smallest N on ties. It
// returns the plan for that N, made as Make would with opts.Total = N
// (opts.Total itself is ignored).
func ChooseTotal(items []model.Item, opts Options, target, overhead float64, maxWorkers int) (*Plan, error) {
	if maxWorkers < 1 {
		return nil, fmt.Errorf("max workers must be at least 1, got %d", maxWorkers)
	}
	if math.IsNaN(target) || target < 0 {
		return nil, fmt.Errorf("target duration must be a number of seconds >= 0, got %v", target)
	}
	if math.IsNaN(overhead) || math.IsInf(overhead, 0) || overhead < 0 {
		return nil, fmt.Errorf("overhead must be a finite number of seconds >= 0, got %v", overhead)
	}
	opts.Total = 1
	u, err := prepare(items, opts)
	if err != nil {
		return nil, err
	}
	sum, longest := 0.0, 0.0
	for _, s := range u.sec {
		sum += s
		longest = max(longest, s)
	}
	var best *Plan
	for n := 1; n <= maxWorkers; n++ {
		// No plan beats the lower bound: skip the N that can neither fit
		// the target nor beat the best so far. The margin keeps rounding
		// in the sums from skipping a plan that ties.
		lb := max(longest, sum/float64(n)) + overhead
		lb -= lb / 1e9
		if lb > target && best != nil && lb > best.Makespan+overhead {
			continue
		}
		p := u.assign(n)
		cost := p.Makespan + overhead
		if cost <= target {
			return p, nil
		}
		if best == nil || cost < best.Makespan+overhead {
			best = p
		}
	}
	return best, nil
}
