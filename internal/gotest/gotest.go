// Package gotest reads the output of `go test -json` into xshard's model:
// one model.Case per test, with reruns folded, build failures and
// package-level failures kept as errored cases. ToJUnit writes the same
// cases as a JUnit XML document through go-junit-report's gtr and junit
// packages, so the JUnit merger can treat it like any other report.
//
// The package does its own event handling rather than using
// go-junit-report's JSON parser: that parser reads the text inside the
// events again, gives up on the whole stream at the first bad line, does
// not fold reruns and orders unfinished packages by map iteration.
package gotest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// The input is what `go test -json` prints (cmd/test2json), one JSON
// object a line:
//
//	{"Time":"2024-01-02T03:04:05.1Z","Action":"run","Package":"example.com/m/p","Test":"TestA"}
//	{"Time":"...","Action":"output","Package":"example.com/m/p","Test":"TestA","Output":"    a_test.go:9: got 1\n"}
//	{"Time":"...","Action":"fail","Package":"example.com/m/p","Test":"TestA","Elapsed":0.01}
//	{"Time":"...","Action":"fail","Package":"example.com/m/p","Elapsed":0.02}
//
// Action is one of start (a package begins), run, pause, cont, output,
// pass, fail, skip and bench; events without Test belong to the package.
// Elapsed is what go test prints, "--- PASS: TestA (0.00s)": to 10 ms.
// A test printed as 0.00s, most of them, gets its duration from the Times
// of its events instead (run to its end, less the time it was paused by
// t.Parallel), when that is under the 5 ms that go test rounds to 0.00s.
// Subtests are named "TestA/sub" with spaces turned into underscores.
// Since Go 1.24 build errors come as {"ImportPath":"p [p.test]",
// "Action":"build-output","Output":"..."} and "build-fail" events, and the
// package's fail event names the failed build in FailedBuild. Before Go
// 1.24 (and with GODEBUG=gotestjsonbuildtext=1) they are plain text on
// stderr, a "# example.com/m/p [example.com/m/p.test]" header followed by
// the compiler's lines, which end up interleaved when CI captures 2>&1.
//
// Lines that do not start with '{' are such text, or whatever else shared
// the stream (go test -json 2>&1, a tee of the build's output, a wrapper
// script's echo): after a "# " header they are kept as that build's
// output, and otherwise as output of the package of the latest event (of
// the first package, for text before any event), which ToJUnit writes as
// its suite's <system-out>. A line that starts with '{' but is not a valid
// event is an input error (*diag.Error with its line and column); reading
// goes on, and the first such error is returned once the whole stream is
// read, its message counting the others. A stream cut in the middle of its
// last event is such an error, and the tests it leaves open are errored.
// A line longer than MaxLine is not an error: its first MaxLine bytes are
// kept (the event's fields and the head of its output, when they can be
// read from them) and a warning names it. Unknown actions (for example
// "attr" of Go 1.25) are ignored.
type event struct {
	Time        string
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	ImportPath  string
	FailedBuild string
}

// Names of the cases that stand for a whole package rather than a test.
// The brackets keep them apart from any Go test name.
const (
	// BuildFailedName names the errored case of a package whose test
	// binary did not build (go-junit-report names it the same way).
	BuildFailedName = "[build failed]"
	// PackageFailedName names the errored case of a package whose test
	// binary failed outside any test: TestMain calling os.Exit(1), a
	// panic in init, a crash after the last test, or a stream that ends
	// before the package's result.
	PackageFailedName = "[package failed]"
)

// CutOffMessage is the message of the PackageFailedName case of a stream
// that ends before the package's result: its runner was killed (package
// merge leaves it out when the queue ran the killed batch again).
const CutOffMessage = "no result: the output ends before the package's result"

// DefaultMaxDetail is the bound on Message and Detail when
// Options.MaxDetail is 0.
const DefaultMaxDetail = 64 << 10

// MaxLine bounds the bytes read of one input line; test2json splits long
// output lines into events of a few KiB, so only damaged input, or a
// wrapper that rewrote the stream, comes near it.
const MaxLine = 4 << 20

