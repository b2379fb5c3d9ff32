package junit

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// Input is one report to merge.
type Input struct {
	// Path is the file to read.
	Path string
	// Worker is the worker that produced the file ("gw0", ...); "" when
	// unknown, and then no worker property is added.
	Worker string
}

// MergeOptions configures Merge.
type MergeOptions struct {
	// MaxMessage and MaxDetail bound Message and Detail of the cases
	// passed to OnCase, as in ReadOptions.
	MaxMessage, MaxDetail int
	// OnCase, when set, is called with every case read, serially (never
	// concurrently) and in no particular order, so that the caller can
	// build summaries without reading the inputs again. The pointer is
	// reused: copy what you keep. Source and Worker are set.
	OnCase func(*model.Case)
	// OnCaseFrom is OnCase for callers that keep state per reader, so
	// that the work on each case is spread over the cores: it is called
	// with the index, in [0, Parallel) (GOMAXPROCS when Parallel is 0),
	// of the goroutine that read the case, concurrently for different
	// indexes and serially for one. At most one of OnCase and OnCaseFrom
	// may be set.
	OnCaseFrom func(reader int, c *model.Case)
	// Parallel is how many inputs are indexed at once; 0 means
	// GOMAXPROCS.
	Parallel int
	// OnIndexed, when set, is called once every input has been read
	// (every case passed to OnCase or OnCaseFrom) and before the merged
	// document is written, with the errors of the broken inputs, the
	// same that Merge returns, and the warnings of every input (those of
	// MergeStats.Read), in input order: so that the caller can go on
	// with the cases while the document is written.
	OnIndexed func(errs []error, warnings []*diag.Error)
	// Hold, when set, is called after OnCase or OnCaseFrom with the same
	// case, from the same goroutine (with OnCaseFrom's reader index): it
	// returns a nonzero key for a case whose place in the document can
	// only be decided once every input is read, such as a test that a
	// queue gave to several workers, of whose reports one counts; 0 for
	// the others. Resolve must be set too.
	Hold func(reader int, c *model.Case) uint64
	// Resolve decides the held cases, after OnIndexed and before the
	// document is written: it is called serially, once for every key
	// that Hold returned, and says whether to drop the cases held under
	// it (they are left out of the document and of its totals; a suite
	// part of an input left with no testcase is left out whole) or else
	// which properties to add to them, beside the worker property.
	Resolve func(key uint64) (drop bool, props []Property)
}

// Property is a testcase property that Merge adds (MergeOptions.Resolve).
type Property struct {
	Name, Value string
}

// MergeStats describes what Merge read and wrote.
type MergeStats struct {
	// Inputs is the number of inputs, broken ones included.
	Inputs int
	// Read sums the reading statistics of every input.
	Read Stats
	// Suites is the number of testsuite elements written, and Cases the
	// number of testcase elements, with their outcomes below.
	Suites, Cases                           int
	Passed, Failed, Errored, Skipped, Flaky int
	// Seconds is the total time written on the root element.
	Seconds float64
	// Dropped is the number of testcases that MergeOptions.Resolve left
	// out.
	Dropped int
}

// span is a range of an input to copy; flags says what is not
// well-formed in it (see wellformed.go).
type span struct {
	off, end int64
	flags    uint8
}

// How a testcase gains its worker property; see caseRec.
const (
	insNone      uint8 = iota // copied as it is
	insProperty               // a property after the properties start tag
	insPropsElem              // a properties element with the property
	insSelfCase               // an empty-element testcase opened up
)

// caseRec locates one testcase in its file: it is written as
// file[off:off+a] + inserted text + file[off+b:off+n]. Sixteen bytes, for
// there are a million: w packs off (40 bits), b-a (16 bits) and kind,
// whose low four bits are the insertion (ins*) and high four what is not
// well-formed in the testcase (bad* << 4).
type caseRec struct {
	w    uint64
	n, a uint32
}

// Limits of caseRec's packing.
const (
	maxCaseOff  = 1<<40 - 1
	maxCaseSkip = 1<<16 - 1
)

func (r caseRec) off() int64   { return int64(r.w >> 24) }
func (r caseRec) skip() uint32 { return uint32(r.w>>8) & maxCaseSkip }
func (r caseRec) kind() uint8  { return uint8(r.w) }
func (r caseRec) b() uint32    { return r.a + r.skip() }

