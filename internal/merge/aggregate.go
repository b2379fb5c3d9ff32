package merge

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xshard/xshard/internal/idtable"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

const slowestN = 10

// The first fullTraces failures (in the order of the list) keep their
// whole (already bounded) trace; later ones keep shortTrace bytes of it.
const (
	fullTraces = 100
	shortTrace = 2 << 10
)

// flushEvery is how many tests a reader collects before it takes the
// lock to add them to the shared table.
const flushEvery = 1024

// aggregate folds cases into what the Result needs, keeping memory
// proportional to the number of tests, not their output, and using every
// core: each goroutine reading inputs adds its cases up in its own
// reader; only the per-test table, which must see every test to find
// duplicates, is shared, and readers add to it in batches.
//
// Everything it keeps is chosen and ordered by content, never by the
// order cases arrive in (which depends on scheduling): bounded lists keep
// the smallest entries of a total order, and durations are summed as
// integer nanoseconds, whose sums do not depend on the order of terms.
type aggregate struct {
	opts    Options
	groups  *regexp.Regexp
	readers []*reader

	mu sync.Mutex // guards the fields below until close
	// ids holds every top-level test ID. By ID index: the first report
	// of it, its duration, its worker (an index of workerNames) and its
	// outcome; the other reports of an
	// ID (reruns, duplicates: rare) are in repeats. So the test table,
	// durations and duplicates all come from one store of a few dozen
	// bytes per test, without a pointer per test.
	ids     *idtable.Table
	nanos   []int64
	first   []int32
	meta    []rowMeta
	repeats []repeat
	// workerNames and workerIndex intern the worker names.
	workerNames []string
	workerIndex map[string]int32
	// dups holds the workers of the rare tests reported by more than one.
	dups map[string][]string
	// planned maps each planned item (from the manifests) to its shard
	// and whether a result matched it; nil without manifests.
	planned    map[string]*plannedItem
	unexpected []string
	// For a queue run (queue.go): the items claimed by several workers
	// and whose report counts, whether it came, and the others' reports.
	queue      *queueRun
	keep       map[string]string
	keptSeen   map[string]bool
	superseded []superseded
	restoring  bool
	// contests and contestKey number the (item, worker) pairs of the
	// requeued items' reports, for junit.xml; settle decides them once.
	contests   []contest
	contestKey map[contest]uint64
	settleOnce sync.Once
	restored   []string
	restoredBy map[string][]superseded
	nested     []nestedCase // from the readers, by close

	// Set by close, from the readers.
	workers map[string]*Worker
	order   []int32 // ID indexes in ID order, once sorted
}

// rowMeta packs a report's outcome and flags.
type rowMeta uint8

const (
	metaFlaky  rowMeta = 1 << 4
	metaPseudo rowMeta = 1 << 5 // a package-level error case ("[build failed]")
)

func newMeta(o model.Outcome, flaky, pseudo bool) rowMeta {
	m := rowMeta(o) & 0xf
	if flaky {
		m |= metaFlaky
	}
	if pseudo {
		m |= metaPseudo
	}
	return m
}

func (m rowMeta) outcome() model.Outcome { return model.Outcome(m & 0xf) }

// repeat is a report of an ID after its first.
type repeat struct {
	id     int32
	meta   rowMeta
	worker string
	nanos  int64
}

// plannedItem is an item of the plan and whether it got a result.
type plannedItem struct {
	shard int32
	got   bool
}

// reader is what one goroutine reading inputs adds up on its own.
type reader struct {
	agg      *aggregate
	resolver testid.Resolver
	totals   Totals
	nanos    int64 // of top-level tests: Totals.Seconds
	workers  map[string]*workerSum
	failures caseList
	flaky    caseList
	slowest  bounded[listed]
	scopes   map[string]*scopeSum
	files    map[string]int64
	packages map[string]int64
	groups   map[string]int64
	pending  []pendingTest
	notes    failureNotes // for the history (history.go)
	nested   []nestedCase
	// held is the junit.MergeOptions.Hold key of the case last added: 0
	// unless it is a report of a requeued item.
	held uint64
}

// nestedCase is a case that a test created and ran (model.Case.RanIn):
// verify attributes it to the test that ran it.
type nestedCase struct {
	id     string // its own test ID
	runner model.Case
}

type workerSum struct {
	tests, failed int
	nanos         int64
}

type scopeSum struct {
	tests int
	nanos int64
}

// pendingTest is a report of a top-level test waiting for the shared
// table.
type pendingTest struct {
	id     string
	worker string
	nanos  int64
	meta   rowMeta
}

