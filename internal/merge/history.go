package merge

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unsafe"

	"github.com/xshard/xshard/internal/atomicfile"
	"github.com/xshard/xshard/internal/history"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/timings"
)

// HistoryFile is the outcome history merge writes beside timings.json.
const HistoryFile = timings.HistoryFile

// QuarantineSuggestionsFile is the quarantine list merge suggests from
// its flaky ranking, for a person to review.
const QuarantineSuggestionsFile = "quarantine-suggested.txt"

// flakiestN is how many of the flakiest tests the Result ranks.
const flakiestN = 20

// minRunsToSuggest is the fewest runs of a test (that said whether it
// works) on which merge suggests quarantining it: a flaky run or two
// among few is not yet a pattern.
const minRunsToSuggest = 5

// History is what the outcome history says about this run: which
// failures are new, which known, which tests are flaky or fixed, and the
// flakiest tests. A comment or report shows New first: those are what
// this change broke.
type History struct {
	// Known reports that an earlier history was read. Without one every
	// failure counts as new.
	Known bool
	// Runs counts the runs in the history, this one included; Length is
	// the most marks kept per test.
	Runs, Length int
	// Amended reports that this run re-ran the history's last run (its
	// failed tests, shard --only-failed, or another attempt of the same CI
	// run) and amended that run's marks instead of adding a run.
	Amended bool
	// Counts counts this run's tests by class; quarantined failures are
	// counted apart, not in their class.
	Counts HistoryCounts
	// New, StillFailing, Flaky and Fixed list the tests of each class,
	// sorted by ID, at most Options.MaxListed each (Counts has the
	// totals). Quarantined lists the failures of quarantined tests, of
	// any class, and Releasable the quarantined tests that passed in each
	// of the last Length runs.
	New, StillFailing, Flaky, Fixed []ClassifiedTest
	Quarantined, Releasable         []ClassifiedTest
	// Flakiest ranks the tests whose outcome flips most over the history,
	// this run included, the flakiest first.
	Flakiest []history.Flakiness
	// Suggested lists the flakiest tests that are not quarantined, flip
	// at least as often as the threshold and ran in at least 5 runs: what
	// QuarantineSuggestionsFile holds.
	Suggested []history.Flakiness
	// FlakyThreshold is the flip rate that made a test flaky.
	FlakyThreshold float64

	classes map[string]history.Class
}

// HistoryCounts counts a run's tests by class. A quarantined failure is
// counted in Quarantined, not in its class.
type HistoryCounts struct {
	New, StillFailing, Flaky, Fixed int
	// FlakyFailing counts the Flaky tests that failed in this run (the
	// others passed on a rerun within it).
	FlakyFailing int
	// Quarantined counts the failing tests that are quarantined.
	Quarantined int
	// Failing counts the failing tests, quarantined or not.
	Failing int
	// PackageErrors counts the failures outside any test (a package that
	// did not build, a test binary that crashed), and Unclassified the
	// failing subtests whose test did not fail: no history classifies
	// them, so they always fail the run.
	PackageErrors, Unclassified int
	// QuarantinedCases counts the failed and errored cases (subtests
	// included) of quarantined tests, of Totals.Failed + Totals.Errors.
	QuarantinedCases int
}

// ClassifiedTest is a test with its class and history.
type ClassifiedTest struct {
	ID    string
	Class history.Class
	// Outcome is this run's mark; Marks the test's marks, oldest first,
	// this run's last.
	Outcome model.Mark
	Marks   string
	// Quarantine is the quarantine rule that matched the test ("" when
	// none), with its reason.
	Quarantine string
}

// failureNotes is what a reader notes of the failing cases it sees, for
// the verdict of the history: how many are of quarantined tests, and the
// tests whose subtests failed.
type failureNotes struct {
	quarantined int
	parents     map[string]struct{}
}

func (n *failureNotes) add(q *history.Quarantine, test string, top bool) {
	if _, ok := q.Match(test); ok {
		n.quarantined++
	}
	if !top {
		if n.parents == nil {
			n.parents = map[string]struct{}{}
		}
		if _, ok := n.parents[test]; !ok {
			n.parents[strings.Clone(test)] = struct{}{}
		}
	}
}

