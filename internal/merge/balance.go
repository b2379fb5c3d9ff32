package merge

import (
	"math"
	"time"

	"github.com/xshard/xshard/internal/manifest"
)

// Balance is the realised balance of a run: how long each worker's test
// phase took against its prediction, and how far the slowest worker was
// from the best any split of this run's own durations could do.
type Balance struct {
	// Workers has one entry per worker with a manifest, by index.
	Workers []WorkerBalance
	// Makespan is the longest worker's test phase in seconds; LowerBound
	// is max(longest unit, total test time / workers) of this run's
	// durations, which no split can beat (per-batch start-up and idle
	// time are not in it); Ratio is Makespan / LowerBound.
	Makespan, LowerBound, Ratio float64
	// PredictedMakespan is the largest worker prediction (0 without
	// timings); PredictedRatio the plan's own makespan / lower bound.
	PredictedMakespan, PredictedRatio float64
	// Measured: every worker recorded its test phase (shard --exec or
	// --queue), or was a queue worker lost in the middle of it (see
	// WorkerBalance.Lost); otherwise a worker's wall time is its summed
	// test time.
	Measured bool
}

// OverheadShare is the share of the workers' measured test phases not
// spent in test time (runner start-up, collection, the queue's round
// trips), from 0 to 1; 0 when nothing was measured, or when the tests of
// a worker ran in parallel (their summed time then exceeds its wall).
// Above about a half the ratio measures that overhead more than the
// split.
func (b *Balance) OverheadShare() float64 {
	var wall, tests float64
	for _, w := range b.Workers {
		if w.Measured {
			wall += w.Wall
			tests += w.Tests
		}
	}
	if wall <= 0 || tests >= wall {
		return 0
	}
	return 1 - tests/wall
}

// OverheadNoteShare is the OverheadShare above which reports say that
// the realised ratio measures overhead more than the split.
const OverheadNoteShare = 0.5

// WorkerBalance is one worker's predicted and realised time.
type WorkerBalance struct {
	Name string
	// Predicted seconds (its shard, or its queue batches), 0 unknown.
	Predicted float64
	// Wall is its test phase in seconds, Tests its summed test time,
	// IdleEnd the seconds from its end to the last worker's end.
	Wall, Tests, IdleEnd float64
	// Measured: Wall comes from the manifest's test phase times.
	Measured bool
	// Lost: a queue worker that never ended its test phase (killed,
	// runner lost): Wall runs to its last recorded claim or batch end,
	// when it was last known alive, and IdleEnd is 0. The others ran
	// its batch again, so the run's makespan is still measured.
	Lost bool
}

// balance measures the realised balance, once the Result is finished.
func (m *merger) balance() {
	ref := m.reference()
	if ref == nil {
		return
	}
	r := m.res
	b := &Balance{Measured: true}
	var last time.Time
	ends := map[string]time.Time{}
	for _, w := range r.Workers {
		mf := m.manifests[w.Name]
		if mf == nil {
			continue
		}
		wb := WorkerBalance{Name: w.Name, Predicted: round3(w.Predicted), Tests: round3(w.Seconds)}
		start, err1 := time.Parse(time.RFC3339Nano, mf.TestStartedAt)
		end, err2 := time.Parse(time.RFC3339Nano, mf.TestFinishedAt)
		lost := false
		if err1 == nil && mf.TestFinishedAt == "" && mf.Queue != nil && mf.Queue.Mode == manifest.ModeQueue {
			end, err2, lost = lastAlive(mf, start), nil, true
		}
		if err1 == nil && err2 == nil && !end.Before(start) {
			wb.Wall, wb.Measured, wb.Lost = round3(end.Sub(start).Seconds()), true, lost
			if !lost {
				ends[w.Name] = end
			}
			if end.After(last) {
				last = end
			}
		} else {
			wb.Wall = wb.Tests
			b.Measured = false
		}
		b.Makespan = max(b.Makespan, wb.Wall)
		b.PredictedMakespan = max(b.PredictedMakespan, wb.Predicted)
		b.Workers = append(b.Workers, wb)
	}
	if len(b.Workers) == 0 {
		return
	}
	for i := range b.Workers {
		if end, ok := ends[b.Workers[i].Name]; ok {
			b.Workers[i].IdleEnd = round3(last.Sub(end).Seconds())
		}
	}
	// The longest unit, from this run's durations of its tests.
	unitOf := map[string]string{}
	for unit, items := range ref.UnitItems() {
		for _, it := range items {
			unitOf[it] = unit
		}
	}
	units := map[string]float64{}
	longest := 0.0
	for id, sec := range r.TestTimings() {
		key := id
		if item, ok := matchKey(id, unitOf); ok {
			key = unitOf[item]
		}
		units[key] += sec
		longest = max(longest, units[key])
	}
	n := max(ref.Total, 1)
	b.LowerBound = round3(max(longest, r.Totals.Seconds/float64(n)))
	b.Makespan = round3(b.Makespan)
	if b.LowerBound > 0 {
		b.Ratio = round3(b.Makespan / b.LowerBound)
	}
	if ref.LowerBoundSeconds > 0 && ref.KnownShare > 0 && m.queue == nil {
		b.PredictedRatio = round3(ref.MakespanSeconds / ref.LowerBoundSeconds)
	}
	r.Balance = b
}

// lastAlive is the last time a queue worker that never ended its test
// phase is known to have been alive: its last claim or batch end, or the
// start of its test phase.
func lastAlive(mf *manifest.Manifest, start time.Time) time.Time {
	last := start
	for _, b := range mf.Queue.Batches {
		for _, ts := range []string{b.ClaimedAt, b.FinishedAt} {
			if t, err := time.Parse(time.RFC3339Nano, ts); err == nil && t.After(last) {
				last = t
			}
		}
	}
	return last
}

func round3(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return math.Round(x*1000) / 1000
}
