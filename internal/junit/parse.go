package junit

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// WorkerProperty is the name of the testcase property that records the
// worker that ran a case: Merge adds it, and both Read and Merge take
// Case.Worker from it when a report already has it.
const WorkerProperty = "xshard.worker"

// RanInProperty is the name of the testcase property that records, for a
// case that a test created and ran (Go's testing.RunTests, a suite
// runner), the top-level test that ran it: model.Case.RanIn. Package
// gotest writes it when it converts go test -json; Read and Merge read it
// back, and Merge copies it through.
const RanInProperty = "xshard.ran-in"

// RequeuedProperty is the name of the testcase property that marks the
// one report that counts of a test run more than once because a queue
// gave it to several workers (a lost lease, a re-run's replay, a worker
// that fell back to the static plan): its value names the other workers
// that took the test on, space-separated. package merge adds it through
// MergeOptions.Resolve and leaves the other reports out (docs/queue.md).
const RequeuedProperty = "xshard.requeued"

type frameKind uint8

const (
	fContainer  frameKind = iota // testsuites
	fSuite                       // testsuite
	fSuiteChild                  // any other element directly in a testsuite
	fCase                        // testcase
	fCaseProps                   // properties directly in a testcase
	fResult                      // failure, error, skipped, flaky*, rerun* in a testcase
	fTrace                       // stackTrace in a result element
	fOther                       // anything else: contents ignored
)

// Result categories: the children of a testcase that decide its outcome.
const (
	catFailure = iota
	catError
	catSkipped
	catFlaky // flakyFailure, flakyError
	catRerun // rerunFailure, rerunError
	nCat
)

type frame struct {
	kind  frameKind
	cat   int8  // result category whose text this element feeds; -1 for none
	props bool  // fSuiteChild: a properties element
	name  int   // end of this element's name in parser.names
	off   int64 // offset of the start tag
	inner int64 // offset just past the start tag
	suite string
	part  *part
	prob  problem // fSuiteChild: what is not well-formed in it
}

// caseState is the testcase being read.
type caseState struct {
	model.Case
	off, tagEnd        int64
	propsOff, propsEnd int64 // start tag of the first properties element
	self               bool
	hasProps           bool
	propsSelf          bool
	hasWorker          bool
	rerunErr           bool       // the first rerun* element was a rerunError
	traced             [nCat]bool // the first element of the category has a stackTrace child
	counts             [nCat]int
	msg                [nCat]string
	text               [nCat]textBuf
	part               *part
	prob               problem // what is not well-formed in it
}

// parser walks the JUnit structure over the scanner's tokens. Read and
// Merge share it, so both see the same cases.
type parser struct {
	s     *scanner
	opts  ReadOptions
	full  bool // decode names, messages and details, not only what Merge needs
	stack []frame
	names []byte
	c     caseState
	stats Stats
	roots int
	idx   *fileIndex       // Merge only: where suites and case ranges go
	loose map[string]*part // Merge only: the suites of testcases outside any, by name

	badCase, badSuite badTimes
	repaired          badTimes // elements not well-formed
	worker            string   // Merge only: the worker to record in cases
	onCase            func(*caseState) error
	hold              func(*model.Case) uint64 // Merge only: MergeOptions.Hold
}

// errStop wraps an error from the caller's callback so that it is
// returned as it is.
type errStop struct{ err error }

func (e errStop) Error() string { return e.err.Error() }

func (p *parser) run() error {
	err := p.loop()
	p.stats.Warnings = append(p.stats.Warnings, p.warnings()...)
	if err == nil {
		return nil
	}
	var st errStop
	if errors.As(err, &st) {
		return st.err
	}
	if err == errSyntax {
		line, col := p.s.lineCol(p.s.errOff)
		return &diag.Error{File: p.opts.Source, Line: line, Col: col, Msg: p.s.errMsg}
	}
	return &diag.Error{File: p.opts.Source, Msg: "read: " + err.Error(), Err: err}
}

