// Package cobertura reads, merges and writes Cobertura XML coverage
// reports, as coverage.py (`coverage xml`), Istanbul/nyc/c8 (`cobertura`
// reporter), gcovr and JaCoCo converters write them, summing the hits of
// every worker's report.
//
// The format, as far as this package reads it:
//
//	<coverage version="7.4" timestamp="1700000000000" line-rate=... >
//	  <sources><source>/home/runner/work/app/app</source></sources>
//	  <packages>
//	    <package name="app.util" line-rate=... branch-rate=...>
//	      <classes>
//	        <class name="strs.py" filename="app/util/strs.py" ...>
//	          <methods>
//	            <method name="pad" signature="()V" hits="3">
//	              <lines><line number="3" hits="3"/></lines>
//	            </method>
//	          </methods>
//	          <lines>
//	            <line number="3" hits="3"/>
//	            <line number="4" hits="1" branch="true"
//	                  condition-coverage="50% (1/2)" missing-branches="7"/>
//	          </lines>
//	        </class>
//	      </classes>
//	    </package>
//	  </packages>
//	</coverage>
//
// Rates and totals on input are ignored and recomputed on output. A class
// is identified by its filename and name (one class per file for
// coverage.py and Istanbul; Java's inner classes share a file). Documents
// are read with encoding/xml, which never loads a DTD nor expands an
// entity it does not know: the DOCTYPE that Istanbul writes is skipped.
package cobertura

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// Report is a parsed or merged report: sources sorted, packages sorted by
// name, classes by filename and name, methods by name and signature, lines
// by number.
type Report struct {
	Version   string
	Timestamp string
	Sources   []string
	Packages  []Package
}

// Package is a package element.
type Package struct {
	Name    string
	Classes []Class
}

// Class is a class element.
type Class struct {
	Name, Filename string
	Methods        []Method
	Lines          []Line
}

// Method is a method element.
type Method struct {
	Name, Signature string
	Hits            int64
	Lines           []Line
}

// Line is a line element. For a branch line, Conditions is the number of
// conditions (the "2" of "50% (1/2)") and Covered those taken; Missing
// lists coverage.py's missing-branches, when MissingKnown.
type Line struct {
	Number       int
	Hits         int64
	Branch       bool
	Covered      int
	Conditions   int
	Missing      []string
	MissingKnown bool
}

// ErrSourceMismatch is wrapped by errors about lines that cannot come from
// the same version of a source file.
var ErrSourceMismatch = errors.New("reports of different versions of the source")

// Parse reads one report. Errors for bad input are *diag.Error without a
// file name.
func Parse(r io.Reader) (*Report, error) {
	var m Merger
	if err := m.Add("", r); err != nil {
		return nil, err
	}
	return m.Report(), nil
}

// ParseFile reads the named report.
func ParseFile(name string) (*Report, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := Parse(f)
	return r, diag.WithFile(err, name)
}

// Merger merges reports. The zero value is ready to use; the merged report
// does not depend on the order of the inputs.
type Merger struct {
	version, timestamp string
	sources            map[string]bool
	classes            map[classKey]*class
	// inputs counts the reports added, coveragePy those that coverage.py
	// wrote: its hits are 0 or 1 (lines executed or not, like Go's set
	// mode), so when every input is its, lines merge as covered-if-any
	// (what `coverage combine` does) instead of summed.
	inputs, coveragePy int
}

// SetMode reports whether every input came from coverage.py, whose hits
// only say whether a line ran: merged hits are then the largest, not the
// sum.
func (m *Merger) SetMode() bool { return m.inputs > 0 && m.coveragePy == m.inputs }

type classKey struct{ filename, name string }

type class struct {
	pkg     string // the smallest package name the class appeared in
	methods map[methodKey]*method
	lines   map[int]*line
}

type methodKey struct{ name, signature string }

type method struct {
	hits  int64
	lines map[int]*line
}

type line struct {
	Line
	maxHits int64  // the largest hits of one input, for SetMode
	input   string // where it was first seen, for errors
	at      int
}

// AddFile merges the named report.
func (m *Merger) AddFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return m.Add(name, f)
}

