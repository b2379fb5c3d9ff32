package report

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

// The HTML report is one file: html/template renders the static sections
// (escaping every value for its context), and the table of all tests is
// drawn by the page's script from the rows embedded as JSON, a window of
// rows at a time, so that it stays fast with hundreds of thousands. The
// script builds the DOM with textContent only. A Content-Security-Policy
// forbids every network request and every script but the page's own (by
// its hash), so even markup that escaped escaping could not run.

var (
	//go:embed assets/report.html.tmpl
	pageTemplate string
	//go:embed assets/report.css
	pageCSS string
	//go:embed assets/report.js
	pageJS string

	page = template.Must(template.New("report.html").Funcs(template.FuncMap{
		"duration": duration,
		"count":    func(n int) string { return count(n) },
		"count64":  func(n int64) string { return count(n) },
		"percent":  percent,
		"plural":   plural,
		"inc":      func(i int) int { return i + 1 },
		"subtests": func(t merge.Totals) string {
			if t.WithSubtests > t.Tests {
				return count(t.WithSubtests) + " with subtests"
			}
			return ""
		},
	}).Parse(pageTemplate))

	pageCSP = func() string {
		sum := sha256.Sum256([]byte(pageJS))
		return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
			base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}()
)

const (
	htmlListMax     = 2000 // items per verification list and coverage table
	htmlTraceBytes  = 64 << 10
	htmlOutputBytes = 1 << 20
)

type htmlCase struct {
	// ID is the test's ID as merge keyed it (the history's key); Name
	// what the page shows (a Go subtest's whole path).
	ID, Name, Worker, Outcome, Class, Duration, Location, Message, Detail string
	Attempts                                                              int
	// HistClass and HistWord name the failure's class in the history
	// (CSS class and words), Strip its recent runs (history.go).
	HistClass, HistWord string
	Strip               []htmlMark
}

type htmlWorker struct {
	Name, Status, Class, Tests, Time, Predicted, Deviation string
	// Wall and Idle are its realised test phase and its idle time at the
	// end, "" unless the run recorded every worker's test phase.
	Wall, Idle string
	Bar, Mark  template.CSS
	HasMark    bool
}

// htmlRealised is the realised balance (merge.Balance) of a run whose
// workers all recorded their test phase.
type htmlRealised struct {
	Makespan, LowerBound, Ratio, PredictedRatio string
	Workers                                     int
	// Overhead is the percentage of the test phases that was not test
	// time, "" unless it is above merge.OverheadNoteShare.
	Overhead string
}

// htmlQueue is what a queue run did beyond the plan.
type htmlQueue struct {
	LostWorkers []string
	Lost        []merge.LostBatch
	LostMore    int
	Requeued    []merge.Requeued
	// RequeuedMore counts the requeued tests not listed.
	RequeuedMore           int
	Fallbacks, QueueErrors htmlList
}

type htmlTuning struct {
	Workers          int
	Wall, Jobs       string
	Bar              template.CSS
	Recommended, Cur bool
}

type htmlCoverage struct {
	Kind, File, Percent string
	Covered, Total      int64
	Bar                 template.CSS
	Files               []htmlFile
	More                int
}

type htmlFile struct {
	File, Percent  string
	Covered, Total int64
	Bar            template.CSS
	Class          string
}

type htmlList struct {
	Items []string
	More  int
}

type htmlPage struct {
	Title, CSP, Generated string
	Status                runStatus
	Headline              string
	Totals                merge.Totals
	Workers               string
	CoveragePercent       string
	Failures, Flaky       []htmlCase
	FailedTotal           int
	Checked, OK           bool
	Expected              int
	MissingWorkers        []struct {
		Name  string
		Tests htmlList
	}
	Missing, Unexpected, Mismatches htmlList
	Duplicated                      []merge.Duplicate
	Slowest                         []htmlCase
	Scopes                          []merge.Scope
	Balance                         []htmlWorker
	Realised                        *htmlRealised
	Queue                           *htmlQueue
	NoPrediction                    string
	Tuning                          []htmlTuning
	TuningBy, Overhead              string
	Recommended                     int
	Coverage                        []htmlCoverage
	Rankings                        []ranking
	OutputsJSON                     string
	Problems, Warnings              []string
	TestsShown, TestsOmitted        int
	History                         *htmlHistory
	CSS                             template.CSS
	JS                              template.JS
	Data                            template.JS
}