// Blocking reports whether the run's failures fail it under --fail-on:
// with newOnly, only new failures (those the history has not seen failing,
// and failures it cannot classify, such as a package that did not build),
// else every failure; failures of quarantined tests never count. Without
// a History every failure counts.
func (r *Result) Blocking(newOnly bool) bool {
	failing := r.Totals.Failed + r.Totals.Errors
	if failing == 0 {
		// A stream cut before a test's own end lists the failure of its
		// subtest only.
		failing = len(r.Failures)
	}
	h := r.History
	switch {
	case failing == 0:
		return false
	case h == nil:
		return true
	case newOnly:
		return h.Counts.New+h.Counts.PackageErrors+h.Counts.Unclassified > 0
	}
	return failing > h.Counts.QuarantinedCases
}

// ClassOf returns the class of a test listed in the History, None for
// any other test.
func (h *History) ClassOf(id string) history.Class {
	if h == nil {
		return history.None
	}
	return h.classes[id]
}

// historyWriter returns the pass that folds this run into the outcome
// history: it reads Options.History as a stream, writes history.json,
// classifies this run's tests into Result.History, puts each test's
// marks in its rows, and returns warnings for a history it could not
// read. It reads the Result and the aggregate and writes only
// Result.History and the rows' Marks, so it can run beside the timings.
func (m *merger) historyWriter() func() ([]string, error) {
	t := m.res.tests
	if t == nil || len(t.order) == 0 {
		return func() ([]string, error) { return nil, nil }
	}
	marks, failed, pseudo := m.agg.marks()
	lastRun, rerunOf, ciRun := m.runIDs()
	opts := m.opts
	res := m.res
	agg := m.agg
	return func() ([]string, error) {
		var warnings []string
		var p *historyPass
		path := filepath.Join(opts.OutDir, HistoryFile)
		historyID := ""
		if strings.HasPrefix(rerunOf, "sha256:") && opts.History != "" {
			historyID, _ = timings.HistoryID(opts.History)
		}
		write := func(src historySource, rerunOf string) error {
			p = &historyPass{opts: opts, res: res, t: t, agg: agg, marks: marks, failed: failed, pseudo: pseudo, historyID: historyID}
			return atomicfile.Write(path, func(w io.Writer) error { return p.run(w, src, lastRun, rerunOf, ciRun) })
		}
		var src historySource
		if opts.History != "" {
			s, err := openHistory(opts.History)
			switch {
			case errors.Is(err, os.ErrNotExist):
				warnings = append(warnings, fmt.Sprintf("--history %q does not exist yet: this run starts the outcome history", opts.History))
			case err != nil:
				warnings = append(warnings, fmt.Sprintf("--history: %v (the outcome history starts again from this run)", err))
			default:
				src = s
			}
		}
		err := write(src, rerunOf)
		if src != nil {
			src.close()
		}
		var se *sourceError
		if errors.As(err, &se) {
			// The stream broke off. A file that is valid but laid out
			// otherwise is read whole; a damaged one is named with the
			// place of the damage, and the run goes on without it.
			h, rerr := timings.ReadHistoryFile(opts.History)
			if rerr == nil && timings.IsNotCanonical(se.err) {
				err = write(newMapSource(h), rerunOf)
			} else {
				if rerr == nil {
					rerr = se.err
				}
				warnings = append(warnings, fmt.Sprintf("--history: %v (the outcome history starts again from this run)", rerr))
				err = write(nil, "")
			}
		}
		if err != nil {
			return warnings, err
		}
		res.History = p.h
		if len(p.h.Suggested) > 0 {
			err = atomicfile.Write(filepath.Join(opts.OutDir, QuarantineSuggestionsFile), func(w io.Writer) error {
				return history.WriteSuggestions(w, suggestionsHeader(p.h), p.h.Suggested)
			})
		}
		return warnings, err
	}
}

func suggestionsHeader(h *History) string {
	return fmt.Sprintf("Tests that merge suggests to quarantine: each flipped between passing and failing\n"+
		"in at least %.0f%% of its last runs (up to %d). Review them, then add the ones to keep\n"+
		"out of the verdict to the file given to --quarantine; merge never applies this list.\n", h.FlakyThreshold*100, h.Length)
}

