package merge

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/xshard/xshard/internal/gotest"
	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

// A queue run (shard --queue, docs/queue.md) executes at least once: a
// batch whose lease expired runs again on another worker, a re-run job
// replays its batches, and a worker that fell back to the static plan
// runs its share while the others take everything from the queue. The
// manifests record who took on which unit; a test reported by several
// workers that all took it on is requeued, not duplicated, and only one
// report counts, by this rule: a claim that ran to its end before one
// that did not, then the newer attempt (a re-run is run to replace), then
// one whose lease was still held at the end, then the earlier end, then
// the lower worker index. The
// others are left out of the totals, the failures, the tables, the
// timings and junit.xml, unless the kept worker reported nothing for the
// test; in junit.xml the report that counts carries the property
// xshard.requeued naming the other workers that took the test on.

// claim is one worker's taking on of a unit.
type claim struct {
	worker   string
	batch    string // "" for a share of the static plan
	finished bool   // ran to its end
	acked    bool   // the lease was held to the end
	attempt  int
	end      string // RFC 3339, "" when unknown
	requeued bool   // it came back to the queue after a lost lease
	replay   bool
	fallback bool
}

// queueRun is what the manifests say about a run that used a queue.
type queueRun struct {
	claims map[string][]claim // by item
	// keep maps each item claimed by more than one worker to the worker
	// whose report counts.
	keep map[string]string
	// cutOff holds, by worker, the items of its batches that did not
	// finish and their Go packages: a go test -json stream cut off in
	// one of those packages (gotest.CutOffMessage) is the worker's loss,
	// not a test's result.
	cutOff map[string]map[string]bool
}

// better orders claims by the rule above.
func better(x, y claim) bool {
	if x.finished != y.finished {
		return x.finished
	}
	if x.attempt != y.attempt {
		return x.attempt > y.attempt // a re-run is run to replace
	}
	if x.acked != y.acked {
		return x.acked
	}
	if x.end != y.end && x.end != "" && y.end != "" {
		return x.end < y.end
	}
	return workerLess(x.worker, y.worker)
}

// queueClaims reads the claims of every kept manifest, or returns nil
// when no worker used a queue (a static run keeps its strict rules).
func (m *merger) queueClaims() *queueRun {
	used := false
	for _, mf := range m.manifests {
		if mf.Queue != nil {
			used = true
		}
	}
	if !used {
		return nil
	}
	q := &queueRun{claims: map[string][]claim{}, keep: map[string]string{}, cutOff: map[string]map[string]bool{}}
	for _, w := range m.manifestWorkers() {
		mf := m.manifests[w]
		items := mf.UnitItems()
		add := func(unit string, c claim) {
			ids := items[unit]
			if len(ids) == 0 {
				ids = []string{unit}
			}
			for _, id := range ids {
				q.claims[id] = append(q.claims[id], c)
			}
		}
		if mf.Queue != nil && mf.Queue.Mode == manifest.ModeQueue {
			for _, b := range mf.Queue.Batches {
				for _, u := range b.Units {
					add(u, claim{worker: w, batch: b.ID, finished: b.Finished(), acked: b.Acked, attempt: mf.RunAttempt,
						end: b.FinishedAt, requeued: slices.Contains(b.Requeued, u), replay: b.Replay})
					if !b.Finished() {
						q.cutOffIn(w, u, items[u])
					}
				}
			}
			continue
		}
		if mf.Index < 0 || mf.Index >= len(mf.Shards) {
			continue
		}
		done := mf.TestFinishedAt != "" || mf.TestStartedAt == ""
		for _, u := range mf.Shards[mf.Index].Units {
			add(u.ID, claim{worker: w, finished: done, acked: true, attempt: mf.RunAttempt, end: mf.TestFinishedAt,
				fallback: mf.Queue != nil})
		}
	}
	for id, cs := range q.claims {
		best := cs[0]
		multi := false
		for _, c := range cs[1:] {
			if c.worker != best.worker {
				multi = true
			}
			if better(c, best) {
				best = c
			}
		}
		if multi {
			q.keep[id] = best.worker
		}
	}
	return q
}

// cutOffIn records that worker w's batch holding unit (of items) did not
// finish: the unit, its items and their Go packages ("pkg" of "pkg.TestX").
func (q *queueRun) cutOffIn(w, unit string, items []string) {
	set := q.cutOff[w]
	if set == nil {
		set = map[string]bool{}
		q.cutOff[w] = set
	}
	for _, id := range append([]string{unit}, items...) {
		set[id] = true
		if i := strings.LastIndexByte(id, '.'); i > 0 && !strings.ContainsAny(id[i+1:], "/[") {
			set[id[:i]] = true
		}
	}
}

