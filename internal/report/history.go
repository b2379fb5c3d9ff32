package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/history"
	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

// The outcome history in the reports: failures grouped by class, new
// ones first (what this change broke), then the fixed tests, the flakiest
// tests and the quarantine. Each test's recent runs show as a strip of
// squares, oldest first.

var markSquares = map[model.Mark]string{
	model.MarkPassed:  "🟩",
	model.MarkFailed:  "🟥",
	model.MarkErrored: "🟧",
	model.MarkSkipped: "⬜",
	model.MarkFlaky:   "🟨",
	model.MarkNotRun:  "▫️",
}

const stripLegend = "Recent runs, oldest first: 🟩 passed, 🟥 failed, 🟧 error, 🟨 flaky, ⬜ skipped, ▫️ not run."

// strip draws marks as squares.
func strip(marks string) string {
	var b strings.Builder
	for i := 0; i < len(marks); i++ {
		b.WriteString(markSquares[model.Mark(marks[i])])
	}
	return b.String()
}

// failingFor counts the runs at the end of marks that failed.
func failingFor(marks string) int {
	n := 0
	for i := len(marks) - 1; i >= 0; i-- {
		m := model.Mark(marks[i])
		if m.Failing() {
			n++
		} else if m.Ran() {
			break
		}
	}
	return n
}

// historyIndex gathers, by test ID, the classified tests of a History.
type historyIndex struct {
	tests       map[string]merge.ClassifiedTest
	quarantined map[string]bool
}

func indexHistory(h *merge.History) historyIndex {
	x := historyIndex{tests: map[string]merge.ClassifiedTest{}, quarantined: map[string]bool{}}
	for _, l := range [][]merge.ClassifiedTest{h.New, h.StillFailing, h.Flaky, h.Fixed} {
		for _, c := range l {
			x.tests[c.ID] = c
		}
	}
	for _, c := range h.Quarantined {
		x.tests[c.ID] = c
		x.quarantined[c.ID] = true
	}
	return x
}

// failureGroup is one class of failures in the summary.
type failureGroup struct {
	title, note string
	total       int
	cases       []*model.Case
}

// groupFailures sorts the listed failures into new, still failing,
// flaky, quarantined and other (not classified: a package that did not
// build, say), keeping the list's order within each.
func groupFailures(res *merge.Result, x historyIndex) []*failureGroup {
	h := res.History
	c := h.Counts
	if !h.Known {
		// A quarantine but no history yet: nothing else is told apart.
		groups := []*failureGroup{
			{title: "🧊 Quarantined", note: "Known-flaky tests from the quarantine list: reported, but they do not fail the run.", total: c.Quarantined},
			{title: "❌ Other failures", note: "No outcome history yet: these are not told apart as new or known."},
		}
		for i := range res.Failures {
			f := &res.Failures[i]
			if x.quarantined[res.Key(f).Test] {
				groups[0].cases = append(groups[0].cases, f)
			} else {
				groups[1].cases = append(groups[1].cases, f)
			}
		}
		groups[1].total = len(groups[1].cases)
		return groups
	}
	groups := []*failureGroup{
		{title: "🆕 New failures", note: "Passed in their last run, or new: what this change broke.", total: c.New},
		{title: "🔴 Still failing", note: "Failed in their last run too.", total: c.StillFailing},
		{title: "🔁 Flaky failures", note: fmt.Sprintf("Their recent runs flip between passing and failing (at least %s of runs): likely not this change.", percent(h.FlakyThreshold*100)), total: c.FlakyFailing},
		{title: "🧊 Quarantined", note: "Known-flaky tests from the quarantine list: reported, but they do not fail the run.", total: c.Quarantined},
		{title: "❓ Other failures", note: "Failures outside any test the history knows (a package that did not build, a crashed test binary)."},
	}
	for i := range res.Failures {
		f := &res.Failures[i]
		id := res.Key(f).Test
		g := groups[4]
		if x.quarantined[id] {
			g = groups[3]
		} else if t, ok := x.tests[id]; ok {
			switch t.Class {
			case history.New:
				g = groups[0]
			case history.StillFailing:
				g = groups[1]
			case history.Flaky:
				g = groups[2]
			}
		}
		g.cases = append(g.cases, f)
	}
	groups[4].total = len(groups[4].cases)
	return groups
}