func (p *parser) loop() error {
	var t token
	for {
		if err := p.s.next(&t); err != nil {
			return err
		}
		if p.s.skipped.flags != 0 {
			p.mark(p.s.skipped)
			p.s.skipped = problem{}
		}
		switch t.kind {
		case tokEOF:
			if n := len(p.stack); n > 0 {
				return p.s.fail(t.off, fmt.Sprintf("unexpected end of input: element %q is not closed", p.frameName(n-1)))
			}
			if p.roots == 0 {
				return p.s.fail(t.off, "not a JUnit report: no testsuites or testsuite element")
			}
			return nil
		case tokText, tokCDATA:
			n := len(p.stack)
			if n == 0 {
				if rest := bytes.TrimLeft(t.data, " \t\r\n"); t.kind == tokCDATA || len(rest) > 0 {
					return p.s.fail(t.off+int64(len(t.data)-len(rest)), "not a JUnit report: text outside the root element")
				}
				continue
			}
			if t.prob.flags != 0 {
				p.mark(t.prob)
			}
			if f := &p.stack[n-1]; f.cat >= 0 && (f.kind == fTrace || f.kind == fResult && !p.c.traced[f.cat]) {
				if t.kind == tokText {
					p.c.text[f.cat].text(t.data)
				} else {
					p.c.text[f.cat].lit(t.data)
				}
			}
		case tokStart:
			if err := p.start(&t); err != nil {
				return err
			}
			if t.self {
				if err := p.end(t.endOff, t.endOff); err != nil {
					return err
				}
			}
		case tokEnd:
			n := len(p.stack)
			if n == 0 {
				return p.s.fail(t.off, fmt.Sprintf("unexpected end tag %q", t.name))
			}
			if want := p.frameName(n - 1); want != string(t.name) {
				return p.s.fail(t.off, fmt.Sprintf("end tag %q does not match start tag %q", t.name, want))
			}
			p.mark(t.prob)
			if err := p.end(t.off, t.endOff); err != nil {
				return err
			}
		}
	}
}

func (p *parser) frameName(i int) string {
	lo := 0
	if i > 0 {
		lo = p.stack[i-1].name
	}
	return string(p.names[lo:p.stack[i].name])
}

func (p *parser) start(t *token) error {
	fr := frame{kind: fOther, cat: -1, off: t.off, inner: t.endOff}
	name := t.name
	if n := len(p.stack); n == 0 {
		switch string(name) {
		case "testsuites":
			fr.kind = fContainer
		case "testsuite":
			if err := p.suiteStart(&fr, t, nil); err != nil {
				return err
			}
		case "testcase":
			if err := p.looseCase(&fr, t); err != nil {
				return err
			}
		default:
			return p.s.fail(t.off, fmt.Sprintf("not a JUnit report: root element %q, want \"testsuites\" or \"testsuite\"", name))
		}
		p.roots++
	} else {
		parent := &p.stack[n-1]
		switch parent.kind {
		case fContainer:
			switch string(name) {
			case "testsuite":
				if err := p.suiteStart(&fr, t, nil); err != nil {
					return err
				}
			case "testsuites":
				fr.kind = fContainer
			case "testcase":
				if err := p.looseCase(&fr, t); err != nil {
					return err
				}
			default:
				p.stats.Dropped++
			}
		case fSuite:
			switch string(name) {
			case "testcase":
				fr.kind = fCase
				if err := p.caseStart(t, parent); err != nil {
					return err
				}
			case "testsuite":
				if err := p.suiteStart(&fr, t, parent); err != nil {
					return err
				}
			default:
				fr.kind = fSuiteChild
				fr.props = string(name) == "properties"
			}
		case fCase:
			switch string(name) {
			case "failure":
				p.result(&fr, t, catFailure)
			case "error":
				p.result(&fr, t, catError)
			case "skipped":
				p.result(&fr, t, catSkipped)
			case "flakyFailure", "flakyError":
				p.result(&fr, t, catFlaky)
			case "rerunFailure", "rerunError":
				if p.c.counts[catRerun] == 0 {
					p.c.rerunErr = string(name) == "rerunError"
				}
				p.result(&fr, t, catRerun)
			case "properties":
				fr.kind = fCaseProps
				if !p.c.hasProps {
					p.c.hasProps, p.c.propsSelf = true, t.self
					p.c.propsOff, p.c.propsEnd = t.off, t.endOff
				}
			case "system-out", "system-err":
			default:
				p.stats.Unknown++
			}
		case fCaseProps:
			if string(name) == "property" {
				var pname, pval []byte
				if err := p.attrs(t, func(k, v []byte) {
					switch string(k) {
					case "name":
						pname = v
					case "value":
						pval = v
					}
				}); err != nil {
					return err
				}
				switch string(pname) {
				case WorkerProperty:
					if !p.c.hasWorker {
						p.c.hasWorker = true
						p.c.Worker = attrString(pval)
					}
				case RanInProperty:
					p.c.RanIn = attrString(pval)
				}
			}
		case fResult:
			if string(name) == "stackTrace" {
				fr.kind, fr.cat = fTrace, parent.cat
				if fr.cat >= 0 && !p.c.traced[fr.cat] {
					// Surefire's stackTrace child is the detail; the text
					// around it is indentation.
					p.c.traced[fr.cat] = true
					p.c.text[fr.cat].reset(p.opts.MaxDetail)
				}
			}
		}
	}
	p.names = append(p.names, name...)
	fr.name = len(p.names)
	p.stack = append(p.stack, fr)
	if fr.kind != fCase && fr.kind != fSuite {
		p.mark(t.prob)
	}
	return nil
}