// matchKey finds the key of m that a reported test ID belongs to, as
// matchItem does for the plan.
func matchKey(id string, m map[string]string) (string, bool) {
	if _, ok := m[id]; ok {
		return id, true
	}
	if i := strings.IndexByte(id, '['); i > 0 {
		if _, ok := m[id[:i]]; ok {
			return id[:i], true
		}
	}
	if i := strings.Index(id, "::"); i > 0 {
		if _, ok := m[id[:i]]; ok {
			return id[:i], true
		}
	}
	return "", false
}

// superseded holds the reports of a requeued item by a worker whose
// report does not count, in case the kept worker reported nothing.
type superseded struct {
	item, worker string
	cases        []model.Case
}

// contest is a requeued item and a worker that reported it: junit.xml
// holds the worker's reports of it until settle has said whose count
// (its junit.MergeOptions.Hold key is its index in contests plus one).
// cut marks the package-level error of a stream cut off with its worker
// (queueRun.cutOff), item then being the package: always left out.
type contest struct {
	item, worker string
	cut          bool
}

// filterRequeued reports whether case c (of key k) is a report that
// does not count; it is kept aside then. Only items claimed by several
// workers, and the cut-off streams of lost batches, are looked at; for
// their cases it also returns the key under which junit.xml holds them
// (0 for the others).
func (a *aggregate) filterRequeued(k testid.Key, c *model.Case) (drop bool, key uint64) {
	if a.queue == nil || a.restoring {
		return false, 0
	}
	if c.Name == gotest.PackageFailedName && c.Message == gotest.CutOffMessage && a.queue.cutOff[c.Worker][k.Scope] {
		// The stream of a killed runner ends in a package of its lost
		// batch: what the batch's tests reported is a report like any
		// other, and the package's missing end is no test's result.
		a.mu.Lock()
		defer a.mu.Unlock()
		return true, a.contestKeyOf(contest{item: k.Scope, worker: c.Worker, cut: true})
	}
	if len(a.keep) == 0 {
		return false, 0
	}
	item, ok := matchKey(k.Test, a.keep)
	if !ok {
		return false, 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	key = a.contestKeyOf(contest{item: item, worker: c.Worker})
	if a.keep[item] == c.Worker {
		a.keptSeen[item] = true
		return false, key
	}
	kc := keep(c)
	kc.Message, kc.Detail = strings.Clone(c.Message), strings.Clone(c.Detail)
	kc.File, kc.Source, kc.Worker = strings.Clone(c.File), strings.Clone(c.Source), strings.Clone(c.Worker)
	for i := range a.superseded {
		if s := &a.superseded[i]; s.item == item && s.worker == c.Worker {
			s.cases = append(s.cases, kc)
			return true, key
		}
	}
	a.superseded = append(a.superseded, superseded{item: item, worker: c.Worker, cases: []model.Case{kc}})
	return true, key
}

// contestKeyOf returns the key of ct, numbering it when it is new. a.mu
// must be held.
func (a *aggregate) contestKeyOf(ct contest) uint64 {
	key := a.contestKey[ct]
	if key == 0 {
		ct.item, ct.worker = strings.Clone(ct.item), strings.Clone(ct.worker) // the case is reused
		a.contests = append(a.contests, ct)
		key = uint64(len(a.contests))
		a.contestKey[ct] = key
	}
	return key
}

// settle makes final whose report counts for each requeued item: for
// one whose kept worker reported nothing, the best claim that did report.
// It returns those items, sorted, with their reports by the workers that
// did not count first. The readers must be done; it runs once, for
// junit.xml (resolve) and for the totals (restoreRequeued) alike.
func (a *aggregate) settle() ([]string, map[string][]superseded) {
	a.settleOnce.Do(func() { a.restored, a.restoredBy = a.settleKeep() })
	return a.restored, a.restoredBy
}

func (a *aggregate) settleKeep() ([]string, map[string][]superseded) {
	q := a.queue
	if q == nil || len(a.superseded) == 0 {
		return nil, nil
	}
	byItem := map[string][]superseded{}
	for _, s := range a.superseded {
		if !a.keptSeen[s.item] {
			byItem[s.item] = append(byItem[s.item], s)
		}
	}
	items := make([]string, 0, len(byItem))
	for it := range byItem {
		items = append(items, it)
	}
	sort.Strings(items)
	for _, it := range items {
		ss := byItem[it]
		claimOf := func(w string) claim {
			best := claim{worker: w}
			first := true
			for _, c := range q.claims[it] {
				if c.worker == w && (first || better(c, best)) {
					best, first = c, false
				}
			}
			return best
		}
		slices.SortFunc(ss, func(x, y superseded) int {
			if better(claimOf(x.worker), claimOf(y.worker)) {
				return -1
			}
			if better(claimOf(y.worker), claimOf(x.worker)) {
				return 1
			}
			return 0
		})
		q.keep[it] = ss[0].worker
	}
	return items, byItem
}

// restoreRequeued counts, for each requeued item whose kept worker
// reported nothing, the reports of the best claim that did report. The
// readers must be done.
func (a *aggregate) restoreRequeued() {
	items, byItem := a.settle()
	if len(items) == 0 {
		return
	}
	a.restoring = true
	for _, it := range items {
		ss := byItem[it]
		for i := range ss[0].cases {
			a.readers[0].add(&ss[0].cases[i])
		}
	}
	a.readers[0].flush()
	a.restoring = false
}

// resolve is junit.MergeOptions.Resolve for the reports held under key
// (filterRequeued): those of a worker whose report does not count are
// left out of junit.xml, and the one that counts is marked with the
// other workers that took the test on.
func (a *aggregate) resolve(key uint64) (bool, []junit.Property) {
	a.settle()
	ct := a.contests[key-1]
	kept := a.queue.keep[ct.item]
	if ct.cut || ct.worker != kept {
		return true, nil
	}
	var others []string
	for _, w := range a.queue.workers(ct.item) {
		if w != kept {
			others = append(others, w)
		}
	}
	return false, []junit.Property{{Name: junit.RequeuedProperty, Value: strings.Join(others, " ")}}
}

// workers returns the workers that took item on, in worker order.
func (q *queueRun) workers(item string) []string {
	var ws []string
	for _, c := range q.claims[item] {
		if !slices.Contains(ws, c.worker) {
			ws = append(ws, c.worker)
		}
	}
	sort.Slice(ws, func(i, j int) bool { return workerLess(ws[i], ws[j]) })
	return ws
}

// verifyQueue adds to the verification what the queue's manifests tell:
// the requeued tests and whose result counts, the batches that did not
// end (lost workers) and who ran them again, the workers that fell back
// to the static plan, and the queue errors.
func (m *merger) verifyQueue() {
	q := m.queue
	if q == nil {
		return
	}
	v := &m.res.Verification
	v.Queue = true
	for id, kept := range q.keep {
		reasons := map[string]bool{}
		for _, c := range q.claims[id] {
			switch {
			case c.requeued || (!c.finished && c.batch != ""):
				reasons["lease expired"] = true
			case c.replay:
				reasons["replayed by a re-run"] = true
			case c.fallback:
				reasons["static fallback"] = true
			}
		}
		if len(reasons) == 0 {
			reasons["claimed twice"] = true
		}
		ws := q.workers(id)
		rs := make([]string, 0, len(reasons))
		for r := range reasons {
			rs = append(rs, r)
		}
		sort.Strings(rs)
		v.Requeued = append(v.Requeued, Requeued{Test: id, Workers: ws, Kept: kept, Reason: strings.Join(rs, ", ")})
	}
	slices.SortFunc(v.Requeued, func(x, y Requeued) int { return strings.Compare(x.Test, y.Test) })
	for _, w := range m.manifestWorkers() {
		mf := m.manifests[w]
		if mf.Queue == nil {
			continue
		}
		if mf.Queue.Mode == manifest.ModeStaticFallback {
			v.Fallbacks = append(v.Fallbacks, fmt.Sprintf("%s: %s", w, mf.Queue.Fallback))
		}
		if mf.Queue.Error != "" {
			v.QueueErrors = append(v.QueueErrors, fmt.Sprintf("%s: %s", w, mf.Queue.Error))
		}
		for _, b := range mf.Queue.Batches {
			if b.Finished() {
				continue
			}
			lb := LostBatch{Worker: w, Batch: b.ID, Units: b.Units}
			for _, u := range b.Units {
				ids := mf.UnitItems()[u]
				if len(ids) == 0 {
					ids = []string{u}
				}
				for _, c := range q.claims[ids[0]] {
					if c.worker != w && c.finished && !slices.Contains(lb.RerunBy, c.worker) {
						lb.RerunBy = append(lb.RerunBy, c.worker)
					}
				}
			}
			sort.Slice(lb.RerunBy, func(i, j int) bool { return workerLess(lb.RerunBy[i], lb.RerunBy[j]) })
			v.Lost = append(v.Lost, lb)
		}
	}
}

// queuePredicted is a queue worker's predicted seconds: those of the
// batches it ran.
func queuePredicted(mf *manifest.Manifest) float64 {
	if mf.Queue == nil || mf.Queue.Mode != manifest.ModeQueue {
		return mf.PredictedSeconds
	}
	t := 0.0
	for _, b := range mf.Queue.Batches {
		t += b.PredictedSeconds
	}
	return t
}
