package merge

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

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
		if g := ref.GoModule; g != nil {
			m.res.Plan.GoModule, m.res.Plan.GoModuleDir = g.Path, g.Dir
		}
		// differ lists the workers by their value of get, "" when they
		// all agree: "gw0, gw2: v1; gw1: v2" (name names a value).
		differ := func(get func(*manifest.Manifest) string, name func(string) string) string {
			groups := map[string][]string{}
			for _, n := range names {
				val := get(ms[n])
				groups[val] = append(groups[val], n)
			}
			if len(groups) < 2 {
				return ""
			}
			var parts []string
			for val, ws := range groups {
				parts = append(parts, fmt.Sprintf("%s: %s", strings.Join(ws, ", "), name(val)))
			}
			sort.Strings(parts)
			return strings.Join(parts, "; ")
		}
		agree := func(what string, get func(*manifest.Manifest) string) {
			orNone := func(val string) string {
				if val == "" {
					return "none"
				}
				return val
			}
			if d := differ(get, orNone); d != "" {
				v.Mismatches = append(v.Mismatches, fmt.Sprintf("workers disagree on the %s (%s)", what, d))
			}
		}
		// Re-run failed jobs keeps the workers that passed: beside a
		// re-run of the failures (shard --only-failed, the action's
		// rerun: failed) they planned every test.
		rerun := func(of string) string {
			if of == "" {
				return "every test"
			}
			return "the failures of run " + of
		}
		if d := differ(func(x *manifest.Manifest) string { return x.RerunOf }, rerun); d != "" {
			v.Mismatches = append(v.Mismatches, fmt.Sprintf("workers disagree on what they ran (%s): a re-run of the failures (rerun: failed, shard --only-failed) needs every worker to re-run; use Re-run all jobs, not Re-run failed jobs", d))
		}
		agree("commit", func(x *manifest.Manifest) string { return x.Commit })
		agree("number of workers", func(x *manifest.Manifest) string { return fmt.Sprint(x.Total) })
		agree("universe of tests", func(x *manifest.Manifest) string { return x.UniverseFingerprint })
		if m.queue == nil {
			// A queue's workers may differ here: timings only order it.
			agree("timings", func(x *manifest.Manifest) string { return x.TimingsFingerprint })
			agree("plan", func(x *manifest.Manifest) string { return x.Fingerprint })
		}
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
		w.Predicted = queuePredicted(mf)
		w.StartedAt = mf.StartedAt
		w.Attempt = mf.RunAttempt
	}

	for id, ws := range a.dups {
		sorted := append([]string(nil), ws...)
		sort.Slice(sorted, func(i, j int) bool { return workerLess(sorted[i], sorted[j]) })
		v.Duplicated = append(v.Duplicated, Duplicate{Test: id, Workers: sorted})
	}
	sort.Slice(v.Duplicated, func(i, j int) bool { return v.Duplicated[i].Test < v.Duplicated[j].Test })
	m.attributeNested()
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
			if m.queue != nil {
				// Its tests were not its own in a queue run: those that
				// no present worker ran are in Missing.
				v.Missing = append(v.Missing, tests...)
				tests = nil
			}
			v.MissingWorkers = append(v.MissingWorkers, MissingWorker{Name: name, Tests: nonNil(tests)})
			continue
		}
		v.Missing = append(v.Missing, tests...)
	}
	sort.Strings(v.Missing)
	m.verifyQueue()
}

// attributeNested attributes each case that a test ran (model.Case.RanIn)
// to the test that ran it, or, of tests that ran in parallel, to each
// that may have: with a plan, those that were planned, and when none was
// it is unexpected, like any result that no planned test explains.
func (m *merger) attributeNested() {
	a := m.agg
	counts := map[string]int{}
	var r testid.Resolver
	r.Scopes = m.scopes
	for _, n := range a.nested {
		var runners []string
		for name := range strings.FieldsSeq(n.runner.Name) {
			c := n.runner
			c.Name = name
			id := r.Of(&c).Test
			if _, ok := matchItem(id, a.planned); ok || a.planned == nil {
				runners = append(runners, id)
			}
		}
		if len(runners) == 0 {
			a.unexpected = append(a.unexpected, n.id)
			continue
		}
		// Of parallel tests, each that may have run it.
		counts[strings.Join(runners, " or ")]++
	}
	v := &m.res.Verification
	for id, n := range counts {
		v.Attributed = append(v.Attributed, Attribution{Test: id, Results: n})
		v.AttributedResults += n
	}
	sort.Slice(v.Attributed, func(i, j int) bool { return v.Attributed[i].Test < v.Attributed[j].Test })
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// matchItem finds the planned item a reported test ID belongs to: the ID
// itself, its pytest function without parameters, its method without an
// argument list (a .NET test case or theory row), its file (for suites
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
	if m, ok := testid.WithoutArgs(id); ok {
		if it, ok := planned[m]; ok {
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

// plannedItems maps every item of a manifest's plan to its shard, and
// returns the pytest files and classes the items name, by which reports
// are read (a classname "a.b.C" is file a/b.py class C, or file a/b/C.py:
// package testid).
func plannedItems(ref *manifest.Manifest) (map[string]*plannedItem, *testid.Scopes) {
	n := 0
	for _, sh := range ref.Shards {
		for _, u := range sh.Units {
			n += len(u.ItemIDs())
		}
	}
	planned := make(map[string]*plannedItem, n)
	scopes := testid.NewScopes()
	for _, sh := range ref.Shards {
		for _, u := range sh.Units {
			for _, id := range u.ItemIDs() {
				planned[id] = &plannedItem{shard: int32(sh.Index)}
				scopes.Add(id)
			}
		}
	}
	return planned, scopes
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
