package junit

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Merge copies testcases through byte for byte, which is what makes it
// fast; but a report can hold bytes that its own producer's parser would
// never have accepted, and copying them would make junit.xml something
// no XML parser reads. So the first pass checks every byte it will copy
// (the scanner, when its check field is set) and marks the testcases,
// suite tags and suite children that are not well-formed XML 1.0:
//
//   - badChars: characters XML 1.0 cannot hold (C0 controls other than
//     tab, newline and carriage return; U+FFFE and U+FFFF; invalid
//     UTF-8) in text, CDATA, comments or attribute values. They are
//     replaced by U+FFFD where they stand while the bytes are copied.
//   - badMarkup: an '&' that starts no predefined entity or character
//     reference to a character XML can hold (&#0;, &nbsp;, AT&T), "]]>"
//     outside CDATA, '<' in an attribute value, duplicate attributes,
//     malformed attributes or attributes not separated by white space,
//     element or attribute names that are not plain ASCII XML names,
//     "--" in a comment, and processing instructions. Such an element
//     is written again from its tokens (rewrite): references that XML
//     cannot resolve become text ("&amp;nbsp;"), those to characters it
//     cannot hold U+FFFD, "]]>" becomes "]]&gt;", attribute values are
//     escaped, a duplicate attribute is dropped (the first is kept), as
//     is a malformed one and what follows it in its tag, names have
//     their other characters replaced by '_', and comments and
//     processing instructions are left out.
//
// Clean input, the usual case, is still copied without a look back.

// Problems found in what Merge copies.
const (
	badChars  uint8 = 1 << iota // characters XML cannot hold: replaced in place
	badMarkup                   // markup that is not well-formed: written again
)

// problem is the first problem found in a token or an element.
type problem struct {
	flags uint8
	off   int64
	why   string
}

func (p *problem) add(flags uint8, off int64, why string) {
	if p.flags == 0 {
		p.off, p.why = off, why
	}
	p.flags |= flags
}

func (p *problem) join(q problem) {
	if q.flags != 0 {
		p.add(q.flags, q.off, q.why)
	}
}

const (
	hi8 = 0x8080808080808080
	lo8 = 0x0101010101010101
)

// badChar returns the offset in b of the first character XML 1.0 cannot
// hold, or of the first invalid UTF-8, and that character
// (utf8.RuneError for invalid UTF-8); -1 when there is none. A rune cut
// by the end of b counts as invalid.
func badChar(b []byte) (int, rune) {
	i := 0
	for i < len(b) {
		// Sixteen ASCII bytes at a time, most of a report.
		for ; i+16 <= len(b); i += 16 {
			w1 := binary.LittleEndian.Uint64(b[i:])
			w2 := binary.LittleEndian.Uint64(b[i+8:])
			if (w1|w2)&hi8 != 0 {
				break
			}
			if ^(w1+0x60*lo8)&hi8|^(w2+0x60*lo8)&hi8 != 0 {
				if k := ctrl(w1); k >= 0 {
					return i + k, rune(b[i+k])
				}
				if k := ctrl(w2); k >= 0 {
					return i + 8 + k, rune(b[i+8+k])
				}
			}
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return i, rune(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 || r == 0xFFFE || r == 0xFFFF {
			return i, r
		}
		i += n
	}
	return -1, 0
}

// ctrl returns the index of the first control character other than tab,
// newline and carriage return in the eight ASCII bytes of w, or -1. The
// masks have the high bit of each byte below 0x20 (lt) and of each tab,
// newline and carriage return (ok); no byte carries into the next, since
// none is over 0x7F.
func ctrl(w uint64) int {
	lt := ^(w + 0x60*lo8) & hi8
	ok := ^((w ^ 0x09*lo8) + 0x7F*lo8) | ^((w ^ 0x0A*lo8) + 0x7F*lo8) | ^((w ^ 0x0D*lo8) + 0x7F*lo8)
	if bad := lt &^ ok; bad != 0 {
		return bits.TrailingZeros64(bad) / 8
	}
	return -1
}

// charWhy describes the character badChar found.
func charWhy(r rune) string {
	if r == utf8.RuneError {
		return "invalid UTF-8"
	}
	return fmt.Sprintf("character %U, which XML cannot hold", r)
}

// isXMLChar reports whether XML 1.0 can hold r (its Char production).
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// refLen returns the length of the well-formed reference at the start of
// b ("&amp;", "&#10;"): a predefined entity or a character reference to
// a character XML can hold; 0 when b starts with none.
func refLen(b []byte) int {
	end := bytes.IndexByte(b[:min(len(b), 13)], ';')
	if end < 2 {
		return 0
	}
	name := b[1:end]
	switch string(name) {
	case "lt", "gt", "amp", "apos", "quot":
		return end + 1
	}
	if name[0] != '#' {
		return 0
	}
	var v uint64
	var err error
	if len(name) > 1 && name[1] == 'x' {
		v, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		v, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || v > utf8.MaxRune || !isXMLChar(rune(v)) {
		return 0
	}
	return end + 1
}

// checkAmps finds the first '&' in b that starts no well-formed
// reference; b+base is its offset in the input.
func checkAmps(p *problem, b []byte, base int64) {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '&')
		if j < 0 {
			return
		}
		i += j
		n := refLen(b[i:])
		if n == 0 {
			if _, m := entity(b[i:]); m > 0 {
				p.add(badMarkup, base+int64(i), fmt.Sprintf("reference %q to a character XML cannot hold", b[i:i+m]))
			} else if m := bytes.IndexByte(b[i:min(len(b), i+64)], ';'); m > 1 && isName(b[i+1:i+m]) {
				p.add(badMarkup, base+int64(i), fmt.Sprintf("reference %q to an entity merge does not expand", b[i:i+m+1]))
			} else {
				p.add(badMarkup, base+int64(i), "'&' that starts no reference")
			}
			return
		}
		i += n
	}
}

// textByte marks the bytes of character data worth a closer look: '&',
// ']', controls other than tab and line ends, and non-ASCII.
var textByte = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = c != '\t' && c != '\n' && c != '\r'
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	t['&'], t[']'] = true, true
	return t
}()