// HTML writes report.html: one self-contained page (inline CSS and
// script, no network requests, works from file://) with the headline,
// failures with their traces, verification, a filterable and searchable
// table of every test in res.Tests, per-worker bars, worker-count tuning,
// coverage by file and the custom outputs.
func HTML(w io.Writer, res *merge.Result, opts Options) error {
	st := statusOf(res)
	p := &htmlPage{
		Title:        opts.title(),
		CSP:          pageCSP,
		Status:       st,
		Headline:     headlineWords(res, st),
		Totals:       res.Totals,
		FailedTotal:  max(res.Totals.Failed+res.Totals.Errors, len(res.Failures)),
		Checked:      res.Verification.Checked,
		OK:           res.Verification.OK(),
		Expected:     res.Verification.Expected,
		Problems:     res.Problems,
		Warnings:     res.Warnings,
		TestsShown:   len(res.Tests),
		TestsOmitted: res.TestsOmitted,
		CSS:          template.CSS(pageCSS),
		JS:           template.JS(pageJS),
	}
	if !opts.Generated.IsZero() {
		p.Generated = opts.Generated.UTC().Format(time.RFC3339)
	}
	present := 0
	for _, wk := range res.Workers {
		if wk.Present {
			present++
		}
	}
	p.Workers = count(present)
	if n := max(len(res.Workers), res.Verification.Expected); n > present {
		p.Workers = count(present) + " of " + count(n)
	}
	for i := range res.Failures {
		p.Failures = append(p.Failures, toHTMLCase(res, &res.Failures[i], opts))
	}
	for i := range res.Flaky {
		p.Flaky = append(p.Flaky, toHTMLCase(res, &res.Flaky[i], opts))
	}
	htmlHistoryOf(p, res)
	for i := range res.Slowest[:min(len(res.Slowest), slowestShown)] {
		p.Slowest = append(p.Slowest, toHTMLCase(res, &res.Slowest[i], opts))
	}
	p.Scopes = res.SlowestScopes[:min(len(res.SlowestScopes), slowestShown)]
	v := &res.Verification
	for _, mw := range v.MissingWorkers {
		p.MissingWorkers = append(p.MissingWorkers, struct {
			Name  string
			Tests htmlList
		}{mw.Name, capList(mw.Tests)})
	}
	p.Missing, p.Unexpected, p.Mismatches = capList(v.Missing), capList(v.Unexpected), capList(v.Mismatches)
	p.Duplicated = v.Duplicated[:min(len(v.Duplicated), htmlListMax)]
	p.Balance, p.Realised = htmlBalance(res)
	p.Queue = htmlQueueOf(res)
	p.NoPrediction = noPrediction(res)
	htmlTuningRows(p, res, opts)
	for _, c := range res.Coverage {
		p.Coverage = append(p.Coverage, htmlCov(c))
	}
	if len(res.Coverage) > 0 {
		p.CoveragePercent = percent(res.Coverage[0].Percent())
	}
	if res.Outputs != nil {
		p.Rankings = digest(res.Outputs)
		if b, err := json.MarshalIndent(res.Outputs, "", "  "); err == nil {
			p.OutputsJSON = clip(string(b), htmlOutputBytes)
		}
	}
	// The rows (tens of megabytes for a million tests) are streamed in
	// place of a marker, not held in memory: a random marker, which no
	// artifact can have put in the page.
	var nonce [16]byte
	rand.Read(nonce[:])
	marker := "xshard-rows-" + hex.EncodeToString(nonce[:])
	p.Data = template.JS(marker)
	var pg bytes.Buffer
	if err := page.Execute(&pg, p); err != nil {
		return err
	}
	before, after, ok := bytes.Cut(pg.Bytes(), []byte(marker))
	if !ok || bytes.Contains(after, []byte(marker)) {
		return fmt.Errorf("report.html: the page template must hold the test rows once")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(before)
	writeTestRows(bw, res)
	bw.Write(after)
	return bw.Flush()
}

func capList(items []string) htmlList {
	n := min(len(items), htmlListMax)
	return htmlList{Items: items[:n], More: len(items) - n}
}

func toHTMLCase(res *merge.Result, c *model.Case, opts Options) htmlCase {
	h := htmlCase{
		ID:       res.Key(c).Test,
		Name:     res.Name(c),
		Worker:   workerName(c.Worker),
		Outcome:  c.Outcome.String(),
		Class:    c.Outcome.String(),
		Duration: testDuration(c.Seconds),
		Message:  clip(strings.TrimSpace(c.Message), htmlTraceBytes),
		Detail:   clip(trimBlank(c.Detail), htmlTraceBytes),
		Attempts: c.FailedAttempts,
	}
	if c.Flaky() {
		h.Outcome, h.Class = "flaky", "flaky"
	}
	if sameLines(h.Detail, h.Message) {
		h.Detail = "" // go test's one-line failure: the message is the trace
	}
	if f, n := Locate(c, opts); f != "" {
		h.Location = f + ":" + strconv.Itoa(n)
	}
	return h
}

func cssWidth(share float64) template.CSS {
	if math.IsNaN(share) || share < 0 {
		share = 0
	}
	return template.CSS("width:" + strconv.FormatFloat(min(share, 1)*100, 'f', 2, 64) + "%")
}

// htmlBalance returns the workers' bars and, when every worker recorded
// its test phase, the realised balance: the bars are then each worker's
// realised wall time (start-up and waiting included) beside the
// prediction, as the summary's chart.
func htmlBalance(res *merge.Result) ([]htmlWorker, *htmlRealised) {
	why := noPrediction(res)
	predicted := func(w merge.Worker) float64 {
		if why != "" {
			return 0
		}
		return w.Predicted
	}
	var realised *htmlRealised
	walls := map[string]merge.WorkerBalance{}
	if b := res.Balance; b != nil && b.Measured && b.LowerBound > 0 && len(b.Workers) == len(res.Workers) {
		realised = &htmlRealised{Makespan: duration(b.Makespan), LowerBound: duration(b.LowerBound), Ratio: ratio(b.Ratio), Workers: len(b.Workers)}
		if b.PredictedRatio > 0 {
			realised.PredictedRatio = ratio(b.PredictedRatio)
		}
		if o := b.OverheadShare(); o > merge.OverheadNoteShare {
			realised.Overhead = fmt.Sprintf("%.0f%%", 100*o)
		}
		for _, w := range b.Workers {
			walls[w.Name] = w
		}
	}
	shown := func(w merge.Worker) float64 {
		if realised != nil {
			return walls[w.Name].Wall
		}
		return w.Seconds
	}
	most, sum, n := 0.0, 0.0, 0
	for _, w := range res.Workers {
		most = max(most, shown(w), predicted(w))
		if w.Present {
			sum += w.Seconds
			n++
		}
	}
	var out []htmlWorker
	for _, w := range res.Workers {
		h := htmlWorker{Name: w.Name, Status: "ok", Class: "passed", Tests: count(w.Tests), Time: duration(w.Seconds), Predicted: "–", Deviation: "–"}
		if wb, ok := walls[w.Name]; ok {
			h.Wall, h.Idle = duration(wb.Wall), duration(wb.IdleEnd)
			if wb.Lost {
				// Killed in its test phase: known alive until then.
				h.Wall, h.Idle = h.Wall+" (lost)", "–"
			}
		}
		switch {
		case !w.Present:
			h.Status, h.Class, h.Tests, h.Time = "missing", "missing", "–", "–"
		case w.Failed > 0:
			h.Status, h.Class = plural(w.Failed, "failure", "failures"), "failed"
		}
		if most > 0 {
			h.Bar = cssWidth(shown(w) / most)
			if predicted(w) > 0 {
				h.HasMark = true
				h.Mark = template.CSS("left:" + strconv.FormatFloat(min(w.Predicted/most, 1)*100, 'f', 2, 64) + "%")
			}
		}
		if predicted(w) > 0 {
			h.Predicted = duration(w.Predicted)
		}
		if w.Present && n > 0 && sum > 0 {
			mean := sum / float64(n)
			h.Deviation = signedPercent(100 * (w.Seconds - mean) / mean)
		}
		out = append(out, h)
	}
	return out, realised
}

// ratio formats a makespan ratio as the summary does.
func ratio(r float64) string { return strconv.FormatFloat(r, 'f', 2, 64) + "×" }

// htmlQueueOf returns what a queue run did beyond the plan (lost
// workers and their batches, requeued tests and whose result counts,
// workers that fell back to the static plan, queue errors), nil for
// another run.
func htmlQueueOf(res *merge.Result) *htmlQueue {
	v := &res.Verification
	if !v.Queue {
		return nil
	}
	q := &htmlQueue{
		LostWorkers: v.LostWorkers(),
		Lost:        v.Lost[:min(len(v.Lost), htmlListMax)],
		LostMore:    max(len(v.Lost)-htmlListMax, 0),
		Requeued:    v.Requeued[:min(len(v.Requeued), htmlListMax)],
		Fallbacks:   capList(v.Fallbacks),
		QueueErrors: capList(v.QueueErrors),
	}
	q.RequeuedMore = len(v.Requeued) - len(q.Requeued)
	return q
}

func htmlTuningRows(p *htmlPage, res *merge.Result, opts Options) {
	rec, table := RecommendWorkers(res, opts)
	if len(table) == 0 {
		return
	}
	p.TuningBy = tuningBy(res)
	p.Overhead = duration(opts.JobOverhead)
	p.Recommended = rec
	most := 0.0
	for _, t := range table {
		most = max(most, t.Wall)
	}
	cur := currentWorkers(res)
	for _, t := range table {
		h := htmlTuning{Workers: t.Workers, Wall: duration(t.Wall), Jobs: duration(t.JobSeconds), Recommended: t.Workers == rec, Cur: t.Workers == cur}
		if most > 0 {
			h.Bar = cssWidth(t.Wall / most)
		}
		p.Tuning = append(p.Tuning, h)
	}
}

func htmlCov(c merge.Coverage) htmlCoverage {
	h := htmlCoverage{Kind: c.Kind, File: c.File, Percent: percent(c.Percent()), Covered: c.Covered, Total: c.Total, Bar: cssWidth(c.Percent() / 100)}
	files := leastCovered(c.Files)
	h.More = max(len(files)-htmlListMax, 0)
	for _, f := range files[:min(len(files), htmlListMax)] {
		pc := filePercent(f)
		class := "good"
		if pc < 50 {
			class = "bad"
		} else if pc < 80 {
			class = "warn"
		}
		h.Files = append(h.Files, htmlFile{File: f.File, Percent: percent(pc), Covered: f.Covered, Total: f.Total, Bar: cssWidth(pc / 100), Class: class})
	}
	return h
}

// testRows encodes res.Tests for the page's script: {"w": [workers],
// "r": [[id, worker index, outcome, flaky 0|1, seconds], ...]}. Strings
// go through encoding/json, which escapes <, > and & (and U+2028/9), so
// that no test name can close the script element that holds the data.
func writeTestRows(b *bufio.Writer, res *merge.Result) {
	workers := map[string]int{}
	var names []string
	idx := make([]int, len(res.Tests))
	for i, r := range res.Tests {
		k, ok := workers[r.Worker]
		if !ok {
			k = len(names)
			workers[r.Worker] = k
			names = append(names, r.Worker)
		}
		idx[i] = k
	}
	ws, _ := json.Marshal(names) // strings: cannot fail
	if names == nil {
		ws = []byte("[]")
	}
	b.WriteString(`{"w":`)
	b.Write(ws)
	b.WriteString(`,"r":[`)
	var x historyIndex
	if res.History != nil {
		x = indexHistory(res.History)
	}
	for i, r := range res.Tests {
		if i > 0 {
			b.WriteByte(',')
		}
		id, _ := json.Marshal(strings.ToValidUTF8(r.ID, "\uFFFD"))
		flaky := 0
		if r.Flaky {
			flaky = 1
		}
		secs := r.Seconds
		if math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 {
			secs = 0
		}
		// Then the history: the marks (letters only, nothing to escape)
		// and the class (see rowClass).
		marks := r.Marks
		if !model.ValidMarks(marks) {
			marks = ""
		}
		fmt.Fprintf(b, "[%s,%d,%d,%d,%s,\"%s\",%d]", id, idx[i], min(int(r.Outcome), 3), flaky, strconv.FormatFloat(secs, 'g', 6, 64), marks, rowClass(r, res.History, x))
	}
	b.WriteString("]}")
}
