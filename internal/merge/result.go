package merge

import (
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/xshard/xshard/internal/idtable"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

// Result is everything a merge found, ready to be reported.
type Result struct {
	// Totals counts the test cases of all workers.
	Totals Totals
	// Workers lists every worker seen or expected, by index.
	Workers []Worker
	// Failures holds the failed and errored cases, sorted by test ID
	// then worker; Flaky the cases that passed after failed attempts.
	Failures []model.Case
	Flaky    []model.Case
	// Slowest holds the slowest test cases (top-level tests, not Go
	// subtests), longest first; SlowestScopes the slowest files or
	// packages by summed duration.
	Slowest       []model.Case
	SlowestScopes []Scope
	// Tests holds one row per reported top-level test, sorted by ID then
	// worker, for the full table of the HTML report; at most
	// Options.MaxTestRows rows, TestsOmitted counts the rest.
	Tests        []TestRow
	TestsOmitted int
	// Verification says whether the run is complete.
	Verification Verification
	// Plan describes the plan from the manifests, nil without any.
	Plan *PlanInfo
	// Balance is the realised balance, nil without manifests.
	Balance *Balance
	// Coverage summarises the merged coverage of each kind found.
	Coverage []Coverage
	// Outputs is the merged custom JSON (nil when there was none), and
	// OutputsPerWorker each worker's own, by worker then input path.
	Outputs          any
	OutputsPerWorker map[string]map[string]any
	// History is what the outcome history says about this run: failures
	// new or known, flaky and fixed tests, the flakiest tests. Run always
	// sets it when tests ran (without an earlier history every failure is
	// new); nil otherwise.
	History *History
	// Timings are this run's durations rolled up (before blending with
	// history). From Run, Timings.Tests is nil: a million tests are
	// cheaper as a sorted list than as a map, so TestTimings has them.
	Timings *model.Timings
	tests   *testTimings
	scopes  *testid.Scopes // the plan's, by which cases were keyed
	// GuessedWorkers lists the artifact directories without a manifest
	// whose worker was taken from the directory's name ("art/xshard-3 as
	// gw3"), sorted: a guess, said as such.
	GuessedWorkers []string
	// Inputs lists every input file and what was made of it.
	Inputs []Input
	// Problems lists input errors (file:line:col: msg): the inputs
	// concerned were merged as far as they could be read.
	Problems []string
	// Warnings lists things a person should know that are not errors:
	// clobbered artifacts, saturated coverage counts, dropped attempts.
	Warnings []string
}

// Key returns the key of a case of the Result (a failure, a flaky or a
// slow test) as the merge keyed it: against the plan's scopes, so that a
// report names tests by the IDs that verification, the timings and the
// history use.
func (r *Result) Key(c *model.Case) testid.Key { return testid.OfIn(c, r.scopes) }

// Name returns the name a report shows for a case: its key's Test, and
// for a Go subtest, which the key rolls up into its top-level test, the
// whole path ("example.com/m/pkg.TestOdd/x/y"), so that a failing
// subtest is not listed under its parent's name.
func (r *Result) Name(c *model.Case) string {
	k := r.Key(c)
	if k.Sub && k.Test == k.Parent {
		if i := strings.IndexByte(c.Name, '/'); i > 0 {
			return k.Test + c.Name[i:]
		}
	}
	return k.Test
}

// testTimings is the duration of every test of a Run, in ID order.
type testTimings struct {
	ids   *idtable.Table
	order []int32 // ID indexes, in ID order
	nanos []int64 // by ID index
}

// TestTimings yields the duration of every test, in ID order: those Run
// found, else those of Timings.Tests.
func (r *Result) TestTimings() iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		if t := r.tests; t != nil {
			for _, i := range t.order {
				if !yield(t.ids.ID(int(i)), seconds(t.nanos[i])) {
					return
				}
			}
			return
		}
		if r.Timings == nil {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(r.Timings.Tests)) {
			if !yield(k, r.Timings.Tests[k]) {
				return
			}
		}
	}
}

// TestSeconds yields the durations TestTimings yields, in no particular
// order and without building the IDs: for callers that need only the
// numbers (a million IDs built and dropped cost a few hundred
// milliseconds).
func (r *Result) TestSeconds() iter.Seq[float64] {
	return func(yield func(float64) bool) {
		if t := r.tests; t != nil {
			for _, i := range t.order {
				if !yield(seconds(t.nanos[i])) {
					return
				}
			}
			return
		}
		if r.Timings == nil {
			return
		}
		for _, s := range r.Timings.Tests {
			if !yield(s) {
				return
			}
		}
	}
}

// NumTestTimings is the number of tests TestTimings yields.
func (r *Result) NumTestTimings() int {
	if r.tests != nil {
		return len(r.tests.order)
	}
	if r.Timings == nil {
		return 0
	}
	return len(r.Timings.Tests)
}

// TestRow is one test in the full table: small, since there may be a
// million.
type TestRow struct {
	ID      string
	Worker  string
	Outcome model.Outcome
	Flaky   bool
	Seconds float64
	// Marks are the test's outcome history, oldest first, this run's
	// last (see model.Mark); "" without one.
	Marks string
}

// Totals counts tests by outcome: the tests that shard plans and
// verification checks, with Go subtests rolled up into their test (as in
// the report's table and the worker balance). Flaky tests are also
// Passed.
type Totals struct {
	Tests   int
	Passed  int
	Failed  int
	Errors  int
	Skipped int
	Flaky   int
	// WithSubtests counts every test case, Go subtests included: the
	// testcases of junit.xml. It equals Tests where there are none.
	WithSubtests int
	// Seconds is the sum of the cases' durations (top-level only).
	Seconds float64
	// WallSeconds is the longest worker's summed test time: the run's
	// wall time less per-job overhead.
	WallSeconds float64
}