// Add merges the report read from r, naming it name in errors. Input
// errors are *diag.Error. If Add fails, m is unchanged.
func (m *Merger) Add(name string, r io.Reader) error {
	var in Merger
	if err := in.parse(name, r); err != nil {
		return err
	}
	// Check, then commit.
	for k, c := range in.classes {
		if acc := m.classes[k]; acc != nil {
			if err := checkLines(k, acc.lines, c.lines, name); err != nil {
				return err
			}
			for mk, me := range c.methods {
				if am := acc.methods[mk]; am != nil {
					if err := checkLines(k, am.lines, me.lines, name); err != nil {
						return err
					}
				}
			}
		}
	}
	if m.classes == nil {
		m.classes = map[classKey]*class{}
		m.sources = map[string]bool{}
	}
	m.inputs++
	if in.coveragePy > 0 {
		m.coveragePy++
	}
	m.version = max(m.version, in.version)
	if later(in.timestamp, m.timestamp) {
		m.timestamp = in.timestamp
	}
	for s := range in.sources {
		m.sources[s] = true
	}
	for k, c := range in.classes {
		acc := m.classes[k]
		if acc == nil {
			m.classes[k] = c
			continue
		}
		acc.pkg = min(acc.pkg, c.pkg)
		mergeLines(acc.lines, c.lines)
		for mk, me := range c.methods {
			am := acc.methods[mk]
			if am == nil {
				acc.methods[mk] = me
				continue
			}
			am.hits = add(am.hits, me.hits)
			mergeLines(am.lines, me.lines)
		}
	}
	return nil
}

// later reports whether timestamp a is later than b: numerically when both
// are numbers, as strings otherwise.
func later(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 == nil && err2 == nil {
		return x > y
	}
	return a > b
}

func checkLines(k classKey, acc, in map[int]*line, name string) error {
	for n, l := range in {
		if a := acc[n]; a != nil && a.Branch && l.Branch && a.Conditions != l.Conditions {
			return &diag.Error{File: name, Line: l.at, Err: ErrSourceMismatch, Msg: fmt.Sprintf(
				"line %d of %q has %d conditions but %d at %s: %v",
				n, k.filename, l.Conditions, a.Conditions, where(a.input, a.at), ErrSourceMismatch)}
		}
	}
	return nil
}

func where(input string, at int) string {
	if input == "" {
		return fmt.Sprintf("line %d", at)
	}
	return fmt.Sprintf("%q line %d", input, at)
}

// mergeLines adds in to acc; the caller checked that branch lines agree.
func mergeLines(acc, in map[int]*line) {
	for n, l := range in {
		a := acc[n]
		if a == nil {
			acc[n] = l
			continue
		}
		mergeLine(a, l)
	}
}

// mergeLine adds l's hits and conditions to a. Which conditions ran is
// known only through missing-branches: with it on both sides, a condition
// is missing if it is missing in both; without, the merged count is the
// larger of the two, a lower bound (summing could count one condition
// twice).
func mergeLine(a, l *line) {
	a.Hits = add(a.Hits, l.Hits)
	a.maxHits = max(a.maxHits, l.maxHits)
	switch {
	case !l.Branch:
		return
	case !a.Branch:
		a.Branch, a.Covered, a.Conditions = true, l.Covered, l.Conditions
		a.Missing, a.MissingKnown = l.Missing, l.MissingKnown
		return
	}
	if a.MissingKnown && l.MissingKnown {
		var both []string
		for _, x := range a.Missing {
			if slices.Contains(l.Missing, x) {
				both = append(both, x)
			}
		}
		a.Missing = both
		a.Covered = max(a.Covered, l.Covered, a.Conditions-len(both))
		return
	}
	a.Covered = max(a.Covered, l.Covered)
	if a.Covered == a.Conditions {
		a.Missing, a.MissingKnown = nil, true
	} else {
		a.Missing, a.MissingKnown = nil, false
	}
}

// add sums hits, saturating at the largest int64.
func add(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return 1<<63 - 1
}