// Options configures Read and ToJUnit. The zero value is ready to use.
type Options struct {
	// MaxDetail bounds the bytes kept of each case's Message and of its
	// Detail (the first and last halves are kept); 0 means
	// DefaultMaxDetail.
	MaxDetail int
	// Source is the input's name: it fills model.Case.Source and the
	// File of the *diag.Error returned for malformed lines.
	Source string
	// Worker fills model.Case.Worker.
	Worker string
}

func (o Options) maxDetail() int {
	if o.MaxDetail <= 0 {
		return DefaultMaxDetail
	}
	return o.MaxDetail
}

// IsSubtest reports whether name, as go test names tests, is a subtest
// ("TestA/sub") rather than a top-level test, example or fuzz target. Go
// identifiers cannot contain '/', so the first slash separates them.
func IsSubtest(name string) bool { return strings.Contains(name, "/") }

// TopLevel returns the top-level test that name belongs to: "TestA" for
// "TestA/sub/deeper" and for "TestA" itself. Callers use it to roll
// subtests up into the test that shard plans and -run selects.
func TopLevel(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return name
}

// Read reads a `go test -json` stream from r and calls fn with one case per
// test, subtest, example or fuzz seed, per package that failed to build
// (BuildFailedName) and per package that failed outside its tests
// (PackageFailedName). Suite and Classname are the package import path
// and Name the test's name as go test prints it ("TestA/sub").
//
// A top-level test that starts while another top-level test of its
// package is running was created and run by that test (testing.RunTests,
// a suite runner): its case, and its subtests', have RanIn set (see type
// runners). Such a case that failed inside tests that passed is Skipped,
// its message saying so: go test's verdict is the running test's.
//
// A test that ran more than once in the stream (go test -count=N, or a
// rerun appended by gotestsum --rerun-fails) is one case: its Outcome is
// that of the last attempt, its Seconds those of the last attempt, and
// FailedAttempts counts the failed attempts before it. So a test that
// failed and then passed is Passed with FailedAttempts > 0: flaky.
// Message and Detail come from the first failed attempt, or from the skip
// for a skipped test; they are empty for a test that only passed.
// A test that started but has no result (the binary timed out, crashed or
// the stream was cut) is Errored.
//
// Because a rerun may come at any later point, fn is called once the
// stream is read: package by package in the order in which the packages
// first appear, and within one in the order in which its cases do. An error
// from fn stops Read and is returned as is. Malformed lines are described
// in the input format comment. The Stats count the cases and hold the
// warnings.
func Read(r io.Reader, opts Options, fn func(*model.Case) error) (Stats, error) {
	p := newParser(opts)
	if err := p.read(r); err != nil {
		return Stats{}, err
	}
	st := Stats{Packages: len(p.pkgList), Warnings: p.allWarnings()}
	for _, pkg := range p.byPackage() {
		for _, res := range pkg {
			c := p.caseOf(res)
			st.add(c)
			if err := fn(c); err != nil {
				return st, err
			}
		}
	}
	return st, p.inputErr()
}

// byPackage returns the results grouped by package, in the order in which
// the packages first appear, so that Read and ToJUnit agree.
func (p *parser) byPackage() [][]*result {
	index := make(map[string]int, len(p.pkgList))
	for i, info := range p.pkgList {
		index[info.name] = i
	}
	out := make([][]*result, len(p.pkgList))
	for _, res := range p.order {
		i := index[res.pkg]
		out[i] = append(out[i], res)
	}
	return out
}

// key identifies a case across the stream: its package and name, and for
// a test that another test ran (see runners), the names of the tests that
// were running when it started, so that it is not folded with a test of
// the same name that the package itself ran.
type key struct{ pkg, name, in string }

// attempt is one run of a test within one run of its package.
type attempt struct {
	key
	out     *bounded
	start   time.Time     // of the run or cont event, zero while paused
	ran     time.Duration // run to pause, cont to pause, ...
	ended   bool
	outcome model.Outcome
	seconds float64
	badTime bool // Elapsed was not a usable duration (seconds holds it)
	// ranIn, for a test that another test ran, holds the top-level tests
	// that can have run it: shared with its subtests, and narrowed when
	// it ends. nil for an ordinary test.
	ranIn *runners
}

