package junit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// tokKind is the kind of a token that the scanner returns.
type tokKind uint8

const (
	tokEOF   tokKind = iota
	tokText          // a chunk of character data, entities not decoded
	tokCDATA         // a chunk of the content of a CDATA section
	tokStart         // a start tag, or an empty-element tag when self is set
	tokEnd           // an end tag
)

// token is one lexical unit of XML. Slices point into the scanner's
// buffer and are valid only until the next call to next.
type token struct {
	kind   tokKind
	off    int64 // offset of the first byte ('<' for tags)
	endOff int64 // offset just past the token
	name   []byte
	attrs  []byte // raw bytes between the name and the closing '>' or '/>'
	self   bool
	data   []byte
	prob   problem // when the scanner checks: what is not well-formed in it
}

// scanner is a minimal XML tokenizer over a stream: just what JUnit
// needs. It skips comments, processing instructions and the DOCTYPE
// (noting that one was seen), hands out text and CDATA in chunks so that
// megabytes of system-out never sit in memory at once, and keeps byte
// offsets so that Merge can copy elements through verbatim. It never
// resolves entities other than the five predefined ones and character
// references, so nothing is fetched and nothing is expanded.
type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int   // unread bytes are buf[pos:end]
	base     int64 // input offset of buf[0]
	eof      bool
	rerr     error
	inCDATA  bool
	doctype  bool
	first    bool  // nothing read yet: a byte order mark may follow
	line     int   // newlines before buf[0]
	lineOff  int64 // offset of the first byte of the line holding buf[0]
	errOff   int64 // where the last syntax error was found
	errMsg   string
	// check makes next check every token for well-formedness (see
	// wellformed.go) into token.prob, and the comments and processing
	// instructions it skips into skipped.
	check   bool
	skipped problem
}

// MaxTag bounds the bytes that one start tag (with its attributes), end
// tag or DOCTYPE may take, and so the memory of a reader: text and CDATA
// are read in chunks whatever their size, and messages and details are
// cut to ReadOptions' bounds.
const MaxTag = 16 << 20

// errSyntax marks a syntax error whose position and message are in the
// scanner's errOff and errMsg.
var errSyntax = errors.New("syntax error")

func newScanner(r io.Reader, buf []byte) *scanner {
	if len(buf) < 4096 {
		buf = make([]byte, 64<<10)
	}
	return &scanner{r: r, buf: buf, first: true}
}

// fill reads more input, discarding the bytes before pos. It reports
// whether any byte was added.
func (s *scanner) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		done := s.buf[:s.pos]
		if n := bytes.Count(done, nl); n > 0 {
			s.line += n
			s.lineOff = s.base + int64(bytes.LastIndexByte(done, '\n')) + 1
		}
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.end, s.pos = n, 0
	}
	if s.end == len(s.buf) {
		if 2*len(s.buf) > MaxTag {
			// One tag, declaration or DOCTYPE fills the buffer: a hostile
			// or broken input, not a report. Stop before it takes the
			// memory.
			s.errOff = s.base + int64(s.pos)
			s.errMsg = fmt.Sprintf("a tag or DOCTYPE longer than %d MiB (binary data, or a broken report?): reading stops here", MaxTag>>20)
			s.rerr, s.eof = errSyntax, true
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if s.first && s.end >= 3 || err != nil {
			if s.first && bytes.HasPrefix(s.buf[:s.end], bom) {
				s.pos = 3
			}
			s.first = false
		}
		if err != nil {
			if err != io.EOF {
				s.rerr = err
			}
			s.eof = true
			return n > 0
		}
		if n > 0 && !s.first {
			return true
		}
	}
}

var (
	nl       = []byte{'\n'}
	bom      = []byte{0xEF, 0xBB, 0xBF}
	cdataEnd = []byte("]]>")
)

// ensure makes at least n unread bytes available, if the input has them.
func (s *scanner) ensure(n int) bool {
	for s.end-s.pos < n {
		if !s.fill() {
			return false
		}
	}
	return true
}

// lineCol converts an offset at or after the start of the buffer into a
// 1-based line and byte column.
func (s *scanner) lineCol(off int64) (line, col int) {
	line, lo := s.line, s.lineOff
	if i := off - s.base; i > 0 {
		if i > int64(s.end) {
			i = int64(s.end)
		}
		b := s.buf[:i]
		if n := bytes.Count(b, nl); n > 0 {
			line += n
			lo = s.base + int64(bytes.LastIndexByte(b, '\n')) + 1
		}
	}
	if off < lo {
		return line + 1, 0
	}
	return line + 1, int(off-lo) + 1
}