// parse reads one report into the empty m.
func (m *Merger) parse(name string, r io.Reader) error {
	m.classes = map[classKey]*class{}
	m.sources = map[string]bool{}
	d := xml.NewDecoder(&tokenGuard{r: r})
	d.Strict = true
	var stack []string
	var cls *class
	var meth *method
	pkg := ""
	var text bytes.Buffer
	sawRoot := false
	fail := func(format string, args ...any) error {
		ln, col := d.InputPos()
		return &diag.Error{File: name, Line: ln, Col: col, Msg: fmt.Sprintf(format, args...)}
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.Is(err, errTokenTooLong) {
				ln, _ := d.InputPos()
				return &diag.Error{File: name, Line: ln, Msg: fmt.Sprintf("a tag or text longer than %d MiB (binary data, or a broken report?): reading stops here", MaxToken>>20), Err: err}
			}
			if errors.As(err, &se) {
				return &diag.Error{File: name, Line: se.Line, Msg: "malformed XML: " + se.Msg, Err: err}
			}
			return &diag.Error{File: name, Msg: "malformed XML: " + err.Error(), Err: err}
		}
		switch t := tok.(type) {
		case xml.Comment:
			if len(stack) == 1 && bytes.Contains(t, []byte("Generated by coverage.py")) {
				m.coveragePy = 1
			}
		case xml.StartElement:
			el := t.Name.Local
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			stack = append(stack, el)
			switch {
			case len(stack) == 1:
				if el != "coverage" {
					return fail("root element is <%s>, want <coverage>", el)
				}
				sawRoot = true
				m.version, m.timestamp = attr(t, "version"), attr(t, "timestamp")
			case el == "source" && parent == "sources":
				text.Reset()
			case el == "package":
				pkg = attr(t, "name")
			case el == "class":
				k := classKey{attr(t, "filename"), attr(t, "name")}
				if k.filename == "" {
					return fail("<class> %q has no filename", k.name)
				}
				if cls = m.classes[k]; cls == nil {
					cls = &class{pkg: pkg, methods: map[methodKey]*method{}, lines: map[int]*line{}}
					m.classes[k] = cls
				}
				cls.pkg = min(cls.pkg, pkg)
			case el == "method" && cls != nil:
				k := methodKey{attr(t, "name"), attr(t, "signature")}
				hits, err := hitsAttr(t, "hits", false)
				if err != nil {
					return fail("<method> %q: %v", k.name, err)
				}
				if meth = cls.methods[k]; meth == nil {
					meth = &method{lines: map[int]*line{}}
					cls.methods[k] = meth
				}
				meth.hits = add(meth.hits, hits)
			case el == "line" && cls != nil:
				l, err := parseLine(t)
				if err != nil {
					return fail("%v", err)
				}
				l.input = name
				l.at, _ = d.InputPos()
				lines := cls.lines
				if meth != nil {
					lines = meth.lines
				}
				if a := lines[l.Number]; a != nil {
					if a.Branch && l.Branch && a.Conditions != l.Conditions {
						return fail("line %d has %d conditions but %d at %s: %v",
							l.Number, l.Conditions, a.Conditions, where(a.input, a.at), ErrSourceMismatch)
					}
					mergeLine(a, l)
				} else {
					lines[l.Number] = l
				}
			}
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1] == "source" {
				text.Write(t)
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "source":
				if s := strings.TrimSpace(text.String()); s != "" {
					m.sources[s] = true
				}
			case "class":
				cls = nil
			case "method":
				meth = nil
			case "package":
				pkg = ""
			}
			stack = stack[:len(stack)-1]
		}
	}
	if !sawRoot {
		return &diag.Error{File: name, Line: 1, Msg: "no <coverage> element"}
	}
	return nil
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// hitsAttr reads a hit count; integral floats ("3.0") are accepted.
func hitsAttr(t xml.StartElement, name string, required bool) (int64, error) {
	s := strings.TrimSpace(attr(t, name))
	if s == "" {
		if required {
			return 0, fmt.Errorf("missing %s", name)
		}
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n, nil
	} else if errors.Is(err, strconv.ErrRange) && s[0] != '-' {
		return 1<<63 - 1, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f < 1<<63 && f == float64(int64(f)) {
		return int64(f), nil
	}
	return 0, fmt.Errorf("%s=%q is not a hit count", name, s)
}

func parseLine(t xml.StartElement) (*line, error) {
	l := &line{}
	num := attr(t, "number")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("<line> number=%q is not a line number", num)
	}
	l.Number = n
	if l.Hits, err = hitsAttr(t, "hits", true); err != nil {
		return nil, fmt.Errorf("<line> %d: %v", n, err)
	}
	l.maxHits = l.Hits
	if attr(t, "branch") != "true" {
		return l, nil
	}
	cc := attr(t, "condition-coverage")
	c, tot, ok := parseConditions(cc)
	if !ok {
		return nil, fmt.Errorf("<line> %d: condition-coverage=%q: want \"50%% (1/2)\"", n, cc)
	}
	l.Branch, l.Covered, l.Conditions = true, c, tot
	if mb, ok := attrOK(t, "missing-branches"); ok {
		l.MissingKnown = true
		for _, x := range strings.Split(mb, ",") {
			if x = strings.TrimSpace(x); x != "" && !slices.Contains(l.Missing, x) {
				l.Missing = append(l.Missing, x)
			}
		}
		slices.Sort(l.Missing)
		if len(l.Missing) == 0 && c < tot {
			l.MissingKnown = false // an empty list says nothing
		}
	} else if c == tot {
		l.MissingKnown = true
	}
	return l, nil
}

