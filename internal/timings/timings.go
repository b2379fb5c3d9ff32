// Package timings reads and writes the durations that shard balances by.
//
// # Formats read
//
// xshard's own file, written by merge, schema "xshard.timings/v1":
//
//	{
//	  "schema": "xshard.timings/v1",
//	  "runs": 3,
//	  "tests":    {"example.com/m/pkg.TestA": 1.25, ...},
//	  "files":    {"tests/test_a.py": 4.5, ...},
//	  "packages": {"example.com/m/pkg": 9.75, ...},
//	  "groups":   {"db": 12.5, ...}
//	}
//
// Durations are seconds. "runs" counts the runs blended into the figures.
// Every level may be absent. Unknown top-level keys are ignored, so that a
// later minor version may add some; a different major schema is an error.
//
// A flat object of test IDs to seconds, the format of pytest-split's
// .test_durations:
//
//	{"tests/test_a.py::test_x": 0.25, "tests/test_b.py::test_y": 1.5}
//
// JUnit XML and go test -json streams are read by the packages for those
// formats; see package ingest.
//
// Durations must be finite and not negative; anything else is an error
// naming the file, line and column.
package timings

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// Schema is the schema name of the files this version writes.
const Schema = "xshard.timings/v1"

const schemaPrefix = "xshard.timings/"

// File is the decoded form of xshard's timings file.
type File struct {
	Runs    int
	Timings model.Timings
}

// IsTimings reports whether data looks like a JSON timings file of either
// format: an object whose first key is "schema" with an xshard timings
// value, or whose first value is a number.
func IsTimings(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	k, err := dec.Token()
	if err != nil {
		return false
	}
	key, _ := k.(string)
	v, err := dec.Token()
	if err != nil {
		return false
	}
	if key == "schema" {
		s, _ := v.(string)
		return strings.HasPrefix(s, schemaPrefix)
	}
	_, isNum := v.(float64)
	return isNum
}

// Read decodes a timings file of either format from r; name is used in
// errors.
func Read(r io.Reader, name string) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", name, err)
	}
	p := &parser{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	return p.parse()
}

// ReadFile reads the timings file at path.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, path)
}

type parser struct {
	name string
	data []byte
	dec  *json.Decoder
}

// errAt returns a diag.Error at byte offset off of the input.
func (p *parser) errAt(off int64, format string, args ...any) error {
	return diag.At(p.name, p.data, off, fmt.Sprintf(format, args...))
}

func (p *parser) token() (json.Token, int64, error) {
	off := p.dec.InputOffset()
	t, err := p.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if ok := asSyntax(err, &se); ok {
			return nil, off, p.errAt(se.Offset, "invalid JSON: %v", err)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, off, p.errAt(int64(len(p.data)), "unexpected end of file: the timings file is truncated")
		}
		return nil, off, p.errAt(off, "invalid JSON: %v", err)
	}
	return t, p.skipSpace(off), nil
}

// skipSpace returns the offset of the first byte at or after off that is
// not white space or a separator: where the next token starts.
func (p *parser) skipSpace(off int64) int64 {
	for off < int64(len(p.data)) && strings.IndexByte(" \t\r\n:,", p.data[off]) >= 0 {
		off++
	}
	return off
}

func asSyntax(err error, se **json.SyntaxError) bool {
	s, ok := err.(*json.SyntaxError)
	if ok {
		*se = s
	}
	return ok
}

