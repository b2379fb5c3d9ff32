package plan

import (
	"fmt"
	"math"
	"math/rand"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/model"
)

// randomUniverse returns up to max items of mixed Go, pytest and Jest
// shapes, some without a file or package, some in groups, and options
// with random timings at every level.
func randomUniverse(rng *rand.Rand, max int) ([]model.Item, Options) {
	n := 1 + rng.Intn(max)
	seen := map[string]bool{}
	var items []model.Item
	for len(items) < n {
		k, j := rng.Intn(6), rng.Intn(30)
		var it model.Item
		switch rng.Intn(4) {
		case 0:
			it = model.Item{
				ID:      fmt.Sprintf("example.com/m/pkg%d.Test%d", k, j),
				File:    fmt.Sprintf("pkg%d/x%d_test.go", k, j%3),
				Package: fmt.Sprintf("example.com/m/pkg%d", k),
			}
		case 1:
			it = model.Item{
				ID:      fmt.Sprintf("tests/test_%d.py::TestC::test_%d[%d]", k, j, rng.Intn(3)),
				File:    fmt.Sprintf("tests/test_%d.py", k),
				Package: fmt.Sprintf("tests.test_%d.TestC", k),
			}
		case 2:
			it = model.Item{
				ID:      fmt.Sprintf("src/comp%d/c%d.test.js", k, j),
				Package: fmt.Sprintf("src/comp%d", k),
			}
			it.File = it.ID
		default:
			it = model.Item{ID: fmt.Sprintf("loose%d_%d", k, j)}
		}
		if rng.Intn(4) == 0 {
			it.ID += fmt.Sprintf("@g%d", rng.Intn(4))
		}
		if !seen[it.ID] {
			seen[it.ID] = true
			items = append(items, it)
		}
	}
	t := &model.Timings{}
	level := func(keys []string) map[string]float64 {
		m := map[string]float64{}
		share := rng.Float64()
		for _, k := range keys {
			if rng.Float64() < share {
				m[k] = math.Round(rng.ExpFloat64()*1000) / 100
			}
		}
		return m
	}
	if rng.Intn(5) > 0 {
		var tests, files, pkgs []string
		for _, it := range items {
			tests = append(tests, it.ID)
			files = append(files, it.File)
			pkgs = append(pkgs, it.Package)
		}
		t.Tests, t.Files, t.Packages = level(tests), level(files), level(pkgs)
		t.Groups = level([]string{"g0", "g1", "g2", "g3"})
	}
	bys := []By{ByTest, ByFile, ByPackage, ByGroup}
	strategies := []Strategy{Auto, Hash, Timing}
	seed := uint64(0)
	if rng.Intn(2) == 0 {
		seed = rng.Uint64()
	}
	return items, Options{
		Total:        1 + rng.Intn(10),
		Strategy:     strategies[rng.Intn(len(strategies))],
		By:           bys[rng.Intn(len(bys))],
		Seed:         seed,
		GroupPattern: regexp.MustCompile(`@(g\d)$`),
		Timings:      t,
	}
}

func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := range 400 {
		items, opts := randomUniverse(rng, 150)
		name := fmt.Sprintf("universe %d (%d items, %+v)", i, len(items), opts)
		p, err := Make(items, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}

		for range 3 {
			shuffled := slices.Clone(items)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			q, err := Make(shuffled, opts)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if diff := cmp.Diff(p, q); diff != "" {
				t.Fatalf("%s: a permutation of the items changed the plan (-want +got):\n%s", name, diff)
			}
		}

		if len(p.Shards) != opts.Total {
			t.Fatalf("%s: %d shards, want %d", name, len(p.Shards), opts.Total)
		}
		var union []string
		minUnits, maxUnits := math.MaxInt, 0
		longest, maxLoad := 0.0, 0.0
		for s, sh := range p.Shards {
			if sh.Index != s {
				t.Errorf("%s: Shards[%d].Index = %d", name, s, sh.Index)
			}
			if !sort.SliceIsSorted(sh.Units, func(i, j int) bool { return sh.Units[i].ID < sh.Units[j].ID }) {
				t.Errorf("%s: shard %d units are not sorted by ID", name, s)
			}
			sum := 0.0
			for _, u := range sh.Units {
				if !slices.IsSorted(u.Items) {
					t.Errorf("%s: unit %q items are not sorted", name, u.ID)
				}
				union = append(union, u.Items...)
				sum += u.Seconds
				longest = max(longest, u.Seconds)
			}
			if sum != sh.Seconds {
				t.Errorf("%s: shard %d Seconds = %v, its units sum to %v", name, s, sh.Seconds, sum)
			}
			maxLoad = max(maxLoad, sum)
			minUnits, maxUnits = min(minUnits, len(sh.Units)), max(maxUnits, len(sh.Units))
		}
		var want []string
		for _, it := range items {
			want = append(want, it.ID)
		}
		slices.Sort(want)
		slices.Sort(union) // a duplicate here would be an item on two shards
		if diff := cmp.Diff(want, union); diff != "" {
			t.Fatalf("%s: the shards are not a partition of the universe (-want +got):\n%s", name, diff)
		}
		if p.Makespan != maxLoad {
			t.Errorf("%s: Makespan = %v, largest shard %v", name, p.Makespan, maxLoad)
		}
		// Rounding in the two sums may put the mean an ulp above the
		// largest shard of a perfect split; nothing larger is allowed.
		if p.Makespan < p.LowerBound*(1-1e-12) {
			t.Errorf("%s: Makespan %v below LowerBound %v", name, p.Makespan, p.LowerBound)
		}
		switch p.Strategy {
		case Hash:
			if maxUnits-minUnits > 1 {
				t.Errorf("%s: hash shards hold %d to %d units", name, minUnits, maxUnits)
			}
		case Timing:
			// Any list schedule is within the longest unit of the mean.
			if p.Makespan > p.LowerBound+longest {
				t.Errorf("%s: Makespan %v above LowerBound %v + longest unit %v", name, p.Makespan, p.LowerBound, longest)
			}
			// Sums in another order may differ in the last bits.
			if lpt := plainLPT(allUnits(p), opts.Total); p.Makespan > lpt*(1+1e-12) {
				t.Errorf("%s: Makespan %v worse than plain longest-first %v", name, p.Makespan, lpt)
			}
		default:
			t.Errorf("%s: Strategy %q", name, p.Strategy)
		}
	}
}

// plainLPT returns the makespan of longest-first without improvement.
func plainLPT(units []Unit, total int) float64 {
	units = slices.Clone(units)
	sort.SliceStable(units, func(i, j int) bool { return units[i].Seconds > units[j].Seconds })
	loads := make([]float64, total)
	for _, u := range units {
		m := 0
		for s := range loads {
			if loads[s] < loads[m] {
				m = s
			}
		}
		loads[m] += u.Seconds
	}
	return slices.Max(loads)
}