// runners are the top-level tests of a package that were running while
// a test that another test ran (testing.RunTests, a suite runner) ran:
// those that started as top-level tests of the package itself, sorted.
//
// The go test -json stream says which tests were running: a top-level
// test runs from its run (or cont) event to its pause or end. The package
// runs its own top-level tests one at a time, each paused (t.Parallel) or
// ended before the next starts; so a top-level run event while another
// top-level test of the package is running belongs to a test that the
// running one created. Parallel tests, once continued, run together: a
// test one of them created could be any of them's, so all stay named,
// less those that ended before it did.
type runners struct{ names []string }

// result folds the attempts of one case.
type result struct {
	key
	ranIn   *runners // of the last attempt
	last    model.Outcome
	seconds float64
	badTime bool
	// fails holds one entry per failed or errored attempt, in order: the
	// outcome and message, and for the first one its full output.
	fails []failure
	first *bounded
	skip  *bounded
}

type failure struct {
	outcome model.Outcome
	message string
}

// pkgRun is one run of a package's test binary, from its start event to
// its pass, fail or skip.
type pkgRun struct {
	name    string
	tests   map[string]*attempt
	order   []*attempt
	running []*attempt // top-level tests running now
	out     *bounded
	started bool
}

// pkgInfo is what the JUnit report says about a package.
type pkgInfo struct {
	name     string
	start    time.Time
	elapsed  float64
	coverage float64
	// stray holds the plain-text lines that came while this package's
	// events did: the suite's system-out.
	stray *bounded
}

type parser struct {
	opts    Options
	max     int
	results map[key]*result
	order   []*result
	runs    map[string]*pkgRun
	runList []*pkgRun // in start order, to end unfinished runs in order
	pkgs    map[string]*pkgInfo
	pkgList []*pkgInfo

	builds   map[string]*bounded // JSON build output by ImportPath
	rawBuild map[string]*bounded // text build output by header package
	rawCur   *bounded
	// lastPkg is the package of the latest event, whose output plain
	// text joins; preamble holds the text before any.
	lastPkg  *pkgInfo
	preamble *bounded

	firstErr *diag.Error
	nerr     int
	warnings []*diag.Error
	line     int // of the event being handled
	// badTime and nbad: the first unusable Elapsed, and how many.
	badTime *diag.Error
	nbad    int
}

func newParser(opts Options) *parser {
	return &parser{
		opts:     opts,
		max:      opts.maxDetail(),
		results:  map[key]*result{},
		runs:     map[string]*pkgRun{},
		pkgs:     map[string]*pkgInfo{},
		builds:   map[string]*bounded{},
		rawBuild: map[string]*bounded{},
	}
}