func (p *parser) parse() (*File, error) {
	t, off, err := p.token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('{') {
		return nil, p.errAt(off, "timings must be a JSON object, either xshard's (with \"schema\") or {\"test id\": seconds}")
	}
	f := &File{}
	own := false
	first := true
	for p.dec.More() {
		kt, koff, err := p.token()
		if err != nil {
			return nil, err
		}
		key := kt.(string)
		if first && key == "schema" {
			own = true
		}
		first = false
		if !own {
			v, err := p.number(key)
			if err != nil {
				return nil, err
			}
			if f.Timings.Tests == nil {
				f.Timings.Tests = make(map[string]float64)
			}
			if _, dup := f.Timings.Tests[key]; dup {
				return nil, p.errAt(koff, "duplicate test id %q", key)
			}
			f.Timings.Tests[key] = v
			continue
		}
		switch key {
		case "schema":
			vt, voff, err := p.token()
			if err != nil {
				return nil, err
			}
			s, _ := vt.(string)
			if s != Schema {
				if strings.HasPrefix(s, schemaPrefix) {
					return nil, p.errAt(voff, "timings schema %q is not supported by this version (it reads %q); upgrade xshard or regenerate the file", s, Schema)
				}
				return nil, p.errAt(voff, "not an xshard timings file: schema %q", s)
			}
		case "runs":
			vt, voff, err := p.token()
			if err != nil {
				return nil, err
			}
			n, ok := vt.(json.Number)
			i, ierr := n.Int64()
			if !ok || ierr != nil || i < 0 {
				return nil, p.errAt(voff, "\"runs\" must be a non-negative integer")
			}
			f.Runs = int(i)
		case "tests", "files", "packages", "groups":
			m, err := p.level(key)
			if err != nil {
				return nil, err
			}
			switch key {
			case "tests":
				f.Timings.Tests = m
			case "files":
				f.Timings.Files = m
			case "packages":
				f.Timings.Packages = m
			case "groups":
				f.Timings.Groups = m
			}
		default:
			if err := p.skip(); err != nil {
				return nil, err
			}
		}
	}
	if _, _, err := p.token(); err != nil { // closing brace
		return nil, err
	}
	if !own && len(f.Timings.Tests) == 0 {
		return nil, p.errAt(0, "timings file holds no durations")
	}
	return f, nil
}

func (p *parser) level(name string) (map[string]float64, error) {
	t, off, err := p.token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('{') {
		return nil, p.errAt(off, "%q must be an object of id to seconds", name)
	}
	m := make(map[string]float64)
	for p.dec.More() {
		kt, koff, err := p.token()
		if err != nil {
			return nil, err
		}
		key := kt.(string)
		v, err := p.number(key)
		if err != nil {
			return nil, err
		}
		if _, dup := m[key]; dup {
			return nil, p.errAt(koff, "duplicate key %q in %q", key, name)
		}
		m[key] = v
	}
	_, _, err = p.token()
	return m, err
}

// number reads a duration value for key.
func (p *parser) number(key string) (float64, error) {
	vt, off, err := p.token()
	if err != nil {
		return 0, err
	}
	n, ok := vt.(json.Number)
	if !ok {
		return 0, p.errAt(off, "duration of %q must be a number of seconds, got %s", key, describe(vt))
	}
	v, err := n.Float64()
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, p.errAt(off, "duration of %q is out of range: %s", key, n)
	}
	if v < 0 {
		return 0, p.errAt(off, "duration of %q is negative: %s", key, n)
	}
	return v, nil
}

func describe(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("%t", v)
	case nil:
		return "null"
	}
	return fmt.Sprint(t)
}

