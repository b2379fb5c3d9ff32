// Package model is xshard's neutral description of a test suite and of a
// test run: the items that shard plans, the results that workers report,
// and the historical durations that balance the next plan.
//
// Every format package (JUnit, go test -json, timings, manifest, ...)
// converts to or from these types and never imports a sibling format.
// This package imports nothing but the standard library.
package model

import "strconv"

// Item is one collected test: the unit of identity that shard plans and
// merge verifies.
type Item struct {
	// ID names the test. Its shape depends on the ecosystem:
	// "example.com/m/pkg.TestName" for Go, "tests/test_x.py::TestC::test_a"
	// for pytest, "src/a.test.js" for a file-level runner such as Jest.
	ID string
	// File is the slash-separated path of the file that holds the test,
	// or "" when unknown.
	File string
	// Package is the enclosing scope (xdist's loadscope): a Go import
	// path, a pytest module or class, a directory. Never empty once
	// collected: collectors fall back to the file's directory or the ID.
	Package string
}

// Outcome is the final result of a test case.
type Outcome uint8

// The outcomes, in the order the summary lists them.
const (
	Passed Outcome = iota
	Failed
	Errored
	Skipped
)

var outcomeNames = [...]string{"passed", "failed", "error", "skipped"}

// String returns the lowercase name of o: "passed", "failed", "error" or
// "skipped".
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// ParseOutcome is the inverse of Outcome.String.
func ParseOutcome(s string) (Outcome, bool) {
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), true
		}
	}
	return 0, false
}

// Case is the result of one test case as a worker reported it.
type Case struct {
	// Suite is the name of the enclosing test suite; for Go, the package
	// import path.
	Suite string
	// Classname and Name are the JUnit attributes of the same names; for
	// go test -json, Classname is the package and Name the test (subtests
	// included, "TestA/sub").
	Classname string
	Name      string
	// File and Line locate the test when the report says where it is.
	File string
	Line int
	// Seconds is the duration the report gives, 0 when absent or not
	// usable (see BadTime).
	Seconds float64
	// BadTime is set when the report gives a duration that is not one
	// (not a number, not finite, negative, or over MaxSeconds; see
	// UsableSeconds): the reader reports it, Seconds is 0, and the case is
	// left out of totals and timings rather than counted as 0 s.
	BadTime bool
	// Outcome is the final outcome. A case that failed and then passed on
	// a rerun is Passed with FailedAttempts > 0: flaky.
	Outcome Outcome
	// FailedAttempts counts failed or errored attempts before the final
	// outcome (Surefire's flakyFailure, flakyError, rerunFailure and
	// rerunError; repeated go test -json runs).
	FailedAttempts int
	// Message is the message of the first failure, error or skip, and
	// Detail its body (a stack trace, say). Both may be truncated by the
	// reader to keep memory bounded.
	Message string
	Detail  string
	// Output is what the test printed (standard output, then standard
	// error), when the reader keeps it: the .NET readers do, so that
	// their conversion to JUnit holds it as system-out; the JUnit reader
	// leaves it empty, since Merge copies a testcase's output through.
	Output string
	// Worker is the worker that ran the case ("gw0", ...), "" when
	// unknown.
	Worker string
	// Source is the input file the case was read from.
	Source string
	// RanIn is set on a case that the report lists as a top-level test
	// but that a test created and ran (Go's testing.RunTests, a suite
	// runner called from a test): the top-level test that was running
	// when it started, which it belongs to, or, of tests that ran in
	// parallel, each that may have run it, space separated. A case whose
	// name is a subtest of such a case has its RanIn too. "" for an
	// ordinary case.
	RanIn string
}

// MaxSeconds bounds a usable duration: 1,000,000 s, some 11.6 days,
// longer than any CI job runs (GitHub Actions stops a job after 6 hours
// on its runners, 5 days on self-hosted ones). A test or suite said to
// take longer did not.
const MaxSeconds = 1e6

// UsableSeconds reports whether s can be the duration of a test or a
// suite: a finite number of seconds from 0 to MaxSeconds.
func UsableSeconds(s float64) bool { return s >= 0 && s <= MaxSeconds }

