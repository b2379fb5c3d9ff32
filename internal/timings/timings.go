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
	"encoding/binary"
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
	"unicode"
	"unicode/utf16"
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
	p := &parser{name: name, data: data}
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

// parser decodes a timings file in one pass over its bytes, without
// encoding/json. It accepts exactly the JSON that the Decoder.Token loop
// it replaced accepted, decodes strings as encoding/json does (a byte
// that is not valid UTF-8 becomes U+FFFD) and returns the same errors,
// but for the wording and position of syntax errors, which now name the
// byte at fault. Like that loop, it stops at the object's closing brace
// and does not read what follows.
//
// It is built for a million ids: no value is allocated but the ids, the
// usual durations are converted without strconv, and the entries of an
// object are held until its closing brace so that its map is made at its
// final size (growing a map of a million entries costs more than all the
// rest) and its ids are cut from one string per few thousand.
type parser struct {
	name string
	data []byte
	pos  int    // offset of the next byte to read
	raw  bool   // the last string read is the input between its quotes
	nest []byte // the open brackets of a value being skipped

	// Strings decoded from escapes or invalid UTF-8: the last key, and
	// the last string value, which may be read while the key is in use.
	keyBuf, valBuf []byte

	// The entries of the object of id to seconds being read, before
	// they go into its map, which can then be made at its final size.
	pending  [][]entry
	npending int
	decoded  []string // the ids that are not raw
}

// An entry is an id and its duration, in an object being read.
type entry struct {
	off int // where the id's string starts, at its opening quote
	// The id is the input from off+1 to end, the closing quote, or,
	// when end is negative, decoded[-1-end].
	end int
	s   float64
}

// errAt returns a diag.Error at byte offset off of the input.
func (p *parser) errAt(off int, format string, args ...any) error {
	return diag.At(p.name, p.data, int64(off), fmt.Sprintf(format, args...))
}

// truncated is the error for input that ends inside the object.
func (p *parser) truncated() error {
	return p.errAt(len(p.data), "unexpected end of file: the timings file is truncated")
}

// syntaxErr reports the byte at off, which JSON does not allow there;
// context is encoding/json's wording for where it is.
func (p *parser) syntaxErr(off int, context string) error {
	return p.errAt(off, "invalid JSON: invalid character %s %s", quoteChar(p.data[off]), context)
}

// quoteChar quotes c as encoding/json does in its syntax errors.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

// next skips white space and returns the next byte, which it leaves
// unread; the end of the input is an error, as the object is not closed.
func (p *parser) next() (byte, error) {
	data := p.data
	for i := p.pos; i < len(data); i++ {
		switch c := data[i]; c {
		case ' ', '\t', '\n', '\r':
		default:
			p.pos = i
			return c, nil
		}
	}
	p.pos = len(data)
	return 0, p.truncated()
}

// A value is one JSON value read by parser.value: a scalar whole, an
// object or array only as far as its opening bracket.
type value struct {
	kind byte   // '{', '[', '"' (string), '0' (number), 't', 'f' or 'n'
	off  int    // where it starts
	text []byte // the decoded string or the number's text
}

// value reads the next value.
func (p *parser) value() (value, error) {
	c, err := p.next()
	if err != nil {
		return value{}, err
	}
	v := value{kind: c, off: p.pos}
	switch {
	case c == '{' || c == '[':
		p.pos++
	case c == '"':
		v.text, err = p.str(&p.valBuf)
	case c == '-' || '0' <= c && c <= '9':
		v.kind = '0'
		v.text, err = p.number()
	case c == 't':
		err = p.literal("true")
	case c == 'f':
		err = p.literal("false")
	case c == 'n':
		err = p.literal("null")
	default:
		err = p.syntaxErr(p.pos, "looking for beginning of value")
	}
	return v, err
}

// describe names v for an error about its type.
func (v value) describe() string {
	switch v.kind {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return fmt.Sprintf("the string %q", v.text)
	case 't':
		return "true"
	case 'f':
		return "false"
	case 'n':
		return "null"
	}
	return string(v.text)
}

