package ingest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xshard/xshard/internal/diag"
)

// A file that Sniff does not recognise is ignored with a notice, unless
// it looks like a report: then it must at least be XML whose root element
// can be read, or merge would drop a broken report as if it were an
// unrelated file. A file looks like a report when its name ends in ".xml"
// or its first byte (after a byte order mark and white space) is '<'.
// Its prolog (declaration, comments, DOCTYPE) and root start tag must be
// well-formed XML; its body is not read, since a well-formed root that is
// not a report's (a pom.xml's <project>, a JaCoCo <report>) says enough.

// MaxProlog bounds the bytes read to find the root element of a file
// that looks like a report.
const MaxProlog = 16 << 20

// LooksLikeReport reports whether a file that Sniff found Unknown is
// still taken for a report: its name ends in ".xml" (in any case), or
// its content starts with '<'.
func LooksLikeReport(name string, head []byte) bool {
	if strings.HasSuffix(strings.ToLower(name), ".xml") {
		return true
	}
	b := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	return len(b) > 0 && b[0] == '<'
}

// IsBlank reports whether head holds only white space (after a byte
// order mark).
func IsBlank(head []byte) bool {
	return len(bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")) == 0
}

// XMLRoot reads an XML document from r up to its root element and
// returns the root's local name. When what comes before it, or its start
// tag, is not well-formed XML, or there is no root element in the first
// MaxProlog bytes, it returns a *diag.Error with the line and column
// (File left empty) of the problem.
func XMLRoot(r io.Reader) (string, error) {
	var seen bytes.Buffer
	d := xml.NewDecoder(io.TeeReader(io.LimitReader(r, MaxProlog), &seen))
	d.Strict = true
	// The root is all that is read here: a declared encoding does not
	// change the markup of the ASCII-compatible encodings.
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	var line, col int
	fail := func(msg string) error {
		return &diag.Error{Line: max(line, 1), Col: max(col, 1), Msg: "not a well-formed XML document: " + msg}
	}
	for {
		line, col = d.InputPos()
		off := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			line, col = d.InputPos()
			var se *xml.SyntaxError
			switch {
			case errors.Is(err, io.EOF):
				return "", fail("no root element")
			case errors.As(err, &se) && se.Msg == "unexpected EOF":
				return "", fail("the file ends before its root element (cut off?)")
			case errors.As(err, &se):
				if i, r := firstIllegal(seen.Bytes()); i >= 0 {
					line, col = diag.Position(seen.Bytes(), int64(i))
					if r == utf8.RuneError {
						return "", fail("invalid UTF-8 (binary data?)")
					}
					return "", fail(fmt.Sprintf("character %U, which XML cannot hold (binary data?)", r))
				}
				return "", fail(strings.TrimPrefix(se.Msg, "xml: "))
			default:
				return "", fail(err.Error())
			}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t.Name.Local, nil
		case xml.EndElement:
			return "", fail(fmt.Sprintf("end tag %q before the root element", t.Name.Local))
		case xml.CharData:
			if trimmed := bytes.TrimLeft(t, " \t\r\n"); len(trimmed) > 0 {
				line, col = diag.Position(seen.Bytes(), off+int64(len(t)-len(trimmed)))
				return "", fail("text before the root element")
			}
		}
	}
}

// firstIllegal returns the offset and rune of the first character in b
// that XML 1.0 cannot hold (utf8.RuneError for invalid UTF-8), or -1.
// A rune cut by the end of b does not count.
func firstIllegal(b []byte) (int, rune) {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			if !utf8.FullRune(b[i:]) {
				return -1, 0
			}
			return i, r
		}
		if !isXMLChar(r) {
			return i, r
		}
		i += n
	}
	return -1, 0
}

// isXMLChar reports whether XML 1.0 can hold r (its Char production).
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
