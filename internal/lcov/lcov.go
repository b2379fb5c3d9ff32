// Package lcov reads, merges and writes LCOV tracefiles (the format of
// lcov/geninfo, c8, Istanbul's lcovonly, cargo llvm-cov, ...), summing the
// hits of every worker's tracefile by source file.
//
// The format is one record per source file, a line per datum:
//
//	TN:<test name>
//	SF:<source file>
//	FN:<start line>[,<end line>],<function name>
//	FNDA:<hits>,<function name>
//	FNF:<functions found>  FNH:<functions hit>
//	BRDA:<line>,<block>,<branch>,<taken or "-" when never reached>
//	BRF:<branches found>   BRH:<branches hit>
//	DA:<line>,<hits>[,<checksum>]
//	LF:<lines found>       LH:<lines hit>
//	end_of_record
//
// Every record starts with SF and ends with end_of_record; TN may come
// before SF. The summary lines (FNF, FNH, BRF, BRH, LF, LH) are ignored on
// input and recomputed on output. Function names run to the end of the
// line and may hold commas (so FN:3,5,f is f from line 3 to 5, never a
// function named "5,f"). Blank lines and unknown keys (VER, FNL, FNA,
// ...) are skipped; "\r\n" reads as "\n". Records for the same source
// file, in one tracefile or several, merge: hits are summed, saturating at
// the largest int64, and a branch is "-" only if it is "-" everywhere.
package lcov

import (
	"bufio"
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

// NotTaken is Branch.Taken for a branch whose block never ran ("-").
const NotTaken = -1

// Tracefile is a parsed or merged tracefile: files sorted by name.
type Tracefile struct {
	TestName string
	Files    []File
}

// File is one record: functions sorted by line and name, branches by
// line, block and branch, lines by number.
type File struct {
	Name      string
	Functions []Function
	Branches  []Branch
	Lines     []Line
}

// Function is an FN line and the hits of its FNDA line.
type Function struct {
	Name    string
	Line    int
	EndLine int // 0 when the FN line gives none
	Hits    int64
}

// Branch is a BRDA line.
type Branch struct {
	Line          int
	Block, Branch string
	Taken         int64 // NotTaken for "-"
}

// Line is a DA line.
type Line struct {
	Line     int
	Hits     int64
	Checksum string
}

// Parse reads one tracefile. Errors for bad input are *diag.Error without
// a file name.
func Parse(r io.Reader) (*Tracefile, error) {
	var m Merger
	if err := m.Add("", r); err != nil {
		return nil, err
	}
	return m.Tracefile(), nil
}

// ParseFile reads the named tracefile.
func ParseFile(name string) (*Tracefile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := Parse(f)
	return t, diag.WithFile(err, name)
}

// Merger merges tracefiles. The zero value is ready to use; the merged
// tracefile does not depend on the order of the inputs.
type Merger struct {
	testNames map[string]bool
	files     map[string]*file
}

type file struct {
	funcs    map[string]*Function
	branches map[branchKey]int64
	lines    map[int]*lineData
}

type branchKey struct {
	line          int
	block, branch string
}

type lineData struct {
	hits     int64
	checksum string
	input    string // where the checksum came from, for errors
	at       int
}

func (l *lineData) where() string {
	if l.input == "" {
		return fmt.Sprintf("line %d", l.at)
	}
	return fmt.Sprintf("%q line %d", l.input, l.at)
}

// AddFile merges the named tracefile.
func (m *Merger) AddFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return m.Add(name, f)
}

// Add merges the tracefile read from r, naming it name in errors. Input
// errors are *diag.Error. If Add fails, m is unchanged.
func (m *Merger) Add(name string, r io.Reader) error {
	var in Merger // parse into a fresh merger, then fold it in
	if err := in.parse(name, r); err != nil {
		return err
	}
	for fn, f := range in.files {
		acc := m.files[fn]
		if acc == nil {
			continue
		}
		for n, l := range f.lines {
			if a := acc.lines[n]; a != nil && a.checksum != "" && l.checksum != "" && a.checksum != l.checksum {
				return &diag.Error{File: name, Msg: fmt.Sprintf(
					"checksum %q of %s line %d differs from %q at %s: tracefiles of different versions of the source",
					l.checksum, fn, n, a.checksum, a.where())}
			}
		}
	}
	if m.files == nil {
		m.files = make(map[string]*file)
		m.testNames = make(map[string]bool)
	}
	for t := range in.testNames {
		m.testNames[t] = true
	}
	for fn, f := range in.files {
		acc := m.files[fn]
		if acc == nil {
			m.files[fn] = f
			continue
		}
		acc.merge(f)
	}
	return nil
}

