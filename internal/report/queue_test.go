package report

import (
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/merge"
)

// queueRun is a passing run whose workers took their tests from a queue:
// gw1 was lost in a batch that gw2 ran again, gw0 fell back to the static
// plan, and every worker recorded its test phase.
func queueRun() *merge.Result {
	res := passingRun()
	v := &res.Verification
	v.Queue = true
	v.Requeued = []merge.Requeued{
		{Test: "cart.TestTaxes", Workers: []string{"gw1", "gw2"}, Kept: "gw2", Reason: "lease expired"},
		{Test: "users.Test|<b>`x`</b>", Workers: []string{"gw0", "gw2"}, Kept: "gw0", Reason: "static fallback"},
	}
	v.Lost = []merge.LostBatch{{Worker: "gw1", Batch: "b7", Units: []string{"cart.TestTaxes", "cart.TestRefund"}, RerunBy: []string{"gw2"}}}
	v.Fallbacks = []string{"gw0: queue redis://h:1: connect: connection refused"}
	res.Balance = &merge.Balance{
		Workers: []merge.WorkerBalance{
			{Name: "gw0", Predicted: 41, Wall: 43.5, Tests: 41.5, IdleEnd: 2, Measured: true},
			{Name: "gw1", Predicted: 20, Wall: 20.25, Tests: 18, IdleEnd: 25.25, Measured: true},
			{Name: "gw2", Predicted: 43, Wall: 45.5, Tests: 44.25, Measured: true},
		},
		Makespan: 45.5, LowerBound: 41.2, Ratio: 1.104, PredictedMakespan: 43, Measured: true,
	}
	return res
}

func TestSummaryOfAQueueRun(t *testing.T) {
	got := Summary(queueRun(), fixtureOpts)
	for _, want := range []string{
		"✅ All 3 workers reported and every planned test ran exactly once.",
		"### 🪦 Lost workers (`gw1`)",
		"- `gw1`: batch `b7`, 2 units, run again by `gw2`",
		"### 🔁 Requeued tests (2)",
		"| `cart.TestTaxes` | `gw1`, `gw2` | `gw2` | lease expired |",
		"### ↩️ Workers that ran the static plan instead of the queue (1)",
		"- gw0: queue `redis://h:1:` connect: connection refused",
		"**Realised balance**: the slowest worker's test phase took 45.5s against a realised lower bound of 41.2s",
		"**1.10×**",
		"| `gw1` | 20.0s | 20.2s | 25.2s |",
		`title "Realised and predicted seconds per worker"`,
		"bar [43.5, 20.3, 45.5]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if !strings.Contains(got, "| ``users.Test\\|<b>`x`</b>`` |") {
		t.Error("a hostile test name is not kept inside a code span")
	}
	if strings.Contains(Summary(passingRun(), fixtureOpts), "Realised balance") {
		t.Error("a run without recorded test phases reports a realised balance")
	}
}