// checkText checks a chunk of character data at offset base.
func checkText(b []byte, base int64) problem {
	var p problem
	if len(b) < 64 {
		// Short, like the white space between tags: one look at each.
		clean := true
		for _, c := range b {
			if textByte[c] {
				clean = false
				break
			}
		}
		if clean {
			return p
		}
	}
	if i, r := badChar(b); i >= 0 {
		p.add(badChars, base+int64(i), charWhy(r))
	}
	checkAmps(&p, b, base)
	if i := bytes.Index(b, cdataEnd); i >= 0 {
		p.add(badMarkup, base+int64(i), `"]]>" outside a CDATA section`)
	}
	return p
}

// checkChars checks a chunk of CDATA or of a comment at offset base.
func checkChars(b []byte, base int64) problem {
	var p problem
	if i, r := badChar(b); i >= 0 {
		p.add(badChars, base+int64(i), charWhy(r))
	}
	return p
}

// isName reports whether b is a plain ASCII XML name. Names beyond ASCII
// are well-formed in XML 1.0, but parsers disagree on which (encoding/xml
// follows the tables of its 4th edition); no report needs them.
func isName(b []byte) bool {
	if len(b) == 0 || !nameStart(b[0]) || b[0] >= utf8.RuneSelf {
		return false
	}
	for _, c := range b[1:] {
		if !nameByte(c) {
			return false
		}
	}
	return true
}

func nameByte(c byte) bool { return nameBytes[c] }

// nameBytes marks the bytes of plain ASCII XML names.
var nameBytes = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == ':' || c == '.' || c == '-'
	}
	return t
}()

// valueByte marks the bytes that make an attribute value worth a closer
// look: '<', '&', controls and non-ASCII.
var valueByte = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	t['<'], t['&'] = true, true
	return t
}()

// checkTag checks the name and attributes of a start tag at offset off,
// in one pass: it runs on every tag Merge copies.
func checkTag(name, attrs []byte, off int64) problem {
	var p problem
	if !isName(name) {
		p.add(badMarkup, off, fmt.Sprintf("element name %q", name))
	}
	base := off + 1 + int64(len(name)) // of attrs[0]
	if at, why := tagAttrs(&p, attrs, base); why != "" {
		p.add(badMarkup, base+int64(at), fmt.Sprintf("%s in element %q", why, name))
	}
	return p
}