func newFile() *file {
	return &file{funcs: map[string]*Function{}, branches: map[branchKey]int64{}, lines: map[int]*lineData{}}
}

// merge adds f's data to acc; checksums were checked by the caller.
func (acc *file) merge(f *file) {
	for n, fu := range f.funcs {
		if a := acc.funcs[n]; a != nil {
			a.Hits = add(a.Hits, fu.Hits)
			if a.Line == 0 {
				a.Line, a.EndLine = fu.Line, fu.EndLine
			}
		} else {
			acc.funcs[n] = fu
		}
	}
	for k, t := range f.branches {
		if a, ok := acc.branches[k]; ok {
			acc.branches[k] = addTaken(a, t)
		} else {
			acc.branches[k] = t
		}
	}
	for n, l := range f.lines {
		if a := acc.lines[n]; a != nil {
			a.hits = add(a.hits, l.hits)
			if a.checksum == "" {
				a.checksum, a.input, a.at = l.checksum, l.input, l.at
			}
		} else {
			acc.lines[n] = l
		}
	}
}

// add sums hit counts, saturating at the largest int64.
func add(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return 1<<63 - 1
}

func addTaken(a, b int64) int64 {
	switch {
	case a == NotTaken:
		return b
	case b == NotTaken:
		return a
	}
	return add(a, b)
}

// MaxLine bounds one line of a tracefile, and so the reader's memory.
const MaxLine = 64 << 20

