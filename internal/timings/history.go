package timings

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// HistorySchema is the schema name of the outcome history this version
// writes.
const HistorySchema = "xshard.history/v1"

const historySchemaPrefix = "xshard.history/"

// HistoryFile is the usual name of the outcome history, beside
// timings.json.
const HistoryFile = "history.json"

// History is the outcome history that merge keeps beside timings.json:
// per test, the marks (model.Mark) of its last runs, oldest first.
//
// # Format
//
// A JSON object, schema "xshard.history/v1":
//
//	{
//	  "schema": "xshard.history/v1",
//	  "length": 20,
//	  "runs": 57,
//	  "last_run": "4242-1",
//	  "tests": {
//	    "example.com/m/pkg.TestA": "PPPPFPPKPP",
//	    "tests/test_a.py::test_x[1]": "FFF"
//	  }
//	}
//
// "length" is the most marks kept per test; "runs" counts the runs
// recorded since the history started; "last_run" is the test-run id of
// the newest (XSHARD_TESTRUN_UID, the CI's run id and attempt), which a
// re-run of the failed tests names to amend that run instead of adding
// one. "tests" maps each test ID (as shard collects it) to its marks,
// oldest first, one letter a run: P passed, F failed, E error, S
// skipped, K flaky (passed after failing within the run), - not run. A
// test that ran in none of the last "length" runs is dropped. Keys are
// sorted, one a line: the same history always gives the same bytes.
//
// Readers ignore unknown keys, so that a later v1 may add some; another
// major schema is refused with an error that says to upgrade.
type History struct {
	Length  int
	Runs    int
	LastRun string
	// Tests maps a test ID to its marks. Readers that stream the tests
	// (HistoryStream) leave it nil.
	Tests map[string]string
}

// ReadHistory decodes an outcome history from r; name is used in errors.
func ReadHistory(r io.Reader, name string) (*History, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", name, err)
	}
	if h, err := readCanonicalHistory(data, name); err == nil {
		return h, nil
	}
	return decodeHistory(data, name)
}

// ReadHistoryFile reads the outcome history at path.
func ReadHistoryFile(path string) (*History, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadHistory(f, path)
}