// writeHistoryFailures writes the failures grouped by class, new ones
// first; without an earlier history, the plain list.
func writeHistoryFailures(d *doc, res *merge.Result, opts Options) {
	h := res.History
	if h == nil || !h.Known && h.Counts.Quarantined == 0 || len(res.Failures) == 0 {
		writeFailures(d, res, opts)
		return
	}
	x := indexHistory(h)
	total := res.Totals.Failed + res.Totals.Errors
	d.add("## ❌ Failures (%s)\n\n", count(total))
	d.add("%s\n\n", historyCounts(h))
	for _, g := range groupFailures(res, x) {
		if len(g.cases) == 0 {
			continue
		}
		head := fmt.Sprintf("### %s (%s)\n\n%s", g.title, count(max(g.total, len(g.cases))), g.note)
		if g.total > len(g.cases) {
			head += fmt.Sprintf(" The first %s are listed; the full report has them all.", count(len(g.cases)))
		}
		l := &list{head: head + "\n\n", what: "failures"}
		for _, c := range g.cases {
			block := failureBlock(res, c, opts)
			if t, ok := x.tests[res.Key(c).Test]; ok && t.Marks != "" {
				line := strip(t.Marks)
				if n := failingFor(t.Marks); n > 1 {
					line += fmt.Sprintf(" failing for %s", plural(n, "run", "runs"))
				}
				block = strings.TrimRight(block, "\n") + "\n\nRecent runs: " + line + "\n\n"
			}
			l.items = append(l.items, block)
		}
		d.list(l)
	}
}

// historyCounts is the one line that sums the classes up.
func historyCounts(h *merge.History) string {
	c := h.Counts
	parts := []string{
		fmt.Sprintf("🆕 **%s**", plural(c.New, "new failure", "new failures")),
		fmt.Sprintf("🔴 %s still failing", count(c.StillFailing)),
		fmt.Sprintf("🔁 %s flaky", count(c.Flaky)),
		fmt.Sprintf("✅ %s fixed", count(c.Fixed)),
	}
	if c.Quarantined > 0 {
		parts = append(parts, fmt.Sprintf("🧊 %s quarantined", count(c.Quarantined)))
	}
	if !h.Known {
		return fmt.Sprintf("🧊 %s: reported, but they do not fail the run (no outcome history yet)", plural(c.Quarantined, "quarantined failure", "quarantined failures"))
	}
	against := fmt.Sprintf("against %s", plural(h.Runs-1, "earlier run", "earlier runs"))
	if h.Amended {
		against = "a re-run of the last run, amending it"
	}
	return strings.Join(parts, " · ") + " (" + against + ")"
}