// parse reads one tracefile into the empty m.
func (m *Merger) parse(name string, r io.Reader) error {
	m.files = make(map[string]*file)
	m.testNames = make(map[string]bool)
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), MaxLine)
	var cur *file
	curName := ""
	lineNo := 0
	bad := func(col int, format string, args ...any) error {
		return &diag.Error{File: name, Line: lineNo, Col: col, Msg: fmt.Sprintf(format, args...)}
	}
	for s.Scan() {
		lineNo++
		text := strings.TrimSpace(s.Text())
		if text == "" {
			continue
		}
		if text == "end_of_record" {
			if cur == nil {
				return bad(1, "end_of_record without SF")
			}
			cur = nil
			continue
		}
		key, val, ok := strings.Cut(text, ":")
		if !ok {
			return bad(1, "malformed line %q: want KEY:VALUE", text)
		}
		col := len(key) + 2
		switch key {
		case "TN":
			m.testNames[val] = true
			continue
		case "SF":
			if cur != nil {
				return bad(1, "SF %q inside the record of %q: want end_of_record first", val, curName)
			}
			if val == "" {
				return bad(col, "empty source file name")
			}
			curName = val
			if cur = m.files[val]; cur == nil {
				cur = newFile()
				m.files[val] = cur
			}
			continue
		case "FN", "FNDA", "BRDA", "DA":
			if cur == nil {
				return bad(1, "%s outside a record: want SF first", key)
			}
		default:
			continue // summaries are recomputed; unknown keys are skipped
		}
		switch key {
		case "FN":
			n, fn, err := cutNum(val)
			if err == "" && n == 0 {
				err = ": line 0"
			}
			if err != "" || fn == "" {
				return bad(col, "malformed FN %q: want line,name%s", val, err)
			}
			end := 0
			if e, rest, err := cutNum(fn); err == "" && e > 0 && rest != "" {
				end, fn = e, rest
			}
			if a := cur.funcs[fn]; a == nil {
				cur.funcs[fn] = &Function{Name: fn, Line: n, EndLine: end}
			} else if a.Line == 0 {
				a.Line, a.EndLine = n, end
			}
		case "FNDA":
			h, fn, ok := strings.Cut(val, ",")
			hits, err := parseHits(h)
			if !ok || fn == "" || err != "" {
				return bad(col, "malformed FNDA %q: want hits,name%s", val, err)
			}
			a := cur.funcs[fn]
			if a == nil {
				a = &Function{Name: fn}
				cur.funcs[fn] = a
			}
			a.Hits = add(a.Hits, hits)
		case "BRDA":
			parts := strings.Split(val, ",")
			if len(parts) != 4 {
				return bad(col, "malformed BRDA %q: want line,block,branch,taken", val)
			}
			n, err := atoi(parts[0])
			if err != "" {
				return bad(col, "malformed BRDA %q%s", val, err)
			}
			taken := int64(NotTaken)
			if parts[3] != "-" {
				if taken, err = parseHits(parts[3]); err != "" {
					return bad(col, "malformed BRDA %q%s", val, err)
				}
			}
			k := branchKey{n, parts[1], parts[2]}
			if a, ok := cur.branches[k]; ok {
				taken = addTaken(a, taken)
			}
			cur.branches[k] = taken
		case "DA":
			ln, rest, ok := strings.Cut(val, ",")
			h, sum, _ := strings.Cut(rest, ",")
			n, err := atoi(ln)
			hits, err2 := parseHits(h)
			if !ok || err != "" || err2 != "" {
				return bad(col, "malformed DA %q: want line,hits[,checksum]%s", val, err+err2)
			}
			a := cur.lines[n]
			if a == nil {
				cur.lines[n] = &lineData{hits: hits, checksum: sum, input: name, at: lineNo}
				continue
			}
			if a.checksum != "" && sum != "" && a.checksum != sum {
				return bad(col, "checksum %q of line %d differs from %q at %s: different versions of the source", sum, n, a.checksum, a.where())
			}
			a.hits = add(a.hits, hits)
			if a.checksum == "" {
				a.checksum, a.input, a.at = sum, name, lineNo
			}
		}
	}
	if err := s.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return &diag.Error{File: name, Line: lineNo + 1, Msg: fmt.Sprintf("line longer than %d MiB (binary data, or a broken tracefile?): reading stops here", MaxLine>>20), Err: err}
		}
		return &diag.Error{File: name, Line: lineNo + 1, Msg: err.Error(), Err: err}
	}
	if cur != nil {
		return &diag.Error{File: name, Line: lineNo, Msg: fmt.Sprintf("record of %q has no end_of_record", curName)}
	}
	return nil
}

// cutNum splits "123,rest" into 123 and "rest".
func cutNum(s string) (int, string, string) {
	a, rest, _ := strings.Cut(s, ",")
	n, err := atoi(a)
	return n, rest, err
}

// atoi parses a non-negative decimal; the error, if any, is ": why".
func atoi(s string) (int, string) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || s == "" || s[0] == '+' {
		return 0, fmt.Sprintf(": %q is not a line number", s)
	}
	return n, ""
}

// parseHits parses a hit count. Some tools write counts as floats
// ("1.0e+03"); those are accepted when integral.
func parseHits(s string) (int64, string) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err == nil && n >= 0 {
		return n, ""
	}
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange && s[0] != '-' {
		return 1<<63 - 1, ""
	}
	if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f >= 0 && f == float64(int64(f)) {
		return int64(f), ""
	}
	return 0, fmt.Sprintf(": %q is not a hit count", s)
}

// Tracefile returns the merged tracefile. TestName is the test name that
// every input gave, or "" if they differ or there are no files.
func (m *Merger) Tracefile() *Tracefile {
	t := &Tracefile{Files: []File{}}
	if len(m.testNames) == 1 && len(m.files) > 0 {
		for n := range m.testNames {
			t.TestName = n
		}
	}
	for _, n := range m.names() {
		f := m.files[n]
		out := File{Name: n}
		for _, fu := range f.funcs {
			out.Functions = append(out.Functions, *fu)
		}
		slices.SortFunc(out.Functions, func(a, b Function) int {
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			return strings.Compare(a.Name, b.Name)
		})
		for k, taken := range f.branches {
			out.Branches = append(out.Branches, Branch{k.line, k.block, k.branch, taken})
		}
		slices.SortFunc(out.Branches, func(a, b Branch) int {
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			if c := natCompare(a.Block, b.Block); c != 0 {
				return c
			}
			return natCompare(a.Branch, b.Branch)
		})
		for ln, l := range f.lines {
			out.Lines = append(out.Lines, Line{ln, l.hits, l.checksum})
		}
		slices.SortFunc(out.Lines, func(a, b Line) int { return a.Line - b.Line })
		t.Files = append(t.Files, out)
	}
	return t
}

