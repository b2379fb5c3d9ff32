package merge

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/xshard/xshard/internal/ingest"
	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

const slowestN = 10

// The first fullTraces failures keep their whole (already bounded) trace;
// later ones keep shortTrace bytes of it.
const (
	fullTraces = 100
	shortTrace = 2 << 10
)

// aggregate folds cases, one at a time, into what the Result needs,
// keeping memory proportional to the number of tests, not their output.
type aggregate struct {
	opts    Options
	totals  Totals
	workers map[string]*Worker
	// seen maps a top-level test ID to the index+1 of the first worker
	// that reported it (0 for a worker without a gwN name); dups holds the
	// workers of the rare tests reported by more than one.
	seen map[uint64]int32 // keyed by xxhash64 of the ID
	dups map[string][]string
	// planned maps each planned item (from the manifests) to its shard
	// and whether a result matched it; nil without manifests.
	planned    map[string]*plannedItem
	unexpected []string
	failures   []model.Case
	flaky      []model.Case
	failMore   int
	flakyMore  int
	slowest    []model.Case
	scopes     map[string]*Scope
	rows       []TestRow
	rowsMore   int
	rollup     *ingest.Rollup
	pseudo     []string // package-level error cases ("[build failed]")
}

// plannedItem is an item of the plan and whether it got a result.
type plannedItem struct {
	shard int32
	got   bool
}

// newAggregate returns an empty aggregate; sizeHint is the expected number
// of tests, so that maps of a million entries are not grown step by step.
func newAggregate(opts Options, groups *regexp.Regexp, planned map[string]*plannedItem, sizeHint int) *aggregate {
	return &aggregate{
		opts:    opts,
		workers: map[string]*Worker{},
		seen:    make(map[uint64]int32, sizeHint),
		dups:    map[string][]string{},
		scopes:  map[string]*Scope{},
		rollup:  ingest.NewRollupSized(groups, sizeHint),
		planned: planned,
	}
}

func (a *aggregate) worker(name string) *Worker {
	w := a.workers[name]
	if w == nil {
		idx, _ := model.ParseWorkerID(name)
		w = &Worker{Index: idx, Name: name}
		if name == "" {
			w.Index = -1
		}
		a.workers[name] = w
	}
	return w
}

// add counts one case. c is reused by the caller: copy what is kept.
func (a *aggregate) add(c *model.Case) {
	k := testid.Of(c)
	top := !(k.Sub && k.Test == k.Parent) // Go subtests are inside their test
	t := &a.totals
	t.Tests++
	switch c.Outcome {
	case model.Passed:
		t.Passed++
		if c.Flaky() {
			t.Flaky++
		}
	case model.Failed:
		t.Failed++
	case model.Errored:
		t.Errors++
	case model.Skipped:
		t.Skipped++
	}
	secs := c.Seconds
	if !(secs >= 0) || math.IsInf(secs, 0) {
		secs = 0
	}
	w := a.worker(c.Worker)
	w.Present = true
	if c.Outcome == model.Failed || c.Outcome == model.Errored {
		w.Failed++
		if len(a.failures) < a.opts.MaxListed {
			f := keep(c)
			if len(a.failures) >= fullTraces && len(f.Detail) > shortTrace {
				// Past the first failures, a summary shows no more than
				// the start of a trace: keep memory bounded by the list.
				f.Detail = strings.Clone(f.Detail[:shortTrace]) + "…[truncated]"
			}
			a.failures = append(a.failures, f)
		} else {
			a.failMore++
		}
	} else if c.Flaky() {
		if len(a.flaky) < a.opts.MaxListed {
			a.flaky = append(a.flaky, keep(c))
		} else {
			a.flakyMore++
		}
	}
	if !top {
		return
	}
	a.rollup.AddKey(k, secs)
	t.Seconds += secs
	w.Tests++
	w.Seconds += secs
	if strings.HasPrefix(c.Name, "[") {
		a.pseudo = append(a.pseudo, k.Test)
		return
	}
	a.see(k.Test, c.Worker)
	if a.planned != nil {
		if item, ok := matchItem(k.Test, a.planned); ok {
			item.got = true
		} else {
			a.unexpected = append(a.unexpected, k.Test)
		}
	}
	scope := k.File
	if scope == "" {
		scope = k.Scope
	}
	s := a.scopes[scope]
	if s == nil {
		s = &Scope{Name: scope}
		a.scopes[scope] = s
	}
	s.Tests++
	s.Seconds += secs
	a.considerSlowest(c, k.Test, secs)
	if len(a.rows) < a.opts.MaxTestRows {
		a.rows = append(a.rows, TestRow{ID: k.Test, Worker: c.Worker, Outcome: c.Outcome, Flaky: c.Flaky(), Seconds: secs})
	} else {
		a.rowsMore++
	}
}