// tagAttrs checks the attributes of a start tag, attrs at offset base:
// it returns where and what is malformed, "" when nothing is, and adds to
// p what is wrong in the values.
func tagAttrs(p *problem, attrs []byte, base int64) (int, string) {
	var seen [8]uint64 // the names so far, as offsets and lengths
	nseen := 0
	for i := 0; ; {
		j := i
		for j < len(attrs) && isSpace(attrs[j]) {
			j++
		}
		if j == len(attrs) {
			return 0, ""
		}
		if j == i {
			return j, "attributes not separated by white space"
		}
		k := j
		for k < len(attrs) && nameBytes[attrs[k]] {
			k++
		}
		if k == j || !nameStart(attrs[j]) {
			return j, "malformed attribute"
		}
		key := attrs[j:k]
		for _, s := range seen[:min(nseen, len(seen))] {
			if o, n := int(s>>32), int(uint32(s)); n == len(key) && string(attrs[o:o+n]) == string(key) {
				return j, fmt.Sprintf("duplicate attribute %q", key)
			}
		}
		if nseen >= len(seen) && bytes.Count(attrs[:j], key) > 0 {
			// Past eight names: rare, and a cruder look does.
			for _, f := range bytes.Fields(attrs[:j]) {
				if n, _, ok := bytes.Cut(f, []byte("=")); ok && bytes.Equal(n, key) {
					return j, fmt.Sprintf("duplicate attribute %q", key)
				}
			}
		}
		if nseen < len(seen) {
			seen[nseen] = uint64(j)<<32 | uint64(len(key))
		}
		nseen++
		for k < len(attrs) && isSpace(attrs[k]) {
			k++
		}
		if k == len(attrs) || attrs[k] != '=' {
			return j, fmt.Sprintf("malformed attribute %q", key)
		}
		k++
		for k < len(attrs) && isSpace(attrs[k]) {
			k++
		}
		if k == len(attrs) || attrs[k] != '"' && attrs[k] != '\'' {
			return j, fmt.Sprintf("malformed attribute %q", key)
		}
		e := bytes.IndexByte(attrs[k+1:], attrs[k])
		if e < 0 {
			return j, fmt.Sprintf("malformed attribute %q", key)
		}
		v := attrs[k+1 : k+1+e]
		for _, c := range v {
			if valueByte[c] {
				vbase := base + int64(k+1)
				if i := bytes.IndexByte(v, '<'); i >= 0 {
					return k + 1 + i, fmt.Sprintf("'<' in the value of attribute %q", key)
				}
				if i, r := badChar(v); i >= 0 {
					p.add(badChars, vbase+int64(i), charWhy(r))
				}
				checkAmps(p, v, vbase)
				break
			}
		}
		i = k + 1 + e + 1
	}
}

// partialRune returns how many bytes at the end of b are the start of a
// rune that b cuts.
func partialRune(b []byte) int {
	for k := len(b) - 1; k >= 0 && k >= len(b)-utf8.UTFMax+1; k-- {
		if utf8.RuneStart(b[k]) {
			if !utf8.FullRune(b[k:]) {
				return len(b) - k
			}
			return 0
		}
	}
	return 0
}

// holdText returns how many bytes at the end of a chunk of text, cut by
// the end of the buffer, to keep for the next chunk so that no check
// sees a piece of something: a rune, a reference, or "]]" of "]]>".
func holdText(b []byte) int {
	hold := partialRune(b)
	if i := bytes.LastIndexByte(b, '&'); i >= 0 && len(b)-i <= 12 && bytes.IndexByte(b[i:], ';') < 0 {
		hold = max(hold, len(b)-i)
	}
	if n := len(b); n > 0 && b[n-1] == ']' {
		hold = max(hold, 1)
		if n > 1 && b[n-2] == ']' {
			hold = max(hold, 2)
		}
	}
	return hold
}

// cleanChars appends b to dst with each character XML cannot hold, and
// each run of invalid UTF-8 (as bytes.ToValidUTF8 and so Read do),
// replaced by U+FFFD.
func cleanChars(dst, b []byte) []byte {
	for {
		i, r := badChar(b)
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		dst = append(dst, "\uFFFD"...)
		_, n := utf8.DecodeRune(b[i:])
		b = b[i+n:]
		for r == utf8.RuneError && len(b) > 0 {
			if r, n = utf8.DecodeRune(b); r != utf8.RuneError || n > 1 {
				break
			}
			b = b[1:]
		}
	}
}

// cleanText appends character data b to dst as well-formed XML: an '&'
// that starts no well-formed reference is escaped, a reference to a
// character XML cannot hold becomes U+FFFD, "]]>" becomes "]]&gt;", and
// characters XML cannot hold become U+FFFD.
func cleanText(dst, b []byte) []byte {
	for len(b) > 0 {
		i := bytes.IndexAny(b, "&]")
		if i < 0 {
			return cleanChars(dst, b)
		}
		dst = cleanChars(dst, b[:i])
		b = b[i:]
		switch {
		case b[0] == ']' && bytes.HasPrefix(b, cdataEnd):
			dst = append(dst, "]]&gt;"...)
			b = b[3:]
		case b[0] == ']':
			dst = append(dst, ']')
			b = b[1:]
		default:
			if n := refLen(b); n > 0 {
				dst = append(dst, b[:n]...)
				b = b[n:]
			} else if _, n := entity(b); n > 0 {
				dst = append(dst, "\uFFFD"...)
				b = b[n:]
			} else {
				dst = append(dst, "&amp;"...)
				b = b[1:]
			}
		}
	}
	return dst
}

