package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/merge"
)

// What a check run and a pull-request comment can hold (GitHub's REST
// API, 2025-2026).
const (
	// MaxCheckChars is the most characters GitHub takes in a check run's
	// output summary (and in its text).
	MaxCheckChars = 65535
	// MaxCommentChars is the most characters GitHub takes in an issue or
	// pull-request comment.
	MaxCommentChars = 65536
	// DefaultCommentBytes bounds a comment's body: bytes bound
	// characters, with room left under MaxCommentChars.
	DefaultCommentBytes = 65000
	// DefaultCheckAnnotations bounds the annotations sent with a check
	// run: 20 requests of 50, well inside the secondary rate limit of
	// about 80 content-creating requests a minute.
	DefaultCheckAnnotations = 1000
	// checkAnnotationTitleMax is GitHub's limit on an annotation's title.
	checkAnnotationTitleMax = 255
)

// The conclusions a check run is given.
const (
	ConclusionSuccess = "success"
	ConclusionFailure = "failure"
	ConclusionNeutral = "neutral"
)

// Conclusion is a check run's conclusion from the merge's verdict: failure
// when tests failed or errored, an input could not be read, a worker is
// missing or verification found tests lost, run twice or planned
// differently; neutral when nothing is wrong but nothing proves the run
// complete (no manifests and no --expect) or no test ran; success only
// for a verified, complete, passing run.
//
// GitHub counts a neutral required check as passing: to gate a branch on
// completeness, upload the shard manifests (or pass --expect).
func Conclusion(res *merge.Result) string {
	t := res.Totals
	v := &res.Verification
	switch {
	case t.Failed+t.Errors > 0 || len(res.Problems) > 0 || !v.OK():
		return ConclusionFailure
	case t.Tests == 0 || !v.Checked && v.Expected == 0:
		return ConclusionNeutral
	}
	return ConclusionSuccess
}

// CheckTitle is a check run's title: the headline in plain text, one line.
func CheckTitle(res *merge.Result) string {
	st := statusOf(res)
	s := headlineWords(res, st)
	v := &res.Verification
	switch {
	case len(v.MissingWorkers) == 1:
		s += ": worker " + clip(oneLine(v.MissingWorkers[0].Name), 40) + " is missing"
	case len(v.MissingWorkers) > 1:
		s += fmt.Sprintf(": %d workers are missing", len(v.MissingWorkers))
	case st.Word == "passed" && !v.Checked && v.Expected == 0:
		s += " (completeness not checked: no shard manifests)"
	}
	return s
}

// CheckSummary is a check run's summary: the job summary, within
// MaxCheckChars less the title's length (GitHub bounds the output's text
// fields by characters; bytes bound them). omitted is the number of
// annotations left out of the check run and shown how many were sent.
func CheckSummary(res *merge.Result, opts Options, title string, shown, omitted int) string {
	note := ""
	if omitted > 0 {
		note = fmt.Sprintf("ℹ️ %s left out: this check run carries the first %s (input errors and verification first, then failures, then warnings); this summary and report.html list the rest.\n\n",
			plural(omitted, "annotation was", "annotations were"), count(shown))
	}
	return summaryDoc(res, opts, note).fit(MaxCheckChars - len(title))
}

// CheckAnnotations chooses up to limit annotations for a check run (0 means
// DefaultCheckAnnotations), ranked as Annotations ranks them: input
// problems, verification problems and failed tests, then missing workers
// and flaky tests. Every one chosen is located; omitted counts the rest.
// Titles are cut to GitHub's 255 characters, messages to 4,000 bytes.
func CheckAnnotations(res *merge.Result, opts Options, limit int) (list []Annotation, omitted int) {
	if limit <= 0 {
		limit = DefaultCheckAnnotations
	}
	errs, warns, errCase, warnCase := candidates(res)
	for i := range errs {
		if len(list) == limit {
			break
		}
		if c := errCase[i]; c != nil {
			errs[i].File, errs[i].Line = Locate(c, opts)
		}
		list = append(list, errs[i])
	}
	for i := range warns {
		if len(list) == limit {
			break
		}
		if c := warnCase[i]; c != nil {
			warns[i].File, warns[i].Line = Locate(c, opts)
		}
		list = append(list, warns[i])
	}
	// merge keeps the first failures and flaky tests (MaxListed): the
	// rest are left out too.
	t := res.Totals
	omitted = len(errs) + len(warns) - len(list) + max(0, t.Failed+t.Errors-len(res.Failures)) + max(0, t.Flaky-len(res.Flaky))
	for i := range list {
		list[i].Title = clipRunes(oneLine(list[i].Title), checkAnnotationTitleMax)
		list[i].Message = clip(list[i].Message, annotationMessageMax)
	}
	return list, omitted
}

