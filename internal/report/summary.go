package report

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

// The summary is a sequence of fixed text and lists. Lists are what can
// grow with the run (failures, flaky tests, missing tests, workers,
// problems); when the summary is over its cap, the longest lists are cut
// first: every list is cut to the same length, the greatest that fits,
// and says how many items it leaves out.

type block struct {
	text string
	list *list
}

type list struct {
	head  string   // before the items: a heading, a table header
	items []string // each ends in a newline
	tail  string   // after the items and the note
	// table lists need a blank line before the note.
	table bool
	// what names the items in the note: "failures", "tests".
	what string
	// indent prefixes the note, for lists nested in a list item.
	indent string
}

type doc struct{ blocks []block }

func (d *doc) add(format string, args ...any) {
	d.blocks = append(d.blocks, block{text: fmt.Sprintf(format, args...)})
}

func (d *doc) text(s string) { d.blocks = append(d.blocks, block{text: s}) }

func (d *doc) list(l *list) {
	if len(l.items) > 0 {
		d.blocks = append(d.blocks, block{list: l})
	}
}

func (d *doc) longest() int {
	n := 0
	for _, b := range d.blocks {
		if b.list != nil {
			n = max(n, len(b.list.items))
		}
	}
	return n
}

// render writes the document with every list cut to at most limit items.
func (d *doc) render(limit int, capBytes int) string {
	var b strings.Builder
	for _, bl := range d.blocks {
		if bl.list == nil {
			b.WriteString(bl.text)
			continue
		}
		l := bl.list
		b.WriteString(l.head)
		n := min(limit, len(l.items))
		for _, it := range l.items[:n] {
			b.WriteString(it)
		}
		if n < len(l.items) {
			if l.table {
				b.WriteString("\n")
			}
			b.WriteString(l.indent)
			fmt.Fprintf(&b, "_… and %s more %s not shown: the summary is capped at %s bytes. The full report has them._\n",
				count(len(l.items)-n), l.what, count(capBytes))
		}
		b.WriteString(l.tail)
	}
	return b.String()
}

const trimmedNote = "> [!NOTE]\n> This summary was shortened to stay under %s bytes: the longest lists were cut first. See the full report for everything.\n\n"