// cleanAttrValue appends the raw attribute value v to dst decoded and
// escaped again for double quotes: what XML cannot hold becomes U+FFFD,
// and an '&' that starts no reference stands for itself.
func cleanAttrValue(dst, v []byte) []byte {
	for len(v) > 0 {
		r, n := utf8.DecodeRune(v)
		switch {
		case r == '&':
			if d, m := entity(v); m > 0 {
				r, _ = utf8.DecodeRune(d)
				n = m
			}
		case r == utf8.RuneError && n <= 1:
			r = utf8.RuneError
		}
		v = v[n:]
		switch {
		case !isXMLChar(r):
			dst = append(dst, "\uFFFD"...)
		case r == '&':
			dst = append(dst, "&amp;"...)
		case r == '<':
			dst = append(dst, "&lt;"...)
		case r == '>':
			dst = append(dst, "&gt;"...)
		case r == '"':
			dst = append(dst, "&quot;"...)
		case r == '\t':
			dst = append(dst, "&#9;"...)
		case r == '\n':
			dst = append(dst, "&#10;"...)
		case r == '\r':
			dst = append(dst, "&#13;"...)
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// cleanName returns b as a plain ASCII XML name: other bytes become '_',
// and '_' comes first when b does not start like a name. The start and
// end tags of an element give the same name.
func cleanName(b []byte) string {
	if isName(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+1)
	if len(b) == 0 || !nameStart(b[0]) || b[0] >= utf8.RuneSelf {
		out = append(out, '_')
	}
	for _, c := range b {
		if !nameByte(c) {
			c = '_'
		}
		out = append(out, c)
	}
	return string(out)
}

// cleanAttrs appends the attributes of a start tag to dst as well-formed
// XML: the first of each name, with a plain ASCII name, up to the first
// malformed one, its value decoded and escaped again.
func cleanAttrs(dst, attrs []byte) []byte {
	var seenBuf [8][]byte
	seen := seenBuf[:0]
	for {
		k, v, rest, ok, _ := nextAttr(attrs)
		if !ok {
			return dst
		}
		attrs = rest
		if !isName(k) || slices.ContainsFunc(seen, func(s []byte) bool { return bytes.Equal(s, k) }) {
			continue
		}
		seen = append(seen, k)
		dst = append(dst, ' ')
		dst = append(dst, k...)
		dst = append(dst, `="`...)
		dst = cleanAttrValue(dst, v)
		dst = append(dst, '"')
	}
}

// rewrite writes the elements in the bytes [off, end) of fi again from
// their tokens, as well-formed XML (see the top of this file). For a
// testcase, ins says where prop, the property elements it gains (its
// worker property), goes (noProps: it has no properties element), as
// caseRec does.
func (o *output) rewrite(fi *fileIndex, off, end int64, ins uint8, noProps bool, prop []byte) {
	if o.err != nil {
		return
	}
	win := o.window(fi)
	if win == nil {
		return
	}
	sc := newScanner(io.NewSectionReader(win.f, off, end-off), o.rbuf)
	sc.first = false
	sc.check = true // keeps runes, references and "]]>" whole in chunks
	defer func() { o.rbuf = sc.buf }()
	done := ins == insNone
	depth := 0
	var t token
	for o.err == nil {
		if err := sc.next(&t); err != nil {
			o.err = fmt.Errorf("read %q again at offset %d: %w", fi.in.Path, off, err)
			return
		}
		switch t.kind {
		case tokEOF:
			return
		case tokText:
			o.tmp = cleanText(o.tmp[:0], t.data)
			o.write(o.tmp)
		case tokCDATA:
			o.str("<![CDATA[")
			o.valid(t.data)
			o.str("]]>")
		case tokEnd:
			depth--
			o.str("</" + cleanName(t.name) + ">")
		case tokStart:
			name := cleanName(t.name)
			o.str("<" + name)
			o.tmp = cleanAttrs(o.tmp[:0], t.attrs)
			o.write(o.tmp)
			switch {
			case !done && depth == 0 && t.self:
				o.str("><properties>")
				o.write(prop)
				o.str("</properties></" + name + ">")
				done = true
				continue
			case !done && depth == 0 && ins == insPropsElem && noProps:
				o.str("><properties>")
				o.write(prop)
				o.str("</properties>")
				done = true
			case !done && depth == 1 && name == "properties" && t.self:
				o.str(">")
				o.write(prop)
				o.str("</properties>")
				done = true
				continue
			case !done && depth == 1 && name == "properties":
				o.str(">")
				o.write(prop)
				done = true
			case t.self:
				o.str("/>")
				continue
			default:
				o.str(">")
			}
			depth++
		}
	}
}
