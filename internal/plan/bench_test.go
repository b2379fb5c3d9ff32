package plan

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/xshard/xshard/internal/model"
)

// heavyTail returns n Go-style items with log-normal durations (mu 0,
// sigma 1.5: a median of 1 s, a mean of 3 s and a few units a hundred
// times the median), from a fixed seed.
func heavyTail(n int) ([]model.Item, *model.Timings) {
	rng := rand.New(rand.NewSource(20240601))
	items := make([]model.Item, n)
	t := &model.Timings{Tests: make(map[string]float64, n)}
	for i := range items {
		pkg := fmt.Sprintf("example.com/m/pkg%03d", i%97)
		id := fmt.Sprintf("%s.Test%06d", pkg, i)
		items[i] = model.Item{ID: id, Package: pkg}
		t.Tests[id] = math.Exp(1.5 * rng.NormFloat64())
	}
	return items, t
}

// roundRobin deals the units in ID order to the shards in turn and
// returns the makespan: what a count-based split does.
func roundRobin(units []Unit, total int) float64 {
	loads := make([]float64, total)
	for i, u := range units {
		loads[i%total] += u.Seconds
	}
	m := 0.0
	for _, l := range loads {
		m = max(m, l)
	}
	return m
}

var balanceTotals = []int{2, 4, 8, 16, 32}

// TestTimingBalanceOnHeavyTail holds the target that BenchmarkBalance
// reports: within 2% of the lower bound for every worker count.
func TestTimingBalanceOnHeavyTail(t *testing.T) {
	items, timings := heavyTail(5000)
	for _, n := range balanceTotals {
		p, err := Make(items, Options{Total: n, Strategy: Timing, Timings: timings})
		if err != nil {
			t.Fatal(err)
		}
		if r := p.Makespan / p.LowerBound; r > 1.02 {
			t.Errorf("N=%d: makespan %v is %.4f x the lower bound %v, want <= 1.02", n, p.Makespan, r, p.LowerBound)
		}
	}
}

// BenchmarkBalance reports makespan/lowerbound ("x-lb", 1 is perfect) for
// 5,000 heavy-tailed units: the timing strategy against a count-based
// round robin and the hash strategy.
func BenchmarkBalance(b *testing.B) {
	items, timings := heavyTail(5000)
	for _, n := range balanceTotals {
		for _, strategy := range []string{"timing", "roundrobin", "hash"} {
			b.Run(fmt.Sprintf("N=%d/%s", n, strategy), func(b *testing.B) {
				opts := Options{Total: n, Strategy: Strategy(strategy), Timings: timings}
				if strategy == "roundrobin" {
					opts.Strategy = Hash
				}
				var p *Plan
				var makespan float64
				for b.Loop() {
					var err error
					p, err = Make(items, opts)
					if err != nil {
						b.Fatal(err)
					}
					makespan = p.Makespan
					if strategy == "roundrobin" {
						makespan = roundRobin(allUnits(p), n)
					}
				}
				b.ReportMetric(makespan/p.LowerBound, "x-lb")
			})
		}
	}
}

// BenchmarkPlan100k64 plans 100,000 units with timings into 64 shards.
func BenchmarkPlan100k64(b *testing.B) {
	items, timings := heavyTail(100_000)
	opts := Options{Total: 64, Strategy: Timing, Timings: timings}
	b.ReportAllocs()
	var p *Plan
	for b.Loop() {
		var err error
		p, err = Make(items, opts)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(p.Makespan/p.LowerBound, "x-lb")
}

// BenchmarkHash100k64 plans the same units by hash.
func BenchmarkHash100k64(b *testing.B) {
	items, timings := heavyTail(100_000)
	opts := Options{Total: 64, Strategy: Hash, Timings: timings}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Make(items, opts); err != nil {
			b.Fatal(err)
		}
	}
}