func (s *scanner) fail(off int64, msg string) error {
	s.errOff, s.errMsg = off, msg
	return errSyntax
}

// eofErr reports an unexpected end of input, or the read error that
// caused it.
func (s *scanner) eofErr(what string) error {
	if s.rerr != nil {
		return s.rerr
	}
	return s.fail(s.base+int64(s.end), "unexpected end of input "+what)
}

// next reads the next token into t.
func (s *scanner) next(t *token) error {
	err := s.scan(t)
	if s.check && err == nil {
		switch t.kind {
		case tokText:
			t.prob = checkText(t.data, t.off)
		case tokCDATA:
			t.prob = checkChars(t.data, t.off)
		case tokStart:
			t.prob = checkTag(t.name, t.attrs, t.off)
		case tokEnd:
			t.prob = problem{}
			if !isName(t.name) {
				t.prob.add(badMarkup, t.off, fmt.Sprintf("element name %q", t.name))
			}
		default:
			t.prob = problem{}
		}
	}
	return err
}

func (s *scanner) scan(t *token) error {
	for {
		if s.pos >= s.end {
			if !s.fill() {
				t.kind = tokEOF
				t.off = s.base + int64(s.end)
				if s.inCDATA {
					return s.eofErr("in CDATA section")
				}
				return s.rerr
			}
			continue
		}
		if s.inCDATA {
			b := s.buf[s.pos:s.end]
			if i := bytes.Index(b, cdataEnd); i >= 0 {
				s.inCDATA = false
				t.kind, t.off, t.data = tokCDATA, s.base+int64(s.pos), b[:i]
				s.pos += i + 3
				return nil
			}
			n := len(b) - 2
			if s.check && n > 0 && !s.eof {
				n -= partialRune(b[:n])
			}
			if n > 0 {
				t.kind, t.off, t.data = tokCDATA, s.base+int64(s.pos), b[:n]
				s.pos += n
				return nil
			}
			if !s.fill() {
				return s.eofErr("in CDATA section")
			}
			continue
		}
		b := s.buf[s.pos:s.end]
		if b[0] != '<' {
			i := bytes.IndexByte(b, '<')
			if i < 0 {
				i = len(b)
				if s.check && !s.eof {
					// Keep what the buffer's end cuts for the next chunk.
					if i -= holdText(b); i == 0 {
						s.fill()
						continue
					}
				}
			}
			t.kind, t.off, t.data = tokText, s.base+int64(s.pos), b[:i]
			s.pos += i
			return nil
		}
		if !s.ensure(2) {
			return s.eofErr("after '<'")
		}
		switch s.buf[s.pos+1] {
		case '/':
			return s.endTag(t)
		case '?':
			if s.check {
				s.skipped.add(badMarkup, s.base+int64(s.pos), "processing instruction")
			}
			if err := s.skipPast(2, []byte("?>"), "in processing instruction"); err != nil {
				return err
			}
		case '!':
			s.ensure(9)
			b := s.buf[s.pos:s.end]
			switch {
			case bytes.HasPrefix(b, []byte("<!--")):
				if err := s.skipPast(4, []byte("-->"), "in comment"); err != nil {
					return err
				}
			case bytes.HasPrefix(b, []byte("<![CDATA[")):
				s.pos += 9
				s.inCDATA = true
			case bytes.HasPrefix(b, []byte("<!DOCTYPE")):
				if err := s.skipDoctype(); err != nil {
					return err
				}
			default:
				return s.fail(s.base+int64(s.pos), "invalid markup after \"<!\"")
			}
		default:
			return s.startTag(t)
		}
	}
}

// skipPast skips the markup at pos: skip bytes of opener, then up to and
// including term. When the scanner checks, what it skips is checked into
// s.skipped: its characters, and for a comment ("-->") no "--" inside
// and no '-' at its end.
func (s *scanner) skipPast(skip int, term []byte, what string) error {
	s.pos += skip
	comment := s.check && term[0] == '-'
	dash := false // the last byte checked was '-'
	for {
		b := s.buf[s.pos:s.end]
		i := bytes.Index(b, term)
		if s.check {
			n := i
			if n < 0 {
				n = max(len(b)-(len(term)-1), 0)
				n -= partialRune(b[:n])
			}
			s.skipped.join(checkChars(b[:n], s.base+int64(s.pos)))
			if comment && n > 0 {
				if j := bytes.Index(b[:n], []byte("--")); j >= 0 || dash && b[0] == '-' || i >= 0 && b[n-1] == '-' {
					s.skipped.add(badMarkup, s.base+int64(s.pos+max(j, 0)), `"--" in a comment`)
				}
				dash = b[n-1] == '-'
			}
			if i < 0 {
				s.pos += n
			}
		}
		if i >= 0 {
			s.pos += i + len(term)
			return nil
		}
		if keep := s.end - (len(term) - 1); keep > s.pos && !s.check {
			s.pos = keep
		}
		if !s.fill() {
			return s.eofErr(what)
		}
	}
}