// clipRunes shortens s to at most n runes, marking the cut.
func clipRunes(s string, n int) string {
	if runes(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// CoverageFigure is the merged coverage of one kind in a run.
type CoverageFigure struct {
	Kind    string `json:"kind"`
	Covered int64  `json:"covered"`
	Total   int64  `json:"total"`
}

// Percent is Covered/Total in percent, 0 for nothing.
func (c CoverageFigure) Percent() float64 {
	if c.Total == 0 {
		return 0
	}
	return 100 * float64(c.Covered) / float64(c.Total)
}

// Base is the run a pull request is compared with: the figures of the
// default branch's latest merge (see baseline.go for where they come
// from).
type Base struct {
	// Label names the base run for people, "main at 1a2b3c4"; it is
	// escaped where shown.
	Label    string
	Totals   merge.Totals
	Coverage []CoverageFigure
	// Failed lists the IDs of the tests that failed or errored in the
	// base run, sorted; FailedComplete says the list is all of them.
	Failed         []string
	FailedComplete bool
}

// Changes is what changed against a base run (or, where the run history
// has it, against the recent runs): the comment's "what changed" section,
// shown whenever Changes is given.
type Changes struct {
	// Against names what the run is compared with ("main at 1a2b3c4").
	Against string
	// New lists the failing tests that did not fail in the base, Fixed
	// those that failed there and pass now; StillFailing counts the
	// rest of today's failures.
	New          []string
	Fixed        []string
	StillFailing int
	// FixedKnown is false when this run's failure list was cut (see
	// merge.Options.MaxListed), so a base failure may still fail beyond
	// the cut and Fixed cannot be told.
	FixedKnown bool
	// TestsDelta is this run's test count less the base's.
	TestsDelta int
	// NewCount and FixedCount, when above len(New) and len(Fixed), are
	// the totals of lists that were cut; Flaky counts the flaky tests
	// the history found (0 without one).
	NewCount, FixedCount, Flaky int
}

func (c *Changes) newCount() int   { return max(len(c.New), c.NewCount) }
func (c *Changes) fixedCount() int { return max(len(c.Fixed), c.FixedCount) }

// Any reports whether something changed.
func (c *Changes) Any() bool {
	return c != nil && (c.newCount() > 0 || c.fixedCount() > 0 || c.TestsDelta != 0)
}

// HistoryChanges tells what changed from the run history merge read
// (merge --history): new failures, fixed tests, still failing and flaky,
// as the history classifies them. nil when there was no earlier history.
func HistoryChanges(res *merge.Result) *Changes {
	h := res.History
	if h == nil || !h.Known {
		return nil
	}
	ch := &Changes{
		Against:      fmt.Sprintf("the last %s", plural(max(h.Runs-1, 1), "run", "runs")),
		StillFailing: h.Counts.StillFailing,
		FixedKnown:   true,
		NewCount:     h.Counts.New,
		FixedCount:   h.Counts.Fixed,
		Flaky:        h.Counts.Flaky,
	}
	for _, t := range h.New {
		ch.New = append(ch.New, t.ID)
	}
	for _, t := range h.Fixed {
		ch.Fixed = append(ch.Fixed, t.ID)
	}
	return ch
}

// failingIDs returns the IDs of this run's failing tests, sorted and
// unique, and whether the list is all of them.
func failingIDs(res *merge.Result) (ids []string, complete bool) {
	for i := range res.Failures {
		ids = append(ids, res.Key(&res.Failures[i]).Test)
	}
	slices.Sort(ids)
	return slices.Compact(ids), res.Totals.Failed+res.Totals.Errors <= len(res.Failures)
}

// Compare tells what changed between base and this run.
func Compare(res *merge.Result, base *Base) *Changes {
	if base == nil {
		return nil
	}
	now, complete := failingIDs(res)
	ch := &Changes{Against: base.Label, TestsDelta: res.Totals.Tests - base.Totals.Tests, FixedKnown: complete}
	for _, id := range now {
		if _, found := slices.BinarySearch(base.Failed, id); found {
			ch.StillFailing++
		} else {
			ch.New = append(ch.New, id)
		}
	}
	if complete {
		for _, id := range base.Failed {
			if _, found := slices.BinarySearch(now, id); !found {
				ch.Fixed = append(ch.Fixed, id)
			}
		}
	}
	return ch
}

// The comment modes: when a pull-request comment is posted.
const (
	// CommentAlways posts (or updates) the comment on every run.
	CommentAlways = "always"
	// CommentFailures posts it when the run is not green.
	CommentFailures = "failures"
	// CommentChanges posts it when something changed against the base
	// or the run history (new failures, fixed tests, the test count,
	// coverage), or, with nothing to compare with, when the run is not
	// green.
	CommentChanges = "changes"
)

// CommentWanted reports whether mode asks for a new comment on this run.
// A comment that exists already is updated whatever the mode, so that it
// never shows an earlier run's failures as current.
func CommentWanted(mode string, res *merge.Result, base *Base, ch *Changes) bool {
	green := Conclusion(res) == ConclusionSuccess
	switch mode {
	case CommentFailures:
		return !green
	case CommentChanges:
		if ch == nil {
			return !green
		}
		return ch.Any() || base != nil && coverageChanged(res, base)
	}
	return true
}

func coverageChanged(res *merge.Result, base *Base) bool {
	for _, c := range res.Coverage {
		for _, b := range base.Coverage {
			if b.Kind == c.Kind && (b.Covered != c.Covered || b.Total != c.Total) {
				return true
			}
		}
	}
	return false
}

// CommentOptions configure Comment.
type CommentOptions struct {
	// Marker is the hidden first line that finds the comment again,
	// written as given (the caller makes it: see ghreport.Marker).
	Marker string
	// Base gives the coverage delta; Changes the "what changed" section
	// and the new failures first. Either may be nil.
	Base    *Base
	Changes *Changes
	// RunURL links the workflow run and CheckURL the check run; both
	// are the caller's (http(s) only) and may be "".
	RunURL   string
	CheckURL string
	// MaxBytes bounds the body; 0 means DefaultCommentBytes.
	MaxBytes int
}

const (
	commentFailuresShown = 50
	commentFixedShown    = 20
	commentMessageBytes  = 300
)

// Comment renders a pull-request comment: the marker, the headline and
// totals, what changed against the base, coverage with its delta, the
// failures (new ones first), flaky tests and what verification found,
// within CommentOptions.MaxBytes (the longest lists are cut first).
// Every string from the artifacts is escaped: no HTML, links, mentions
// or issue references come from test output.
func Comment(res *merge.Result, opts Options, co CommentOptions) string {
	d := &doc{}
	if co.Marker != "" {
		d.text(co.Marker + "\n")
	}
	writeHeadlineAt(d, res, opts, "##")
	ch := co.Changes
	if ch != nil {
		writeChanges(d, ch)
	}
	writeCoverageDelta(d, res, co.Base)
	writeCommentFailures(d, res, opts, ch)
	if ch != nil && len(ch.Fixed) > 0 {
		l := &list{head: fmt.Sprintf("### ✅ Fixed (%s)\n\n", count(ch.fixedCount())), what: "tests", tail: "\n"}
		for _, id := range ch.Fixed[:min(len(ch.Fixed), commentFixedShown)] {
			l.items = append(l.items, "- "+mdCode(id, false)+"\n")
		}
		if n := min(len(ch.Fixed), commentFixedShown); ch.fixedCount() > n {
			l.tail = fmt.Sprintf("- … and %s more\n\n", count(ch.fixedCount()-n))
		}
		d.list(l)
	}
	if n := len(res.Flaky); n > 0 {
		d.add("🔁 %s passed after failing; the check run and the job summary list them.\n\n", plural(n, "test", "tests"))
	}
	writeCommentVerification(d, res)
	var links []string
	if u := safeURL(co.CheckURL); u != "" {
		links = append(links, "[Check run]("+u+")")
	}
	if u := safeURL(co.RunURL); u != "" {
		links = append(links, "[Workflow run and full report]("+u+")")
	}
	if len(links) > 0 {
		d.text("📄 " + strings.Join(links, " · ") + "\n")
	}
	maxBytes := co.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultCommentBytes
	}
	return d.fit(maxBytes)
}

// safeURL returns u as a link destination when it is an http(s) URL,
// else "".
func safeURL(u string) string {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return ""
	}
	return reportURL(u)
}