// natCompare orders decimal strings by value and others as strings, after
// decimal ones. Equal values written differently ("1" and "01") are
// ordered as strings, so that the order is total and a tracefile writes
// the same way whatever order it was read in.
func natCompare(a, b string) int {
	da, db := isDigits(a), isDigits(b)
	switch {
	case da && db:
		ta, tb := strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(ta) != len(tb) {
			return len(ta) - len(tb)
		}
		if c := strings.Compare(ta, tb); c != 0 {
			return c
		}
	case da:
		return -1
	case db:
		return 1
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i]-'0' >= 10 {
			return false
		}
	}
	return s != ""
}

func (m *Merger) names() []string {
	names := make([]string, 0, len(m.files))
	for n := range m.files {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Files returns, for every source file sorted by name, its instrumented
// lines (LF) and those hit (LH).
func (m *Merger) Files() []model.FileCoverage {
	out := make([]model.FileCoverage, 0, len(m.files))
	for _, n := range m.names() {
		fc := model.FileCoverage{File: n, Total: int64(len(m.files[n].lines))}
		for _, l := range m.files[n].lines {
			if l.hits > 0 {
				fc.Covered++
			}
		}
		out = append(out, fc)
	}
	return out
}

// Write writes the merged tracefile: records sorted by source file, each
// with FN, FNDA, FNF, FNH, BRDA, BRF, BRH, DA, LF and LH lines in the
// order geninfo writes them.
func (m *Merger) Write(w io.Writer) error {
	return Write(w, m.Tracefile())
}

// Write writes t in LCOV format.
func Write(w io.Writer, t *Tracefile) error {
	bw := bufio.NewWriter(w)
	for _, f := range t.Files {
		fmt.Fprintf(bw, "TN:%s\nSF:%s\n", t.TestName, f.Name)
		hit := 0
		for _, fu := range f.Functions {
			if fu.Line == 0 { // FNDA without FN
				continue
			}
			if fu.EndLine > 0 {
				fmt.Fprintf(bw, "FN:%d,%d,%s\n", fu.Line, fu.EndLine, fu.Name)
			} else {
				fmt.Fprintf(bw, "FN:%d,%s\n", fu.Line, fu.Name)
			}
		}
		for _, fu := range f.Functions {
			fmt.Fprintf(bw, "FNDA:%d,%s\n", fu.Hits, fu.Name)
			if fu.Hits > 0 {
				hit++
			}
		}
		fmt.Fprintf(bw, "FNF:%d\nFNH:%d\n", len(f.Functions), hit)
		hit = 0
		for _, b := range f.Branches {
			taken := "-"
			if b.Taken != NotTaken {
				taken = strconv.FormatInt(b.Taken, 10)
			}
			if b.Taken > 0 {
				hit++
			}
			fmt.Fprintf(bw, "BRDA:%d,%s,%s,%s\n", b.Line, b.Block, b.Branch, taken)
		}
		fmt.Fprintf(bw, "BRF:%d\nBRH:%d\n", len(f.Branches), hit)
		hit = 0
		for _, l := range f.Lines {
			if l.Checksum != "" {
				fmt.Fprintf(bw, "DA:%d,%d,%s\n", l.Line, l.Hits, l.Checksum)
			} else {
				fmt.Fprintf(bw, "DA:%d,%d\n", l.Line, l.Hits)
			}
			if l.Hits > 0 {
				hit++
			}
		}
		fmt.Fprintf(bw, "LF:%d\nLH:%d\nend_of_record\n", len(f.Lines), hit)
	}
	return bw.Flush()
}
