package junit

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xshard/xshard/internal/model"
)

// truncMarker ends a message or detail that was cut to its limit.
const truncMarker = "…[truncated]"

// entity decodes the entity reference at the start of b ("&lt;", "&#10;",
// ...). It returns the decoded text and the length consumed, or n == 0
// when b does not start with a reference this package expands: undeclared
// and DOCTYPE-declared entities stay as they are written.
func entity(b []byte) (dec []byte, n int) {
	end := bytes.IndexByte(b, ';')
	if end < 2 || end > 12 {
		return nil, 0
	}
	name := b[1:end]
	switch string(name) {
	case "lt":
		return []byte("<"), end + 1
	case "gt":
		return []byte(">"), end + 1
	case "amp":
		return []byte("&"), end + 1
	case "apos":
		return []byte("'"), end + 1
	case "quot":
		return []byte(`"`), end + 1
	}
	if name[0] != '#' {
		return nil, 0
	}
	var v uint64
	var err error
	if len(name) > 1 && name[1] == 'x' {
		v, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		v, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || !utf8.ValidRune(rune(v)) {
		return nil, 0
	}
	return utf8.AppendRune(nil, rune(v)), end + 1
}

// unescape appends b to dst with entity references decoded.
func unescape(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		if d, n := entity(b); n > 0 {
			dst = append(dst, d...)
			b = b[n:]
		} else {
			dst = append(dst, '&')
			b = b[1:]
		}
	}
}

// attrString decodes an attribute value.
func attrString(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 {
		return validString(b)
	}
	return validString(unescape(nil, b))
}

// validString converts b to a string with invalid UTF-8 replaced by
// U+FFFD: a name or message that is not text cannot reach a report as
// broken bytes.
func validString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

// textBuf accumulates the text of an element, decoded and bounded: past
// max bytes it only notes that it was truncated.
type textBuf struct {
	out   []byte
	pend  []byte // an entity reference cut by a chunk boundary
	max   int
	trunc bool
}

func (t *textBuf) reset(max int) {
	t.out, t.pend, t.max, t.trunc = t.out[:0], t.pend[:0], max, false
}

func (t *textBuf) full() bool { return len(t.out) > t.max }

// text adds a chunk of character data with entities still encoded.
func (t *textBuf) text(b []byte) {
	if t.full() {
		t.trunc = t.trunc || len(b) > 0
		return
	}
	if len(t.pend) > 0 {
		// Complete the reference that the previous chunk cut.
		k := bytes.IndexByte(b, ';')
		if k < 0 || len(t.pend)+k > 12 {
			if k < 0 && len(t.pend)+len(b) <= 12 {
				t.pend = append(t.pend, b...)
				return
			}
			t.out = append(t.out, t.pend...)
			t.pend = t.pend[:0]
		} else {
			t.pend = append(t.pend, b[:k+1]...)
			t.out = unescape(t.out, t.pend)
			t.pend = t.pend[:0]
			b = b[k+1:]
		}
	}
	if i := bytes.LastIndexByte(b, '&'); i >= 0 && len(b)-i < 12 && bytes.IndexByte(b[i:], ';') < 0 {
		t.pend = append(t.pend, b[i:]...)
		b = b[:i]
	}
	t.out = unescape(t.out, b)
}

// lit adds literal text (CDATA).
func (t *textBuf) lit(b []byte) {
	if t.full() {
		t.trunc = t.trunc || len(b) > 0
		return
	}
	t.flush()
	t.out = append(t.out, b...)
}

func (t *textBuf) flush() {
	if len(t.pend) > 0 {
		t.out = append(t.out, t.pend...)
		t.pend = t.pend[:0]
	}
}

// String returns the text, with CRLF line ends turned into LF as XML
// requires, cut to max bytes with truncMarker when it was longer.
func (t *textBuf) String() (string, bool) {
	t.flush()
	return bound(t.out, t.max, t.trunc)
}

// bound converts b to a string of at most max bytes (plus the marker),
// cutting on a UTF-8 boundary.
func bound(b []byte, max int, trunc bool) (string, bool) {
	if bytes.IndexByte(b, '\r') >= 0 {
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	}
	// Repair before cutting: a replacement character is longer than the
	// byte it replaces, so repairing after would overrun max.
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	if len(b) > max {
		b, trunc = b[:max], true
		// Drop a rune that the cut split.
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	if trunc {
		return validString(b) + truncMarker, true
	}
	return validString(b), false
}

// parseSeconds reads a time attribute. Reports disagree on the format:
// "1.5" is usual, Surefire in some locales writes "1,234.5" (a thousands
// separator) and others "1,5" (a decimal comma). A comma is a thousands
// separator when the value also has a point, a decimal comma otherwise.
// A missing or blank value is 0 and ok; anything else that is not a
// decimal number (NaN, Inf, hexadecimal, digits with underscores, more
// than one decimal comma) or not a usable duration (model.UsableSeconds:
// negative, or over model.MaxSeconds) is 0 and not ok.
func parseSeconds(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if strings.IndexByte(s, ',') >= 0 {
		if strings.IndexByte(s, '.') >= 0 {
			s = strings.ReplaceAll(s, ",", "")
		} else {
			s = strings.Replace(s, ",", ".", 1)
		}
	}
	if !decimal(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !model.UsableSeconds(f) {
		return 0, false
	}
	return f, true
}

// decimal reports whether s is a plain decimal number: an optional sign,
// digits with at most one point, and an optional exponent. ParseFloat
// would also take "NaN", "Inf", "0x1p4" and "1_000".
func decimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, point := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		default:
			goto exp
		}
	}
exp:
	if digits == 0 {
		return false
	}
	if i == len(s) {
		return true
	}
	if s[i] != 'e' && s[i] != 'E' {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i == len(s) {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