// part is one testsuite element of one input.
type part struct {
	file *fileIndex
	name string
	// attrOff and attrN locate the raw attributes of its start tag in
	// the file, read again when it is written; attrs holds them instead
	// for a suite that the file does not write (of loose testcases).
	attrOff  int64
	attrN    uint32
	attrs    []byte
	attrBad  uint8  // what is not well-formed in them
	props    []span // contents of its properties elements
	others   []span // its other non-testcase children, whole
	cases    []caseRec
	counts   [4]int // by model.Outcome
	flaky    int
	caseTime float64
	time     float64 // its time attribute
	hasTime  bool
	nested   bool // it holds testsuite elements
	// held holds the cases that MergeOptions.Hold held, in case order;
	// once resolved, only those that gain properties.
	held []heldCase
	// gone is set when Resolve dropped every testcase of the part.
	gone bool
}

// heldCase is a testcase of a part that MergeOptions.Hold held, with what
// Resolve may need: its totals, to take it out, and where properties go,
// to add them.
type heldCase struct {
	i   int // its index in the part's cases
	key uint64
	// ins, a and b say where properties go as caseRec's kind and a and b
	// do, worker whether the worker property must come with them (the
	// case did not have one).
	ins     uint8
	a, b    uint32
	worker  bool
	outcome model.Outcome
	flaky   bool
	seconds float64
	// props and insert are set by resolve: the property elements, and
	// the text inserted at a.
	props, insert []byte
}

func (pt *part) add(c *caseState, endOff int64, worker string) error {
	n := endOff - c.off
	if n > math.MaxUint32 {
		return errors.New("testcase element larger than 4 GiB")
	}
	if c.off > maxCaseOff {
		return errors.New("testcase beyond the first TiB of its file")
	}
	kind, a, b := insertAt(c, n, c.hasWorker || worker == "")
	flags := c.prob.flags
	if b-a > maxCaseSkip {
		// An empty properties element of 64 KiB: rare enough to write
		// the testcase again from its tokens, which inserts it anyway.
		flags |= badMarkup
		b = a
	}
	kind |= flags << 4
	pt.cases = append(pt.cases, caseRec{w: uint64(c.off)<<24 | uint64(b-a)<<8 | uint64(kind), n: uint32(n), a: uint32(a)})
	pt.counts[c.Outcome]++
	if c.Flaky() {
		pt.flaky++
	}
	pt.caseTime += c.Seconds
	return nil
}

// insertAt returns how and where a property goes into testcase c of n
// bytes: the text at [a, b) is replaced (see caseRec); none when nothing
// is to be inserted.
func insertAt(c *caseState, n int64, none bool) (kind uint8, a, b int64) {
	switch {
	case none:
		return insNone, n, n
	case c.self:
		return insSelfCase, n - 2, n
	case c.hasProps && !c.propsSelf:
		a = c.propsEnd - c.off
		return insProperty, a, a
	case c.hasProps:
		return insPropsElem, c.propsOff - c.off, c.propsEnd - c.off
	}
	a = c.tagEnd - c.off
	return insPropsElem, a, a
}

// hold records that the case just added (by add) is held under key.
func (pt *part) hold(c *caseState, endOff int64, worker string, key uint64) {
	n := endOff - c.off
	kind, a, b := insertAt(c, n, false)
	pt.held = append(pt.held, heldCase{i: len(pt.cases) - 1, key: key, ins: kind, a: uint32(a), b: uint32(b),
		worker: !c.hasWorker && worker != "", outcome: c.Outcome, flaky: c.Flaky(), seconds: c.Seconds})
}

// verdict is what MergeOptions.Resolve said of one key.
type verdict struct {
	drop  bool
	props []byte // the property elements to add
}