// runIDs returns this run's test-run id (that of the manifest of the
// latest attempt, the first worker's among equals), the history run that
// the manifests say this run re-ran the failures of ("" unless every
// manifest names the same one), and the CI run that every manifest
// belongs to ("" unless they all name the same one).
func (m *merger) runIDs() (lastRun, rerunOf, ciRun string) {
	names := make([]string, 0, len(m.manifests))
	for w := range m.manifests {
		names = append(names, w)
	}
	sort.Slice(names, func(i, j int) bool { return workerLess(names[i], names[j]) })
	attempt := 0
	for i, w := range names {
		mf := m.manifests[w]
		if i == 0 {
			lastRun, rerunOf, ciRun, attempt = mf.TestRunUID, mf.RerunOf, mf.RunID, mf.RunAttempt
			continue
		}
		if mf.RerunOf != rerunOf {
			rerunOf = ""
		}
		if mf.RunID != ciRun {
			ciRun = ""
		}
		if mf.RunAttempt > attempt {
			lastRun, attempt = mf.TestRunUID, mf.RunAttempt
		}
	}
	return lastRun, rerunOf, ciRun
}

// sameCIRun reports whether the test-run id uid (a history's last run)
// is CI run ciRun itself or one of its attempts ("<run>-<attempt>", the
// id shard derives when XSHARD_TESTRUN_UID is not set).
func sameCIRun(uid, ciRun string) bool {
	if ciRun == "" || uid == "" {
		return false
	}
	if uid == ciRun {
		return true
	}
	rest, ok := strings.CutPrefix(uid, ciRun+"-")
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// marks returns this run's mark of every ID in the table, by ID index,
// whether any report of it failed, and how many package-level error cases
// failed. An ID reported more than once (a rerun in another file, or by
// two workers) gets one mark for all its reports, whatever order they came
// in: flaky when some failed and some passed.
func (a *aggregate) marks() (marks []model.Mark, failed []bool, pseudoFailed int) {
	marks = make([]model.Mark, len(a.meta))
	failed = make([]bool, len(a.meta))
	fails := func(m rowMeta) bool { o := m.outcome(); return o == model.Failed || o == model.Errored }
	for i, m := range a.meta {
		if m&metaPseudo != 0 {
			if fails(m) {
				pseudoFailed++
			}
			continue
		}
		marks[i] = model.MarkOf(m.outcome(), m&metaFlaky != 0)
		failed[i] = fails(m)
	}
	for _, r := range a.repeats {
		if r.meta&metaPseudo != 0 {
			if fails(r.meta) {
				pseudoFailed++
			}
			continue
		}
		if marks[r.id] != 0 {
			marks[r.id] = combineAll(marks[r.id], model.MarkOf(r.meta.outcome(), r.meta&metaFlaky != 0))
			failed[r.id] = failed[r.id] || fails(r.meta)
		}
	}
	return marks, failed, pseudoFailed
}

// combineAll folds the marks of two reports of one test in one run, in
// either order to the same mark: flaky when one failed and one passed (or
// either was flaky), an error over a failure, a run over a skip.
func combineAll(a, b model.Mark) model.Mark {
	pass := func(m model.Mark) bool { return m == model.MarkPassed || m == model.MarkFlaky }
	switch {
	case a == model.MarkFlaky || b == model.MarkFlaky:
		return model.MarkFlaky
	case a.Failing() && pass(b) || b.Failing() && pass(a):
		return model.MarkFlaky
	case a == model.MarkErrored || b == model.MarkErrored:
		return model.MarkErrored
	case a.Failing() || b.Failing():
		return model.MarkFailed
	case pass(a) || pass(b):
		return model.MarkPassed
	}
	return model.MarkSkipped
}

// historySource is the history read: a stream of the canonical file, or
// the whole file read the general way, in ID order either way.
type historySource interface {
	header() timings.History
	// next returns the next test and its marks, valid until the next
	// call; false at the end.
	next() (id, marks []byte, ok bool)
	err() error
	close()
}

// sourceError is an error of the history being read, as opposed to one
// writing the new one.
type sourceError struct{ err error }

func (e *sourceError) Error() string { return e.err.Error() }

// openHistory opens the history at path: as a stream when it is laid out
// as merge writes it, else read whole.
func openHistory(path string) (historySource, error) {
	s, c, err := timings.OpenHistoryStream(path)
	if err == nil {
		return &streamSource{s: s, c: c}, nil
	}
	if !timings.IsNotCanonical(err) {
		return nil, err
	}
	h, err := timings.ReadHistoryFile(path)
	if err != nil {
		return nil, err
	}
	return newMapSource(h), nil
}

func newMapSource(h *timings.History) *mapSource {
	ids := make([]string, 0, len(h.Tests))
	for id := range h.Tests {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return &mapSource{h: h, ids: ids}
}

type streamSource struct {
	s *timings.HistoryStream
	c io.Closer
}

func (s *streamSource) header() timings.History           { return s.s.Header() }
func (s *streamSource) next() (id, marks []byte, ok bool) { return s.s.Next() }
func (s *streamSource) err() error                        { return s.s.Err() }
func (s *streamSource) close()                            { s.c.Close() }

type mapSource struct {
	h   *timings.History
	ids []string
	i   int
}

func (s *mapSource) header() timings.History { return *s.h }
func (s *mapSource) next() (id, marks []byte, ok bool) {
	if s.i == len(s.ids) {
		return nil, nil, false
	}
	k := s.ids[s.i]
	s.i++
	return []byte(k), []byte(s.h.Tests[k]), true
}
func (s *mapSource) err() error { return nil }
func (s *mapSource) close()     {}

// historyPass folds a run into the history: a sorted merge of the run's
// IDs and the history's.
type historyPass struct {
	opts   Options
	res    *Result
	t      *testTimings
	agg    *aggregate
	marks  []model.Mark
	failed []bool
	pseudo int
	// historyID is timings.HistoryID of the history read, when a re-run
	// names one by its hash.
	historyID string
	h         *History
	buf       []byte
	row       int // the next row of res.Tests to give its marks
}

// testTimingsNoCopy is TestTimings with each ID valid only until the
// next: built in one buffer rather than a string a test, for the timings
// pass, which writes each at once. Without Run's table it is TestTimings.
func (r *Result) testTimingsNoCopy() iter.Seq2[string, float64] {
	t := r.tests
	if t == nil {
		return r.TestTimings()
	}
	return func(yield func(string, float64) bool) {
		var b []byte
		for _, i := range t.order {
			b = t.ids.AppendID(b[:0], int(i))
			if !yield(bstr(b), seconds(t.nanos[i])) {
				return
			}
		}
	}
}

// bstr returns b as a string without copying, for calls that do not keep
// it: the stream's bytes are reused by its next line.
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// run writes the new history to w.
func (p *historyPass) run(w io.Writer, src historySource, lastRun, rerunOf, ciRun string) error {
	o := p.opts
	length := o.HistoryLength
	if length < 1 {
		length = history.DefaultLength
	}
	threshold := o.FlakyThreshold
	if threshold <= 0 {
		threshold = history.DefaultFlakyThreshold
	}
	h := &History{Length: length, FlakyThreshold: threshold, Runs: 1, classes: map[string]history.Class{}}
	h.Counts.PackageErrors = p.pseudo
	p.h = h
	var old timings.History
	if src != nil {
		old = src.header()
		h.Known = true
		h.Runs = old.Runs + 1
		// A re-run of the last run's failures, or another attempt (or a
		// second merge) of the same CI run, amends that run: one CI run
		// is one run of the history, however many times its jobs ran.
		if rerunOf != "" && (rerunOf == old.LastRun || old.LastRun == "" && strings.HasPrefix(rerunOf, "sha256:") && rerunOf == p.historyID) ||
			sameCIRun(old.LastRun, ciRun) {
			h.Amended = true
			h.Runs = old.Runs
		}
	}
	if lastRun == "" && h.Amended {
		lastRun = old.LastRun
	}
	hw := timings.NewHistoryWriter(w, &timings.History{Length: length, Runs: h.Runs, LastRun: lastRun})
	ranker := history.NewRanker(flakiestN, history.MinFlips)
	listMax := o.MaxListed
	quarantine := o.Quarantine
	var hid, hmarks []byte
	more := false
	if src != nil {
		hid, hmarks, more = src.next()
	}
	order := p.t.order
	ids := p.t.ids
	var idBuf []byte
	for ri := 0; ri < len(order) || more; {
		inRun, inHist := false, false
		rid := ""
		if ri < len(order) {
			// The ID in a buffer, not a string a test: fold copies what
			// it keeps.
			idBuf = ids.AppendID(idBuf[:0], int(order[ri]))
			rid = bstr(idBuf)
		}
		switch {
		case ri == len(order):
			inHist = true
		case !more || rid < string(hid):
			inRun = true
		case rid == string(hid):
			inRun, inHist = true, true
		default:
			inHist = true
		}
		id, prev, cur, failed := rid, "", model.Mark(0), false
		if inRun {
			cur, failed = p.marks[order[ri]], p.failed[order[ri]]
			ri++
		}
		if inHist {
			if !inRun {
				id = string(hid)
			}
			prev = bstr(hmarks)
		}
		// A package-level error case ("[build failed]", mark 0) is not
		// a test: it has no history of its own.
		if !inRun || cur != 0 || inHist {
			p.fold(hw, ranker, quarantine, id, prev, cur, failed, threshold, listMax)
		}
		if inHist {
			hid, hmarks, more = src.next()
		}
	}
	if src != nil {
		if err := src.err(); err != nil {
			return &sourceError{err}
		}
	}
	for _, rd := range p.agg.readers {
		h.Counts.QuarantinedCases += rd.notes.quarantined
	}
	parents := map[string]struct{}{}
	for _, rd := range p.agg.readers {
		for t := range rd.notes.parents {
			parents[t] = struct{}{}
		}
	}
	for t := range parents {
		if i := ids.Index(t); i < 0 || !p.failed[i] {
			h.Counts.Unclassified++
		}
	}
	h.Flakiest = ranker.Sorted()
	for _, f := range h.Flakiest {
		if f.Rate >= threshold && f.Runs >= minRunsToSuggest {
			if _, ok := quarantine.Match(f.ID); !ok {
				h.Suggested = append(h.Suggested, f)
			}
		}
	}
	for _, l := range [][]ClassifiedTest{h.New, h.StillFailing, h.Flaky, h.Fixed, h.Quarantined} {
		for _, c := range l {
			h.classes[c.ID] = c.Class
		}
	}
	return hw.Close()
}

// fold records one test: prev are its marks before this run ("" when
// none), cur its mark in this run (0 when it did not run), failing
// whether any of its reports in this run failed.
func (p *historyPass) fold(hw *timings.HistoryWriter, ranker *history.Ranker, q *history.Quarantine, id, prev string, cur model.Mark, failing bool, threshold float64, listMax int) {
	h := p.h
	ran := cur != 0
	if !ran {
		cur = model.MarkNotRun
	}
	before := prev // the marks of the runs before this one
	b := p.buf[:0]
	switch {
	case h.Amended && !ran:
		b = append(b, prev...)
	case h.Amended && prev != "":
		before = prev[:len(prev)-1]
		cur = history.Combine(model.Mark(prev[len(prev)-1]), cur)
		b = append(append(b, before...), byte(cur))
	default:
		if len(prev) >= h.Length {
			prev = prev[len(prev)-h.Length+1:]
		}
		b = append(append(b, prev...), byte(cur))
	}
	p.buf = b
	marks := bstr(b)
	if strings.Trim(marks, string(rune(model.MarkNotRun))) == "" {
		return // in none of the last runs: dropped
	}
	hw.Add(id, marks)
	ranker.Add(id, marks)
	var rule history.Rule
	quarantined := false
	if q.Len() > 0 {
		rule, quarantined = q.Match(id)
	}
	if ran {
		class := history.Classify(before, cur, threshold)
		if failing {
			h.Counts.Failing++
		}
		if class != history.None || quarantined && failing {
			c := ClassifiedTest{ID: strings.Clone(id), Class: class, Outcome: cur, Marks: strings.Clone(marks)}
			if quarantined {
				c.Quarantine = rule.String()
			}
			add := func(l *[]ClassifiedTest, n *int) {
				*n++
				if len(*l) < listMax {
					*l = append(*l, c)
				}
			}
			switch {
			case quarantined && failing:
				add(&h.Quarantined, &h.Counts.Quarantined)
			case class == history.New:
				add(&h.New, &h.Counts.New)
			case class == history.StillFailing:
				add(&h.StillFailing, &h.Counts.StillFailing)
			case class == history.Flaky:
				add(&h.Flaky, &h.Counts.Flaky)
				if failing {
					h.Counts.FlakyFailing++
				}
			case class == history.Fixed:
				add(&h.Fixed, &h.Counts.Fixed)
			}
		}
		// The rows of this test in the table get its marks.
		rows := p.res.Tests
		for p.row < len(rows) && rows[p.row].ID < id {
			p.row++
		}
		if p.row < len(rows) && rows[p.row].ID == id {
			kept := strings.Clone(marks)
			for ; p.row < len(rows) && rows[p.row].ID == id; p.row++ {
				rows[p.row].Marks = kept
			}
		}
	}
	if quarantined && history.Releasable(marks, h.Length) && len(h.Releasable) < listMax {
		h.Releasable = append(h.Releasable, ClassifiedTest{ID: strings.Clone(id), Outcome: cur, Marks: strings.Clone(marks), Quarantine: rule.String()})
	}
}