func (p *parser) skip() error {
	depth := 0
	for {
		t, _, err := p.token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// Write writes f in xshard's format: keys sorted, durations rounded to the
// millisecond, so that the same figures always give the same bytes.
func Write(w io.Writer, f *File) error { return WriteTests(w, f, sorted(f.Timings.Tests)) }

// WriteTests is Write with the test level taken from tests, which must
// yield unique keys in increasing order, instead of f.Timings.Tests: a
// million tests are cheaper to hand over that way than in a map.
func WriteTests(w io.Writer, f *File, tests iter.Seq2[string, float64]) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("{\n  \"schema\": \"" + Schema + "\",\n")
	bw.WriteString("  \"runs\": " + strconv.Itoa(f.Runs))
	levels := []struct {
		name    string
		entries iter.Seq2[string, float64]
	}{
		{"tests", tests},
		{"files", sorted(f.Timings.Files)},
		{"packages", sorted(f.Timings.Packages)},
		{"groups", sorted(f.Timings.Groups)},
	}
	var num []byte
	for _, l := range levels {
		bw.WriteString(",\n  \"" + l.name + "\": {")
		n := 0
		for k, v := range l.entries {
			if n > 0 {
				bw.WriteByte(',')
			}
			n++
			bw.WriteString("\n    ")
			writeQuoted(bw, k)
			bw.WriteString(": ")
			num = appendSeconds(num[:0], v)
			bw.Write(num)
		}
		if n > 0 {
			bw.WriteString("\n  ")
		}
		bw.WriteByte('}')
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// sorted yields the entries of m in key order.
func sorted(m map[string]float64) iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

// writeQuoted writes s as a JSON string without escaping <, > and &: as
// is when it needs no escape, which is nearly always.
func writeQuoted(w *bufio.Writer, s string) {
	plain := utf8.ValidString(s)
	for i := 0; plain && i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == 0x7f {
			plain = false
		}
	}
	if plain && !strings.ContainsRune(s, '\u2028') && !strings.ContainsRune(s, '\u2029') {
		w.WriteByte('"')
		w.WriteString(s)
		w.WriteByte('"')
		return
	}
	w.WriteString(quote(s))
}

// FormatSeconds formats a duration rounded to the millisecond, without
// trailing zeros: 1.5, 0.002, 12.
func FormatSeconds(s float64) string { return string(appendSeconds(nil, s)) }

func appendSeconds(b []byte, s float64) []byte {
	r := math.Round(s*1000) / 1000
	start := len(b)
	b = strconv.AppendFloat(b, r, 'f', 3, 64)
	for len(b) > start && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if len(b) > start && b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	if string(b[start:]) == "-0" {
		b = append(b[:start], '0')
	}
	return b
}

// DefaultWeight is the share of the newest run in Blend.
const DefaultWeight = 0.3

// Blend folds the durations of a new run into history as an exponential
// moving average: new = w*run + (1-w)*old for entries in both, the run's
// value for new entries; entries only in history are kept unchanged (a
// test that did not run this time keeps its last estimate). w must be in
// (0, 1]; 1 replaces history. history may be nil.
func Blend(history *File, run *model.Timings, w float64) *File {
	out := &File{Runs: 1}
	if history != nil {
		out.Runs = history.Runs + 1
	}
	blend := func(old, cur map[string]float64) map[string]float64 {
		if len(old) == 0 && len(cur) == 0 {
			return nil
		}
		m := make(map[string]float64, len(old)+len(cur))
		for k, v := range old {
			m[k] = v
		}
		for k, v := range cur {
			if o, ok := old[k]; ok {
				m[k] = w*v + (1-w)*o
			} else {
				m[k] = v
			}
		}
		return m
	}
	var h model.Timings
	if history != nil {
		h = history.Timings
	} else {
		// Nothing to blend: the run is the history (no copies of maps
		// that may hold a million tests).
		out.Timings = *run
		return out
	}
	out.Timings.Tests = blend(h.Tests, run.Tests)
	out.Timings.Files = blend(h.Files, run.Files)
	out.Timings.Packages = blend(h.Packages, run.Packages)
	out.Timings.Groups = blend(h.Groups, run.Groups)
	return out
}

// BlendTests is Blend's test level for a run given in key order (as
// WriteTests takes it): it yields, in key order, the union of history and
// run, blended where both have a test, without building a map of the run.
func BlendTests(history map[string]float64, run iter.Seq2[string, float64], w float64) iter.Seq2[string, float64] {
	return func(yield func(string, float64) bool) {
		old := slices.Sorted(maps.Keys(history))
		i := 0
		for k, v := range run {
			for ; i < len(old) && old[i] < k; i++ {
				if !yield(old[i], history[old[i]]) {
					return
				}
			}
			if i < len(old) && old[i] == k {
				v = w*v + (1-w)*history[k]
				i++
			}
			if !yield(k, v) {
				return
			}
		}
		for ; i < len(old); i++ {
			if !yield(old[i], history[old[i]]) {
				return
			}
		}
	}
}

// quote returns s as a JSON string, without escaping <, > and &.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}
