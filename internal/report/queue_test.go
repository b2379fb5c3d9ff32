package report

import (
	"regexp"
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
	for i, w := range res.Balance.Workers {
		// As merge has them: a queue worker's prediction is that of the
		// batches it ran.
		res.Workers[i].Predicted, res.Workers[i].Seconds = w.Predicted, w.Tests
	}
	return res
}

func TestSummaryOfAQueueRun(t *testing.T) {
	got := Summary(queueRun(), fixtureOpts)
	for _, want := range []string{
		"✅ All 3 workers reported and every queued test has one result that counts; 2 tests ran on more than one worker (requeued, below).",
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

// report.html tells what summary.md tells of a queue run: the lost
// workers and their batches, the requeued tests and whose result counts,
// the fallbacks, and the realised balance per worker; everything from
// the artifacts escaped.
func TestHTMLOfAQueueRun(t *testing.T) {
	res := queueRun()
	res.Verification.QueueErrors = []string{"gw2: queue redis://h:1: <script>alert(1)</script>"}
	res.Verification.Lost = append(res.Verification.Lost, merge.LostBatch{Worker: "gw<i>3</i>", Batch: "b<9>", Units: []string{"a&b"}})
	var b strings.Builder
	if err := HTML(&b, res, fixtureOpts); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	var parts []string
	for _, id := range []string{"verification", "workers"} {
		m := regexp.MustCompile(`(?s)<section id="` + id + `">.*?</section>`).FindString(page)
		if m == "" {
			t.Fatalf("report.html has no %s section", id)
		}
		parts = append(parts, m)
	}
	golden(t, "html-a-queue-run.html", strings.Join(parts, "\n")+"\n")
	if strings.Contains(page, "<script>alert") || strings.Contains(page, "<i>3</i>") || strings.Contains(page, "<b>`x`</b>") {
		t.Error("a string from the artifacts is not escaped")
	}

	// A run without recorded test phases keeps the test-time bars.
	b.Reset()
	if err := HTML(&b, passingRun(), fixtureOpts); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Realised balance") || strings.Contains(b.String(), "Requeued tests") {
		t.Error("a static run without recorded test phases reports a realised balance or requeued tests")
	}
}

// A run whose test phases were mostly runner start-up (a small suite:
// tests of milliseconds, a second of pytest start-up per worker) says
// that its realised ratio measures that overhead, in the summary and in
// report.html; a run of real test time says nothing of the kind.
func TestRealisedBalanceSaysWhenOverheadDominates(t *testing.T) {
	const note = "of the test phases was not test time but runner start-up and collection"
	res := queueRun()
	for _, tt := range []struct {
		name string
		tiny bool
	}{{"test time dominates", false}, {"start-up dominates", true}} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.tiny {
				// 0.3 s walls, 0.01 s of tests each: 97% overhead.
				for i := range res.Balance.Workers {
					res.Balance.Workers[i].Wall, res.Balance.Workers[i].Tests = 0.3, 0.01
				}
				res.Balance.Makespan, res.Balance.LowerBound, res.Balance.Ratio = 0.3, 0.01, 30
			}
			sum := Summary(res, fixtureOpts)
			var b strings.Builder
			if err := HTML(&b, res, fixtureOpts); err != nil {
				t.Fatal(err)
			}
			for what, text := range map[string]string{"summary": sum, "report.html": b.String()} {
				if got := strings.Contains(text, "97% "+note); got != tt.tiny {
					t.Errorf("%s: says the overhead dominates: %v, want %v", what, got, tt.tiny)
				}
				if !tt.tiny && strings.Contains(text, note) {
					t.Errorf("%s: an overhead note on a run of real test time", what)
				}
			}
		})
	}
}
