package report

import (
	"fmt"
	"strings"

	"github.com/xshard/xshard/internal/merge"
)

// writeQueueRun tells what a queue run (shard --queue) did beyond the
// plan: the tests that ran on more than one worker and whose result
// counts, the batches lost with their workers, the workers that fell back
// to the static plan, and the queue's errors.
func writeQueueRun(d *doc, res *merge.Result) {
	v := &res.Verification
	if !v.Queue {
		return
	}
	if len(v.Lost) > 0 {
		l := &list{head: fmt.Sprintf("### 🪦 Lost workers (%s)\n\nThese claimed a batch from the queue and did not finish it (killed, runner lost or cancelled); its lease expired and the queue gave it to another worker.\n\n", strings.Join(codes(v.LostWorkers()), ", ")),
			what: "batches", tail: "\n"}
		for _, b := range v.Lost {
			again := "not run to its end by any other worker"
			if len(b.RerunBy) > 0 {
				again = "run again by " + strings.Join(codes(b.RerunBy), ", ")
			}
			l.items = append(l.items, fmt.Sprintf("- %s: batch %s, %s, %s\n", mdCode(b.Worker, false), mdCode(b.Batch, false), plural(len(b.Units), "unit", "units"), again))
		}
		d.list(l)
	}
	if len(v.Requeued) > 0 {
		l := &list{head: fmt.Sprintf("### 🔁 Requeued tests (%s)\n\nEach ran on more than one worker; one result counts: a run to its end before one cut off, then the newer attempt, then a lease held to the end, then the earlier end. They are not duplicates.\n\n| Test | Workers | Counted | Why |\n|---|---|---|---|\n", count(len(v.Requeued))),
			what: "tests", table: true, tail: "\n"}
		for _, r := range v.Requeued {
			l.items = append(l.items, fmt.Sprintf("| %s | %s | %s | %s |\n", mdCode(r.Test, true), strings.Join(codes(r.Workers), ", "), mdCode(r.Kept, true), mdText(r.Reason)))
		}
		d.list(l)
	}
	for _, g := range []struct {
		title string
		items []string
	}{
		{"↩️ Workers that ran the static plan instead of the queue", v.Fallbacks},
		{"🔌 Queue errors", v.QueueErrors},
	} {
		if len(g.items) == 0 {
			continue
		}
		l := &list{head: fmt.Sprintf("### %s (%d)\n\n", g.title, len(g.items)), what: "workers", tail: "\n"}
		for _, x := range g.items {
			l.items = append(l.items, "- "+mdText(x)+"\n")
		}
		d.list(l)
	}
}

func codes(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = mdCode(w, true)
	}
	return out
}

// writeRealised reports the realised balance when every worker recorded
// its test phase: the figure that says whether the split held up.
func writeRealised(d *doc, res *merge.Result) {
	b := res.Balance
	if b == nil || !b.Measured || b.LowerBound <= 0 {
		return
	}
	d.add("**Realised balance**: the slowest worker's test phase took %s against a realised lower bound of %s (the longest unit, or all test time over %s): **%.2f×**",
		duration(b.Makespan), duration(b.LowerBound), plural(len(b.Workers), "worker", "workers"), b.Ratio)
	if b.PredictedRatio > 0 {
		d.add("; the plan predicted %.2f×", b.PredictedRatio)
	}
	d.text(".")
	if o := b.OverheadShare(); o > merge.OverheadNoteShare {
		d.add(" %.0f%% of the test phases was not test time but runner start-up and collection, so the ratio measures that more than the split.", 100*o)
	}
	d.text("\n\n")
	l := &list{head: "| Worker | Predicted | Realised | Idle at the end |\n|---|---:|---:|---:|\n", what: "workers", table: true, tail: "\n"}
	for _, w := range b.Workers {
		pred := "–"
		if w.Predicted > 0 {
			pred = duration(w.Predicted)
		}
		wall, idle := duration(w.Wall), duration(w.IdleEnd)
		if w.Lost {
			// Killed in its test phase: known alive until then.
			wall, idle = wall+" (lost)", "–"
		}
		l.items = append(l.items, fmt.Sprintf("| %s | %s | %s | %s |\n", mdCode(w.Name, true), pred, wall, idle))
	}
	d.list(l)
}