func writeChanges(d *doc, ch *Changes) {
	against := "the base run"
	if ch.Against != "" {
		against = mdText(ch.Against)
	}
	d.add("### 🔀 Against %s\n\n", against)
	var parts []string
	parts = append(parts, fmt.Sprintf("🆕 %s", plural(ch.newCount(), "new failure", "new failures")))
	if ch.FixedKnown {
		parts = append(parts, fmt.Sprintf("✅ %s", plural(ch.fixedCount(), "fixed", "fixed")))
	}
	parts = append(parts, fmt.Sprintf("❌ %s still failing", count(ch.StillFailing)))
	if ch.Flaky > 0 {
		parts = append(parts, fmt.Sprintf("🔁 %s", plural(ch.Flaky, "flaky", "flaky")))
	}
	if ch.TestsDelta != 0 {
		parts = append(parts, fmt.Sprintf("%s tests", signed(ch.TestsDelta)))
	}
	d.text(strings.Join(parts, " · ") + "\n\n")
	if !ch.FixedKnown {
		d.text("_This run's failure list was cut, so fixed tests are not told apart._\n\n")
	}
}

func signed(n int) string {
	if n > 0 {
		return "+" + count(n)
	}
	if n < 0 {
		return "−" + count(-n)
	}
	return "±0"
}