// resolve applies the verdicts on pt's held cases: the dropped ones are
// taken out of its cases and totals, and held keeps only the cases that
// gain properties, with the text to insert. It returns how many cases it
// dropped.
func (pt *part) resolve(fi *fileIndex, decide func(uint64) *verdict) int {
	if len(pt.held) == 0 {
		return 0
	}
	kept, held := pt.cases[:0], pt.held[:0]
	hi, dropped := 0, 0
	for ci, r := range pt.cases {
		if hi < len(pt.held) && pt.held[hi].i == ci {
			h := pt.held[hi]
			hi++
			v := decide(h.key)
			if v.drop {
				dropped++
				pt.counts[h.outcome]--
				if h.flaky {
					pt.flaky--
				}
				pt.caseTime -= h.seconds
				if pt.hasTime {
					pt.time = max(0, pt.time-h.seconds)
				}
				continue
			}
			if len(v.props) > 0 {
				h.i = len(kept)
				h.props = v.props
				if h.worker {
					h.props = slices.Concat(fi.insert[insProperty], v.props)
				}
				switch h.ins {
				case insProperty:
					h.insert = h.props
				case insPropsElem:
					h.insert = slices.Concat([]byte("<properties>"), h.props, []byte("</properties>"))
				case insSelfCase:
					h.insert = slices.Concat([]byte("><properties>"), h.props, []byte("</properties></testcase>"))
				}
				held = append(held, h)
			}
		}
		kept = append(kept, r)
	}
	clear(pt.cases[len(kept):])
	pt.cases, pt.held = kept, held
	if len(kept) == 0 && dropped > 0 {
		pt.gone = true
	}
	return dropped
}

// seconds is the time the part contributes to its merged suite.
func (pt *part) seconds() float64 {
	if pt.hasTime && !pt.nested {
		return pt.time
	}
	return pt.caseTime
}

// empty reports whether pt only groups other suites, with nothing of its
// own to write.
func (pt *part) empty() bool {
	return pt.gone || pt.nested && len(pt.cases) == 0 && len(pt.props) == 0 && len(pt.others) == 0
}

// fileIndex is what the first pass learns of one input.
type fileIndex struct {
	in     Input
	parts  []*part
	insert [4][]byte
	stats  Stats
	err    error
}