// readCanonicalHistory reads data when it is laid out as WriteHistory
// writes it, the fast way; errNotCanonical otherwise.
func readCanonicalHistory(data []byte, name string) (*History, error) {
	s, err := newHistoryStream(bufio.NewReaderSize(bytes.NewReader(data), 64<<10), name)
	if err != nil {
		return nil, err
	}
	h := s.Header()
	h.Tests = map[string]string{}
	for id, marks := range s.All() {
		h.Tests[string(id)] = string(marks)
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	return &h, nil
}

// decodeHistory reads any JSON layout of the history, with errors that
// name the line and column.
func decodeHistory(data []byte, name string) (*History, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	at := func(off int64, format string, args ...any) error {
		// Offsets are where the decoder stopped: the token meant is
		// after the separators.
		for off < int64(len(data)) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
			off++
		}
		return diag.At(name, data, off, fmt.Sprintf(format, args...))
	}
	syntax := func(err error) error {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			// The offset is that of the byte at fault.
			return diag.At(name, data, se.Offset, "invalid JSON: "+se.Error())
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return at(int64(len(data)), "unexpected end of file: the history is truncated")
		}
		return at(dec.InputOffset(), "invalid JSON: %v", err)
	}
	if t, err := dec.Token(); err != nil {
		return nil, syntax(err)
	} else if t != json.Delim('{') {
		return nil, at(0, "an outcome history must be a JSON object with \"schema\": %q", HistorySchema)
	}
	h := &History{}
	for n := 0; dec.More(); n++ {
		off := dec.InputOffset()
		k, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		key := k.(string)
		if n == 0 && key != "schema" {
			return nil, at(off, "not an xshard outcome history: the first key must be \"schema\"")
		}
		voff := dec.InputOffset()
		switch key {
		case "schema":
			var s string
			if err := dec.Decode(&s); err != nil {
				return nil, at(voff, "\"schema\" must be a string")
			}
			if s != HistorySchema {
				if strings.HasPrefix(s, historySchemaPrefix) {
					return nil, at(voff, "history schema %q is not supported by this version (it reads %q); upgrade xshard or delete the file to start a new history", s, HistorySchema)
				}
				return nil, at(voff, "not an xshard outcome history: schema %q", s)
			}
		case "length", "runs":
			var v json.Number
			if err := dec.Decode(&v); err != nil {
				return nil, syntax(err)
			}
			i, err := strconv.Atoi(v.String())
			if err != nil || i < 0 {
				return nil, at(voff, "%q must be a non-negative integer, got %s", key, v)
			}
			if key == "length" {
				h.Length = i
			} else {
				h.Runs = i
			}
		case "last_run":
			if err := dec.Decode(&h.LastRun); err != nil {
				return nil, at(voff, "\"last_run\" must be a string")
			}
		case "tests":
			if t, err := dec.Token(); err != nil {
				return nil, syntax(err)
			} else if t != json.Delim('{') {
				return nil, at(voff, "\"tests\" must be an object of test id to outcomes")
			}
			h.Tests = map[string]string{}
			for dec.More() {
				koff := dec.InputOffset()
				k, err := dec.Token()
				if err != nil {
					return nil, syntax(err)
				}
				id := k.(string)
				moff := dec.InputOffset()
				v, err := dec.Token()
				if err != nil {
					return nil, syntax(err)
				}
				marks, ok := v.(string)
				if !ok || !model.ValidMarks(marks) {
					return nil, at(moff, "outcomes of %q must be a string of the letters %q, got %v", id, model.Marks, v)
				}
				if _, dup := h.Tests[id]; dup {
					return nil, at(koff, "duplicate test id %q", id)
				}
				h.Tests[id] = marks
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntax(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, syntax(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax(err)
	}
	if h.Tests == nil && h.Runs == 0 && h.Length == 0 {
		// Only a schema: nothing wrong, nothing recorded.
		h.Tests = map[string]string{}
	}
	return h, nil
}

// HistoryID names the history at path for a re-run of its failures: its
// last run's id, or, when it has none (runs outside CI), "sha256:" and
// the start of the file's hash, so that a re-run planned from this file
// and a merge given the same file agree on what was re-run.
func HistoryID(path string) (string, error) {
	h, c, err := OpenHistoryStream(path)
	if err == nil {
		c.Close()
		if id := h.Header().LastRun; id != "" {
			return id, nil
		}
	} else if !IsNotCanonical(err) {
		return "", err
	} else if full, err := ReadHistoryFile(path); err != nil {
		return "", err
	} else if full.LastRun != "" {
		return full.LastRun, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(sum.Sum(nil))[:16], nil
}

// WriteHistory writes h in the canonical layout, its tests from tests,
// which must yield unique IDs in increasing order (h.Tests is not used):
// a million tests are cheaper to hand over that way than in a map.
func WriteHistory(w io.Writer, h *History, tests iter.Seq2[string, string]) error {
	hw := NewHistoryWriter(w, h)
	for id, marks := range tests {
		hw.Add(id, marks)
	}
	return hw.Close()
}

// HistoryWriter writes an outcome history one test at a time, in the
// canonical layout, for a caller that works the tests out as it goes.
type HistoryWriter struct {
	bw *bufio.Writer
	n  int
}

// NewHistoryWriter writes the header of h (not its Tests) to w.
func NewHistoryWriter(w io.Writer, h *History) *HistoryWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("{\n  \"schema\": \"" + HistorySchema + "\",\n")
	bw.WriteString("  \"length\": " + strconv.Itoa(h.Length) + ",\n")
	bw.WriteString("  \"runs\": " + strconv.Itoa(h.Runs) + ",\n")
	bw.WriteString("  \"last_run\": ")
	writeQuoted(bw, h.LastRun)
	bw.WriteString(",\n  \"tests\": {")
	return &HistoryWriter{bw: bw}
}

// Add writes a test and its marks. IDs must come in increasing order,
// each once; marks must be model.ValidMarks.
func (hw *HistoryWriter) Add(id, marks string) {
	bw := hw.bw
	if hw.n > 0 {
		bw.WriteByte(',')
	}
	hw.n++
	bw.WriteString("\n    ")
	writeQuoted(bw, id)
	bw.WriteString(": \"")
	bw.WriteString(marks)
	bw.WriteByte('"')
}

// Close writes the end of the file and flushes it; it returns the first
// error writing met.
func (hw *HistoryWriter) Close() error {
	if hw.n > 0 {
		hw.bw.WriteString("\n  ")
	}
	hw.bw.WriteString("}\n}\n")
	return hw.bw.Flush()
}

// SortedMarks yields the entries of m in key order, for WriteHistory.
func SortedMarks(m map[string]string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

// errNotCanonical is what the streams return for a file that is not
// laid out as xshard writes it: the caller reads it the general way.
var errNotCanonical = errors.New("not in the canonical layout")

// IsNotCanonical reports whether err says that a stream could not read
// its file because the file is not laid out as xshard writes it (hand
// edited, reformatted, or not valid at all): read it with ReadFile or
// ReadHistoryFile, which read any layout and name what is wrong.
func IsNotCanonical(err error) bool { return errors.Is(err, errNotCanonical) }

// lines reads a file line by line for the streams.
type lines struct {
	br   *bufio.Reader
	buf  []byte // a line longer than br's buffer
	line []byte // the current line, without its newline
	eof  bool
	err  error
}

// next reads the next line; false at the end of the input or on error.
func (l *lines) next() bool {
	if l.eof || l.err != nil {
		return false
	}
	b, err := l.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		l.buf = append(l.buf[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = l.br.ReadSlice('\n')
			l.buf = append(l.buf, b...)
		}
		b = l.buf
	}
	switch {
	case err == io.EOF:
		l.eof = true
		if len(b) == 0 {
			return false
		}
	case err != nil:
		l.err = err
		return false
	}
	l.line = bytes.TrimSuffix(b, []byte("\n"))
	return true
}

// expect reads the next line, which must be want.
func (l *lines) expect(want string) bool {
	return l.next() && string(l.line) == want
}

// header reads a line `  "key": value,` and returns the value.
func (l *lines) header(key string) ([]byte, bool) {
	if !l.next() {
		return nil, false
	}
	v, ok := bytes.CutPrefix(l.line, []byte("  \""+key+"\": "))
	if !ok {
		return nil, false
	}
	return bytes.CutSuffix(v, []byte(","))
}

// entries reads the lines of an object of the canonical layout,
// `    "key": value` with a comma between entries, up to its closing line
// `  }` (with what follows the brace on that line in tail), yielding each
// key (decoded) and value, valid until the next. It checks that the keys
// increase strictly; anything else stops it with errNotCanonical.
type entries struct {
	l    *lines
	key  []byte // the key being yielded: in the line, or its decoding in buf
	buf  []byte
	prev []byte
	tail []byte
	more bool // a comma ended the last entry
	n    int
	err  error
	done bool
}

// next reads the next entry; false at the closing line or on error.
func (e *entries) next() (key, value []byte, ok bool) {
	if e.done || e.err != nil {
		return nil, nil, false
	}
	if !e.l.next() {
		e.err = cmpOr(e.l.err, errNotCanonical)
		return nil, nil, false
	}
	line := e.l.line
	if t, ok := bytes.CutPrefix(line, []byte("  }")); ok {
		if e.more || e.n == 0 {
			e.err = errNotCanonical // a trailing comma, or an empty object not written as {}
			return nil, nil, false
		}
		e.tail = append(e.tail[:0], t...)
		e.done = true
		return nil, nil, false
	}
	if e.n > 0 && !e.more {
		e.err = errNotCanonical
		return nil, nil, false
	}
	rest, ok := bytes.CutPrefix(line, []byte(`    "`))
	if !ok {
		e.err = errNotCanonical
		return nil, nil, false
	}
	// The key ends at the first quote that is not escaped. The usual key
	// is printable ASCII without escapes (plain checks 8 bytes at a
	// time), and is used where it is, in the line.
	end, escaped := -1, false
	if q := bytes.IndexByte(rest, '"'); q >= 0 && plain(rest[:q]) {
		end = q
		e.key = rest[:q]
	} else {
		for i := 0; i < len(rest); i++ {
			c := rest[i]
			if c == '\\' {
				escaped = true
				i++
				continue
			}
			if c == '"' {
				end = i
				break
			}
			if c < 0x20 {
				e.err = errNotCanonical
				return nil, nil, false
			}
		}
		if end < 0 {
			e.err = errNotCanonical
			return nil, nil, false
		}
		raw := rest[:end]
		if escaped {
			var s string
			q := make([]byte, 0, end+2)
			q = append(append(append(q, '"'), raw...), '"')
			if err := json.Unmarshal(q, &s); err != nil {
				e.err = errNotCanonical
				return nil, nil, false
			}
			e.buf = append(e.buf[:0], s...)
		} else {
			if !utf8.Valid(raw) {
				e.err = errNotCanonical
				return nil, nil, false
			}
			e.buf = append(e.buf[:0], raw...)
		}
		e.key = e.buf
	}
	v, ok := bytes.CutPrefix(rest[end+1:], []byte(": "))
	if !ok {
		e.err = errNotCanonical
		return nil, nil, false
	}
	v, e.more = bytes.CutSuffix(v, []byte(","))
	if e.n > 0 && bytes.Compare(e.key, e.prev) <= 0 {
		e.err = errNotCanonical // unsorted or repeated: the general reader says which
		return nil, nil, false
	}
	e.prev = append(e.prev[:0], e.key...)
	e.n++
	return e.key, v, true
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// HistoryStream reads an outcome history in the canonical layout, its
// tests in key order, without holding them: for the history of a million
// tests, which merge folds into the new one as it goes.
type HistoryStream struct {
	name string
	h    History
	e    entries
	err  error
}

// OpenHistoryStream reads the header of the history at path. A file not
// laid out as WriteHistory writes it gives an error for which
// IsNotCanonical is true: read it with ReadHistoryFile.
func OpenHistoryStream(path string) (*HistoryStream, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	s, err := newHistoryStream(bufio.NewReaderSize(f, 64<<10), path)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return s, f, nil
}

func newHistoryStream(br *bufio.Reader, name string) (*HistoryStream, error) {
	s := &HistoryStream{name: name}
	l := &lines{br: br}
	s.e.l = l
	if !l.expect("{") || !l.expect(`  "schema": "`+HistorySchema+`",`) {
		return nil, errNotCanonical
	}
	num := func(key string) (int, bool) {
		v, ok := l.header(key)
		if !ok || len(v) == 0 || len(v) > 1 && v[0] == '0' {
			return 0, false
		}
		n, err := strconv.Atoi(string(v))
		return n, err == nil && n >= 0
	}
	var ok bool
	if s.h.Length, ok = num("length"); !ok {
		return nil, errNotCanonical
	}
	if s.h.Runs, ok = num("runs"); !ok {
		return nil, errNotCanonical
	}
	v, ok := l.header("last_run")
	if !ok || json.Unmarshal(v, &s.h.LastRun) != nil || len(v) == 0 || v[0] != '"' {
		return nil, errNotCanonical
	}
	if !l.next() {
		return nil, errNotCanonical
	}
	switch string(l.line) {
	case `  "tests": {`:
	case `  "tests": {}`:
		s.e.done = true
	default:
		return nil, errNotCanonical
	}
	return s, nil
}

// Header returns the history's length, runs and last run.
func (s *HistoryStream) Header() History { return s.h }

// Next returns the next test and its marks, valid until the next call,
// or false at the end or on an error (see Err).
func (s *HistoryStream) Next() (id, marks []byte, ok bool) {
	if s.err != nil {
		return nil, nil, false
	}
	k, v, ok := s.e.next()
	if !ok {
		if s.e.err != nil {
			s.err = s.e.err
		} else if !s.e.l.expect("}") || len(s.e.tail) != 0 || s.e.l.next() && len(bytes.TrimSpace(s.e.l.line)) > 0 {
			s.err = errNotCanonical
		}
		return nil, nil, false
	}
	m, ok := bytes.CutPrefix(v, []byte(`"`))
	if ok {
		m, ok = bytes.CutSuffix(m, []byte(`"`))
	}
	if !ok || !validMarks(m) {
		s.err = errNotCanonical
		return nil, nil, false
	}
	return k, m, true
}

// isMark holds true for the bytes of model.Marks.
var isMark = func() (t [256]bool) {
	for i := 0; i < len(model.Marks); i++ {
		t[model.Marks[i]] = true
	}
	return t
}()

// validMarks is model.ValidMarks on bytes, without a string a test.
func validMarks(b []byte) bool {
	for _, c := range b {
		if !isMark[c] {
			return false
		}
	}
	return true
}

// All yields the tests as Next does.
func (s *HistoryStream) All() iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		for {
			id, marks, ok := s.Next()
			if !ok || !yield(id, marks) {
				return
			}
		}
	}
}

// Err returns the error that stopped the stream: an I/O error, or one
// for which IsNotCanonical is true.
func (s *HistoryStream) Err() error { return s.err }
