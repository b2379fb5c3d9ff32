// Package history turns the outcome history that merge keeps from run to
// run (per test, the marks of its last runs, oldest first: "PPFPK-P"; see
// model.Mark) into what a team acts on: this run's failures told apart as
// new, still failing or flaky, the tests fixed since the last run, the
// flakiest tests ranked by how often their outcome flips, and the
// quarantine of known-flaky tests.
//
// It is pure logic over strings of marks: reading and writing the history
// file is package timings' job, and merge and report call this package.
// It imports nothing but the model.
package history

import (
	"cmp"
	"slices"
	"strings"

	"github.com/xshard/xshard/internal/model"
)

// DefaultLength is how many runs the history keeps per test.
const DefaultLength = 20

// DefaultFlakyThreshold is the flip rate from which a test counts as
// flaky over its history.
const DefaultFlakyThreshold = 0.2

// MinFlips is the fewest flips that make a test flaky over its history:
// one change of outcome is a break or a fix, not flakiness.
const MinFlips = 2

// Record appends this run's mark to prev, the marks of the earlier runs,
// and keeps the last length of them (length < 1 means DefaultLength).
func Record(prev string, m model.Mark, length int) string {
	if length < 1 {
		length = DefaultLength
	}
	if len(prev) >= length {
		prev = prev[len(prev)-length+1:]
	}
	return prev + string(rune(m))
}

// Combine returns the mark of one run from two attempts of it, first
// then later: a rerun attempt of the run's failed tests (shard
// --only-failed on a re-run of all the jobs) amends the run's marks
// instead of counting as a run of its own. A test that failed and then passed, or passed and then
// failed, is flaky; a later attempt that did not run the test leaves the
// first one's mark.
func Combine(first, later model.Mark) model.Mark {
	switch {
	case later == model.MarkNotRun:
		return first
	case first == model.MarkNotRun || first == model.MarkSkipped:
		return later
	case first.Failing() && (later == model.MarkPassed || later == model.MarkFlaky):
		return model.MarkFlaky
	case (first == model.MarkPassed || first == model.MarkFlaky) && later.Failing():
		return model.MarkFlaky
	case first == model.MarkFlaky && later == model.MarkPassed:
		return model.MarkFlaky
	case later == model.MarkSkipped:
		return first
	}
	return later
}

// Amend replaces the last mark of marks (this run's) by its Combine with
// later, the mark of a rerun attempt of the same run. Empty marks take
// later.
func Amend(marks string, later model.Mark) string {
	if marks == "" {
		return string(rune(later))
	}
	last := model.Mark(marks[len(marks)-1])
	return marks[:len(marks)-1] + string(rune(Combine(last, later)))
}

// Last returns the newest mark of marks that says whether the test works
// (model.Mark.Ran: not a skip, not a run without it), and false if none.
func Last(marks string) (model.Mark, bool) {
	for i := len(marks) - 1; i >= 0; i-- {
		if m := model.Mark(marks[i]); m.Ran() {
			return m, true
		}
	}
	return 0, false
}

// Flips counts how often the outcome changed over marks, considering
// only the runs that said whether the test works (runs): a change between
// passing and failing between two such runs is a flip, and a flaky run
// counts two (it failed and passed again within the run).
func Flips(marks string) (flips, runs int) {
	prev := byte(0) // 'p' pass, 'f' fail
	for i := 0; i < len(marks); i++ {
		m := model.Mark(marks[i])
		if !m.Ran() {
			continue
		}
		runs++
		cur := byte('p')
		if m.Failing() {
			cur = 'f'
		}
		if m == model.MarkFlaky {
			flips += 2
		}
		if prev != 0 && cur != prev {
			flips++
		}
		prev = cur
	}
	return flips, runs
}

// Rate is the flip rate of marks: flips per run that could flip, between
// 0 and 1 (a run flips against the one before it, and a flaky run within
// itself).
func Rate(flips, runs int) float64 {
	if runs == 0 || flips == 0 {
		return 0
	}
	return min(float64(flips)/float64(max(runs-1, 1)), 1)
}

// IsFlaky reports whether marks flip often enough to call the test
// flaky: at least MinFlips flips and a flip rate of at least threshold
// (threshold <= 0 means DefaultFlakyThreshold).
func IsFlaky(marks string, threshold float64) bool {
	if threshold <= 0 {
		threshold = DefaultFlakyThreshold
	}
	f, n := Flips(marks)
	return f >= MinFlips && Rate(f, n) >= threshold
}