// listed is a case kept for a list, with its test ID.
type listed struct {
	id string
	c  model.Case
}

// newAggregate returns an empty aggregate with readers readers, reading
// reports against the planned scopes (nil without a plan); sizeHint
// is the expected number of tests, so that the table of a million tests
// is not grown step by step.
func newAggregate(opts Options, groups *regexp.Regexp, planned map[string]*plannedItem, scopes *testid.Scopes, readers, sizeHint int) *aggregate {
	a := &aggregate{
		opts:    opts,
		groups:  groups,
		ids:     idtable.New(sizeHint),
		nanos:   make([]int64, 0, sizeHint),
		first:   make([]int32, 0, sizeHint),
		meta:    make([]rowMeta, 0, sizeHint),
		dups:    map[string][]string{},
		planned: planned,

		workerIndex: map[string]int32{},
	}
	for range readers {
		a.readers = append(a.readers, &reader{
			agg:      a,
			resolver: testid.Resolver{Scopes: scopes},
			workers:  map[string]*workerSum{},
			failures: newCaseList(opts.MaxListed),
			flaky:    newCaseList(opts.MaxListed),
			slowest:  bounded[listed]{max: slowestN, less: slowerListed},
			scopes:   map[string]*scopeSum{},
			files:    map[string]int64{},
			packages: map[string]int64{},
			groups:   map[string]int64{},
		})
	}
	return a
}

// toNanos converts a reported duration, 0 for one that is not usable
// (model.UsableSeconds).
func toNanos(s float64) int64 {
	if !model.UsableSeconds(s) {
		return 0
	}
	return int64(math.Round(s * 1e9))
}

// noTime stands in the test table for the duration of a report whose
// duration was not usable (model.Case.BadTime): it is left out of the
// timings, and counts as 0 elsewhere.
const noTime = -1

// addKnown adds two durations of the test table, either of which may be
// noTime.
func addKnown(a, b int64) int64 {
	switch {
	case a == noTime:
		return b
	case b == noTime:
		return a
	}
	return addNanos(a, b)
}

// known is a duration of the test table with noTime as 0.
func known(ns int64) int64 { return max(ns, 0) }