// see records that worker reported test.
func (a *aggregate) see(test, worker string) {
	code := int32(0)
	if i, ok := model.ParseWorkerID(worker); ok && i < 1<<30 {
		code = int32(i) + 1
	}
	h := xxhash.Sum64String(test)
	first, ok := a.seen[h]
	if !ok {
		a.seen[h] = code
		return
	}
	ws := a.dups[test]
	if ws == nil {
		firstName := ""
		if first > 0 {
			firstName = model.WorkerID(int(first - 1))
		}
		if firstName == worker && first > 0 {
			return // the same worker again: a rerun, not a duplicate
		}
		ws = []string{firstName}
	}
	for _, x := range ws {
		if x == worker {
			return
		}
	}
	a.dups[test] = append(ws, worker)
}

// keep copies a case for a list, without the fields lists do not show.
func keep(c *model.Case) model.Case {
	k := *c
	k.Name = strings.Clone(c.Name)
	k.Classname = strings.Clone(c.Classname)
	k.Suite = strings.Clone(c.Suite)
	return k
}

func (a *aggregate) considerSlowest(c *model.Case, id string, secs float64) {
	if len(a.slowest) == slowestN && !slower(secs, id, c.Worker, a.slowest[slowestN-1]) {
		return
	}
	k := keep(c)
	k.Seconds = secs
	k.Message, k.Detail = "", ""
	a.slowest = append(a.slowest, k)
	sort.SliceStable(a.slowest, func(i, j int) bool {
		x := a.slowest[i]
		return slower(x.Seconds, testid.Of(&x).Test, x.Worker, a.slowest[j])
	})
	if len(a.slowest) > slowestN {
		a.slowest = a.slowest[:slowestN]
	}
}

// slower orders by duration, longest first, then ID and worker.
func slower(secs float64, id, worker string, than model.Case) bool {
	if secs != than.Seconds {
		return secs > than.Seconds
	}
	tid := testid.Of(&than).Test
	if id != tid {
		return id < tid
	}
	return worker < than.Worker
}