func writeCoverageDelta(d *doc, res *merge.Result, base *Base) {
	if len(res.Coverage) == 0 {
		return
	}
	d.text("| Coverage | This run | Base | Change |\n|---|---:|---:|---:|\n")
	for _, c := range res.Coverage {
		now := CoverageFigure{Kind: c.Kind, Covered: c.Covered, Total: c.Total}
		baseCell, delta := "–", "–"
		if base != nil {
			for _, b := range base.Coverage {
				if b.Kind == c.Kind && b.Total > 0 {
					baseCell = percent(b.Percent())
					delta = signedPoints(now.Percent() - b.Percent())
				}
			}
		}
		d.add("| %s | %s | %s | %s |\n", mdText(c.Kind), percent(now.Percent()), baseCell, delta)
	}
	d.text("\n")
}

// signedPoints formats a change of percentage points with one decimal.
func signedPoints(p float64) string {
	switch {
	case p >= 0.05:
		return "+" + strconv.FormatFloat(p, 'f', 1, 64) + " pp"
	case p > -0.05:
		return "±0.0 pp"
	}
	return "−" + strconv.FormatFloat(-p, 'f', 1, 64) + " pp"
}

func writeCommentFailures(d *doc, res *merge.Result, opts Options, ch *Changes) {
	if len(res.Failures) == 0 {
		return
	}
	isNew := map[string]bool{}
	if ch != nil {
		for _, id := range ch.New {
			isNew[id] = true
		}
	}
	// New failures first, then the rest, each in the merge's order.
	var order []int
	for pass := range 2 {
		for i := range res.Failures {
			if isNew[res.Key(&res.Failures[i]).Test] == (pass == 0) {
				order = append(order, i)
			}
		}
	}
	total := res.Totals.Failed + res.Totals.Errors
	head := fmt.Sprintf("### ❌ Failures (%s)\n\n", count(total))
	if ch != nil {
		head = fmt.Sprintf("### ❌ Failures (%s, %s new)\n\n", count(total), count(ch.newCount()))
	}
	l := &list{head: head, what: "failures", tail: "\n"}
	for _, i := range order[:min(len(order), commentFailuresShown)] {
		c := &res.Failures[i]
		var b strings.Builder
		b.WriteString("- ")
		if isNew[res.Key(c).Test] {
			b.WriteString("🆕 ")
		}
		fmt.Fprintf(&b, "%s %s on %s", mdCode(res.Name(c), false), verb(c.Outcome), mdCode(workerName(c.Worker), false))
		if f, n := Locate(c, opts); f != "" {
			fmt.Fprintf(&b, " at %s", mdCode(f+":"+strconv.Itoa(n), false))
		}
		if msg := firstLine(c.Message); msg != "" {
			b.WriteString(": " + mdText(clip(msg, commentMessageBytes)))
		}
		b.WriteString("\n")
		l.items = append(l.items, b.String())
	}
	if total > commentFailuresShown && len(order) >= commentFailuresShown {
		l.tail = fmt.Sprintf("- … and %s more in the check run and the job summary\n\n", count(total-commentFailuresShown))
	}
	d.list(l)
}

func writeCommentVerification(d *doc, res *merge.Result) {
	v := &res.Verification
	var lines []string
	for _, w := range v.MissingWorkers {
		lines = append(lines, fmt.Sprintf("- ⚠️ Worker %s is missing: %s did not run", mdCode(w.Name, false), plural(len(w.Tests), "planned test", "planned tests")))
	}
	if n := len(v.Missing); n > 0 {
		lines = append(lines, fmt.Sprintf("- ❓ %s without a result", plural(n, "planned test", "planned tests")))
	}
	if n := len(v.Unexpected); n > 0 {
		lines = append(lines, fmt.Sprintf("- ❔ %s no worker was planned to run", plural(n, "result", "results")))
	}
	if n := len(v.Duplicated); n > 0 {
		lines = append(lines, fmt.Sprintf("- 👯 %s ran on more than one worker", plural(n, "test", "tests")))
	}
	if n := len(v.Mismatches); n > 0 {
		lines = append(lines, fmt.Sprintf("- ⚖️ the workers' manifests disagree (%s)", plural(n, "difference", "differences")))
	}
	if n := len(res.Problems); n > 0 {
		lines = append(lines, fmt.Sprintf("- 🚧 %s could not be read in full", plural(n, "input", "inputs")))
	}
	switch {
	case len(lines) > 0:
		d.text("### 🔎 Verification\n\n" + strings.Join(lines, "\n") + "\n\n")
	case !v.Checked && v.Expected == 0:
		d.text("⚠️ Completeness not checked: no shard manifests among the artifacts.\n\n")
	}
}
