package plan

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

func TestPredict(t *testing.T) {
	tests := []struct {
		name  string
		units []float64
		total int
		want  float64
	}{
		{"no units take no time", nil, 3, 0},
		{"one shard takes the sum", []float64{1, 2, 3}, 1, 6},
		{"longest first with the improvement pass reaches the optimum", []float64{3, 3, 2, 2, 2}, 2, 6},
		{"the order of the units does not matter", []float64{2, 3, 2, 3, 2}, 2, 6},
		{"more shards than units leaves the longest unit", []float64{5, 1}, 8, 5},
		{"a total below one counts as one", []float64{1, 2}, 0, 3},
		{"negative and NaN durations count as zero", []float64{-5, math.NaN(), 4, 1}, 2, 4},
		{"an infinite duration makes the prediction infinite", []float64{1, math.Inf(1)}, 2, math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Predict(tt.units, tt.total); got != tt.want {
				t.Errorf("Predict(%v, %d) = %v, want %v", tt.units, tt.total, got, tt.want)
			}
		})
	}
}

func TestPredictMatchesMake(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for range 50 {
		n := 1 + rng.Intn(60)
		secs := map[string]float64{}
		var items []model.Item
		var units []float64
		for i := range n {
			// Zero-padded so that ID order is index order and both
			// sum each shard in the same order, to the same bits.
			id := fmt.Sprintf("t%03d", i)
			s := math.Round(rng.ExpFloat64()*100) / 10
			secs[id] = s
			items = append(items, model.Item{ID: id})
			units = append(units, s)
		}
		total := 1 + rng.Intn(8)
		p, err := Make(items, Options{Total: total, Strategy: Timing, Timings: &model.Timings{Tests: secs}})
		if err != nil {
			t.Fatal(err)
		}
		if got := Predict(units, total); got != p.Makespan {
			t.Fatalf("Predict(%v, %d) = %v, Make's makespan %v", units, total, got, p.Makespan)
		}
	}
}

func TestChooseTotal(t *testing.T) {
	items := ids("a", "b", "c", "d")
	timings := &model.Timings{Tests: map[string]float64{"a": 4, "b": 4, "c": 4, "d": 4}}
	// Makespans for N = 1.. are 16, 8, 8, 4, 4, ...; the overhead is 1.
	tests := []struct {
		name       string
		target     float64
		maxWorkers int
		want       int
	}{
		{"the smallest count that meets the target wins", 9, 8, 2},
		{"one worker is enough when it meets the target", 100, 8, 1},
		{"a target met exactly counts as met", 5, 8, 4},
		{"when nothing meets the target the fastest count wins, the smallest on ties", 3, 8, 4},
		{"when nothing meets the target within the limit the best within it wins, the smallest on ties", 3, 3, 2},
		{"a single allowed worker is chosen whatever the target", 0, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Total: 99, Strategy: Timing, Timings: timings}
			got, err := ChooseTotal(items, opts, tt.target, 1, tt.maxWorkers)
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != tt.want {
				t.Errorf("ChooseTotal() chose %d workers, want %d", got.Total, tt.want)
			}
			opts.Total = tt.want
			want, err := Make(items, opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ChooseTotal() differs from Make() with its total (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChooseTotalErrors(t *testing.T) {
	items := ids("a")
	tests := []struct {
		name             string
		items            []model.Item
		opts             Options
		target, overhead float64
		maxWorkers       int
		want             string
	}{
		{"at least one worker must be allowed", items, Options{}, 10, 0, 0, "max workers must be at least 1, got 0"},
		{"the target must be a number", items, Options{}, math.NaN(), 0, 4, "target duration must be a number of seconds >= 0, got NaN"},
		{"the target must not be negative", items, Options{}, -1, 0, 4, "target duration must be a number of seconds >= 0, got -1"},
		{"the overhead must be finite", items, Options{}, 10, math.Inf(1), 4, "overhead must be a finite number of seconds >= 0, got +Inf"},
		{"the overhead must not be negative", items, Options{}, 10, -2, 4, "overhead must be a finite number of seconds >= 0, got -2"},
		{"the items are checked as Make checks them", nil, Options{}, 10, 0, 4, "no items to plan"},
		{"the options are checked as Make checks them", items, Options{By: "x"}, 10, 0, 4, `unknown granularity "x": expected one of "test", "file", "package", "group"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ChooseTotal(tt.items, tt.opts, tt.target, tt.overhead, tt.maxWorkers)
			if err == nil || err.Error() != tt.want {
				t.Errorf("ChooseTotal() error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestChooseTotalMatchesBruteForce checks the pruning in ChooseTotal: it
// must choose what trying every count would.
func TestChooseTotalMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for range 100 {
		items, opts := randomUniverse(rng, 40)
		maxWorkers := 1 + rng.Intn(12)
		overhead := float64(rng.Intn(20))
		plans := make([]*Plan, maxWorkers+1)
		for n := 1; n <= maxWorkers; n++ {
			opts.Total = n
			p, err := Make(items, opts)
			if err != nil {
				t.Fatal(err)
			}
			plans[n] = p
		}
		target := plans[1].Makespan * rng.Float64() * 1.2
		want := 0
		for n := 1; n <= maxWorkers; n++ {
			if plans[n].Makespan+overhead <= target {
				want = n
				break
			}
		}
		if want == 0 {
			want = 1
			for n := 2; n <= maxWorkers; n++ {
				if plans[n].Makespan+overhead < plans[want].Makespan+overhead {
					want = n
				}
			}
		}
		got, err := ChooseTotal(items, opts, target, overhead, maxWorkers)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(plans[want], got); diff != "" {
			t.Fatalf("ChooseTotal(target %v, overhead %v, max %d) (-want +got):\n%s", target, overhead, maxWorkers, diff)
		}
	}
}
