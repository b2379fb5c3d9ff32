package plan_test

import (
	"fmt"

	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/plan"
)

func ExampleMake() {
	items := []model.Item{
		{ID: "m/a.TestSlow", Package: "m/a"},
		{ID: "m/a.TestFast", Package: "m/a"},
		{ID: "m/b.TestMedium", Package: "m/b"},
		{ID: "m/b.TestNew", Package: "m/b"},
	}
	timings := &model.Timings{Tests: map[string]float64{
		"m/a.TestSlow": 30, "m/a.TestFast": 1, "m/b.TestMedium": 12,
	}}
	p, err := plan.Make(items, plan.Options{Total: 2, Timings: timings})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s by %s, makespan %gs, lower bound %gs\n", p.Strategy, p.By, p.Makespan, p.LowerBound)
	for _, s := range p.Shards {
		fmt.Println(s.Index, s.ItemIDs(), s.Seconds)
	}
	// Output:
	// timing by test, makespan 30s, lower bound 30s
	// 0 [m/a.TestSlow] 30
	// 1 [m/a.TestFast m/b.TestMedium m/b.TestNew] 25
}

func ExampleDiffFingerprint() {
	items := []model.Item{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	want, _ := plan.Make(items, plan.Options{Total: 2, Strategy: plan.Hash})
	got, _ := plan.Make(items[:2], plan.Options{Total: 2, Strategy: plan.Hash})
	fmt.Println(plan.DiffFingerprint(want.Fingerprint, got.Fingerprint))
	fmt.Println(plan.DiffFingerprint("not a fingerprint", got.Fingerprint))
	// Output:
	// [universe assignment]
	// [format]
}