// literal reads true, false or null.
func (p *parser) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if p.pos == len(p.data) {
			return p.truncated()
		}
		if p.data[p.pos] != word[i] {
			return p.syntaxErr(p.pos, fmt.Sprintf("in literal %s (expecting %s)", word, quoteChar(word[i])))
		}
		p.pos++
	}
	return nil
}

// number reads a number and returns its text.
func (p *parser) number() ([]byte, error) {
	data := p.data
	start, i := p.pos, p.pos
	// digits reads the digits at i, of which there must be one.
	digits := func(context string) error {
		if i == len(data) {
			return p.truncated()
		}
		if c := data[i]; c < '0' || c > '9' {
			return p.syntaxErr(i, context)
		}
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return nil
	}
	if data[i] == '-' {
		i++
	}
	if i < len(data) && data[i] == '0' {
		i++
	} else if err := digits("in numeric literal"); err != nil {
		return nil, err
	}
	if i < len(data) && data[i] == '.' {
		i++
		if err := digits("after decimal point in numeric literal"); err != nil {
			return nil, err
		}
	}
	if i < len(data) && data[i]|0x20 == 'e' {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if err := digits("in exponent of numeric literal"); err != nil {
			return nil, err
		}
	}
	p.pos = i
	return data[start:i], nil
}

// str reads a string and returns it decoded, as a slice of the input
// (and sets p.raw) or of *buf: valid until the next call with buf.
func (p *parser) str(buf *[]byte) ([]byte, error) {
	p.raw = false
	data := p.data
	start := p.pos + 1
	if q := bytes.IndexByte(data[start:], '"'); q >= 0 && plain(data[start:start+q]) {
		// The usual string: printable ASCII, no escapes.
		p.pos = start + q + 1
		p.raw = true
		return data[start : start+q], nil
	}
	ascii := true
	for i := start; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			p.pos = i + 1
			s := data[start:i]
			if ascii || utf8.Valid(s) {
				p.raw = true
				return s, nil
			}
			return p.unquote(start, buf)
		case c == '\\':
			return p.unquote(start, buf)
		case c < 0x20:
			return nil, p.syntaxErr(i, "in string literal")
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, p.truncated()
}

// plain reports whether s is all printable ASCII but backslashes: eight
// bytes at a time, with the tests for a zero byte in a word of Hacker's
// Delight 6-1 and https://graphics.stanford.edu/~seander/bithacks.html.
func plain(s []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(s) >= 8 {
		w := binary.LittleEndian.Uint64(s)
		bs := w ^ ('\\' * ones) // a zero byte where s has a backslash
		// A high bit set for a byte >= 0x80, for one < 0x20 and for a
		// backslash (and maybe for bytes after those, which is no matter).
		if (w|(w-' '*ones)&^w|(bs-ones)&^bs)&highs != 0 {
			return false
		}
		s = s[8:]
	}
	for _, c := range s {
		if c < ' ' || c >= utf8.RuneSelf || c == '\\' {
			return false
		}
	}
	return true
}

// unquote decodes the string whose text starts at start, with escapes
// or invalid UTF-8, into *buf, as encoding/json does: each byte that is
// not part of valid UTF-8 becomes U+FFFD, and so does a \u escape of a
// surrogate that is not followed by the escape of the other half of its
// pair.
func (p *parser) unquote(start int, buf *[]byte) ([]byte, error) {
	data := p.data
	b := (*buf)[:0]
	i := start
	for {
		if i == len(data) {
			return nil, p.truncated()
		}
		c := data[i]
		switch {
		case c == '"':
			p.pos = i + 1
			*buf = b
			return b, nil
		case c < 0x20:
			return nil, p.syntaxErr(i, "in string literal")
		case c < utf8.RuneSelf && c != '\\':
			b = append(b, c)
			i++
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(data[i:])
			b = utf8.AppendRune(b, r) // U+FFFD for an invalid byte
			i += n
		default: // a backslash
			i++
			if i == len(data) {
				return nil, p.truncated()
			}
			switch e := data[i]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, err := p.hex4(i + 1)
				if err != nil {
					return nil, err
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+2 < len(data) && data[i+1] == '\\' && data[i+2] == 'u' {
						r2 = hex4(data[i+3:])
					}
					if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
						r = d
						i += 6
					} else {
						r = unicode.ReplacementChar
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				return nil, p.syntaxErr(i, "in string escape code")
			}
			i++
		}
	}
}