// Class is what a test's outcome in this run means against its history.
type Class uint8

// The classes. Only failing, flaky and fixed tests have one; a test that
// passes as it did, is skipped or did not run is None.
const (
	None Class = iota
	// New is a failure of a test that did not fail in its last run that
	// said whether it works, or that has no such run in the history (a
	// new test, or the first run with a history): a regression.
	New
	// StillFailing is a failure of a test that failed in its last run.
	StillFailing
	// Flaky is a test that failed and passed within this run, or that
	// fails now and whose history flips more often than the threshold.
	Flaky
	// Fixed is a test that passes now and failed in its last run.
	Fixed
)

var classNames = [...]string{"", "new", "still failing", "flaky", "fixed"}

// String returns the class's name: "new", "still failing", "flaky",
// "fixed", or "" for None.
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "class(" + string(rune('0'+c)) + ")"
}

// Classify returns the class of this run's mark cur for a test whose
// earlier runs' marks are prev (oldest first); threshold is the flip
// rate of IsFlaky.
func Classify(prev string, cur model.Mark, threshold float64) Class {
	switch {
	case cur == model.MarkFlaky:
		return Flaky
	case cur.Failing():
		if last, ok := Last(prev); ok && last.Failing() {
			return StillFailing
		}
		if IsFlaky(prev, threshold) {
			return Flaky
		}
		return New
	case cur == model.MarkPassed:
		if last, ok := Last(prev); ok && last.Failing() {
			return Fixed
		}
	}
	return None
}

// Flakiness is a test's flip record over its history.
type Flakiness struct {
	ID string
	// Marks are the test's marks, this run's last.
	Marks string
	// Flips and Runs are Flips(Marks); Rate is their Rate.
	Flips, Runs int
	Rate        float64
}

// Measure returns the flip record of marks.
func Measure(id, marks string) Flakiness {
	f, n := Flips(marks)
	return Flakiness{ID: id, Marks: marks, Flips: f, Runs: n, Rate: Rate(f, n)}
}

// flakier orders by flip rate, then flips, then ID: the flakiest first.
func flakier(a, b Flakiness) int {
	return cmp.Or(cmp.Compare(b.Rate, a.Rate), cmp.Compare(b.Flips, a.Flips), strings.Compare(a.ID, b.ID))
}

// Ranker keeps the n flakiest of the tests it is offered, whatever the
// order they come in: by flip rate, then flips, then ID.
type Ranker struct {
	n   int
	min int // the fewest flips ranked
	top []Flakiness
	// worst is the index in top of the least flaky kept, once full.
	worst int
}

// NewRanker returns a Ranker that keeps the n flakiest tests with at
// least minFlips flips.
func NewRanker(n, minFlips int) *Ranker { return &Ranker{n: n, min: minFlips} }

// Add offers a test with its marks.
func (r *Ranker) Add(id, marks string) {
	if r.n <= 0 {
		return
	}
	f, runs := Flips(marks)
	if f < max(r.min, 1) {
		return
	}
	x := Flakiness{ID: id, Marks: marks, Flips: f, Runs: runs, Rate: Rate(f, runs)}
	if len(r.top) < r.n {
		x.ID, x.Marks = strings.Clone(id), strings.Clone(marks)
		r.top = append(r.top, x)
		if len(r.top) == r.n {
			r.findWorst()
		}
		return
	}
	if flakier(x, r.top[r.worst]) >= 0 {
		return
	}
	x.ID, x.Marks = strings.Clone(id), strings.Clone(marks)
	r.top[r.worst] = x
	r.findWorst()
}

func (r *Ranker) findWorst() {
	r.worst = 0
	for i := range r.top {
		if flakier(r.top[i], r.top[r.worst]) > 0 {
			r.worst = i
		}
	}
}

// Sorted returns the tests kept, flakiest first.
func (r *Ranker) Sorted() []Flakiness {
	out := slices.Clone(r.top)
	slices.SortFunc(out, flakier)
	return out
}

// Releasable reports whether a quarantined test with these marks (this
// run's last) may leave the quarantine: it passed in each of the last
// length runs.
func Releasable(marks string, length int) bool {
	if length < 1 {
		length = DefaultLength
	}
	if len(marks) < length {
		return false
	}
	return strings.Count(marks[len(marks)-length:], string(rune(model.MarkPassed))) == length
}
