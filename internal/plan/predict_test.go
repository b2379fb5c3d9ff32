package plan

import (
	"cmp"
	"fmt"
	"math"
	"math/rand"
	"runtime"
	"slices"
	"testing"
)

// randomDurations returns a set of durations such as Predict may be given:
// mostly log-normal, with zeros, -0, NaN, negatives, -Inf, runs of equal
// values, a few huge units and sometimes +Inf; sorted largest first half
// of the time, as the tuning report passes them, NaN last. Some sets are
// large enough for PredictMany to use several goroutines.
func randomDurations(rng *rand.Rand) []float64 {
	n := rng.Intn(50)
	if rng.Intn(8) == 0 {
		n = parallelMin + rng.Intn(2*parallelMin)
	}
	equal := float64(1 + rng.Intn(5))
	u := make([]float64, n)
	for i := range u {
		switch r := rng.Intn(100); {
		case r < 4:
			u[i] = 0
		case r < 5:
			u[i] = math.Copysign(0, -1)
		case r < 7:
			u[i] = math.NaN()
		case r < 9:
			u[i] = -10 * rng.Float64()
		case r < 10:
			u[i] = math.Inf(-1)
		case r < 40:
			u[i] = equal
		case r < 41:
			u[i] = 1e5 * (1 + rng.Float64())
		default:
			u[i] = math.Exp(1.5 * rng.NormFloat64())
		}
	}
	if n > 0 && rng.Intn(40) == 0 {
		u[rng.Intn(n)] = math.Inf(1)
	}
	if rng.Intn(2) == 0 {
		slices.SortFunc(u, func(a, b float64) int { return cmp.Compare(b, a) })
	}
	return u
}

func TestPredictManyMatchesPredict(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for i := range 400 {
		units := randomDurations(rng)
		n := len(units)
		totals := []int{0, 1, 2, 3, 7, 64, n + 1, 2*n + 3, -2, 3}
		rng.Shuffle(len(totals), func(i, j int) { totals[i], totals[j] = totals[j], totals[i] })
		orig := slices.Clone(units)
		got := PredictMany(units, totals)
		if len(got) != len(totals) {
			t.Fatalf("set %d: PredictMany returned %d results for %d totals", i, len(got), len(totals))
		}
		if !slices.EqualFunc(units, orig, func(a, b float64) bool {
			return math.Float64bits(a) == math.Float64bits(b)
		}) {
			t.Fatalf("set %d: PredictMany modified its units", i)
		}
		for j, total := range totals {
			want := Predict(units, total)
			if math.Float64bits(got[j]) != math.Float64bits(want) {
				t.Fatalf("set %d (%d units): PredictMany(..)[%d] = %v, Predict(.., %d) = %v",
					i, n, j, got[j], total, want)
			}
		}
	}
}

