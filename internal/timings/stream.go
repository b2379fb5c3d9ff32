package timings

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strconv"
)

// Stream reads xshard's timings file laid out as Write writes it, its
// test level in key order, without holding it: merge folds the history
// of a million tests into the new file as it reads it, in the memory of
// a few lines. A file laid out otherwise (hand edited, reformatted, of
// another kind, or broken) stops the stream with an error for which
// IsNotCanonical is true: ReadFile reads any layout and names what is
// wrong with a broken file.
type Stream struct {
	name string
	br   *bufio.Reader
	e    entries
	runs int
	err  error
}

// OpenStream reads the header of the timings file at path; close the
// Closer when done.
func OpenStream(path string) (*Stream, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	s, err := newStream(bufio.NewReaderSize(f, 64<<10), path)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return s, f, nil
}

func newStream(br *bufio.Reader, name string) (*Stream, error) {
	s := &Stream{name: name, br: br}
	l := &lines{br: br}
	s.e.l = l
	if !l.expect("{") || !l.expect(`  "schema": "`+Schema+`",`) {
		return nil, errNotCanonical
	}
	v, ok := l.header("runs")
	if !ok || len(v) == 0 || len(v) > 1 && v[0] == '0' {
		return nil, errNotCanonical
	}
	n, err := strconv.Atoi(string(v))
	if err != nil || n < 0 {
		return nil, errNotCanonical
	}
	s.runs = n
	if !l.next() {
		return nil, errNotCanonical
	}
	switch {
	case string(l.line) == `  "tests": {`:
	case bytes.HasPrefix(l.line, []byte(`  "tests": {}`)):
		s.e.done = true
		s.e.tail = append(s.e.tail[:0], l.line[len(`  "tests": {}`):]...)
	default:
		return nil, errNotCanonical
	}
	return s, nil
}

// Runs returns the number of runs the file blends.
func (s *Stream) Runs() int { return s.runs }

// Next returns the next test and its duration, the ID valid until the
// next call, or false at the end of the test level or on an error (see
// Err).
func (s *Stream) Next() (id []byte, seconds float64, ok bool) {
	if s.err != nil {
		return nil, 0, false
	}
	k, v, ok := s.e.next()
	if !ok {
		s.err = s.e.err
		return nil, 0, false
	}
	secs, ok := decimal(v)
	if !ok {
		s.err = errNotCanonical
		return nil, 0, false
	}
	return k, secs, true
}

// Err returns the error that stopped the stream, nil at the end of the
// test level.
func (s *Stream) Err() error { return s.err }

// Rest reads what follows the test level, once Next has returned false
// without an error: the file's runs and its file, package and group
// levels (Timings.Tests is nil).
func (s *Stream) Rest() (*File, error) {
	if s.err != nil {
		return nil, s.err
	}
	if !s.e.done {
		return nil, errNotCanonical
	}
	rest, err := io.ReadAll(s.br)
	if err != nil {
		return nil, err
	}
	// The levels after the tests, read by the general parser as the
	// object they would be without the ones before. A key that the
	// general reader would let override the header's is not canonical.
	if bytes.Contains(rest, []byte(`"runs"`)) || bytes.Contains(rest, []byte(`"tests"`)) || bytes.Contains(rest, []byte(`"schema"`)) {
		return nil, errNotCanonical
	}
	doc := make([]byte, 0, len(rest)+64)
	doc = append(doc, "{\"schema\": \""+Schema+"\""...)
	doc = append(doc, s.e.tail...)
	doc = append(doc, '\n')
	doc = append(doc, rest...)
	p := &parser{name: s.name, data: doc}
	f, err := p.parse()
	if err != nil || f.Timings.Tests != nil {
		return nil, errNotCanonical
	}
	f.Runs = s.runs
	return f, nil
}

// decimal parses the whole of b as a number in the form that Write
// writes durations in (digits, maybe a fraction, at most 15 digits in
// all), to the float64 nearest to it as strconv.ParseFloat does; false
// for any other text.
func decimal(b []byte) (float64, bool) {
	p := parser{data: b}
	s, ok := p.decimal()
	return s, ok && p.pos == len(b)
}