func attrOK(t xml.StartElement, name string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// parseConditions reads "50% (1/2)"; the percentage is ignored.
func parseConditions(s string) (covered, total int, ok bool) {
	_, rest, ok1 := strings.Cut(s, "(")
	frac, _, ok2 := strings.Cut(rest, ")")
	a, b, ok3 := strings.Cut(frac, "/")
	if !ok1 || !ok2 || !ok3 {
		return 0, 0, false
	}
	c, err1 := strconv.Atoi(strings.TrimSpace(a))
	t, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || c < 0 || t <= 0 || c > t {
		return 0, 0, false
	}
	return c, t, true
}

// Report returns the merged report.
func (m *Merger) Report() *Report {
	r := &Report{Version: m.version, Timestamp: m.timestamp, Sources: []string{}, Packages: []Package{}}
	for s := range m.sources {
		r.Sources = append(r.Sources, s)
	}
	slices.Sort(r.Sources)
	byPkg := map[string][]Class{}
	for k, c := range m.classes {
		out := Class{Name: k.name, Filename: k.filename, Lines: sortedLines(c.lines, m.SetMode())}
		for mk, me := range c.methods {
			out.Methods = append(out.Methods, Method{Name: mk.name, Signature: mk.signature, Hits: me.hits, Lines: sortedLines(me.lines, m.SetMode())})
		}
		slices.SortFunc(out.Methods, func(a, b Method) int {
			return cmp2(a.Name, b.Name, a.Signature, b.Signature)
		})
		byPkg[c.pkg] = append(byPkg[c.pkg], out)
	}
	for p, cs := range byPkg {
		slices.SortFunc(cs, func(a, b Class) int { return cmp2(a.Filename, b.Filename, a.Name, b.Name) })
		r.Packages = append(r.Packages, Package{Name: p, Classes: cs})
	}
	slices.SortFunc(r.Packages, func(a, b Package) int { return strings.Compare(a.Name, b.Name) })
	return r
}

func cmp2(a1, b1, a2, b2 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	return strings.Compare(a2, b2)
}

func sortedLines(ls map[int]*line, setMode bool) []Line {
	out := make([]Line, 0, len(ls))
	for _, l := range ls {
		x := l.Line
		if setMode {
			x.Hits = l.maxHits
		}
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b Line) int { return a.Number - b.Number })
	if len(out) == 0 {
		return nil
	}
	return out
}

// Files returns, for every class filename sorted, its lines and how many
// of them were hit.
func (m *Merger) Files() []model.FileCoverage {
	lines := map[string]map[int]bool{}
	for k, c := range m.classes {
		if lines[k.filename] == nil {
			lines[k.filename] = map[int]bool{}
		}
		for n, l := range c.lines {
			lines[k.filename][n] = lines[k.filename][n] || l.Hits > 0
		}
	}
	out := make([]model.FileCoverage, 0, len(lines))
	for f, ls := range lines {
		fc := model.FileCoverage{File: f, Total: int64(len(ls))}
		for _, hit := range ls {
			if hit {
				fc.Covered++
			}
		}
		out = append(out, fc)
	}
	slices.SortFunc(out, func(a, b model.FileCoverage) int { return strings.Compare(a.File, b.File) })
	return out
}

// MaxToken bounds the bytes of one tag or one run of text: encoding/xml
// holds each in memory whole, so this bounds the reader's memory.
const MaxToken = 16 << 20

var errTokenTooLong = errors.New("token too long")

// tokenGuard fails a read once more than MaxToken bytes have passed
// without a '<' or '>'.
type tokenGuard struct {
	r   io.Reader
	run int // bytes since the last '<' or '>'
}

func (g *tokenGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	b := p[:n]
	if first := bytes.IndexAny(b, "<>"); first < 0 {
		g.run += n
	} else {
		if g.run+first > MaxToken {
			return 0, errTokenTooLong
		}
		g.run = n - 1 - bytes.LastIndexAny(b, "<>")
	}
	if g.run > MaxToken {
		return 0, errTokenTooLong
	}
	return n, err
}