// Flaky reports whether c passed after one or more failed attempts.
func (c *Case) Flaky() bool { return c.Outcome == Passed && c.FailedAttempts > 0 }

// Timings holds historical durations in seconds at each granularity that
// shard can plan by. Keys are item IDs (Tests), file paths (Files),
// packages or scopes (Packages) and group names (Groups). A nil map is
// empty.
type Timings struct {
	Tests    map[string]float64
	Files    map[string]float64
	Packages map[string]float64
	Groups   map[string]float64
}

// Len returns the number of entries at all levels.
func (t *Timings) Len() int {
	if t == nil {
		return 0
	}
	return len(t.Tests) + len(t.Files) + len(t.Packages) + len(t.Groups)
}

// Merge copies every entry of o into t, replacing entries with the same
// key: the later source wins.
func (t *Timings) Merge(o *Timings) {
	if o == nil {
		return
	}
	put := func(dst *map[string]float64, src map[string]float64) {
		if len(src) == 0 {
			return
		}
		if *dst == nil {
			*dst = make(map[string]float64, len(src))
		}
		for k, v := range src {
			(*dst)[k] = v
		}
	}
	put(&t.Tests, o.Tests)
	put(&t.Files, o.Files)
	put(&t.Packages, o.Packages)
	put(&t.Groups, o.Groups)
}

// WorkerID returns the worker name for a 0-based index, "gw<index>" as
// pytest-xdist names its workers.
func WorkerID(index int) string { return "gw" + strconv.Itoa(index) }

// ParseWorkerID is the inverse of WorkerID.
func ParseWorkerID(s string) (int, bool) {
	if len(s) < 3 || s[:2] != "gw" {
		return 0, false
	}
	n, err := strconv.Atoi(s[2:])
	if err != nil || n < 0 || strconv.Itoa(n) != s[2:] {
		return 0, false
	}
	return n, true
}

// FileCoverage is the coverage of one source file, as reports show it:
// statements for Go profiles, lines for LCOV and Cobertura.
type FileCoverage struct {
	File    string // path as the coverage input names it
	Total   int64  // statements (or lines) that could run
	Covered int64  // of those, how many ran at least once
}

// Mark is one run's outcome of a test in the outcome history that merge
// keeps from run to run: one letter, so that a test's last runs read as
// a short string, oldest first ("PPFPK-P").
type Mark byte

// The marks. A run that did not report a test records MarkNotRun for it.
const (
	MarkPassed  Mark = 'P'
	MarkFailed  Mark = 'F'
	MarkErrored Mark = 'E'
	MarkSkipped Mark = 'S'
	// MarkFlaky is a test that failed, then passed on a rerun within the
	// run (FailedAttempts > 0).
	MarkFlaky  Mark = 'K'
	MarkNotRun Mark = '-'
)

// Marks holds every mark, in the order of the constants.
const Marks = "PFESK-"

// MarkOf returns the mark of a final outcome; flaky marks a pass after
// failed attempts.
func MarkOf(o Outcome, flaky bool) Mark {
	switch o {
	case Passed:
		if flaky {
			return MarkFlaky
		}
		return MarkPassed
	case Failed:
		return MarkFailed
	case Errored:
		return MarkErrored
	case Skipped:
		return MarkSkipped
	}
	return MarkNotRun
}

// Failing reports whether m is a failure or an error.
func (m Mark) Failing() bool { return m == MarkFailed || m == MarkErrored }

// Ran reports whether m is an outcome that says whether the test works:
// passed, failed, errored or flaky (not skipped, not run).
func (m Mark) Ran() bool {
	return m == MarkPassed || m == MarkFailed || m == MarkErrored || m == MarkFlaky
}

// ValidMarks reports whether s holds only marks.
func ValidMarks(s string) bool {
	for i := 0; i < len(s); i++ {
		switch Mark(s[i]) {
		case MarkPassed, MarkFailed, MarkErrored, MarkSkipped, MarkFlaky, MarkNotRun:
		default:
			return false
		}
	}
	return true
}