func (p *parser) read(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var line []byte
	for n := 1; ; n++ {
		var size int64 // of the whole line, when longer than MaxLine
		line = line[:0]
		for {
			chunk, isPrefix, err := br.ReadLine()
			if err == io.EOF {
				if len(line) == 0 && size == 0 {
					p.endAll()
					return nil
				}
				break
			}
			if err != nil {
				return err
			}
			if size == 0 && len(line)+len(chunk) <= MaxLine {
				line = append(line, chunk...)
			} else {
				if size == 0 {
					size = int64(len(line))
					line = append(line, chunk[:MaxLine-len(line)]...)
				}
				size += int64(len(chunk))
			}
			if !isPrefix {
				break
			}
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if size > 0 {
			p.long(n, line, size)
			continue
		}
		if len(line) == 0 || line[0] != '{' {
			p.text(string(line))
			continue
		}
		var ev event
		if err := json.Unmarshal(line, &ev); err != nil {
			col := 0
			var se *json.SyntaxError
			var te *json.UnmarshalTypeError
			switch {
			case errors.As(err, &se):
				col = int(se.Offset)
			case errors.As(err, &te):
				col = int(te.Offset)
			}
			msg := "invalid go test -json event: " + err.Error()
			if _, err := br.Peek(1); err == io.EOF && se != nil {
				msg += " (the stream ends inside its last event: was the worker stopped, or the file cut?)"
			}
			p.malformed(n, col, msg, err)
			continue
		}
		p.line = n
		p.event(&ev)
	}
}

// elapsed returns ev's Elapsed and whether it is a usable duration,
// noting an unusable one for a warning.
func (p *parser) elapsed(ev *event) (float64, bool) {
	if model.UsableSeconds(ev.Elapsed) {
		return ev.Elapsed, true
	}
	p.nbad++
	if p.badTime == nil {
		what := "package " + strconv.Quote(ev.Package)
		if ev.Test != "" {
			what = "test " + strconv.Quote(ev.Test) + " of " + what
		}
		p.badTime = &diag.Error{File: p.opts.Source, Line: p.line, Msg: fmt.Sprintf(
			"%s: Elapsed %v is not a duration (want a finite number of seconds from 0 to %.0f): left out of totals and timings",
			what, ev.Elapsed, model.MaxSeconds)}
	}
	return ev.Elapsed, false
}

// allWarnings returns the warnings, the unusable durations' last.
func (p *parser) allWarnings() []*diag.Error {
	out := p.warnings
	if p.badTime != nil {
		w := *p.badTime
		if p.nbad > 1 {
			w.Msg += fmt.Sprintf(" (and %d more in this file)", p.nbad-1)
		}
		out = append(out[:len(out):len(out)], &w)
	}
	return out
}

// long handles line n, cut to its first MaxLine bytes from size: an
// event's fields and the head of its output are kept when they can be
// read from them, plain text is kept as text.
func (p *parser) long(n int, head []byte, size int64) {
	what := "kept as text"
	if len(head) > 0 && head[0] == '{' {
		ev, ok := salvage(head)
		if ok {
			p.event(&ev)
			what = "its event is kept, with the head of its output"
		} else {
			what = "skipped: its event could not be read from its head"
		}
	} else {
		p.text(string(bytes.ToValidUTF8(head, []byte("\uFFFD"))) + fmt.Sprintf(" [... %d bytes cut ...]", size-int64(len(head))))
	}
	p.warnings = append(p.warnings, &diag.Error{File: p.opts.Source, Line: n,
		Msg: fmt.Sprintf("line of %d bytes, longer than the %d MiB bound: %s", size, MaxLine>>20, what)})
}

// salvage reads the fields of an event from the head of a line that is
// too long to read whole: the fields before Output, and as much of
// Output as the head holds (test2json writes Output last).
func salvage(head []byte) (event, bool) {
	var ev event
	dec := json.NewDecoder(bytes.NewReader(head))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ev, false
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := k.(string)
		if key == "Output" {
			off := dec.InputOffset()
			ev.Output = outputHead(head[off:]) + "\n[... output cut: the line is longer than the line bound ...]\n"
			break
		}
		v, err := dec.Token()
		if err != nil {
			break
		}
		switch x := v.(type) {
		case string:
			switch key {
			case "Time":
				ev.Time = x
			case "Action":
				ev.Action = x
			case "Package":
				ev.Package = x
			case "Test":
				ev.Test = x
			case "ImportPath":
				ev.ImportPath = x
			case "FailedBuild":
				ev.FailedBuild = x
			}
		case float64:
			if key == "Elapsed" {
				ev.Elapsed = x
			}
		case json.Delim:
			return ev, false // not an event's flat object
		}
	}
	return ev, ev.Action != ""
}

// outputHead decodes the head of a JSON string value cut anywhere: b is
// what follows the key, `: "...`.
func outputHead(b []byte) string {
	i := bytes.IndexByte(b, '"')
	if i < 0 {
		return ""
	}
	b = b[i+1:]
	b = b[:min(len(b), 64<<10)]
	// Drop what a cut escape or rune leaves at the end.
	for cut := 0; cut <= 6 && cut <= len(b); cut++ {
		var s string
		if json.Unmarshal(append(append([]byte{'"'}, b[:len(b)-cut]...), '"'), &s) == nil {
			return s
		}
	}
	return ""
}