// addNanos adds without overflowing (sums of absurd inputs saturate).
func addNanos(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func seconds(ns int64) float64 { return float64(ns) / 1e9 }

// add counts one case. c is reused by the caller: copy what is kept.
func (r *reader) add(c *model.Case) {
	k := r.resolver.Of(c)
	var drop bool
	if drop, r.held = r.agg.filterRequeued(k, c); drop {
		return
	}
	// Go subtests are inside their test; so are the tests a test ran.
	top := !(k.Sub && k.Test == k.Parent) && c.RanIn == ""
	t := &r.totals
	t.WithSubtests++
	if top {
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
	}
	ns := toNanos(c.Seconds)
	w := r.workers[c.Worker]
	if w == nil {
		w = &workerSum{}
		r.workers[c.Worker] = w
	}
	if c.Outcome == model.Failed || c.Outcome == model.Errored {
		if top {
			w.failed++
		}
		r.failures.add(k.Test, c)
		r.notes.add(r.agg.opts.Quarantine, k.Test, top)
	} else if c.Flaky() {
		r.flaky.add(k.Test, c)
	}
	if c.RanIn != "" {
		r.nested = append(r.nested, nestedCase{id: k.Test, runner: model.Case{
			Suite: strings.Clone(c.Suite), Classname: strings.Clone(c.Classname), File: strings.Clone(c.File),
			Worker: c.Worker, Name: strings.Clone(c.RanIn),
		}})
	}
	if !top {
		return
	}
	r.nanos = addNanos(r.nanos, ns)
	w.tests++
	w.nanos = addNanos(w.nanos, ns)
	if k.File != "" {
		r.files[k.File] = addNanos(r.files[k.File], ns)
	}
	r.packages[k.Scope] = addNanos(r.packages[k.Scope], ns)
	if g := r.agg.groups; g != nil {
		if m := g.FindStringSubmatch(k.Test); len(m) > 1 {
			r.groups[m[1]] = addNanos(r.groups[m[1]], ns)
		}
	}
	pseudo := strings.HasPrefix(c.Name, "[")
	p := pendingTest{id: k.Test, worker: c.Worker, nanos: ns, meta: newMeta(c.Outcome, c.Flaky(), pseudo)}
	if c.BadTime {
		p.nanos = noTime
	}
	r.pending = append(r.pending, p)
	if len(r.pending) >= flushEvery {
		r.flush()
	}
	if pseudo {
		return
	}
	scope := k.File
	if scope == "" {
		scope = k.Scope
	}
	s := r.scopes[scope]
	if s == nil {
		s = &scopeSum{}
		r.scopes[scope] = s
	}
	s.tests++
	s.nanos = addNanos(s.nanos, ns)
	if x := (listed{k.Test, model.Case{Worker: c.Worker, Seconds: seconds(ns)}}); r.slowest.admits(x) {
		x.c = keep(c)
		x.c.Seconds = seconds(ns)
		x.c.Message, x.c.Detail = "", ""
		r.slowest.add(x)
	}
}

// flush adds the pending tests to the shared table: durations, the
// duplicate check and the match with the plan.
func (r *reader) flush() {
	a := r.agg
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range r.pending {
		i, added := a.ids.Insert(p.id)
		if added {
			a.nanos = append(a.nanos, p.nanos)
			a.first = append(a.first, a.internWorker(p.worker))
			a.meta = append(a.meta, p.meta)
		} else {
			a.repeats = append(a.repeats, repeat{id: int32(i), meta: p.meta, worker: p.worker, nanos: p.nanos})
		}
		if p.meta&metaPseudo != 0 {
			continue
		}
		if !added {
			a.seeAgain(a.ids.ID(i), a.workerNames[a.first[i]], p.worker)
		}
		if a.planned != nil {
			if item, ok := matchItem(p.id, a.planned); ok {
				item.got = true
			} else {
				a.unexpected = append(a.unexpected, p.id)
			}
		}
	}
	clear(r.pending)
	r.pending = r.pending[:0]
}

// internWorker returns the index of a worker's name in workerNames.
func (a *aggregate) internWorker(name string) int32 {
	i, ok := a.workerIndex[name]
	if !ok {
		i = int32(len(a.workerNames))
		a.workerNames = append(a.workerNames, name)
		a.workerIndex[name] = i
	}
	return i
}

// seeAgain records that worker reported test, which worker first
// reported before.
func (a *aggregate) seeAgain(test, first, worker string) {
	if first == worker {
		return // the same worker again: a rerun, not a duplicate
	}
	ws := a.dups[test]
	if ws == nil {
		ws = []string{first}
	}
	if slices.Contains(ws, worker) {
		return
	}
	a.dups[test] = append(ws, worker)
}

// close adds what the readers still hold to the shared table and the
// workers they saw to a.workers. The readers must be done.
func (a *aggregate) close() {
	a.restoreRequeued()
	a.workers = map[string]*Worker{}
	for _, r := range a.readers {
		r.flush()
		a.nested = append(a.nested, r.nested...)
		r.nested = nil
		for name, s := range r.workers {
			w := a.worker(name)
			w.Present = true
			w.Tests += s.tests
			w.Failed += s.failed
			w.Seconds = seconds(addNanos(toNanos(w.Seconds), s.nanos))
		}
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

// keep copies a case for a list, without the fields lists do not show.
func keep(c *model.Case) model.Case {
	k := *c
	k.Name = strings.Clone(c.Name)
	k.Classname = strings.Clone(c.Classname)
	k.Suite = strings.Clone(c.Suite)
	return k
}

// finish combines the readers into the Result, sorted.
func (m *merger) finish() {
	a := m.agg
	r := m.res
	var ns int64
	for _, rd := range a.readers {
		t := rd.totals
		r.Totals.Tests += t.Tests
		r.Totals.WithSubtests += t.WithSubtests
		r.Totals.Passed += t.Passed
		r.Totals.Failed += t.Failed
		r.Totals.Errors += t.Errors
		r.Totals.Skipped += t.Skipped
		r.Totals.Flaky += t.Flaky
		ns = addNanos(ns, rd.nanos)
	}
	r.Totals.Seconds = seconds(ns)
	for _, w := range a.workers {
		r.Totals.WallSeconds = max(r.Totals.WallSeconds, w.Seconds)
		r.Workers = append(r.Workers, *w)
	}
	slices.SortFunc(r.Workers, func(x, y Worker) int { return compareWorkers(x.Name, y.Name) })

	var failures, flaky caseList
	var slowest bounded[listed]
	for _, rd := range a.readers {
		failures.join(&rd.failures)
		flaky.join(&rd.flaky)
		slowest.join(&rd.slowest)
	}
	r.Failures = failures.sorted(m.opts.MaxListed)
	r.Flaky = flaky.sorted(m.opts.MaxListed)
	if n := failures.more(); n > 0 {
		m.warnf("%d more failures are not listed (--max-listed %d); junit.xml has them all", n, m.opts.MaxListed)
	}
	if n := flaky.more(); n > 0 {
		m.warnf("%d more flaky tests are not listed (--max-listed %d)", n, m.opts.MaxListed)
	}
	r.Slowest = cases(slowest.sorted(slowerListed, slowestN))
	r.Tests, r.TestsOmitted = a.rows(m.opts.MaxTestRows)

	scopes := map[string]*scopeSum{}
	for _, rd := range a.readers {
		for name, s := range rd.scopes {
			t := scopes[name]
			if t == nil {
				t = &scopeSum{}
				scopes[name] = t
			}
			t.tests += s.tests
			t.nanos = addNanos(t.nanos, s.nanos)
		}
	}
	for name, s := range scopes {
		r.SlowestScopes = append(r.SlowestScopes, Scope{Name: name, Tests: s.tests, Seconds: seconds(s.nanos)})
	}
	slices.SortFunc(r.SlowestScopes, func(x, y Scope) int {
		return cmp.Or(cmp.Compare(y.Seconds, x.Seconds), strings.Compare(x.Name, y.Name))
	})
	r.SlowestScopes = r.SlowestScopes[:min(len(r.SlowestScopes), slowestN)]
	r.Timings = m.timings()
	r.tests = a.testTimings()
}

// sortedIDs returns every ID index in ID order, sorted once for the
// test table and the timings.
func (a *aggregate) sortedIDs() []int32 {
	if a.order == nil {
		a.order = a.ids.Sorted()
	}
	return a.order
}

// rows returns the first max rows of the test table, one per report of
// a top-level test, sorted by ID then worker, and how many were left out.
func (a *aggregate) rows(max int) (rows []TestRow, omitted int) {
	more := map[int32][]TestRow{} // the repeats, by ID index
	total := 0
	for _, p := range a.repeats {
		if p.meta&metaPseudo == 0 {
			more[p.id] = append(more[p.id], TestRow{ID: a.ids.ID(int(p.id)), Worker: p.worker, Outcome: p.meta.outcome(), Flaky: p.meta&metaFlaky != 0, Seconds: seconds(known(p.nanos))})
			total++
		}
	}
	for _, m := range a.meta {
		if m&metaPseudo == 0 {
			total++
		}
	}
	for _, i := range a.sortedIDs() {
		if len(rows) >= max {
			break
		}
		m := a.meta[i]
		if m&metaPseudo != 0 {
			continue
		}
		first := TestRow{ID: a.ids.ID(int(i)), Worker: a.workerNames[a.first[i]], Outcome: m.outcome(), Flaky: m&metaFlaky != 0, Seconds: seconds(known(a.nanos[i]))}
		if len(more[i]) == 0 {
			rows = append(rows, first)
			continue
		}
		group := append([]TestRow{first}, more[i]...)
		slices.SortFunc(group, func(x, y TestRow) int {
			if rowLess(x, y) {
				return -1
			}
			if rowLess(y, x) {
				return 1
			}
			return 0
		})
		rows = append(rows, group[:min(len(group), max-len(rows))]...)
	}
	return rows, total - len(rows)
}

// testTimings returns the summed duration of every test, in ID order.
// It adds the repeats into a.nanos, which then no longer holds the first
// reports' durations: call it after rows.
// Tests with no usable duration in any report are left out.
func (a *aggregate) testTimings() *testTimings {
	sums := a.nanos
	for _, p := range a.repeats {
		sums[p.id] = addKnown(sums[p.id], p.nanos)
	}
	a.nanos = nil
	order := a.sortedIDs()
	if slices.Contains(sums, noTime) {
		order = slices.DeleteFunc(slices.Clone(order), func(i int32) bool { return sums[i] == noTime })
	}
	return &testTimings{ids: a.ids, order: order, nanos: sums}
}

// timings returns the run's durations at every level.
func (m *merger) timings() *model.Timings {
	a := m.agg
	t := &model.Timings{}
	level := func(get func(*reader) map[string]int64) map[string]float64 {
		sums := map[string]int64{}
		for _, rd := range a.readers {
			for k, ns := range get(rd) {
				sums[k] = addNanos(sums[k], ns)
			}
		}
		out := make(map[string]float64, len(sums))
		for k, ns := range sums {
			out[k] = seconds(ns)
		}
		return out
	}
	t.Files = level(func(r *reader) map[string]int64 { return r.files })
	t.Packages = level(func(r *reader) map[string]int64 { return r.packages })
	t.Groups = level(func(r *reader) map[string]int64 { return r.groups })
	return t
}

// caseList keeps the first cases of a list (failures, flaky tests) by
// caseLess, whatever the order they come in: up to max of them with
// traces cut to shortTrace bytes, and the first fullTraces whole, so
// that memory is bounded by the list, not by the traces of every case.
type caseList struct {
	short, full bounded[listed]
}

func newCaseList(max int) caseList {
	return caseList{
		short: bounded[listed]{max: max, less: shortCaseLess},
		full:  bounded[listed]{max: min(max, fullTraces), less: caseLess},
	}
}

// add offers a case with test ID id; c is copied only when kept.
func (l *caseList) add(id string, c *model.Case) {
	x := listed{id, *c}
	inShort, inFull := l.short.admits(x), l.full.admits(x)
	if !inShort {
		l.short.skip()
	}
	if !inShort && !inFull {
		return
	}
	x.c = keep(c)
	if inFull {
		l.full.add(x)
	}
	if inShort {
		if len(x.c.Detail) > shortTrace {
			x.c.Detail = strings.Clone(cutRunes(x.c.Detail, shortTrace)) + "…[truncated]"
		}
		l.short.add(x)
	}
}

func (l *caseList) join(o *caseList) {
	l.short.join(&o.short)
	l.full.join(&o.full)
}

// sorted returns the first max cases in order. Every one of the first
// fullTraces is among the first fullTraces of the list it came from:
// they get their whole traces back.
func (l *caseList) sorted(max int) []model.Case {
	short := l.short.sorted(shortCaseLess, max)
	full := l.full.sorted(caseLess, min(max, fullTraces))
	out := make([]model.Case, len(short))
	for i, x := range short {
		out[i] = x.c
		if i < len(full) {
			out[i] = full[i].c
		}
	}
	return out
}

// more is how many cases offered were not kept.
func (l *caseList) more() int { return l.short.more() }

// cutRunes returns s cut to at most n bytes, on a rune boundary.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func cases(ls []listed) []model.Case {
	out := make([]model.Case, len(ls))
	for i, l := range ls {
		out[i] = l.c
	}
	return out
}

// caseLess orders listed cases by test ID, worker, then every other
// field, so that which cases a bounded list keeps does not depend on the
// order they arrived in.
func caseLess(x, y listed) bool { return compareCases(x, y, true) < 0 }

// shortCaseLess is caseLess on traces cut to shortTrace bytes: the
// failure list compares what it keeps.
func shortCaseLess(x, y listed) bool { return compareCases(x, y, false) < 0 }

func compareCases(x, y listed, fullDetail bool) int {
	a, b := &x.c, &y.c
	if c := strings.Compare(x.id, y.id); c != 0 {
		return c
	}
	if c := compareWorkers(a.Worker, b.Worker); c != 0 {
		return c
	}
	da, db := a.Detail, b.Detail
	if !fullDetail {
		da, db = cutRunes(da, shortTrace), cutRunes(db, shortTrace)
	}
	// cmp.Or evaluates every comparison: only on ties, which are rare.
	return cmp.Or(
		strings.Compare(a.Name, b.Name),
		strings.Compare(a.Classname, b.Classname),
		strings.Compare(a.Suite, b.Suite),
		cmp.Compare(a.Outcome, b.Outcome),
		strings.Compare(a.Message, b.Message),
		strings.Compare(da, db),
		cmp.Compare(a.Seconds, b.Seconds),
		strings.Compare(a.Source, b.Source),
		strings.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
	)
}

// slowerListed orders by duration, longest first, then ID and worker.
func slowerListed(x, y listed) bool {
	if x.c.Seconds != y.c.Seconds {
		return x.c.Seconds > y.c.Seconds
	}
	if x.id != y.id {
		return x.id < y.id
	}
	return workerLess(x.c.Worker, y.c.Worker)
}

// rowLess orders rows by ID then worker, then the rest.
func rowLess(x, y TestRow) bool {
	if x.ID != y.ID {
		return x.ID < y.ID
	}
	if x.Worker != y.Worker {
		return workerLess(x.Worker, y.Worker)
	}
	if x.Outcome != y.Outcome {
		return x.Outcome < y.Outcome
	}
	if x.Seconds != y.Seconds {
		return x.Seconds < y.Seconds
	}
	return !x.Flaky && y.Flaky
}

func compareWorkers(a, b string) int {
	switch {
	case a == b:
		return 0
	case workerLess(a, b):
		return -1
	case workerLess(b, a):
		return 1
	}
	return 0
}