// fit renders d within maxBytes, cutting the longest lists first.
func (d *doc) fit(maxBytes int) string {
	all := d.longest()
	s := d.render(all, maxBytes)
	if len(s) <= maxBytes {
		return s
	}
	note := fmt.Sprintf(trimmedNote, count(maxBytes))
	budget := maxBytes - len(note)
	// The greatest limit that fits: render is monotonic in the limit.
	lo, hi := 0, all-1
	best := -1
	for lo <= hi {
		mid := (lo + hi) / 2
		if len(d.render(mid, maxBytes)) <= budget {
			best, lo = mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	if best >= 0 {
		return insertNote(d.render(best, maxBytes), note)
	}
	// Even without any list items the text is too long: cut it at a line.
	s = d.render(0, maxBytes)
	cut := strings.LastIndexByte(s[:max(budget-64, 0)], '\n') + 1
	return insertNote(s[:cut]+"\n_… cut here: the summary is capped._\n", note)
}

// insertNote puts the note after the headline (the first blank line).
func insertNote(s, note string) string {
	if i := strings.Index(s, "\n\n"); i >= 0 {
		return s[:i+2] + note + s[i+2:]
	}
	return note + s
}

const (
	summaryMessageLines = 8
	summaryMessageBytes = 1500
	summaryTraceLines   = 80
	summaryTraceBytes   = 8000
	slowestShown        = 10
	coverageShown       = 10
	missingTestsShown   = 50
)

// Summary renders the job summary of a run as GitHub Flavored Markdown:
// the headline, failures, flaky tests, verification, the slowest tests,
// worker balance, worker-count tuning, coverage, a digest of custom
// outputs, problems and a pointer to the full report. It stays under
// Options.MaxBytes by cutting the longest lists first, and says so.
func Summary(res *merge.Result, opts Options) string {
	_, omitted := Annotations(res, opts)
	note := ""
	if omitted > 0 {
		note = fmt.Sprintf("ℹ️ %s left out: GitHub shows %d errors, %d warnings and %d notices per step; this summary and report.html list them.\n\n",
			plural(omitted, "annotation was", "annotations were"), MaxAnnotationsPerLevel, MaxAnnotationsPerLevel, MaxAnnotationsPerLevel)
	}
	return summaryDoc(res, opts, note).fit(opts.maxBytes())
}

// summaryDoc is the summary before it is fitted to a size. annotationNote,
// when not empty, says how many annotations were left out, in the
// problems section.
func summaryDoc(res *merge.Result, opts Options, annotationNote string) *doc {
	d := &doc{}
	writeHeadline(d, res, opts)
	writeHistoryFailures(d, res, opts) // by class, new ones first (history.go)
	writeFlaky(d, res)
	writeHistory(d, res)
	writeVerification(d, res)
	writeSlowest(d, res)
	writeWorkers(d, res)
	writeTuning(d, res, opts)
	writeCoverage(d, res)
	writeOutputs(d, res)
	writeProblems(d, res, annotationNote)
	if opts.ReportURL != "" {
		d.add("📄 **Full report:** [report.html](%s)\n", reportURL(opts.ReportURL))
	} else {
		d.text("📄 **Full report:** `report.html` in the report directory: every test, with filters, traces and coverage by file.\n")
	}
	return d
}

// reportURL makes a link destination from a URL the caller gave: only
// http(s) and relative links, with the characters that could end it
// percent-encoded.
func reportURL(u string) string {
	u = oneLine(u)
	if i := strings.IndexByte(u, ':'); i >= 0 && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		if j := strings.IndexByte(u, '/'); j < 0 || j > i {
			return "report.html" // javascript:, data: and the like
		}
	}
	r := strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "[", "%5B", "]", "%5D", "`", "%60", `"`, "%22", "'", "%27", "|", "%7C", `\`, "%5C")
	return r.Replace(u)
}

func writeHeadline(d *doc, res *merge.Result, opts Options) { writeHeadlineAt(d, res, opts, "#") }

// writeHeadlineAt writes the headline as a heading of the given level
// ("#", "##") and the totals table under it.
func writeHeadlineAt(d *doc, res *merge.Result, opts Options, level string) {
	st := statusOf(res)
	t := res.Totals
	d.add("%s %s %s: %s\n\n", level, st.Icon, mdText(opts.title()), headlineWords(res, st))
	d.text("| Tests | ✅ Passed | ❌ Failed | 💥 Errors | ⏭️ Skipped | 🔁 Flaky | Test time | Wall time | Workers |\n")
	d.text("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	present := 0
	for _, w := range res.Workers {
		if w.Present {
			present++
		}
	}
	workers := count(present)
	if n := max(len(res.Workers), res.Verification.Expected); n > present {
		workers = fmt.Sprintf("%s of %s", count(present), count(n))
	}
	d.add("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n\n", testsCount(t), count(t.Passed), count(t.Failed), count(t.Errors),
		count(t.Skipped), count(t.Flaky), duration(t.Seconds), duration(t.WallSeconds), workers)
}

// testsCount is the number of tests, and of test cases with Go subtests
// when there are any: "73 (131 with subtests)".
func testsCount(t merge.Totals) string {
	if t.WithSubtests > t.Tests {
		return count(t.Tests) + " (" + count(t.WithSubtests) + " with subtests)"
	}
	return count(t.Tests)
}

func headlineWords(res *merge.Result, st runStatus) string {
	t := res.Totals
	switch st.Word {
	case "failed":
		return fmt.Sprintf("%s of %s", plural(t.Failed+t.Errors, "test failed", "tests failed"), count(t.Tests))
	case "incomplete":
		return fmt.Sprintf("%s passed, but the run is incomplete", plural(t.Passed, "test", "tests"))
	case "no tests":
		return "no tests ran"
	}
	if t.Skipped > 0 {
		return fmt.Sprintf("%s passed, %s skipped", plural(t.Passed, "test", "tests"), count(t.Skipped))
	}
	return fmt.Sprintf("all %s passed", plural(t.Passed, "test", "tests"))
}

func writeFailures(d *doc, res *merge.Result, opts Options) {
	if len(res.Failures) == 0 {
		return
	}
	head := fmt.Sprintf("## ❌ Failures (%s)\n\n", count(len(res.Failures)))
	if total := res.Totals.Failed + res.Totals.Errors; total > len(res.Failures) {
		head = fmt.Sprintf("## ❌ Failures (%s)\n\nThe first %s are listed; `junit.xml` and the full report have them all.\n\n", count(total), count(len(res.Failures)))
	}
	l := &list{head: head, what: "failures"}
	for i := range res.Failures {
		l.items = append(l.items, failureBlock(res, &res.Failures[i], opts))
	}
	d.list(l)
}

func failureBlock(res *merge.Result, c *model.Case, opts Options) string {
	var b strings.Builder
	icon := "❌"
	if c.Outcome == model.Errored {
		icon = "💥"
	}
	fmt.Fprintf(&b, "%s **%s** %s on %s", icon, mdCode(res.Name(c), false), verb(c.Outcome), mdCode(workerName(c.Worker), false))
	if c.Seconds > 0 {
		fmt.Fprintf(&b, " after %s", duration(c.Seconds))
	}
	if f, n := Locate(c, opts); f != "" {
		fmt.Fprintf(&b, " at %s", mdCode(f+":"+strconv.Itoa(n), false))
	}
	b.WriteString("\n")
	msg := strings.TrimSpace(c.Message)
	if msg != "" {
		b.WriteString("\n")
		for line := range strings.SplitSeq(clipLines(msg, summaryMessageLines, summaryMessageBytes), "\n") {
			if t := mdText(line); t != "" {
				b.WriteString("> " + t + "\n")
			} else {
				b.WriteString(">\n")
			}
		}
	}
	trace := trimBlank(c.Detail)
	if sameLines(trace, msg) {
		trace = "" // go test's one-line failure: the message is the trace
	}
	if trace == "" && strings.Count(msg, "\n") >= summaryMessageLines {
		trace = msg
	}
	if trace != "" {
		fmt.Fprintf(&b, "\n<details><summary>Trace (%s)</summary>\n\n", plural(strings.Count(trace, "\n")+1, "line", "lines"))
		b.WriteString(mdFence("text", clipLines(trace, summaryTraceLines, summaryTraceBytes)))
		b.WriteString("\n</details>\n")
	}
	b.WriteString("\n")
	return b.String()
}

// sameLines reports whether a and b hold the same text line by line,
// leaving out blank lines and the spaces around each line.
func sameLines(a, b string) bool {
	next := func(s string) (line, rest string) {
		for s != "" {
			line, s, _ = strings.Cut(s, "\n")
			if line = strings.TrimSpace(line); line != "" {
				return line, s
			}
		}
		return "", ""
	}
	for {
		var la, lb string
		la, a = next(a)
		lb, b = next(b)
		if la != lb {
			return false
		}
		if la == "" {
			return true
		}
	}
}

// trimBlank trims blank lines around s and spaces at its end, keeping the
// indentation of its first line.
func trimBlank(s string) string {
	s = strings.TrimRight(s, " \t\r\n")
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			return s
		}
		s = s[i+1:]
	}
}

func writeFlaky(d *doc, res *merge.Result) {
	if len(res.Flaky) == 0 {
		return
	}
	l := &list{
		head:  fmt.Sprintf("## 🔁 Flaky (%s)\n\nThese passed after failing: they count as passed.\n\n| Test | Worker | Failed attempts | First failure |\n|---|---|---:|---|\n", count(len(res.Flaky))),
		tail:  "\n",
		table: true,
		what:  "flaky tests",
	}
	for i := range res.Flaky {
		c := &res.Flaky[i]
		l.items = append(l.items, fmt.Sprintf("| %s | %s | %d | %s |\n", mdCode(res.Name(c), true), mdCode(workerName(c.Worker), true),
			c.FailedAttempts, mdText(clip(firstLine(c.Message), 300))))
	}
	d.list(l)
}

func writeVerification(d *doc, res *merge.Result) {
	v := &res.Verification
	d.text("## 🔎 Verification\n\n")
	defer writeQueueRun(d, res)
	if !v.Checked {
		d.text("⚠️ **Completeness was not checked: no manifests.** Without the workers' `xshard-manifest.json` merge cannot tell whether every planned test ran.")
		if v.Expected > 0 {
			d.add(" Only the number of workers was checked against `--expect %d`.", v.Expected)
		}
		d.text("\n\n")
	}
	if n := len(res.GuessedWorkers); n > 0 {
		shown := res.GuessedWorkers[:min(n, 10)]
		parts := make([]string, len(shown))
		for i, g := range shown {
			parts[i] = mdCode(g, false)
		}
		more := ""
		if n > len(shown) {
			more = fmt.Sprintf(" and %d more", n-len(shown))
		}
		d.add("ℹ️ Workers guessed from artifact directory names (no manifest there): %s%s.\n\n", strings.Join(parts, ", "), more)
	}
	if v.AttributedResults > 0 {
		// Not a problem: said once, before the verdict.
		parts := make([]string, 0, min(len(v.Attributed), 10))
		for i, a := range v.Attributed {
			if i == 10 {
				parts = append(parts, fmt.Sprintf("and %d more", len(v.Attributed)-i))
				break
			}
			parts = append(parts, fmt.Sprintf("%s (%d)", mdCode(a.Test, false), a.Results))
		}
		d.add("ℹ️ %s created and run inside tests (`testing.RunTests`, suite runners) count under the test that ran them: %s.\n\n",
			plural(v.AttributedResults, "result", "results"), strings.Join(parts, ", "))
	}
	if v.OK() {
		if v.Checked && v.Queue && len(v.Requeued) > 0 {
			d.add("✅ All %s reported and every queued test has one result that counts; %s ran on more than one worker (requeued, below).\n\n",
				plural(max(v.Expected, len(res.Workers)), "worker", "workers"), plural(len(v.Requeued), "test", "tests"))
		} else if v.Checked {
			d.add("✅ All %s reported and every planned test ran exactly once.\n\n", plural(max(v.Expected, len(res.Workers)), "worker", "workers"))
		} else if v.Expected > 0 {
			d.add("✅ All %s reported.\n\n", plural(v.Expected, "expected worker", "expected workers"))
		}
		return
	}
	if len(v.MissingWorkers) > 0 {
		d.add("### ⚠️ Missing workers (%d)\n\nThese uploaded nothing: their job failed, was cancelled or lost its artifact, so their tests did not run.\n\n", len(v.MissingWorkers))
		for _, w := range v.MissingWorkers {
			l := &list{head: fmt.Sprintf("- **%s**", mdCode(w.Name, false)), what: "tests", indent: "  "}
			if len(w.Tests) > 0 {
				l.head += fmt.Sprintf(": %s planned\n", plural(len(w.Tests), "test", "tests"))
				for _, t := range w.Tests {
					l.items = append(l.items, "  - "+mdCode(t, false)+"\n")
				}
			} else {
				l.head += "\n"
			}
			d.blocks = append(d.blocks, block{list: l})
		}
		d.text("\n")
	}
	testList := func(title string, ids []string) {
		if len(ids) == 0 {
			return
		}
		l := &list{head: fmt.Sprintf("### %s (%s)\n\n", title, count(len(ids))), what: "tests", tail: "\n"}
		for _, id := range ids {
			l.items = append(l.items, "- "+mdCode(id, false)+"\n")
		}
		d.list(l)
	}
	testList("❓ Planned tests without a result", v.Missing)
	testList("❔ Results no worker was planned to run", v.Unexpected)
	if len(v.Duplicated) > 0 {
		l := &list{head: fmt.Sprintf("### 👯 Tests that ran on more than one worker (%s)\n\n| Test | Workers |\n|---|---|\n", count(len(v.Duplicated))),
			what: "tests", table: true, tail: "\n"}
		for _, dup := range v.Duplicated {
			ws := make([]string, len(dup.Workers))
			for i, w := range dup.Workers {
				ws[i] = mdCode(w, true)
			}
			l.items = append(l.items, fmt.Sprintf("| %s | %s |\n", mdCode(dup.Test, true), strings.Join(ws, ", ")))
		}
		d.list(l)
	}
	if len(v.Mismatches) > 0 {
		l := &list{head: fmt.Sprintf("### ⚖️ The manifests disagree (%d)\n\n", len(v.Mismatches)), what: "disagreements", tail: "\n"}
		for _, m := range v.Mismatches {
			l.items = append(l.items, "- "+mdText(m)+"\n")
		}
		d.list(l)
	}
}

func writeSlowest(d *doc, res *merge.Result) {
	if len(res.Slowest) > 0 {
		d.text("## 🐢 Slowest tests\n\n| # | Test | Worker | Time |\n|---:|---|---|---:|\n")
		for i := range res.Slowest[:min(len(res.Slowest), slowestShown)] {
			c := &res.Slowest[i]
			d.add("| %d | %s | %s | %s |\n", i+1, mdCode(res.Name(c), true), mdCode(workerName(c.Worker), true), duration(c.Seconds))
		}
		d.text("\n")
	}
	if len(res.SlowestScopes) > 0 {
		what := "files or packages"
		if res.Plan != nil && res.Plan.By == "file" {
			what = "files"
		} else if res.Plan != nil && res.Plan.By == "package" {
			what = "packages"
		}
		d.add("**Slowest %s**\n\n| # | Scope | Tests | Time |\n|---:|---|---:|---:|\n", what)
		for i, s := range res.SlowestScopes[:min(len(res.SlowestScopes), slowestShown)] {
			d.add("| %d | %s | %s | %s |\n", i+1, mdCode(s.Name, true), count(s.Tests), duration(s.Seconds))
		}
		d.text("\n")
	}
}

// mermaidLabel is a worker name as a chart label: only names made of
// safe characters, else the worker's index.
var mermaidLabelRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,32}$`)

func writeWorkers(d *doc, res *merge.Result) {
	defer writeRealised(d, res)
	if len(res.Workers) == 0 {
		return
	}
	sum, n := 0.0, 0
	for _, w := range res.Workers {
		if w.Present {
			sum += w.Seconds
			n++
		}
	}
	mean := 0.0
	if n > 0 {
		mean = sum / float64(n)
	}
	why := noPrediction(res)
	l := &list{
		head:  "## ⚖️ Worker balance\n\n| Worker | Status | Tests | Time | vs mean | Predicted | Actual − predicted |\n|---|---|---:|---:|---:|---:|---:|\n",
		what:  "workers",
		table: true,
		tail:  "\n",
	}
	for _, w := range res.Workers {
		status := "✅"
		switch {
		case !w.Present:
			status = "⚠️ missing"
		case w.Failed > 0:
			status = "❌ " + plural(w.Failed, "failure", "failures")
		}
		if w.Attempt > 1 {
			status += fmt.Sprintf(" (attempt %d)", w.Attempt)
		}
		dev, pred, diff := "–", "–", "–"
		if w.Present && mean > 0 {
			dev = signedPercent(100 * (w.Seconds - mean) / mean)
		}
		if w.Predicted > 0 && why == "" {
			pred = duration(w.Predicted)
			if w.Present {
				diff = signedDuration(w.Seconds - w.Predicted)
			}
		}
		tests, secs := count(w.Tests), duration(w.Seconds)
		if !w.Present {
			tests, secs = "–", "–"
		}
		l.items = append(l.items, fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s |\n", mdCode(w.Name, true), status, tests, secs, dev, pred, diff))
	}
	d.list(l)
	if why != "" {
		d.text(why + "\n\n")
	}
	if n < 2 || len(res.Workers) > 64 {
		return
	}
	var labels, actual, predicted []string
	hasPred := false
	for _, w := range res.Workers {
		label := w.Name
		if !mermaidLabelRE.MatchString(label) {
			label = "w" + strconv.Itoa(w.Index)
		}
		labels = append(labels, `"`+label+`"`)
		actual = append(actual, strconv.FormatFloat(round1(w.Seconds), 'f', -1, 64))
		predicted = append(predicted, strconv.FormatFloat(round1(w.Predicted), 'f', -1, 64))
		hasPred = hasPred || w.Predicted > 0 && why == ""
	}
	title, caption := "Test seconds per worker", "Bars: actual test time; line: the plan's prediction.\n\n"
	if b := res.Balance; b != nil && b.Measured && len(b.Workers) == len(res.Workers) {
		// Realised wall time (each worker's test phase, start-up and
		// waiting included) beside the prediction.
		title, caption = "Realised and predicted seconds per worker", "Bars: realised wall time of each worker's test phase; line: the prediction.\n\n"
		for i, w := range b.Workers {
			actual[i] = strconv.FormatFloat(round1(w.Wall), 'f', -1, 64)
		}
	}
	d.add("```mermaid\nxychart-beta\n    title %q\n", title)
	d.add("    x-axis [%s]\n    y-axis \"seconds\"\n    bar [%s]\n", strings.Join(labels, ", "), strings.Join(actual, ", "))
	if hasPred {
		d.add("    line [%s]\n", strings.Join(predicted, ", "))
	}
	d.text("```\n\n")
	if hasPred {
		d.text(caption)
	}
}

// noPrediction says, in a sentence, why the plan's predictions for the
// workers mean nothing, "" when they mean something. A plan made without
// any timings weighs every unit one second: its "prediction" is a count.
func noPrediction(res *merge.Result) string {
	p := res.Plan
	if p == nil || p.KnownShare > 0 {
		return ""
	}
	why := "no timings"
	if p.Strategy == "hash" {
		why = "hash plan"
	}
	units := "units"
	switch p.By { // from a manifest: only the names shard writes
	case "test", "file", "package", "group":
		units = p.By + "s"
	}
	return "No prediction (" + why + "): without timings the plan split the " + units +
		" into equal numbers, not equal times; the next run can plan by the timings this one wrote."
}

func round1(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return math.Round(f*10) / 10
}

func signedPercent(p float64) string {
	if p >= 0.05 {
		return "+" + percent(p)
	}
	if p > -0.05 {
		return "±0.0%"
	}
	return "−" + percent(-p)
}

func signedDuration(s float64) string {
	if s >= 0 {
		return "+" + duration(s)
	}
	return "−" + duration(-s)
}

func writeTuning(d *doc, res *merge.Result, opts Options) {
	rec, table := RecommendWorkers(res, opts)
	if len(table) == 0 {
		return
	}
	by := tuningBy(res)
	cur := currentWorkers(res)
	d.text("## 🎛️ How many workers?\n\n")
	d.add("Predicted from this run's timings, balancing by %s, with %s of overhead per job", by, duration(opts.JobOverhead))
	if opts.JobOverhead == 0 {
		d.text(" (none given: set `--job-overhead`)")
	}
	d.text(".\n\n| Workers | Predicted wall time | All jobs together | |\n|---:|---:|---:|---|\n")
	for _, p := range table {
		var marks []string
		if p.Workers == rec {
			marks = append(marks, "⭐ recommended")
		}
		if p.Workers == cur {
			marks = append(marks, "this run")
		}
		d.add("| %d | %s | %s | %s |\n", p.Workers, duration(p.Wall), duration(p.JobSeconds), strings.Join(marks, ", "))
	}
	best := table[0]
	for _, p := range table {
		if p.Wall < best.Wall {
			best = p
		}
	}
	d.add("\n**Recommended: %s**", plural(rec, "worker", "workers"))
	switch {
	case opts.TargetDuration > 0 && bestWall(table, rec) <= opts.TargetDuration:
		d.add(": the fewest whose predicted wall time meets the target of %s.\n\n", duration(opts.TargetDuration))
	case opts.TargetDuration > 0:
		d.add(": no worker count meets the target of %s; this is the fastest.\n\n", duration(opts.TargetDuration))
	default:
		d.add(": the fewest within 10%% of the best predicted wall time (%s with %s).\n\n", duration(best.Wall), plural(best.Workers, "worker", "workers"))
	}
}

func bestWall(table []Prediction, n int) float64 {
	for _, p := range table {
		if p.Workers == n {
			return p.Wall
		}
	}
	return math.Inf(1)
}

func writeCoverage(d *doc, res *merge.Result) {
	if len(res.Coverage) == 0 {
		return
	}
	d.text("## 🧪 Coverage\n\n| Kind | Covered | Total | Percent | Merged file |\n|---|---:|---:|---:|---|\n")
	for _, c := range res.Coverage {
		unit := "lines"
		if c.Kind == "go" {
			unit = "statements"
		}
		d.add("| %s | %s | %s %s | **%s** | %s |\n", mdText(c.Kind), count(c.Covered), count(c.Total), unit, percent(c.Percent()), mdCode(c.File, true))
	}
	d.text("\n")
	for _, c := range res.Coverage {
		files := leastCovered(c.Files)
		if len(files) == 0 {
			continue
		}
		d.add("**Least covered files (%s)**\n\n| File | Covered | Percent |\n|---|---:|---:|\n", mdText(c.Kind))
		for _, f := range files[:min(len(files), coverageShown)] {
			d.add("| %s | %s of %s | %s |\n", mdCode(f.File, true), count(f.Covered), count(f.Total), percent(filePercent(f)))
		}
		d.text("\n")
	}
}

// leastCovered returns the files with something to cover, least covered
// first, then most uncovered, then by name.
func leastCovered(files []model.FileCoverage) []model.FileCoverage {
	var out []model.FileCoverage
	for _, f := range files {
		if f.Total > 0 {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b model.FileCoverage) int {
		pa, pb := filePercent(a), filePercent(b)
		switch {
		case pa != pb:
			if pa < pb {
				return -1
			}
			return 1
		case a.Total-a.Covered != b.Total-b.Covered:
			if a.Total-a.Covered > b.Total-b.Covered {
				return -1
			}
			return 1
		}
		return strings.Compare(a.File, b.File)
	})
	return out
}

func filePercent(f model.FileCoverage) float64 {
	if f.Total == 0 {
		return 0
	}
	return 100 * float64(f.Covered) / float64(f.Total)
}

func writeOutputs(d *doc, res *merge.Result) {
	if res.Outputs == nil {
		return
	}
	rs := digest(res.Outputs)
	d.text("## 📦 Custom outputs\n\n")
	if len(rs) == 0 {
		d.text("Merged into `outputs.json`; no numbers keyed by name to rank.\n\n")
		return
	}
	for _, r := range rs[:min(len(rs), digestTables)] {
		title := "Top " + strconv.Itoa(len(r.Top)) + " of " + mdCode(rankingPath(r.Path), false)
		if r.Field != "" {
			title += " by " + mdCode(r.Field, false)
		}
		d.add("**%s** (%s)\n\n| # | Key | Value |\n|---:|---|---:|\n", title, plural(r.Entries, "entry", "entries"))
		for i, e := range r.Top {
			d.add("| %d | %s | %s |\n", i+1, mdCode(e.Key, true), mdText(clip(e.Text, 40)))
		}
		d.text("\n")
	}
	if len(rs) > digestTables {
		d.add("_%s more rankings in the full report._\n\n", count(len(rs)-digestTables))
	}
}

func rankingPath(p string) string {
	if p == "" {
		return "(top level)"
	}
	return p
}

func writeProblems(d *doc, res *merge.Result, annotationNote string) {
	if len(res.Problems) == 0 && len(res.Warnings) == 0 && annotationNote == "" {
		return
	}
	d.text("## 🚧 Problems and warnings\n\n")
	if len(res.Problems) > 0 {
		l := &list{head: fmt.Sprintf("**Input errors (%s):** these inputs were merged as far as they could be read.\n\n", count(len(res.Problems))), what: "problems", tail: "\n"}
		for _, p := range res.Problems {
			l.items = append(l.items, "- "+mdText(p)+"\n")
		}
		d.list(l)
	}
	if len(res.Warnings) > 0 {
		l := &list{head: fmt.Sprintf("**Warnings (%s):**\n\n", count(len(res.Warnings))), what: "warnings", tail: "\n"}
		for _, w := range res.Warnings {
			l.items = append(l.items, "- "+mdText(w)+"\n")
		}
		d.list(l)
	}
	d.text(annotationNote)
}