// verify checks the results against the plan of the manifests.
func (m *merger) verify() {
	v := &m.res.Verification
	a := m.agg
	ms := m.manifests
	names := m.manifestWorkers()
	if ref := m.reference(); ref != nil {
		v.Checked = true
		v.Expected = ref.Total
		m.res.Plan = &PlanInfo{
			Total: ref.Total, Strategy: ref.Strategy, By: ref.By, Fingerprint: ref.Fingerprint,
			Makespan: ref.MakespanSeconds, LowerBound: ref.LowerBoundSeconds, KnownShare: ref.KnownShare,
			Commit: ref.Commit, TestRunUID: ref.TestRunUID, Collector: ref.Collector,
		}
		agree := func(what string, get func(*manifest.Manifest) string) {
			groups := map[string][]string{}
			for _, n := range names {
				val := get(ms[n])
				groups[val] = append(groups[val], n)
			}
			if len(groups) < 2 {
				return
			}
			var parts []string
			for val, ws := range groups {
				if val == "" {
					val = "none"
				}
				parts = append(parts, fmt.Sprintf("%s: %s", strings.Join(ws, ", "), val))
			}
			sort.Strings(parts)
			v.Mismatches = append(v.Mismatches, fmt.Sprintf("workers disagree on the %s (%s)", what, strings.Join(parts, "; ")))
		}
		agree("commit", func(x *manifest.Manifest) string { return x.Commit })
		agree("number of workers", func(x *manifest.Manifest) string { return fmt.Sprint(x.Total) })
		agree("universe of tests", func(x *manifest.Manifest) string { return x.UniverseFingerprint })
		agree("timings", func(x *manifest.Manifest) string { return x.TimingsFingerprint })
		agree("plan", func(x *manifest.Manifest) string { return x.Fingerprint })
		if m.opts.Expect > 0 && m.opts.Expect != ref.Total {
			v.Mismatches = append(v.Mismatches, fmt.Sprintf("--expect %d, but the manifests plan %d workers", m.opts.Expect, ref.Total))
		}
	} else if m.opts.Expect > 0 {
		v.Expected = m.opts.Expect
	}

	for i := 0; i < v.Expected; i++ {
		a.worker(model.WorkerID(i))
	}
	for name, mf := range ms {
		w := a.worker(name)
		w.Present = true
		w.Predicted = mf.PredictedSeconds
		w.StartedAt = mf.StartedAt
		w.Attempt = mf.RunAttempt
	}

	for id, ws := range a.dups {
		sorted := append([]string(nil), ws...)
		sort.Slice(sorted, func(i, j int) bool { return workerLess(sorted[i], sorted[j]) })
		v.Duplicated = append(v.Duplicated, Duplicate{Test: id, Workers: sorted})
	}
	sort.Slice(v.Duplicated, func(i, j int) bool { return v.Duplicated[i].Test < v.Duplicated[j].Test })
	v.Unexpected = a.unexpected
	sort.Strings(v.Unexpected)
	v.Unexpected = slices.Compact(v.Unexpected)
	missingTests := map[int][]string{}
	for id, it := range a.planned {
		if !it.got {
			missingTests[int(it.shard)] = append(missingTests[int(it.shard)], id)
		}
	}
	for i := 0; i < v.Expected; i++ {
		name := model.WorkerID(i)
		tests := missingTests[i]
		sort.Strings(tests)
		if w := a.workers[name]; w == nil || !w.Present {
			v.MissingWorkers = append(v.MissingWorkers, MissingWorker{Name: name, Tests: nonNil(tests)})
			continue
		}
		v.Missing = append(v.Missing, tests...)
	}
	sort.Strings(v.Missing)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// matchItem finds the planned item a reported test ID belongs to: the ID
// itself, its pytest function without parameters, its file (for suites
// planned by file), or its Go package's test.
func matchItem(id string, planned map[string]*plannedItem) (*plannedItem, bool) {
	if it, ok := planned[id]; ok {
		return it, true
	}
	if i := strings.IndexByte(id, '['); i > 0 {
		if it, ok := planned[id[:i]]; ok {
			return it, true
		}
	}
	if i := strings.Index(id, "::"); i > 0 {
		if it, ok := planned[id[:i]]; ok {
			return it, true
		}
	}
	return nil, false
}

// manifestWorkers returns the workers with a kept manifest, in order.
func (m *merger) manifestWorkers() []string {
	names := make([]string, 0, len(m.manifests))
	for w := range m.manifests {
		names = append(names, w)
	}
	sort.Slice(names, func(i, j int) bool { return workerLess(names[i], names[j]) })
	return names
}

// reference returns the manifest whose plan the results are checked
// against: the first worker's (all must agree, which verify checks), or
// nil without manifests.
func (m *merger) reference() *manifest.Manifest {
	if names := m.manifestWorkers(); len(names) > 0 {
		return m.manifests[names[0]]
	}
	return nil
}

// plannedItems maps every item of a manifest's plan to its shard.
func plannedItems(ref *manifest.Manifest) map[string]*plannedItem {
	n := 0
	for _, sh := range ref.Shards {
		for _, u := range sh.Units {
			n += len(u.ItemIDs())
		}
	}
	planned := make(map[string]*plannedItem, n)
	for _, sh := range ref.Shards {
		for _, u := range sh.Units {
			for _, id := range u.ItemIDs() {
				planned[id] = &plannedItem{shard: int32(sh.Index)}
			}
		}
	}
	return planned
}

// workerLess orders worker names by index (gw2 before gw10), unknown
// names after, by name.
func workerLess(a, b string) bool {
	x, okx := model.ParseWorkerID(a)
	y, oky := model.ParseWorkerID(b)
	switch {
	case okx && oky:
		return x < y
	case okx != oky:
		return okx
	}
	return a < b
}

// finish sorts and copies the aggregate into the Result.
func (m *merger) finish() {
	a := m.agg
	r := m.res
	r.Totals = a.totals
	for _, w := range a.workers {
		if w.Seconds > r.Totals.WallSeconds {
			r.Totals.WallSeconds = w.Seconds
		}
		r.Workers = append(r.Workers, *w)
	}
	sort.Slice(r.Workers, func(i, j int) bool { return workerLess(r.Workers[i].Name, r.Workers[j].Name) })
	byIDWorker := func(cs []model.Case) {
		sort.SliceStable(cs, func(i, j int) bool {
			x, y := testid.Of(&cs[i]).Test, testid.Of(&cs[j]).Test
			if x != y {
				return x < y
			}
			if cs[i].Worker != cs[j].Worker {
				return workerLess(cs[i].Worker, cs[j].Worker)
			}
			return cs[i].Name < cs[j].Name
		})
	}
	byIDWorker(a.failures)
	byIDWorker(a.flaky)
	r.Failures, r.Flaky = a.failures, a.flaky
	if a.failMore > 0 {
		m.warnf("%d more failures are not listed (--max-listed %d); junit.xml has them all", a.failMore, m.opts.MaxListed)
	}
	if a.flakyMore > 0 {
		m.warnf("%d more flaky tests are not listed (--max-listed %d)", a.flakyMore, m.opts.MaxListed)
	}
	r.Slowest = a.slowest
	for _, s := range a.scopes {
		r.SlowestScopes = append(r.SlowestScopes, *s)
	}
	sort.Slice(r.SlowestScopes, func(i, j int) bool {
		x, y := r.SlowestScopes[i], r.SlowestScopes[j]
		if x.Seconds != y.Seconds {
			return x.Seconds > y.Seconds
		}
		return x.Name < y.Name
	})
	if len(r.SlowestScopes) > slowestN {
		r.SlowestScopes = r.SlowestScopes[:slowestN]
	}
	sort.Slice(a.rows, func(i, j int) bool {
		if a.rows[i].ID != a.rows[j].ID {
			return a.rows[i].ID < a.rows[j].ID
		}
		return workerLess(a.rows[i].Worker, a.rows[j].Worker)
	})
	r.Tests, r.TestsOmitted = a.rows, a.rowsMore
	r.Timings = a.rollup.Timings()
}
