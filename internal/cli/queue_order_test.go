package cli

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/plan"
	"github.com/xshard/xshard/internal/queue"
)

// The first worker seeds the queue longest predicted first (ties by ID)
// when timings cover any unit, and in the hash order of the IDs mixed
// with --seed without timings; every unit of every shard once, either
// way, whatever shard it was planned on.
func TestSeedOrder(t *testing.T) {
	timed := &plan.Plan{Total: 2, KnownShare: 0.75, Shards: []plan.Shard{
		{Index: 0, Units: []plan.Unit{{ID: "a", Seconds: 1}, {ID: "c", Seconds: 5}}},
		{Index: 1, Units: []plan.Unit{{ID: "b", Seconds: 5}, {ID: "d", Seconds: 0.5}}},
	}}
	want := []queue.Unit{{ID: "b", Seconds: 5}, {ID: "c", Seconds: 5}, {ID: "a", Seconds: 1}, {ID: "d", Seconds: 0.5}}
	if diff := cmp.Diff(want, seedOrder(timed)); diff != "" {
		t.Errorf("with timings (-want +got):\n%s", diff)
	}

	untimed := func(seed uint64) []string {
		p := &plan.Plan{Total: 2, Seed: seed, Shards: []plan.Shard{{Index: 0}, {Index: 1}}}
		for i := range 40 {
			p.Shards[i%2].Units = append(p.Shards[i%2].Units, plan.Unit{ID: string(rune('A' + i)), Seconds: 1})
		}
		var ids []string
		for _, u := range seedOrder(p) {
			ids = append(ids, u.ID)
		}
		return ids
	}
	a, again, other := untimed(1), untimed(1), untimed(2)
	if !slices.Equal(a, again) {
		t.Errorf("without timings the order is not the same twice: %v, %v", a, again)
	}
	if slices.Equal(a, other) {
		t.Errorf("--seed does not change the order without timings: %v", a)
	}
	if slices.IsSorted(a) {
		t.Errorf("without timings the units are in ID order, not hash order: %v", a)
	}
	sorted := slices.Sorted(slices.Values(a))
	for i, id := range sorted {
		if id != string(rune('A'+i)) {
			t.Fatalf("without timings the order does not hold every unit once: %v", a)
		}
	}
}