// Worker is one worker of the matrix.
type Worker struct {
	Index int
	Name  string // "gw0"
	// Present reports whether any input came from this worker.
	Present bool
	// Tests counts its top-level test cases; Seconds sums their time.
	Tests   int
	Seconds float64
	// Predicted is the plan's prediction for it (0 without manifest).
	Predicted float64
	// Failed counts its failed and errored tests (subtests rolled up).
	Failed int
	// StartedAt is the manifest's start time (RFC 3339), "" if unknown.
	StartedAt string
	// Attempt is the run attempt of the inputs kept for it.
	Attempt int
}

// Scope is a file or package with its summed duration.
type Scope struct {
	Name    string
	Tests   int
	Seconds float64
}

// Verification is the proof that nothing was lost, or what was.
type Verification struct {
	// Checked reports that manifests were present, so completeness was
	// verified against the plan; without them only --expect is checked.
	Checked bool
	// Expected is the number of workers expected (from the manifests or
	// --expect), 0 if unknown.
	Expected int
	// MissingWorkers names the workers without any input, with the
	// tests the plan gave them when known.
	MissingWorkers []MissingWorker
	// Missing lists planned test IDs without any result (of present
	// workers); Unexpected results that match no planned test;
	// Duplicated tests reported by more than one worker.
	Missing    []string
	Unexpected []string
	Duplicated []Duplicate
	// Mismatches lists disagreements between manifests: universe,
	// timings or plan fingerprints, commits, totals.
	Mismatches []string
	// Queue reports that workers used a queue (shard --queue): then a
	// test that several workers took on is Requeued, not Duplicated.
	Queue bool
	// Requeued lists the tests that more than one worker took on, and
	// whose result counts; Lost the batches that did not run to their
	// end (a lost worker); Fallbacks the workers that ran the static
	// plan instead ("gw2: why"); QueueErrors the workers whose queue
	// failed mid-run ("gw1: error"). None of them is a failure by itself:
	// what did not run is in Missing.
	Requeued    []Requeued
	Lost        []LostBatch
	Fallbacks   []string
	QueueErrors []string
	// Attributed lists the tests that created and ran other tests (Go's
	// testing.RunTests, suite runners), by test ID, with how many
	// results they ran: such results are counted under the test that
	// ran them, as its subtests are, rather than checked against the
	// plan themselves. AttributedResults is their sum. Not a problem.
	Attributed        []Attribution
	AttributedResults int
}

// Requeued is a test that more than one worker of a queue run took on.
type Requeued struct {
	Test    string
	Workers []string
	// Kept is the worker whose result counts (see queue.go's rule).
	Kept string
	// Reason: "lease expired", "replayed by a re-run", "static
	// fallback" or "claimed twice", comma separated.
	Reason string
}

// LostBatch is a batch a worker claimed and did not run to its end.
type LostBatch struct {
	Worker, Batch string
	Units         []string
	// RerunBy names the workers that ran its units to their end.
	RerunBy []string
}

// LostWorkers names the workers with a lost batch, in order.
func (v *Verification) LostWorkers() []string {
	var out []string
	for _, l := range v.Lost {
		if !slices.Contains(out, l.Worker) {
			out = append(out, l.Worker)
		}
	}
	return out
}

// Attribution is a test that ran other tests, and how many results they
// reported. Test is a test ID, or, when tests running in parallel may
// each have run them, their IDs joined by " or ".
type Attribution struct {
	Test    string
	Results int
}

// OK reports whether verification found nothing wrong.
func (v *Verification) OK() bool {
	return len(v.MissingWorkers) == 0 && len(v.Missing) == 0 && len(v.Unexpected) == 0 &&
		len(v.Duplicated) == 0 && len(v.Mismatches) == 0
}

// MissingWorker is a worker that uploaded nothing.
type MissingWorker struct {
	Name  string
	Tests []string
}

// Duplicate is a test reported by more than one worker.
type Duplicate struct {
	Test    string
	Workers []string
}

// PlanInfo is the plan as the manifests recorded it.
type PlanInfo struct {
	Total       int
	Strategy    string
	By          string
	Fingerprint string
	Makespan    float64
	LowerBound  float64
	KnownShare  float64
	Commit      string
	TestRunUID  string
	Collector   string
	// GoModule is the path of the Go module the workers collected their
	// tests from (shard --go), "" when the manifests do not say;
	// GoModuleDir its directory relative to the repository root ("." at
	// the root), "" when unknown.
	GoModule, GoModuleDir string
}

// Coverage is the merged coverage of one kind.
type Coverage struct {
	Kind    string // "go", "lcov" or "cobertura"
	File    string // the report file written, relative to the output directory
	Total   int64
	Covered int64
	Files   []model.FileCoverage
}

// Percent returns Covered/Total as a percentage, 0 for nothing.
func (c Coverage) Percent() float64 {
	if c.Total == 0 {
		return 0
	}
	return 100 * float64(c.Covered) / float64(c.Total)
}

// Input is one input file and what was made of it.
type Input struct {
	Path   string
	Kind   string // as ingest names it, or "custom-json"
	Worker string // "" when unknown
	// Ignored says why the input was not used ("unknown format",
	// "older attempt", ...), "" when it was.
	Ignored string
}

// Empty reports whether the merge found nothing to report: no test
// result, coverage, custom output or manifest.
func (r *Result) Empty() bool {
	return r.Totals.WithSubtests == 0 && len(r.Coverage) == 0 && r.Outputs == nil &&
		len(r.OutputsPerWorker) == 0 && !r.Verification.Checked
}