func (p *parser) malformed(line, col int, msg string, err error) {
	p.nerr++
	if p.firstErr == nil {
		p.firstErr = &diag.Error{File: p.opts.Source, Line: line, Col: col, Msg: msg, Err: err}
	}
}

func (p *parser) inputErr() error {
	if p.firstErr == nil {
		return nil
	}
	e := *p.firstErr
	if p.nerr > 1 {
		e.Msg += fmt.Sprintf(" (and %d more malformed lines)", p.nerr-1)
	}
	return &e
}

// text handles a line that is not JSON: build output before Go 1.24, or
// any other text that shared the stream.
func (p *parser) text(line string) {
	if rest, ok := strings.CutPrefix(line, "# "); ok {
		name := strings.Trim(firstField(rest), "[]")
		b := p.rawBuild[name]
		if b == nil {
			b = newBounded(p.max)
			p.rawBuild[name] = b
		}
		b.add(line + "\n")
		p.rawCur = b
		return
	}
	switch {
	case p.rawCur != nil:
		p.rawCur.add(line + "\n")
	case p.lastPkg != nil:
		p.lastPkg.stray.add(line + "\n")
	default:
		if p.preamble == nil {
			p.preamble = newBounded(p.max)
		}
		p.preamble.add(line + "\n")
	}
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

func (p *parser) event(ev *event) {
	switch ev.Action {
	case "build-output":
		b := p.builds[ev.ImportPath]
		if b == nil {
			b = newBounded(p.max)
			p.builds[ev.ImportPath] = b
		}
		b.add(ev.Output)
		return
	case "build-fail":
		return
	}
	if ev.Package == "" {
		return
	}
	info := p.pkgs[ev.Package]
	if info == nil {
		info = &pkgInfo{name: ev.Package, stray: p.preamble}
		if info.stray == nil {
			info.stray = newBounded(p.max)
		}
		p.preamble = nil
		p.pkgs[ev.Package] = info
		p.pkgList = append(p.pkgList, info)
	}
	p.lastPkg = info
	if info.start.IsZero() {
		if t, err := time.Parse(time.RFC3339Nano, ev.Time); err == nil {
			info.start = t
		}
	}
	run := p.runs[ev.Package]
	if run == nil {
		run = &pkgRun{name: ev.Package, tests: map[string]*attempt{}, out: newBounded(p.max)}
		p.runs[ev.Package] = run
		p.runList = append(p.runList, run)
	}
	if ev.Test == "" {
		switch ev.Action {
		case "start":
			if run.started || len(run.order) > 0 {
				// A new run without an end to the last: end it first.
				p.endRun(run, "", ev)
				p.event(ev)
				return
			}
			run.started = true
		case "output":
			run.out.add(ev.Output)
			if m := coverageRE.FindStringSubmatch(ev.Output); m != nil {
				info.coverage, _ = strconv.ParseFloat(m[1], 64)
			}
		case "pass", "fail", "skip":
			if s, ok := p.elapsed(ev); ok {
				info.elapsed = s
			}
			p.endRun(run, ev.Action, ev)
		}
		return
	}
	a := run.tests[ev.Test]
	if a == nil || ev.Action == "run" {
		// A run event starts an attempt; so does output or a result
		// without one (a cut stream or a hand-made one).
		a = run.start(ev.Test, p.max)
		p.resultFor(a.key)
		if ev.Action == "run" {
			a.start = eventTime(ev)
			return
		}
	}
	switch ev.Action {
	case "output":
		if !isFraming(ev.Output) {
			a.out.add(ev.Output)
		}
	case "pause":
		run.stop(a)
		if !a.start.IsZero() {
			if t := eventTime(ev); !t.IsZero() {
				a.ran += t.Sub(a.start)
			}
			a.start = time.Time{}
		}
	case "cont":
		if !a.ended && !IsSubtest(a.name) && !slices.Contains(run.running, a) {
			run.running = append(run.running, a)
		}
		a.start = eventTime(ev)
	case "pass", "fail", "skip":
		if a.ended {
			return
		}
		a.ended = true
		var ok bool
		a.seconds, ok = p.elapsed(ev)
		a.badTime = !ok
		if ok && a.seconds == 0 {
			a.seconds = a.measured(ev)
		}
		a.outcome = map[string]model.Outcome{"pass": model.Passed, "fail": model.Failed, "skip": model.Skipped}[ev.Action]
		if a.ranIn != nil && !IsSubtest(a.name) {
			// Its runner ran until it ended: of parallel tests, those
			// still running.
			if names := run.runners(a); len(names) > 0 {
				var kept []string
				for _, n := range a.ranIn.names {
					if slices.Contains(names, n) {
						kept = append(kept, n)
					}
				}
				if len(kept) > 0 {
					a.ranIn.names = kept
				}
			}
		}
		run.stop(a)
		p.record(a.key, a, "")
	}
}

// start begins an attempt of the test named name in run. A top-level
// test that starts while others are running was run by one of them.
func (run *pkgRun) start(name string, max int) *attempt {
	a := &attempt{key: key{pkg: run.name, name: name}, out: newBounded(max)}
	if IsSubtest(name) {
		if parent := run.tests[TopLevel(name)]; parent != nil && parent.ranIn != nil {
			a.ranIn, a.in = parent.ranIn, parent.in
		}
	} else {
		if names := run.runners(nil); len(names) > 0 {
			a.ranIn = &runners{names: names}
			a.in = strings.Join(names, " ")
		}
		run.running = append(run.running, a)
	}
	run.tests[name] = a
	run.order = append(run.order, a)
	return a
}

// stop takes a out of the running tests.
func (run *pkgRun) stop(a *attempt) {
	if i := slices.Index(run.running, a); i >= 0 {
		run.running = slices.Delete(run.running, i, i+1)
	}
}

// runners returns the package's own top-level tests behind the running
// ones (but except), sorted: a running test that another ran stands for
// its runners.
func (run *pkgRun) runners(except *attempt) []string {
	var names []string
	for _, b := range run.running {
		switch {
		case b == except:
		case b.ranIn != nil:
			names = append(names, b.ranIn.names...)
		default:
			names = append(names, b.name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// eventTime returns the event's Time, the zero time without a valid one.
func eventTime(ev *event) time.Time {
	t, err := time.Parse(time.RFC3339Nano, ev.Time)
	if err != nil {
		return time.Time{}
	}
	return t
}

// roundedToZero is the longest duration that go test prints as "0.00s".
const roundedToZero = 0.005

// measured returns the attempt's duration from its events' times, for a
// test that go test printed as 0.00s, when they agree (under 5 ms), and
// 0 when they do not or there are none. They disagree for a test whose
// parallel subtests run after its function returned: its end event
// comes after theirs, but go test measures the function.
func (a *attempt) measured(end *event) float64 {
	t := eventTime(end)
	if t.IsZero() || (a.start.IsZero() && a.ran == 0) {
		return 0
	}
	d := a.ran
	if !a.start.IsZero() {
		d += t.Sub(a.start)
	}
	if s := d.Seconds(); s >= 0 && s < roundedToZero {
		return s
	}
	return 0
}

var (
	coverageRE = regexp.MustCompile(`^coverage: (\d+(?:\.\d+)?)% of statements`)
	panicRE    = regexp.MustCompile(`(?m)^panic: .*$`)
)

// isFraming reports whether out is one of the lines go test prints around
// a test's own output.
func isFraming(out string) bool {
	s := strings.TrimLeft(out, " ")
	for _, p := range []string{"=== RUN ", "=== PAUSE ", "=== CONT ", "=== NAME ", "--- PASS: ", "--- FAIL: ", "--- SKIP: "} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func (p *parser) resultFor(k key) *result {
	r := p.results[k]
	if r == nil {
		r = &result{key: k}
		p.results[k] = r
		p.order = append(p.order, r)
	}
	return r
}

// record adds an ended attempt to its case; msg, when not "", is the
// message of a failed attempt instead of the first line of its output.
func (p *parser) record(k key, a *attempt, msg string) {
	r := p.resultFor(k)
	r.last = a.outcome
	r.seconds, r.badTime = a.seconds, a.badTime
	r.ranIn = a.ranIn
	switch a.outcome {
	case model.Failed, model.Errored:
		if r.first == nil {
			r.first = a.out
		}
		if msg == "" {
			msg = message(a.out.String(), p.max)
		}
		r.fails = append(r.fails, failure{a.outcome, msg})
	case model.Skipped:
		r.skip = a.out
	default:
		a.out = nil // a passed attempt's output is not kept
	}
}

// endRun ends a package run with action ("pass", "fail", "skip", or ""
// when the stream has no result for it).
func (p *parser) endRun(run *pkgRun, action string, ev *event) {
	failedTest := false
	for _, a := range run.order {
		if !a.ended {
			a.ended = true
			a.outcome = model.Errored
			msg := "no result: the test did not finish"
			if m := panicRE.FindString(a.out.String()); m != "" {
				msg = m
			}
			p.record(a.key, a, msg)
		}
		if a.outcome == model.Failed || a.outcome == model.Errored {
			failedTest = true
		}
	}
	run.running = nil
	delete(p.runs, run.name)
	for i, r := range p.runList {
		if r == run {
			p.runList = append(p.runList[:i], p.runList[i+1:]...)
			break
		}
	}
	pkgOut := run.out.String()
	switch {
	case action == "fail" && (ev.FailedBuild != "" || (len(run.order) == 0 && buildFailed(pkgOut))):
		b := p.buildOutput(run.name, ev.FailedBuild)
		if b == nil || b.Len() == 0 {
			b = run.out
		}
		p.record(key{pkg: run.name, name: BuildFailedName}, &attempt{outcome: model.Errored, out: b, ended: true}, "")
	case action == "fail" && !failedTest, action == "" && !failedTest:
		msg := ""
		if action == "" {
			msg = CutOffMessage
		}
		p.record(key{pkg: run.name, name: PackageFailedName}, &attempt{outcome: model.Errored, out: run.out, ended: true}, msg)
	case action == "pass" || action == "skip":
		// A package-level failure that does not come back on a rerun of
		// the package is flaky like a test.
		for _, name := range []string{BuildFailedName, PackageFailedName} {
			if k := (key{pkg: run.name, name: name}); p.results[k] != nil {
				p.record(k, &attempt{outcome: model.Passed, ended: true}, "")
			}
		}
	}
}

func buildFailed(out string) bool {
	return strings.Contains(out, " [build failed]") || strings.Contains(out, " [setup failed]")
}

// buildOutput finds the build output of pkg: by the ImportPath that the
// fail event names, else from the text headers of older Go versions.
func (p *parser) buildOutput(pkg, failedBuild string) *bounded {
	if b := p.builds[failedBuild]; b != nil {
		return b
	}
	for _, name := range []string{pkg, pkg + "_test", pkg + ".test"} {
		if b := p.rawBuild[name]; b != nil {
			return b
		}
	}
	return nil
}

// endAll ends the package runs that the stream leaves open.
func (p *parser) endAll() {
	for len(p.runList) > 0 {
		p.endRun(p.runList[0], "", &event{})
	}
}

// caseOf builds the model.Case of r.
func (p *parser) caseOf(r *result) *model.Case {
	c := &model.Case{
		Suite:     r.pkg,
		Classname: r.pkg,
		Name:      r.name,
		Seconds:   r.seconds,
		BadTime:   r.badTime,
		Outcome:   r.last,
		Worker:    p.opts.Worker,
		Source:    p.opts.Source,
	}
	if c.BadTime {
		c.Seconds = 0
	}
	if r.ranIn != nil {
		c.RanIn = strings.Join(r.ranIn.names, " ")
	}
	c.FailedAttempts = len(r.fails)
	if r.last == model.Failed || r.last == model.Errored {
		c.FailedAttempts--
	}
	switch {
	case r.first != nil:
		c.Detail = r.first.String()
		c.Message = r.fails[0].message
	case r.last == model.Skipped && r.skip != nil:
		c.Detail = r.skip.String()
		c.Message = message(c.Detail, p.max)
	}
	if c.Message == "" {
		switch {
		case r.name == BuildFailedName:
			c.Message = "build failed"
		case r.name == PackageFailedName && len(r.fails) > 0:
			c.Message = "the test binary failed outside any test"
		case len(r.fails) > 0:
			c.Message = "failed"
		case r.last == model.Skipped:
			c.Message = "skipped"
		}
	}
	if r.ranIn != nil && (c.Outcome == model.Failed || c.Outcome == model.Errored) && p.passed(r.pkg, r.ranIn.names) {
		// go test's verdict is the running test's: one that passed
		// although a test it ran failed expected that failure (suite
		// runners test their own failures so). Like pytest's xfail, it
		// is a skip that says so.
		c.Outcome = model.Skipped
		c.Message = fmt.Sprintf("failed as %s, which ran it, expected (it passed): %s", strings.Join(r.ranIn.names, " or "), c.Message)
	}
	return c
}

// passed reports whether every test named of pkg passed (or skipped).
func (p *parser) passed(pkg string, names []string) bool {
	for _, n := range names {
		r := p.results[key{pkg: pkg, name: n}]
		if r == nil || (r.last != model.Passed && r.last != model.Skipped) {
			return false
		}
	}
	return true
}

// message picks the line that says what went wrong: the first line that
// is not go test's own bookkeeping.
func message(out string, max int) string {
	for line := range strings.Lines(out) {
		s := strings.TrimSpace(line)
		if s == "" || boring(s) {
			continue
		}
		if len(s) > max {
			s = strings.ToValidUTF8(s[:max], "")
		}
		return s
	}
	return ""
}

// boring reports whether s is a line that go test or the go command adds
// to every package's output.
func boring(s string) bool {
	switch {
	case s == "PASS", s == "FAIL", s == "SKIP",
		strings.HasPrefix(s, "# "),
		strings.HasPrefix(s, "ok "), strings.HasPrefix(s, "ok\t"),
		strings.HasPrefix(s, "FAIL\t"), strings.HasPrefix(s, "FAIL "),
		strings.HasPrefix(s, "?\t"),
		strings.HasPrefix(s, "exit status "),
		strings.HasPrefix(s, "coverage: "),
		strings.HasPrefix(s, "testing: warning: no tests to run"):
		return true
	}
	return false
}

// bounded keeps the first and last halves of what is added to it once
// more than its limit has been added.
type bounded struct {
	max     int
	head    []byte
	tail    []byte
	dropped int64
}

func newBounded(max int) *bounded { return &bounded{max: max} }

func (b *bounded) add(s string) {
	if b == nil {
		return
	}
	half := b.max - b.max/2
	if len(b.head) < b.max/2 {
		n := min(b.max/2-len(b.head), len(s))
		b.head = append(b.head, s[:n]...)
		s = s[n:]
	}
	if s == "" {
		return
	}
	b.tail = append(b.tail, s...)
	if over := len(b.tail) - half; over > 0 && len(b.tail) >= 2*half {
		b.dropped += int64(over)
		b.tail = append(b.tail[:0], b.tail[over:]...)
	}
}

// Len returns the number of bytes added.
func (b *bounded) Len() int64 {
	if b == nil {
		return 0
	}
	return int64(len(b.head)+len(b.tail)) + b.dropped
}

// String returns what is kept, with trailing newlines removed and a note
// where bytes were dropped.
func (b *bounded) String() string {
	if b == nil {
		return ""
	}
	half := b.max - b.max/2
	tail, dropped := b.tail, b.dropped
	if over := len(tail) - half; over > 0 {
		tail, dropped = tail[over:], dropped+int64(over)
	}
	s := string(b.head)
	if dropped > 0 {
		s += fmt.Sprintf("\n[... %d bytes omitted ...]\n", dropped)
	}
	s += string(tail)
	return strings.ToValidUTF8(strings.TrimRight(s, "\n"), "\uFFFD")
}