// writeHistory writes what the history says beyond the failures: the
// fixed tests, the flakiest tests, the quarantine.
func writeHistory(d *doc, res *merge.Result) {
	h := res.History
	if h == nil {
		return
	}
	d.add("## 📈 History (%s)\n\n", plural(h.Runs, "run", "runs"))
	if !h.Known {
		d.text("This run starts the outcome history (`history.json`): from the next run on, failures are told apart as new or known, and flaky tests are ranked. Keep it between runs with `--history` (the action does).\n\n")
	} else if len(res.Failures) == 0 {
		d.add("%s\n\n", historyCounts(h))
	}
	if len(h.Fixed) > 0 {
		l := &list{head: fmt.Sprintf("**✅ Fixed (%s):** failed in their last run, pass now.\n\n", count(h.Counts.Fixed)), what: "tests", tail: "\n"}
		for _, t := range h.Fixed {
			l.items = append(l.items, fmt.Sprintf("- %s %s\n", mdCode(t.ID, false), strip(t.Marks)))
		}
		d.list(l)
	}
	if len(h.Flakiest) > 0 {
		l := &list{
			head:  "**🔁 Flakiest tests:** how often each one's outcome flipped over its recent runs; fix the top ones first.\n\n| # | Test | Flip rate | Flips | Recent runs |\n|---:|---|---:|---:|---|\n",
			what:  "tests",
			table: true,
			tail:  "\n",
		}
		for i, f := range h.Flakiest {
			l.items = append(l.items, fmt.Sprintf("| %d | %s | %s | %d in %s | %s |\n", i+1, mdCode(f.ID, true), percent(f.Rate*100), f.Flips, plural(f.Runs, "run", "runs"), strip(f.Marks)))
		}
		d.list(l)
	}
	if len(h.Releasable) > 0 {
		l := &list{head: fmt.Sprintf("**🧊 Ready to leave the quarantine:** these passed in each of the last %s.\n\n", plural(h.Length, "run", "runs")), what: "tests", tail: "\n"}
		for _, t := range h.Releasable {
			l.items = append(l.items, fmt.Sprintf("- %s (rule %s)\n", mdCode(t.ID, false), mdCode(t.Quarantine, false)))
		}
		d.list(l)
	}
	if len(h.Suggested) > 0 {
		d.add("💡 %s at least %s of the time over 5 runs or more: `%s` in the report directory lists them for `--quarantine`. Nothing is quarantined until you add them.\n\n",
			plural(len(h.Suggested), "test flips", "tests flip"), percent(h.FlakyThreshold*100), merge.QuarantineSuggestionsFile)
	}
	if h.Known || len(h.Fixed)+len(h.Flakiest) > 0 {
		d.add("_%s_\n\n", stripLegend)
	}
}

// WriteHistoryText writes the history's lines of the terminal recap:
// the classes of this run's tests, and the quarantined failures.
func WriteHistoryText(w io.Writer, res *merge.Result) {
	h := res.History
	if h == nil {
		return
	}
	c := h.Counts
	if !h.Known {
		fmt.Fprintln(w, "history: this run starts the outcome history (history.json)")
	} else {
		fmt.Fprintf(w, "history (%s): %d new, %d still failing, %d flaky, %d fixed", plural(h.Runs, "run", "runs"), c.New, c.StillFailing, c.Flaky, c.Fixed)
		if h.Amended {
			fmt.Fprint(w, "; this re-run amended the last run")
		}
		fmt.Fprintln(w)
		for i, t := range h.New {
			if i == 5 {
				fmt.Fprintf(w, "  ... and %d more new failures\n", c.New-i)
				break
			}
			fmt.Fprintf(w, "  NEW %s\n", PlainText(t.ID))
		}
	}
	if c.Quarantined > 0 {
		var ids []string
		for _, t := range h.Quarantined[:min(len(h.Quarantined), 5)] {
			ids = append(ids, PlainText(t.ID))
		}
		more := ""
		if c.Quarantined > len(ids) {
			more = ", ..."
		}
		fmt.Fprintf(w, "quarantined: %s the run: %s%s\n", plural(c.Quarantined, "failure does not fail", "failures do not fail"), strings.Join(ids, ", "), more)
	}
}

// HistoryOutputs returns the step outputs of the history, in order:
// new-failures, still-failing, flaky-failures, fixed, quarantined (all
// empty without a History).
func HistoryOutputs(res *merge.Result) [][2]string {
	out := [][2]string{{"new-failures", ""}, {"still-failing", ""}, {"flaky-failures", ""}, {"fixed", ""}, {"quarantined", ""}}
	if h := res.History; h != nil {
		c := h.Counts
		for i, n := range []int{c.New, c.StillFailing, c.FlakyFailing, c.Fixed, c.Quarantined} {
			out[i][1] = strconv.Itoa(n)
		}
	}
	return out
}

// htmlMark is one square of a strip in report.html.
type htmlMark struct{ Class, Title string }

