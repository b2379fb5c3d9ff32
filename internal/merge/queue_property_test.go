package merge

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/manifest"
)

// TestEveryRequeuedTestIsMarkedOnceInJUnit is the queue's property seen
// from merge: for random unit sets, worker counts and worker speeds, with
// workers killed in the middle of a batch after reporting some of its
// tests, and workers so slow that their lease expires before they finish
// (either way the batch goes back to the head of the queue, marked
// requeued), the merge counts every test once, verifies the run, lists
// as requeued exactly the tests that ran on more than one worker, and
// writes each test once in junit.xml: the report that counts by the
// stated rule (a claim run to its end, then one whose lease held, then
// the earlier end, then the lower worker), marked with the others.
func TestEveryRequeuedTestIsMarkedOnceInJUnit(t *testing.T) {
	rounds := 40
	if testing.Short() {
		rounds = 8
	}
	kills, slow := 0, 0
	for round := range rounds {
		rng := rand.New(rand.NewPCG(uint64(round), 11))
		n := 1 + rng.IntN(60)
		workers := 1 + rng.IntN(6)
		sim := simulateQueue(rng, n, workers)
		kills += sim.kills
		slow += sim.slow
		t.Run(fmt.Sprintf("round %d: %d tests, %d workers, %d killed, %d slow", round, n, workers, sim.kills, sim.slow), func(t *testing.T) {
			root := sim.write(t)
			res, out := runQueueMergeOut(t, root)
			v := res.Verification
			if !v.OK() || len(v.Duplicated) > 0 {
				t.Fatalf("verification %+v", v)
			}
			if res.Totals.Tests != n || res.Totals.Passed != n {
				t.Errorf("totals %+v, want %d tests, all passed", res.Totals, n)
			}
			var gotRequeued, wantRequeued []string
			for _, r := range v.Requeued {
				gotRequeued = append(gotRequeued, r.Test)
			}
			want := map[string][]string{}
			for i := range n {
				id := fmt.Sprintf("t%d", i)
				r := sim.kept(id) + " passed"
				if others := sim.othersOf(id); len(others) > 0 {
					r += " requeued (" + strings.Join(others, " ") + ")"
					wantRequeued = append(wantRequeued, "s."+id)
				}
				want[id] = []string{r}
			}
			slices.Sort(wantRequeued)
			if diff := cmp.Diff(wantRequeued, gotRequeued); diff != "" {
				t.Errorf("requeued tests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, junitReports(t, out)); diff != "" {
				t.Errorf("junit.xml testcases (-want +got):\n%s", diff)
			}
		})
	}
	if kills == 0 || slow == 0 {
		t.Errorf("%d workers killed and %d leases expired in all rounds: the property was not exercised", kills, slow)
	}
}

// queueSim is a simulated queue run: who claimed what, in which batches,
// and what each worker reported.
type queueSim struct {
	workers  int
	batches  [][]manifest.Batch    // by worker
	reported []map[string]bool     // by worker: tests it reported (passed)
	claims   map[string][]simClaim // by test
	kills    int                   // workers killed
	slow     int                   // batches whose lease expired while they ran
}

// simClaim is a worker's claim of a test: whether it ran to its end, with
// its lease held, and when.
type simClaim struct {
	worker          int
	finished, acked bool
	end             float64
}

// simulateQueue runs n tests over workers with random speeds: a worker
// whose batch ends next claims the next one (what remains over twice the
// workers, at least one test); workers other than gw0 may be killed in a
// batch after reporting part of it, and any worker may be so slow that
// its lease expires while it runs a batch (it still runs it to its end
// and reports it): either way the batch goes back to the head of the
// queue, marked requeued.
func simulateQueue(rng *rand.Rand, n, workers int) *queueSim {
	s := &queueSim{workers: workers, batches: make([][]manifest.Batch, workers), reported: make([]map[string]bool, workers),
		claims: map[string][]simClaim{}}
	type entry struct {
		id       string
		requeued bool
	}
	var queue []entry
	for i := range n {
		queue = append(queue, entry{id: fmt.Sprintf("t%d", i)})
	}
	free := make([]float64, workers) // when each worker asks next
	speed := make([]float64, workers)
	dead := make([]bool, workers)
	for w := range workers {
		s.reported[w] = map[string]bool{}
		speed[w] = 0.5 + rng.Float64()*2
	}
	start := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	stamp := func(sec float64) string {
		return start.Add(time.Duration(sec * float64(time.Second))).Format(manifest.TimeFormat)
	}
	// late holds the acknowledgements of batches whose lease expired: at
	// its time, what of the batch still waits in the queue is taken out
	// (it ran), as the queue's ack script does.
	type lateAck struct {
		at  float64
		ids []string
	}
	var late []lateAck
	seq := 0
	for len(queue) > 0 {
		w := -1
		for i := range workers {
			if !dead[i] && (w < 0 || free[i] < free[w]) {
				w = i
			}
		}
		for _, a := range late {
			if a.at <= free[w] {
				queue = slices.DeleteFunc(queue, func(e entry) bool { return slices.Contains(a.ids, e.id) })
			}
		}
		late = slices.DeleteFunc(late, func(a lateAck) bool { return a.at <= free[w] })
		if len(queue) == 0 {
			break
		}
		size := max(1, len(queue)/(2*workers))
		take := queue[:size]
		queue = slices.Clone(queue[size:])
		seq++
		b := manifest.Batch{ID: fmt.Sprintf("b%d", seq), PredictedSeconds: float64(size), ClaimedAt: stamp(free[w])}
		for _, e := range take {
			b.Units = append(b.Units, "s."+e.id)
			if e.requeued {
				b.Requeued = append(b.Requeued, "s."+e.id)
			}
		}
		requeue := func() {
			back := make([]entry, len(take))
			for i, e := range take {
				back[i] = entry{id: e.id, requeued: true}
			}
			queue = append(back, queue...)
		}
		switch {
		case w > 0 && rng.IntN(5) == 0:
			// Killed after reporting a random prefix of the batch.
			dead[w] = true
			s.kills++
			for _, e := range take[:rng.IntN(len(take)+1)] {
				s.reported[w][e.id] = true
			}
			for _, e := range take {
				s.claims[e.id] = append(s.claims[e.id], simClaim{worker: w})
			}
			requeue()
		default:
			lost := rng.IntN(6) == 0
			if lost {
				// Its lease expires while it runs: the batch goes back now,
				// and it still finishes, late.
				s.slow++
				requeue()
				free[w] += float64(size) * speed[w] * 3
				a := lateAck{at: free[w]}
				for _, e := range take {
					a.ids = append(a.ids, e.id)
				}
				late = append(late, a)
			} else {
				free[w] += float64(size) * speed[w]
			}
			b.FinishedAt, b.Acked, b.LeaseLost = stamp(free[w]), !lost, lost
			for _, e := range take {
				s.reported[w][e.id] = true
				s.claims[e.id] = append(s.claims[e.id], simClaim{worker: w, finished: true, acked: !lost, end: free[w]})
			}
		}
		s.batches[w] = append(s.batches[w], b)
	}
	return s
}

// kept returns the worker whose report of test id counts: of the claims
// that reported it, one run to its end, then one whose lease held, then
// the earlier end, then the lower worker index.
func (s *queueSim) kept(id string) string {
	var best *simClaim
	for i := range s.claims[id] {
		c := &s.claims[id][i]
		if !c.finished && !s.reported[c.worker][id] {
			continue // cut off before it reported anything
		}
		switch {
		case best == nil:
			best = c
		case c.finished != best.finished:
			if c.finished {
				best = c
			}
		case c.acked != best.acked:
			if c.acked {
				best = c
			}
		case c.end != best.end:
			if c.end < best.end {
				best = c
			}
		case c.worker < best.worker:
			best = c
		}
	}
	return fmt.Sprintf("gw%d", best.worker)
}

// othersOf returns the workers other than the kept one that claimed test
// id, sorted and once each.
func (s *queueSim) othersOf(id string) []string {
	kept := s.kept(id)
	var out []string
	for _, c := range s.claims[id] {
		name := fmt.Sprintf("gw%d", c.worker)
		if name != kept && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// write writes the run's artifacts: each worker's manifest (a plan of
// the tests over the workers, by test) and JUnit report.
func (s *queueSim) write(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	var ids []string
	for id := range s.claims {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	shards := make([]manifest.Shard, s.workers)
	for i := range shards {
		shards[i] = manifest.Shard{Index: i, Units: []manifest.Unit{}}
	}
	for i, id := range ids {
		sh := &shards[i%s.workers]
		sh.Units = append(sh.Units, manifest.Unit{ID: "s." + id, Seconds: 1, Known: true})
		sh.PredictedSeconds++
	}
	for w := range s.workers {
		name := fmt.Sprintf("gw%d", w)
		dir := filepath.Join(root, "xshard-"+name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		q := &manifest.Queue{URL: "redis://h:1", Key: "xshard:{r}:", Fingerprint: "q1-u-b", Mode: manifest.ModeQueue, Batches: s.batches[w]}
		if q.Batches == nil {
			q.Batches = []manifest.Batch{}
		}
		m := &manifest.Manifest{Worker: name, Index: w, Total: s.workers, Strategy: "timing", By: "test", Collector: "ids",
			Fingerprint: "v1-u-t-a", UniverseFingerprint: "u", TimingsFingerprint: "t", Items: len(ids), KnownShare: 1,
			PredictedSeconds: shards[w].PredictedSeconds, TestRunUID: "r", Shards: shards, Queue: q}
		f, err := os.Create(filepath.Join(dir, "xshard-manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := manifest.Write(f, m); err != nil {
			t.Fatal(err)
		}
		f.Close()
		var b strings.Builder
		b.WriteString("<testsuite name=\"s\">\n")
		for _, id := range ids {
			if s.reported[w][id] {
				fmt.Fprintf(&b, "<testcase classname=\"s\" name=%q time=\"1\"/>\n", id)
			}
		}
		b.WriteString("</testsuite>\n")
		if err := os.WriteFile(filepath.Join(dir, "junit.xml"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}