func TestPredictMany(t *testing.T) {
	tests := []struct {
		name   string
		units  []float64
		totals []int
		want   []float64
	}{
		{"no totals give no results", []float64{1, 2}, nil, []float64{}},
		{"no units take no time", nil, []int{0, 1, 3}, []float64{0, 0, 0}},
		{"each total gets its own makespan", []float64{3, 3, 2, 2, 2}, []int{1, 2, 3, 8}, []float64{12, 6, 5, 3}},
		{"totals in any order and repeated", []float64{2, 3, 2, 3, 2}, []int{8, 2, 1, 2}, []float64{3, 6, 12, 6}},
		{"a total below one counts as one", []float64{1, 2}, []int{0, -4}, []float64{3, 3}},
		{"negative and NaN durations count as zero", []float64{-5, math.NaN(), 4, 1}, []int{1, 2}, []float64{5, 4}},
		{"an infinite duration makes every prediction infinite", []float64{1, math.Inf(1)}, []int{1, 2}, []float64{math.Inf(1), math.Inf(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PredictMany(tt.units, tt.totals); !slices.Equal(got, tt.want) {
				t.Errorf("PredictMany(%v, %v) = %v, want %v", tt.units, tt.totals, got, tt.want)
			}
		})
	}
}

// TestPredictManyIgnoresScheduling checks that the results are the same
// with one goroutine as with more than there are totals.
func TestPredictManyIgnoresScheduling(t *testing.T) {
	units := logNormalUnits(3*parallelMin, false)
	units[7] = 1e4 // a huge unit, so improve has work for the larger totals
	totals := []int{1, 2, 3, 4, 7, 8, 16, 32, 64, 5, 100}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	want := PredictMany(units, totals)
	for _, procs := range []int{2, 3, 16} {
		runtime.GOMAXPROCS(procs)
		for range 3 {
			if got := PredictMany(units, totals); !slices.Equal(got, want) {
				t.Fatalf("GOMAXPROCS=%d: PredictMany = %v, with one goroutine %v", procs, got, want)
			}
		}
	}
}

// TestLPTOrderOfSortedDurations checks that lptOrder's shortcut for
// durations already longest first gives the order that sorting does.
func TestLPTOrderOfSortedDurations(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for i := range 200 {
		n := rng.Intn(100)
		if i%20 == 0 {
			n = radixOrderMin + rng.Intn(1000)
		}
		sec := make([]float64, n)
		for k := range sec {
			sec[k] = float64(rng.Intn(6)) / 2 // many ties, and zeros
		}
		slices.SortFunc(sec, func(a, b float64) int { return cmp.Compare(b, a) })
		order, durs := lptOrder(sec)
		wantOrder, wantDurs := lptSort(sec)
		if !slices.Equal(order, wantOrder) || !slices.Equal(durs, wantDurs) {
			t.Fatalf("lptOrder(%v) = %v, %v; sorting gives %v, %v", sec, order, durs, wantOrder, wantDurs)
		}
	}
}

// predictTotals are the worker counts the tuning report predicts, and a
// run's own count.
var predictTotals = []int{1, 2, 4, 8, 16, 32, 5}

// logNormalUnits returns n log-normal durations (mu 0, sigma 1.5: a median
// of 1 s and a few units a hundred times that) from a fixed seed, largest
// first when sorted, as the tuning report passes them.
func logNormalUnits(n int, sorted bool) []float64 {
	rng := rand.New(rand.NewSource(20240601))
	units := make([]float64, n)
	for i := range units {
		units[i] = math.Exp(1.5 * rng.NormFloat64())
	}
	if sorted {
		slices.SortFunc(units, func(a, b float64) int { return cmp.Compare(b, a) })
	}
	return units
}

// BenchmarkPredictMany1M predicts the makespans of a million units for
// the tuning report's worker counts at once; "sorted" is how the report
// passes them. Compare with BenchmarkPredictLoop1M.
func BenchmarkPredictMany1M(b *testing.B) {
	for _, order := range []string{"sorted", "shuffled"} {
		b.Run(order, func(b *testing.B) {
			units := logNormalUnits(1_000_000, order == "sorted")
			b.ReportAllocs()
			var m []float64
			for b.Loop() {
				m = PredictMany(units, predictTotals)
			}
			b.ReportMetric(m[len(m)-1], "s-makespan5")
		})
	}
}

// BenchmarkPredictLoop1M is the loop of Predict calls that PredictMany
// replaces.
func BenchmarkPredictLoop1M(b *testing.B) {
	for _, order := range []string{"sorted", "shuffled"} {
		b.Run(order, func(b *testing.B) {
			units := logNormalUnits(1_000_000, order == "sorted")
			b.ReportAllocs()
			var m float64
			for b.Loop() {
				for _, k := range predictTotals {
					m = Predict(units, k)
				}
			}
			b.ReportMetric(m, "s-makespan5")
		})
	}
}

func ExamplePredictMany() {
	units := []float64{3, 3, 2, 2, 2}
	fmt.Println(PredictMany(units, []int{1, 2, 3}))
	// Output: [12 6 5]
}
