package merge

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/xshard/xshard/internal/ingest"
	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

const slowestN = 10

// aggregate folds cases, one at a time, into what the Result needs,
// keeping memory proportional to the number of tests, not their output.
type aggregate struct {
	opts    Options
	totals  Totals
	workers map[string]*Worker
	// seen maps a top-level test ID to the workers that reported it.
	seen      map[string][]string
	failures  []model.Case
	flaky     []model.Case
	failMore  int
	flakyMore int
	slowest   []model.Case
	scopes    map[string]*Scope
	rows      []TestRow
	rowsMore  int
	rollup    *ingest.Rollup
	pseudo    []string // package-level error cases ("[build failed]")
}

func newAggregate(opts Options, groups *regexp.Regexp) *aggregate {
	return &aggregate{
		opts:    opts,
		workers: map[string]*Worker{},
		seen:    map[string][]string{},
		scopes:  map[string]*Scope{},
		rollup:  ingest.NewRollup(groups),
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
			a.failures = append(a.failures, keep(c))
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
	a.rollup.Add(c)
	t.Seconds += secs
	w.Tests++
	w.Seconds += secs
	if strings.HasPrefix(c.Name, "[") {
		a.pseudo = append(a.pseudo, k.Test)
		return
	}
	ws := a.seen[k.Test]
	dup := false
	for _, x := range ws {
		if x == c.Worker {
			dup = true
		}
	}
	if !dup {
		a.seen[k.Test] = append(ws, c.Worker)
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
	names := make([]string, 0, len(ms))
	for w := range ms {
		names = append(names, w)
	}
	sort.Slice(names, func(i, j int) bool { return workerLess(names[i], names[j]) })
	var ref *manifest.Manifest
	if len(names) > 0 {
		ref = ms[names[0]]
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

	// Planned items, and the shard each belongs to.
	planned := map[string]int{}
	if ref != nil {
		for _, sh := range ref.Shards {
			for _, u := range sh.Units {
				for _, id := range u.ItemIDs() {
					planned[id] = sh.Index
				}
			}
		}
	}
	got := map[string]bool{}
	for id, ws := range a.seen {
		if len(ws) > 1 {
			sorted := append([]string(nil), ws...)
			sort.Slice(sorted, func(i, j int) bool { return workerLess(sorted[i], sorted[j]) })
			v.Duplicated = append(v.Duplicated, Duplicate{Test: id, Workers: sorted})
		}
		if ref == nil {
			continue
		}
		if item, ok := matchItem(id, planned); ok {
			got[item] = true
		} else {
			v.Unexpected = append(v.Unexpected, id)
		}
	}
	sort.Slice(v.Duplicated, func(i, j int) bool { return v.Duplicated[i].Test < v.Duplicated[j].Test })
	sort.Strings(v.Unexpected)
	missingTests := map[int][]string{}
	for id, shard := range planned {
		if !got[id] {
			missingTests[shard] = append(missingTests[shard], id)
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
func matchItem(id string, planned map[string]int) (string, bool) {
	if _, ok := planned[id]; ok {
		return id, true
	}
	if i := strings.IndexByte(id, '['); i > 0 {
		if _, ok := planned[id[:i]]; ok {
			return id[:i], true
		}
	}
	if i := strings.Index(id, "::"); i > 0 {
		if _, ok := planned[id[:i]]; ok {
			return id[:i], true
		}
	}
	return "", false
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