// hex4 reads the four hex digits of a \u escape at off.
func (p *parser) hex4(off int) (rune, error) {
	for i := off; i < off+4; i++ {
		if i == len(p.data) {
			return 0, p.truncated()
		}
		if hexDigit(p.data[i]) < 0 {
			return 0, p.syntaxErr(i, `in \u hexadecimal character escape`)
		}
	}
	return hex4(p.data[off:]), nil
}

// hex4 returns the value of the four hex digits that s starts with, -1 if
// it does not.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		d := hexDigit(c)
		if d < 0 {
			return -1
		}
		r = r<<4 | d
	}
	return r
}

func hexDigit(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// key reads the next key of an object, or its closing brace. n is the
// number of keys read before: from the second on, a comma comes first.
// more is false at the brace; key is valid until the next string read.
func (p *parser) key(n int) (key []byte, off int, more bool, err error) {
	c, err := p.next()
	if err != nil {
		return nil, 0, false, err
	}
	if c == '}' {
		p.pos++
		return nil, 0, false, nil
	}
	if n > 0 {
		if c != ',' {
			return nil, 0, false, p.syntaxErr(p.pos, "after object key:value pair")
		}
		p.pos++
		if c, err = p.next(); err != nil {
			return nil, 0, false, err
		}
	}
	if c != '"' {
		return nil, 0, false, p.syntaxErr(p.pos, "looking for beginning of object key string")
	}
	off = p.pos
	if key, err = p.str(&p.keyBuf); err != nil {
		return nil, 0, false, err
	}
	if c, err = p.next(); err != nil {
		return nil, 0, false, err
	}
	if c != ':' {
		return nil, 0, false, p.syntaxErr(p.pos, "after object key")
	}
	p.pos++
	return key, off, true, nil
}

func (p *parser) parse() (*File, error) {
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if v.kind != '{' {
		return nil, p.errAt(v.off, "timings must be a JSON object, either xshard's (with \"schema\") or {\"test id\": seconds}")
	}
	f := &File{}
	key, koff, more, err := p.key(0)
	if err != nil {
		return nil, err
	}
	if !more {
		return nil, p.errAt(0, "timings file holds no durations")
	}
	if string(key) != "schema" {
		// A flat object: the key is the first test's.
		if f.Timings.Tests, err = p.entries("", true, key, koff); err != nil {
			return nil, err
		}
		return f, nil
	}
	for n := 1; ; n++ {
		switch string(key) {
		case "schema":
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			s := ""
			if v.kind == '"' {
				s = string(v.text)
			}
			if s != Schema {
				if strings.HasPrefix(s, schemaPrefix) {
					return nil, p.errAt(v.off, "timings schema %q is not supported by this version (it reads %q); upgrade xshard or regenerate the file", s, Schema)
				}
				return nil, p.errAt(v.off, "not an xshard timings file: schema %q", s)
			}
		case "runs":
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			i, ierr := strconv.ParseInt(string(v.text), 10, 64)
			if v.kind != '0' || ierr != nil || i < 0 {
				return nil, p.errAt(v.off, "\"runs\" must be a non-negative integer")
			}
			f.Runs = int(i)
		case "tests", "files", "packages", "groups":
			name := string(key)
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			if v.kind != '{' {
				return nil, p.errAt(v.off, "%q must be an object of id to seconds", name)
			}
			m, err := p.entries(name, false, nil, 0)
			if err != nil {
				return nil, err
			}
			switch name {
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
		if key, _, more, err = p.key(n); err != nil {
			return nil, err
		}
		if !more {
			return f, nil
		}
	}
}

// entries reads the entries of an object of id to seconds, up to and
// including its closing brace, and returns them as a map. With first, the
// object's first key, key at koff, has been read. level names the object
// in errors, "" for the flat format.
func (p *parser) entries(level string, first bool, key []byte, koff int) (map[string]float64, error) {
	p.npending = 0
	p.decoded = p.decoded[:0]
	for n := 0; ; n++ {
		if !first || n > 0 {
			var more bool
			var err error
			if key, koff, more, err = p.key(n); err != nil {
				return nil, p.dupOr(level, err)
			}
			if !more {
				return p.build(level)
			}
		}
		raw := p.raw
		s, err := p.seconds(key)
		if err != nil {
			return nil, p.dupOr(level, err)
		}
		e := entry{off: koff, end: koff + 1 + len(key), s: s}
		if !raw {
			e.end = -1 - len(p.decoded)
			p.decoded = append(p.decoded, string(key))
		}
		p.add(e)
	}
}

// add appends e to the pending entries.
func (p *parser) add(e entry) {
	i, j := p.npending/chunkSize, p.npending%chunkSize
	if i == len(p.pending) {
		n := chunkSize
		if i == 0 {
			n = 64 // grown by append: most objects are small
		}
		p.pending = append(p.pending, make([]entry, 0, n))
	}
	if c := p.pending[i]; j < len(c) {
		c[j] = e // a chunk of an earlier object, reused
	} else {
		p.pending[i] = append(c, e)
	}
	p.npending++
}

// chunkSize is the number of pending entries held in one slice.
const chunkSize = 4096

// build returns the pending entries as a map, or the error for the first
// id that repeats one before it. The ids of each chunk are the substrings
// of one string.
func (p *parser) build(level string) (map[string]float64, error) {
	m := make(map[string]float64, p.npending)
	var sb strings.Builder
	for ci := 0; ci*chunkSize < p.npending; ci++ {
		c := p.pending[ci][:min(chunkSize, p.npending-ci*chunkSize)]
		size := 0
		for _, e := range c {
			if e.end >= 0 {
				size += e.end - e.off - 1
			}
		}
		sb.Reset()
		sb.Grow(size)
		for _, e := range c {
			if e.end >= 0 {
				sb.Write(p.data[e.off+1 : e.end])
			}
		}
		ids := sb.String()
		for _, e := range c {
			var id string
			if e.end >= 0 {
				id, ids = ids[:e.end-e.off-1], ids[e.end-e.off-1:]
			} else {
				id = p.decoded[-1-e.end]
			}
			n := len(m)
			m[id] = e.s
			if len(m) == n {
				if level == "" {
					return nil, p.errAt(e.off, "duplicate test id %q", id)
				}
				return nil, p.errAt(e.off, "duplicate key %q in %q", id, level)
			}
		}
	}
	return m, nil
}

// dupOr returns the error for the first repeated id among the pending
// entries, which comes before err in the input, or else err.
func (p *parser) dupOr(level string, err error) error {
	if _, dup := p.build(level); dup != nil {
		return dup
	}
	return err
}

// seconds reads the duration of key.
func (p *parser) seconds(key []byte) (float64, error) {
	if _, err := p.next(); err != nil {
		return 0, err
	}
	if s, ok := p.decimal(); ok {
		return s, nil
	}
	v, err := p.value()
	if err != nil {
		return 0, err
	}
	if v.kind != '0' {
		return 0, p.errAt(v.off, "duration of %q must be a number of seconds, got %s", key, v.describe())
	}
	s, err := strconv.ParseFloat(string(v.text), 64)
	if err != nil || math.IsInf(s, 0) || math.IsNaN(s) {
		return 0, p.errAt(v.off, "duration of %q is out of range: %s", key, v.text)
	}
	if s < 0 {
		return 0, p.errAt(v.off, "duration of %q is negative: %s", key, v.text)
	}
	return s, nil
}

// pow10 holds the powers of ten that a float64 holds exactly, up to the
// most that decimal divides by.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// decimal reads, when the input at p.pos is one, a number in the form that
// durations nearly always take: at most 15 digits, with or without a
// fraction, no sign or exponent. It reads nothing and returns false for any
// other input, for number and strconv.ParseFloat to deal with. The digits
// make an integer below 2^53 and the divisor is a power of ten a float64
// holds exactly, so the one rounding of the division gives the nearest
// float64 to the number, as ParseFloat does.
func (p *parser) decimal() (float64, bool) {
	data := p.data
	i := p.pos
	var m uint64
	for ; i < len(data) && '0' <= data[i] && data[i] <= '9'; i++ {
		m = m*10 + uint64(data[i]-'0')
	}
	digits := i - p.pos
	if digits == 0 || digits > 1 && data[p.pos] == '0' {
		return 0, false
	}
	frac := 0
	if i < len(data) && data[i] == '.' {
		j := i + 1
		for ; j < len(data) && '0' <= data[j] && data[j] <= '9'; j++ {
			m = m*10 + uint64(data[j]-'0')
		}
		frac = j - i - 1
		if frac == 0 {
			return 0, false
		}
		digits += frac
		i = j
	}
	if digits > 15 || i < len(data) && data[i]|0x20 == 'e' {
		return 0, false
	}
	p.pos = i
	return float64(m) / pow10[frac], true
}

// skip reads a value of any kind, nested to any depth, and drops it.
func (p *parser) skip() error {
	nest := p.nest[:0]
	for {
		// A value is due.
		v, err := p.value()
		if err != nil {
			return err
		}
		switch v.kind {
		case '{':
			_, _, more, err := p.key(0)
			if err != nil {
				return err
			}
			if more {
				nest = append(nest, '{')
				continue
			}
		case '[':
			c, err := p.next()
			if err != nil {
				return err
			}
			if c != ']' {
				nest = append(nest, '[')
				continue
			}
			p.pos++
		}
		// A value is done: read the brackets it was the last value of,
		// up to a comma after which another value is due.
		for due := false; !due; {
			if len(nest) == 0 {
				p.nest = nest
				return nil
			}
			if nest[len(nest)-1] == '{' {
				_, _, more, err := p.key(1)
				if err != nil {
					return err
				}
				due = more
			} else {
				c, err := p.next()
				if err != nil {
					return err
				}
				if c != ',' && c != ']' {
					return p.syntaxErr(p.pos, "after array element")
				}
				p.pos++
				due = c == ','
			}
			if !due {
				nest = nest[:len(nest)-1]
			}
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
	return WriteStream(w, f.Runs, tests, func() (*model.Timings, error) { return &f.Timings, nil })
}

// WriteStream is WriteTests for a test level that is worked out as it is
// written (from a Stream of the history, say): rest, called once the
// tests are written, gives the other levels (its Tests are not used).
// An error from rest stops the writing and is returned.
func WriteStream(w io.Writer, runs int, tests iter.Seq2[string, float64], rest func() (*model.Timings, error)) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("{\n  \"schema\": \"" + Schema + "\",\n")
	bw.WriteString("  \"runs\": " + strconv.Itoa(runs))
	levels := []struct {
		name    string
		entries iter.Seq2[string, float64]
	}{
		{"tests", tests},
		{"files", nil},
		{"packages", nil},
		{"groups", nil},
	}
	var num []byte
	for i, l := range levels {
		if i == 1 {
			t, err := rest()
			if err != nil {
				return err
			}
			levels[1].entries, levels[2].entries, levels[3].entries = sorted(t.Files), sorted(t.Packages), sorted(t.Groups)
			l = levels[i]
		}
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
	// One pass for the usual ID, printable ASCII; the checks that only
	// non-ASCII text needs after it.
	plain, ascii := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == 0x7f {
			plain = false
			break
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if plain && !ascii {
		plain = utf8.ValidString(s) && !strings.ContainsRune(s, '\u2028') && !strings.ContainsRune(s, '\u2029')
	}
	if plain {
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
