package dotnet

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// MaxToken bounds the bytes of one tag or one run of text between two
// markup characters ('<' or '>'): encoding/xml holds each in memory whole,
// so this bounds the reader's memory on a hostile input.
const MaxToken = 16 << 20

var errTokenTooLong = errors.New("token too long")

// sanitizer passes an XML document through, repairing what XML 1.0 cannot
// hold so that encoding/xml reads the rest: bytes that are not UTF-8, raw
// control characters other than tab, newline and carriage return, and
// character references to such characters (&#0;, &#x1B;) each become
// U+FFFD (the reference &#xFFFD;). Test output captured with terminal
// colours holds such characters, and a report is not lost for them.
// Newlines are never touched, so line numbers stay right. It also fails
// once more than MaxToken bytes pass without a '<' or '>'.
type sanitizer struct {
	r        io.Reader
	buf      []byte // read, not yet processed
	out      []byte // processed, not yet returned
	eof      bool
	err      error
	run      int // bytes since the last '<' or '>'
	repaired int // characters replaced
}

const chunk = 64 << 10

var replacement = []byte("\uFFFD")

func (s *sanitizer) Read(p []byte) (int, error) {
	for len(s.out) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		s.fill()
	}
	n := copy(p, s.out)
	s.out = s.out[n:]
	return n, nil
}

// fill reads a chunk and processes what of it can be decided.
func (s *sanitizer) fill() {
	if !s.eof {
		if cap(s.buf)-len(s.buf) < chunk {
			nb := make([]byte, len(s.buf), len(s.buf)+chunk)
			copy(nb, s.buf)
			s.buf = nb
		}
		n, err := s.r.Read(s.buf[len(s.buf) : len(s.buf)+chunk])
		s.buf = s.buf[:len(s.buf)+n]
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.err = err
			return
		}
	}
	out := s.out[:0]
	b := s.buf
	i := 0
	for i < len(b) {
		c := b[i]
		switch {
		case c == '<' || c == '>':
			s.run = 0
			out = append(out, c)
			i++
			continue
		case c >= 0x20 && c < 0x80 && c != '&':
			out = append(out, c)
		case c == '\t' || c == '\n' || c == '\r':
			out = append(out, c)
		case c < 0x20:
			out = append(out, replacement...)
			s.repaired++
		case c == '&':
			n, ok, complete := charRef(b[i:], s.eof)
			if !complete {
				goto wait
			}
			if ok {
				out = append(out, b[i:i+n]...)
			} else {
				out = append(out, "&#xFFFD;"...)
				s.repaired++
			}
			i += n
			s.run += n
			continue
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				if !s.eof && !utf8.FullRune(b[i:]) {
					goto wait
				}
				out = append(out, replacement...)
				s.repaired++
				i++
				s.run++
				continue
			}
			if r == 0xFFFE || r == 0xFFFF {
				out = append(out, replacement...)
				s.repaired++
			} else {
				out = append(out, b[i:i+size]...)
			}
			i += size
			s.run += size
			continue
		}
		i++
		s.run++
	}
wait:
	if s.run > MaxToken {
		s.err = errTokenTooLong
		return
	}
	s.out = out
	s.buf = append(s.buf[:0], b[i:]...)
	if s.eof && len(s.buf) == 0 && len(s.out) == 0 {
		s.err = io.EOF
	}
}

// charRef looks at a '&' at the start of b: for a numeric character
// reference it returns its length and whether it names a character XML
// can hold; for anything else (an entity, a bare '&') a length of 1 and
// ok, leaving it to the XML decoder. complete is false when b ends before
// the reference does and more input may follow.
func charRef(b []byte, eof bool) (n int, ok, complete bool) {
	const longest = len("&#x10FFFF;") + 8 // leading zeros are allowed: be generous
	if len(b) < 2 {
		return 1, true, eof
	}
	if b[1] != '#' {
		return 1, true, true
	}
	end := bytes.IndexByte(b[:min(len(b), longest)], ';')
	if end < 0 {
		if len(b) < longest && !eof {
			return 0, false, false
		}
		return 1, true, true // not a reference: the decoder says so
	}
	digits := string(b[2:end])
	base := 10
	if len(digits) > 0 && digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || digits == "" || digits[0] == '+' || digits[0] == '-' {
		return 1, true, true // malformed: the decoder says so
	}
	return end + 1, xmlChar(rune(v)), true
}

// xmlChar reports whether XML 1.0 can hold r.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