// Merge writes to w one <testsuites> document holding every testsuite and
// testcase of inputs, as the package documentation describes. It returns
// what it did and the errors met: one *diag.Error per broken input (the
// others are still merged) and, last, any error writing to w.
func Merge(w io.Writer, inputs []Input, opts MergeOptions) (*MergeStats, []error) {
	in := slices.Clone(inputs)
	slices.SortStableFunc(in, func(a, b Input) int {
		return cmp.Or(cmp.Compare(a.Worker, b.Worker), cmp.Compare(a.Path, b.Path))
	})
	files := make([]*fileIndex, len(in))
	par := opts.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	par = min(par, len(in))
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		jobs = make(chan int)
	)
	for r := range par {
		wg.Add(1)
		var hold func(*model.Case) uint64
		if opts.Hold != nil && opts.Resolve != nil {
			hold = func(c *model.Case) uint64 { return opts.Hold(r, c) }
		}
		onCase := opts.OnCaseFrom
		if onCase != nil {
			onCase = func(_ int, c *model.Case) { opts.OnCaseFrom(r, c) }
		} else if opts.OnCase != nil {
			onCase = func(_ int, c *model.Case) {
				mu.Lock()
				defer mu.Unlock()
				opts.OnCase(c)
			}
		}
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			for i := range jobs {
				files[i] = index(in[i], buf, &opts, onCase, hold)
			}
		}()
	}
	for i := range in {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	st := &MergeStats{Inputs: len(in)}
	var errs []error
	for _, f := range files {
		if f.err != nil {
			errs = append(errs, f.err)
		}
		st.Read.add(f.stats)
	}
	if opts.OnIndexed != nil {
		opts.OnIndexed(slices.Clone(errs), slices.Clone(st.Read.Warnings))
	}
	if opts.Hold != nil && opts.Resolve != nil {
		st.Dropped = resolve(files, opts.Resolve)
	}
	groups := map[string][]*part{}
	for _, f := range files {
		for _, pt := range f.parts {
			if !pt.empty() {
				groups[pt.name] = append(groups[pt.name], pt)
			}
		}
	}
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	slices.Sort(names)

	o := newOutput(w)
	defer o.close()
	var total suiteTotals
	sums := make([]suiteTotals, len(names))
	for i, n := range names {
		sums[i] = totals(groups[n])
		total.addTotals(sums[i])
	}
	st.Suites = len(names)
	st.Cases = total.tests
	st.Passed = total.tests - total.counts[model.Failed] - total.counts[model.Errored] - total.counts[model.Skipped]
	st.Failed, st.Errored, st.Skipped = total.counts[model.Failed], total.counts[model.Errored], total.counts[model.Skipped]
	st.Flaky = total.flaky
	st.Seconds = float64(total.ms) / 1000

	o.str(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<testsuites")
	o.totals(total)
	o.str(">")
	for i, n := range names {
		o.suite(groups[n], sums[i])
		for _, pt := range groups[n] {
			// Written: let the collector have the index as it goes (the
			// caller may be building its reports meanwhile).
			pt.cases, pt.props, pt.others = nil, nil, nil
		}
	}
	o.str("\n</testsuites>\n")
	if err := o.flush(); err != nil {
		errs = append(errs, fmt.Errorf("write merged report: %w", err))
	}
	return st, errs
}

// resolve asks Resolve about every key that Hold returned, once each, in
// input order, and applies the verdicts; it returns how many cases were
// dropped.
func resolve(files []*fileIndex, ask func(uint64) (bool, []Property)) int {
	verdicts := map[uint64]*verdict{}
	decide := func(key uint64) *verdict {
		v := verdicts[key]
		if v == nil {
			drop, props := ask(key)
			v = &verdict{drop: drop}
			for _, p := range props {
				v.props = slices.Concat(v.props, []byte(`<property name="`), attrValue(p.Name), []byte(`" value="`), attrValue(p.Value), []byte(`"/>`))
			}
			verdicts[key] = v
		}
		return v
	}
	dropped := 0
	for _, f := range files {
		for _, pt := range f.parts {
			dropped += pt.resolve(f, decide)
		}
	}
	return dropped
}

// index is the first pass over one input.
// onCase, when not nil, gets every case read; hold, when not nil, holds
// cases as MergeOptions.Hold.
func index(in Input, buf []byte, opts *MergeOptions, onCase func(int, *model.Case), hold func(*model.Case) uint64) *fileIndex {
	fi := &fileIndex{in: in}
	prop := slices.Concat([]byte(`<property name="`+WorkerProperty+`" value="`), attrValue(in.Worker), []byte(`"/>`))
	fi.insert[insProperty] = prop
	fi.insert[insPropsElem] = slices.Concat([]byte("<properties>"), prop, []byte("</properties>"))
	fi.insert[insSelfCase] = slices.Concat([]byte("><properties>"), prop, []byte("</properties></testcase>"))
	f, err := os.Open(in.Path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		fi.err = &diag.Error{File: in.Path, Msg: "open: " + err.Error(), Err: err}
		return fi
	}
	defer f.Close()
	p := &parser{
		s:      newScanner(f, buf),
		opts:   ReadOptions{MaxMessage: opts.MaxMessage, MaxDetail: opts.MaxDetail, Source: in.Path}.withDefaults(),
		full:   onCase != nil || hold != nil,
		idx:    fi,
		worker: in.Worker,
		hold:   hold,
	}
	if onCase != nil {
		p.onCase = func(c *caseState) error {
			onCase(0, &c.Case)
			return nil
		}
	}
	p.s.check = true
	fi.err = p.run()
	fi.stats = p.stats
	return fi
}

type suiteTotals struct {
	tests  int
	counts [4]int
	flaky  int
	ms     int64
}

func (t *suiteTotals) addTotals(o suiteTotals) {
	t.tests += o.tests
	for i := range t.counts {
		t.counts[i] += o.counts[i]
	}
	t.flaky += o.flaky
	t.ms += o.ms
}

func totals(parts []*part) suiteTotals {
	var t suiteTotals
	var sec float64
	for _, pt := range parts {
		t.tests += len(pt.cases)
		for i := range t.counts {
			t.counts[i] += pt.counts[i]
		}
		t.flaky += pt.flaky
		sec += pt.seconds()
	}
	// Whole milliseconds, so that the root's sum matches what re-reading
	// the suites would give.
	t.ms = int64(math.Round(sec * 1000))
	return t
}

// output is the second pass: it writes the merged document, copying byte
// ranges of the inputs through a few read windows.
type output struct {
	w    *bufio.Writer
	err  error
	open map[*fileIndex]*window
	tick uint64
	tmp  []byte
	rbuf []byte // the scanner's buffer for rewrite
	abuf []byte // a suite's attributes
}

type window struct {
	f    *os.File
	buf  []byte
	off  int64
	n    int
	used uint64
}

const (
	maxOpen    = 64
	windowSize = 64 << 10
)

func newOutput(w io.Writer) *output {
	return &output{w: bufio.NewWriterSize(w, 1<<20), open: map[*fileIndex]*window{}}
}

func (o *output) str(s string) {
	if o.err == nil {
		_, o.err = o.w.WriteString(s)
	}
}

func (o *output) write(b []byte) {
	if o.err == nil {
		_, o.err = o.w.Write(b)
	}
}

func (o *output) flush() error {
	if o.err == nil {
		o.err = o.w.Flush()
	}
	return o.err
}

func (o *output) close() {
	for _, win := range o.open {
		win.f.Close()
	}
}

func (o *output) totals(t suiteTotals) {
	o.str(` tests="` + strconv.Itoa(t.tests) + `" failures="` + strconv.Itoa(t.counts[model.Failed]) +
		`" errors="` + strconv.Itoa(t.counts[model.Errored]) + `" skipped="` + strconv.Itoa(t.counts[model.Skipped]) +
		`" time="` + formatMillis(t.ms) + `"`)
}

func formatMillis(ms int64) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// suite writes one merged testsuite.
func (o *output) suite(parts []*part, t suiteTotals) {
	first := parts[0]
	o.str("\n  <testsuite")
	var seen [5]bool
	var names [][]byte // of a tag that is not well-formed: to drop duplicates
	b := o.attrs(first)
	for {
		k, v, rest, ok, _ := nextAttr(b)
		if !ok {
			break
		}
		raw := bytes.TrimLeft(b[:len(b)-len(rest)], " \t\r\n")
		b = rest
		i := slices.Index(totalAttrs, string(k))
		if i < 0 {
			switch {
			case first.attrBad&badMarkup != 0:
				if !isName(k) || slices.ContainsFunc(names, func(n []byte) bool { return bytes.Equal(n, k) }) {
					continue
				}
				names = append(names, k)
				o.str(" ")
				o.write(k)
				o.str(`="`)
				o.tmp = cleanAttrValue(o.tmp[:0], v)
				o.write(o.tmp)
				o.str(`"`)
			case first.attrBad&badChars != 0:
				o.str(" ")
				o.valid(raw)
			default:
				o.str(" ")
				o.write(raw)
			}
			continue
		}
		if !seen[i] {
			seen[i] = true
			o.str(" " + totalAttrs[i] + `="` + totalValue(t, i) + `"`)
		}
	}
	for i, s := range seen {
		if !s {
			o.str(" " + totalAttrs[i] + `="` + totalValue(t, i) + `"`)
		}
	}
	o.str(">")
	hasProps := false
	for _, pt := range parts {
		for _, sp := range pt.props {
			if !hasProps {
				o.str("\n    <properties>")
				hasProps = true
			}
			o.span(pt.file, sp)
		}
	}
	if hasProps {
		o.str("</properties>")
	}
	for _, pt := range parts {
		fi := pt.file
		var upTo int64
		if n := len(pt.cases); n > 0 {
			upTo = pt.cases[n-1].off() + int64(pt.cases[n-1].n)
		}
		held := pt.held
		for ci, r := range pt.cases {
			o.str("\n    ")
			off := r.off()
			ins, bad := r.kind()&0xf, r.kind()>>4
			end := off + int64(r.n)
			a, b := r.a, r.b()
			insert, prop := fi.insert[ins], fi.insert[insProperty]
			if len(held) > 0 && held[0].i == ci {
				// A case that gains properties (MergeOptions.Resolve).
				ins, a, b, insert, prop = held[0].ins, held[0].a, held[0].b, held[0].insert, held[0].props
				held = held[1:]
			}
			switch {
			case bad&badMarkup != 0:
				o.rewrite(fi, off, end, ins, a == b, prop)
			case ins == insNone:
				o.copyHint(fi, off, end, upTo, bad)
			default:
				o.copyHint(fi, off, off+int64(a), upTo, bad)
				o.write(insert)
				o.copyHint(fi, off+int64(b), end, upTo, bad)
			}
		}
	}
	for _, pt := range parts {
		for _, sp := range pt.others {
			o.str("\n    ")
			o.span(pt.file, sp)
		}
	}
	o.str("\n  </testsuite>")
}

var totalAttrs = []string{"tests", "failures", "errors", "skipped", "time"}

func totalValue(t suiteTotals, i int) string {
	switch i {
	case 0:
		return strconv.Itoa(t.tests)
	case 1:
		return strconv.Itoa(t.counts[model.Failed])
	case 2:
		return strconv.Itoa(t.counts[model.Errored])
	case 3:
		return strconv.Itoa(t.counts[model.Skipped])
	}
	return formatMillis(t.ms)
}

// attrs returns the raw attributes of pt's start tag, valid until the
// next call.
func (o *output) attrs(pt *part) []byte {
	if pt.attrs != nil || pt.attrN == 0 || o.err != nil {
		return pt.attrs
	}
	win := o.window(pt.file)
	if win == nil {
		return nil
	}
	if cap(o.abuf) < int(pt.attrN) {
		o.abuf = make([]byte, pt.attrN)
	}
	b := o.abuf[:pt.attrN]
	if _, err := win.f.ReadAt(b, pt.attrOff); err != nil {
		o.err = fmt.Errorf("read %q: %w", pt.file.in.Path, err)
		return nil
	}
	return b
}

// span writes a span of fi, written again when it is not well-formed.
func (o *output) span(fi *fileIndex, sp span) {
	if sp.flags&badMarkup != 0 {
		o.rewrite(fi, sp.off, sp.end, insNone, false, nil)
		return
	}
	o.copyHint(fi, sp.off, sp.end, sp.end, sp.flags)
}

// window returns the read window of fi, opening its file when it has
// none, and marks it used.
func (o *output) window(fi *fileIndex) *window {
	win := o.open[fi]
	if win == nil {
		if len(o.open) >= maxOpen {
			var lru *fileIndex
			for k, v := range o.open {
				if lru == nil || v.used < o.open[lru].used {
					lru = k
				}
			}
			old := o.open[lru]
			old.f.Close()
			delete(o.open, lru)
			win = &window{buf: old.buf}
		} else {
			win = &window{buf: make([]byte, windowSize)}
		}
		f, err := os.Open(fi.in.Path)
		if err != nil {
			o.err = err
			return nil
		}
		win.f, win.n = f, 0
		o.open[fi] = win
	}
	o.tick++
	win.used = o.tick
	return win
}

// copyHint writes the bytes [off, end) of fi's file, with the characters
// XML cannot hold replaced when bad has badChars. The bytes up to upTo
// will be wanted next: a window never reads past it, since the parts of a
// suite lie scattered over the inputs and reading ahead blindly would
// read most bytes many times.
func (o *output) copyHint(fi *fileIndex, off, end, upTo int64, bad uint8) {
	if o.err != nil || end <= off {
		return
	}
	win := o.window(fi)
	if win == nil {
		return
	}
	for off < end && o.err == nil {
		// Reload when off is outside the window, or when what is left of
		// it could be the start of a rune that the window's end cut.
		if left := win.off + int64(win.n) - off; off < win.off || left <= 0 || left < utf8.UTFMax && win.off+int64(win.n) < end {
			want := int64(len(win.buf))
			if upTo > end {
				want = min(want, upTo-off)
			} else {
				want = min(want, end-off)
			}
			n, err := win.f.ReadAt(win.buf[:want], off)
			if n == 0 {
				if err == nil || err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				o.err = fmt.Errorf("read %q: %w", fi.in.Path, err)
				return
			}
			win.off, win.n = off, n
		}
		i := int(off - win.off)
		j := min(int64(win.n), end-win.off)
		b := win.buf[i:j]
		if win.off+j < end {
			b = b[:wholeRunes(b)]
		}
		if bad&badChars != 0 {
			o.valid(b)
		} else {
			o.write(b)
		}
		off += int64(len(b))
	}
}

// valid writes b, bytes copied from an input, with each character XML
// cannot hold, and each invalid UTF-8 sequence, replaced by U+FFFD.
func (o *output) valid(b []byte) {
	o.tmp = cleanChars(o.tmp[:0], b)
	o.write(o.tmp)
}

// wholeRunes returns the length of b without a rune that its end cut.
func wholeRunes(b []byte) int {
	for k := len(b) - 1; k >= 0 && k >= len(b)-utf8.UTFMax+1; k-- {
		if utf8.RuneStart(b[k]) {
			if !utf8.FullRune(b[k:]) && k > 0 {
				return k
			}
			break
		}
	}
	return len(b)
}

// attrValue is s escaped for an attribute value in double quotes, with
// the characters XML cannot hold replaced by U+FFFD.
func attrValue(s string) []byte { return cleanAttrValue(nil, []byte(escapeAttr(s))) }

// escapeAttr escapes s for an attribute value in double quotes.
func escapeAttr(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\n':
			b.WriteString("&#10;")
		case '\t':
			b.WriteString("&#9;")
		case '\r':
			b.WriteString("&#13;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