// skipDoctype skips a document type declaration, internal subset
// included. Its entity declarations are never used.
func (s *scanner) skipDoctype() error {
	s.doctype = true
	start := s.base + int64(s.pos)
	i := s.pos + 2
	depth := 0
	var q byte
	for {
		for ; i < s.end; i++ {
			c := s.buf[i]
			switch {
			case q != 0:
				if c == q {
					q = 0
				}
			case c == '"' || c == '\'':
				q = c
			case c == '[':
				depth++
			case c == ']':
				depth--
			case c == '>' && depth <= 0:
				s.pos = i + 1
				return nil
			}
		}
		rel := i - s.pos
		if !s.fill() {
			_ = start
			return s.eofErr("in DOCTYPE")
		}
		i = s.pos + rel
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func (s *scanner) endTag(t *token) error {
	start := s.pos
	for {
		if i := bytes.IndexByte(s.buf[s.pos+2:s.end], '>'); i >= 0 {
			t.kind = tokEnd
			t.off = s.base + int64(s.pos)
			t.name = bytes.TrimRight(s.buf[s.pos+2:s.pos+2+i], " \t\r\n")
			s.pos += 2 + i + 1
			t.endOff = s.base + int64(s.pos)
			if len(t.name) == 0 {
				return s.fail(t.off, "missing element name in end tag")
			}
			return nil
		}
		_ = start
		if !s.fill() {
			return s.eofErr("in end tag")
		}
	}
}

func (s *scanner) startTag(t *token) error {
	i := s.pos + 1
	var q byte
	for {
		for i < s.end {
			c := s.buf[i]
			if q != 0 {
				j := bytes.IndexByte(s.buf[i:s.end], q)
				if j < 0 {
					i = s.end
					break
				}
				i += j + 1
				q = 0
				continue
			}
			if c == '"' || c == '\'' {
				q = c
			} else if c == '>' {
				goto found
			} else if c == '<' {
				return s.fail(s.base+int64(s.pos), "unexpected '<' inside a tag")
			}
			i++
		}
		{
			rel := i - s.pos
			if !s.fill() {
				return s.eofErr("in start tag")
			}
			i = s.pos + rel
		}
	}
found:
	b := s.buf[s.pos+1 : i]
	t.kind = tokStart
	t.off = s.base + int64(s.pos)
	s.pos = i + 1
	t.endOff = s.base + int64(s.pos)
	t.self = len(b) > 0 && b[len(b)-1] == '/'
	if t.self {
		b = b[:len(b)-1]
	}
	n := 0
	for n < len(b) && !isSpace(b[n]) {
		n++
	}
	t.name, t.attrs = b[:n], b[n:]
	if n == 0 || !nameStart(b[0]) {
		return s.fail(t.off, "expected an element name after '<'")
	}
	return nil
}

func nameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || c >= 0x80
}

// nextAttr splits the first attribute off b, the attribute part of a
// tag. ok is false at the end; bad is set when b is malformed.
func nextAttr(b []byte) (name, val, rest []byte, ok, bad bool) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return nil, nil, nil, false, false
	}
	j := i
	for j < len(b) && b[j] != '=' && !isSpace(b[j]) {
		j++
	}
	name = b[i:j]
	for j < len(b) && isSpace(b[j]) {
		j++
	}
	if j == len(b) || b[j] != '=' || len(name) == 0 {
		return nil, nil, nil, false, true
	}
	j++
	for j < len(b) && isSpace(b[j]) {
		j++
	}
	if j == len(b) || b[j] != '"' && b[j] != '\'' {
		return nil, nil, nil, false, true
	}
	q := b[j]
	k := bytes.IndexByte(b[j+1:], q)
	if k < 0 {
		return nil, nil, nil, false, true
	}
	return name, b[j+1 : j+1+k], b[j+1+k+1:], true, false
}