var markNames = map[model.Mark]string{
	model.MarkPassed: "passed", model.MarkFailed: "failed", model.MarkErrored: "error",
	model.MarkSkipped: "skipped", model.MarkFlaky: "flaky", model.MarkNotRun: "not run",
}

// markClass is the CSS class of a mark: its letter, N for not run.
func markClass(m model.Mark) string {
	if m == model.MarkNotRun {
		return "N"
	}
	return string(rune(m))
}

func htmlStrip(marks string) []htmlMark {
	out := make([]htmlMark, len(marks))
	for i := 0; i < len(marks); i++ {
		m := model.Mark(marks[i])
		out[i] = htmlMark{Class: markClass(m), Title: markNames[m]}
	}
	return out
}

// htmlHistory is the history section of report.html.
type htmlHistory struct {
	Known, Amended         bool
	Runs, Length           int
	Counts                 merge.HistoryCounts
	Threshold              string
	Fixed, Releasable      []htmlHistTest
	Flakiest               []htmlFlaky
	Suggested              int
	SuggestedFile          string
	FixedMore, ReleaseMore int
}

type htmlHistTest struct {
	ID, Rule string
	Strip    []htmlMark
}

type htmlFlaky struct {
	ID, Rate    string
	Flips, Runs int
	Strip       []htmlMark
}

// htmlHistoryOf fills the history section, and marks each failure with
// its class and strip.
func htmlHistoryOf(p *htmlPage, res *merge.Result) {
	h := res.History
	if h == nil {
		return
	}
	hh := &htmlHistory{
		Known: h.Known, Amended: h.Amended, Runs: h.Runs, Length: h.Length, Counts: h.Counts,
		Threshold: percent(h.FlakyThreshold * 100), Suggested: len(h.Suggested), SuggestedFile: merge.QuarantineSuggestionsFile,
		FixedMore: h.Counts.Fixed - len(h.Fixed),
	}
	for _, t := range h.Fixed {
		hh.Fixed = append(hh.Fixed, htmlHistTest{ID: t.ID, Strip: htmlStrip(t.Marks)})
	}
	for _, t := range h.Releasable {
		hh.Releasable = append(hh.Releasable, htmlHistTest{ID: t.ID, Rule: t.Quarantine, Strip: htmlStrip(t.Marks)})
	}
	for _, f := range h.Flakiest {
		hh.Flakiest = append(hh.Flakiest, htmlFlaky{ID: f.ID, Rate: percent(f.Rate * 100), Flips: f.Flips, Runs: f.Runs, Strip: htmlStrip(f.Marks)})
	}
	p.History = hh
	if !h.Known {
		return
	}
	x := indexHistory(h)
	for i := range p.Failures {
		f := &p.Failures[i]
		t, ok := x.tests[f.ID]
		switch {
		case x.quarantined[f.ID]:
			f.HistClass, f.HistWord = "quarantined", "quarantined"
		case ok:
			f.HistClass, f.HistWord = classCSS(t.Class), t.Class.String()
		}
		if ok {
			f.Strip = htmlStrip(t.Marks)
		}
	}
}

// classCSS is the CSS class of a history class.
func classCSS(c history.Class) string {
	return strings.ReplaceAll(c.String(), " ", "-")
}

// rowClass returns the history class of a test table row by its marks,
// as an index: 0 none, 1 new, 2 still failing, 3 flaky, 4 fixed, 5
// quarantined; amended marks classify the same way (the last mark is the
// run's, combined).
func rowClass(r merge.TestRow, h *merge.History, x historyIndex) int {
	if h == nil || r.Marks == "" {
		return 0
	}
	if x.quarantined[r.ID] {
		return 5
	}
	if !h.Known {
		// Without an earlier history nothing is told apart.
		return 0
	}
	n := len(r.Marks)
	c := history.Classify(r.Marks[:n-1], model.Mark(r.Marks[n-1]), h.FlakyThreshold)
	return int(c)
}