// mark records a problem of well-formedness against the element that
// Merge copies and that holds it: the testcase, or the child of a
// testsuite (properties, system-out, ...). Elsewhere nothing is copied.
func (p *parser) mark(q problem) {
	if q.flags == 0 || p.idx == nil {
		return
	}
	for i := len(p.stack) - 1; i >= 0; i-- {
		switch f := &p.stack[i]; f.kind {
		case fCase:
			p.taint(&p.c.prob, q)
			return
		case fSuiteChild:
			p.taint(&f.prob, q)
			return
		case fSuite, fContainer:
			return
		}
	}
}

// taint adds q to the problems of an element, and counts the element
// for the warning the first time.
func (p *parser) taint(dst *problem, q problem) {
	if q.flags == 0 {
		return
	}
	if dst.flags == 0 {
		p.repaired.n++
		if p.repaired.first == nil {
			line, col := p.s.lineCol(q.off)
			p.repaired.first = &diag.Error{File: p.opts.Source, Line: line, Col: col,
				Msg: q.why + ": not well-formed XML 1.0, repaired in the merged report"}
		}
	}
	dst.join(q)
}

// attrs calls fn for every attribute of the tag t, values undecoded.
// Of an attribute given twice (not well-formed) only the first counts, as
// in the merged report.
func (p *parser) attrs(t *token, fn func(k, v []byte)) error {
	b := t.attrs
	var seenBuf [8][]byte
	seen := seenBuf[:0]
	for {
		k, v, rest, ok, bad := nextAttr(b)
		if bad {
			return p.s.fail(t.off, fmt.Sprintf("malformed attribute in element %q", t.name))
		}
		if !ok {
			return nil
		}
		b = rest
		dup := false
		for _, s := range seen {
			if bytes.Equal(s, k) {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		seen = append(seen, k)
		fn(k, v)
	}
}

func (p *parser) suiteStart(fr *frame, t *token, parent *frame) error {
	fr.kind = fSuite
	p.stats.Suites++
	var name, tm []byte
	hasTime := false
	if err := p.attrs(t, func(k, v []byte) {
		switch string(k) {
		case "name":
			name = v
		case "time":
			tm, hasTime = v, true
		}
	}); err != nil {
		return err
	}
	fr.suite = attrString(name)
	var secs float64
	if hasTime {
		var ok bool
		if secs, ok = parseSeconds(attrString(tm)); !ok {
			// The suite's time is then its cases' sum, as without one.
			hasTime = false
			p.badTime(&p.badSuite, t.off, "testsuite", fr.suite, tm, "the suite's time is the sum of its testcases'")
		}
	}
	if p.idx != nil {
		if parent != nil {
			parent.part.nested = true
		}
		pt := &part{
			name:    fr.suite,
			attrOff: t.off + 1 + int64(len(t.name)),
			attrN:   uint32(len(t.attrs)),
			hasTime: hasTime,
			time:    secs,
			file:    p.idx,
		}
		p.idx.parts = append(p.idx.parts, pt)
		fr.part = pt
		var q problem
		p.taint(&q, t.prob)
		pt.attrBad = q.flags
	}
	return nil
}

// looseCase starts a testcase that no testsuite holds: one directly in a
// testsuites element, or the root element. It goes into a suite of its
// own file named after its classname, or after the file when it has
// none, as if the report had written that suite.
func (p *parser) looseCase(fr *frame, t *token) error {
	var classname []byte
	if err := p.attrs(t, func(k, v []byte) {
		if string(k) == "classname" {
			classname = v
		}
	}); err != nil {
		return err
	}
	suite := frame{suite: strings.TrimSpace(attrString(classname))}
	if suite.suite == "" {
		suite.suite = filepath.Base(p.opts.Source)
		if p.opts.Source == "" {
			suite.suite = "testcases"
		}
	}
	if p.idx != nil {
		if p.loose == nil {
			p.loose = map[string]*part{}
		}
		suite.part = p.loose[suite.suite]
		if suite.part == nil {
			suite.part = &part{name: suite.suite, attrs: slices.Concat([]byte(` name="`), attrValue(suite.suite), []byte(`"`)), file: p.idx}
			p.loose[suite.suite] = suite.part
			p.idx.parts = append(p.idx.parts, suite.part)
		}
	}
	fr.kind = fCase
	return p.caseStart(t, &suite)
}

func (p *parser) caseStart(t *token, suite *frame) error {
	c := &p.c
	c.Case = model.Case{Suite: suite.suite, Source: p.opts.Source, Worker: p.worker}
	c.off, c.tagEnd, c.self = t.off, t.endOff, t.self
	c.hasProps, c.propsSelf, c.hasWorker, c.rerunErr = false, false, false, false
	c.counts = [nCat]int{}
	c.part = suite.part
	c.prob = problem{}
	p.taint(&c.prob, t.prob)
	var name, tm []byte
	err := p.attrs(t, func(k, v []byte) {
		switch string(k) {
		case "time":
			tm = v
		case "name":
			name = v
			if p.full {
				c.Name = attrString(v)
			}
		case "classname":
			if p.full {
				c.Classname = attrString(v)
			}
		case "file":
			if p.full {
				c.File = attrString(v)
			}
		case "line":
			if p.full {
				c.Line, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
			}
		}
	})
	if tm != nil {
		var ok bool
		if c.Seconds, ok = parseSeconds(attrString(tm)); !ok {
			c.BadTime = true
			p.badTime(&p.badCase, t.off, "testcase", attrString(name), tm, "left out of totals and timings")
		}
	}
	return err
}

// badTimes gathers the unusable time attributes of one kind of element
// in one input, to report the first and count the rest.
type badTimes struct {
	first *diag.Error
	n     int
}

// badTime records an unusable time attribute of the element of kind
// and name whose tag is at off.
func (p *parser) badTime(b *badTimes, off int64, kind, name string, raw []byte, outcome string) {
	b.n++
	if b.first != nil {
		return
	}
	line, col := p.s.lineCol(off)
	b.first = &diag.Error{File: p.opts.Source, Line: line, Col: col, Msg: fmt.Sprintf(
		"%s %q: time %q is not a duration (want a finite number of seconds from 0 to %.0f): %s",
		kind, name, attrString(raw), model.MaxSeconds, outcome)}
}

// warnings returns what the input's reading was warned of, in a fixed
// order.
func (p *parser) warnings() []*diag.Error {
	var out []*diag.Error
	for _, b := range []*badTimes{&p.badCase, &p.badSuite, &p.repaired} {
		if b.first != nil {
			w := *b.first
			if b.n > 1 {
				more := "in this file"
				if b == &p.repaired && b.n == 2 {
					more = "element " + more
				} else if b == &p.repaired {
					more = "elements " + more
				}
				w.Msg += fmt.Sprintf(" (and %d more %s)", b.n-1, more)
			}
			out = append(out, &w)
		}
	}
	return out
}

func (p *parser) result(fr *frame, t *token, cat int) {
	fr.kind = fResult
	p.c.counts[cat]++
	if p.c.counts[cat] > 1 || !p.full {
		return
	}
	fr.cat = int8(cat)
	p.c.msg[cat] = ""
	p.c.traced[cat] = false
	p.c.text[cat].reset(p.opts.MaxDetail)
	// A malformed attribute here is not worth failing the case for.
	_ = p.attrs(t, func(k, v []byte) {
		if string(k) == "message" {
			p.c.msg[cat] = attrString(v)
		}
	})
}

// end closes the innermost element; endTag is the offset of its end tag
// and endOff the offset just past it.
func (p *parser) end(endTag, endOff int64) error {
	n := len(p.stack)
	f := &p.stack[n-1]
	switch f.kind {
	case fSuiteChild:
		if pt := p.stack[n-2].part; pt != nil {
			if f.props {
				if endTag > f.inner {
					pt.props = append(pt.props, span{f.inner, endTag, f.prob.flags})
				}
			} else {
				pt.others = append(pt.others, span{f.off, endOff, f.prob.flags})
			}
		}
	case fCase:
		if err := p.caseEnd(endOff); err != nil {
			return err
		}
	case fSuite:
		// The index of a million testcases is kept until the output is
		// written: not the room its slices grew into.
		if pt := f.part; pt != nil && cap(pt.cases)-len(pt.cases) > 64 {
			pt.cases = slices.Clone(pt.cases)
		}
	}
	p.stack = p.stack[:n-1]
	if n > 1 {
		p.names = p.names[:p.stack[n-2].name]
	} else {
		p.names = p.names[:0]
	}
	return nil
}

func (p *parser) caseEnd(endOff int64) error {
	c := &p.c
	cat := -1
	switch {
	case c.counts[catError] > 0:
		c.Outcome, cat = model.Errored, catError
	case c.counts[catFailure] > 0:
		c.Outcome, cat = model.Failed, catFailure
	case c.counts[catRerun] > 0:
		// Surefire writes rerun* only for a test that failed every run;
		// without a final failure element the last rerun is the final
		// outcome.
		c.Outcome, cat = model.Failed, catRerun
		if c.rerunErr {
			c.Outcome = model.Errored
		}
	case c.counts[catSkipped] > 0:
		c.Outcome, cat = model.Skipped, catSkipped
	default:
		c.Outcome = model.Passed
		if c.counts[catFlaky] > 0 {
			cat = catFlaky
		}
	}
	c.FailedAttempts = c.counts[catFlaky] + c.counts[catRerun]
	if cat == catRerun && c.counts[catFailure]+c.counts[catError] == 0 {
		c.FailedAttempts--
	}
	p.stats.Cases++
	if p.full {
		c.Message, c.Detail = "", ""
		if cat >= 0 {
			var t1, t2 bool
			c.Message, t1 = bound([]byte(c.msg[cat]), p.opts.MaxMessage, false)
			c.Detail, t2 = c.text[cat].String()
			if t1 {
				p.stats.Truncated++
			}
			if t2 {
				p.stats.Truncated++
			}
		}
	}
	if pt := c.part; pt != nil {
		if err := pt.add(c, endOff, p.worker); err != nil {
			return p.s.fail(endOff-1, err.Error())
		}
	}
	if p.onCase != nil {
		if err := p.onCase(c); err != nil {
			return errStop{err}
		}
	}
	if p.hold != nil && c.part != nil {
		if key := p.hold(&c.Case); key != 0 {
			c.part.hold(c, endOff, p.worker, key)
		}
	}
	return nil
}
