package dotnet

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xshard/xshard/internal/diag"
)

// MaxText bounds one message, stack trace or output kept from a report;
// longer ones are cut on a rune boundary and end with "…[truncated]".
const MaxText = 4 << 20

const truncated = "…[truncated]"

// decoder reads one document's tokens, turning every problem into a
// *diag.Error with the line it is on.
type decoder struct {
	d   *xml.Decoder
	s   *sanitizer
	err error // the first error, kept so that later calls return it
}

func newDecoder(r io.Reader) *decoder {
	s := &sanitizer{r: r}
	d := xml.NewDecoder(s)
	d.Strict = true
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return in, nil
		}
		return nil, fmt.Errorf("the document declares encoding %q: merge reads UTF-8; convert it first, e.g. iconv -f %s -t UTF-8", label, label)
	}
	return &decoder{d: d, s: s}
}

// token returns the next token, or io.EOF at the end of a well-formed
// document. A StartElement stays valid (encoding/xml allocates its
// attributes afresh); CharData only until the next call.
func (d *decoder) token() (xml.Token, error) {
	if d.err != nil {
		return nil, d.err
	}
	t, err := d.d.Token()
	if err != nil {
		d.err = d.wrap(err)
		return nil, d.err
	}
	return t, nil
}

// wrap converts a decoding error into a *diag.Error on its line.
func (d *decoder) wrap(err error) error {
	if err == io.EOF {
		return err
	}
	line, _ := d.d.InputPos()
	var se *xml.SyntaxError
	switch {
	case errors.Is(err, errTokenTooLong):
		return &diag.Error{Line: line, Msg: fmt.Sprintf("a tag or text longer than %d MiB (binary data, or a broken report?): reading stops here", MaxToken>>20), Err: err}
	case errors.As(err, &se):
		msg := se.Msg
		if msg == "unexpected EOF" {
			msg = "unexpected end of input (a truncated report?)"
		}
		return &diag.Error{Line: se.Line, Msg: "malformed XML: " + msg, Err: err}
	}
	return &diag.Error{Line: line, Msg: err.Error(), Err: err}
}

// errorf returns an error on the line the decoder is at.
func (d *decoder) errorf(format string, args ...any) error {
	line, _ := d.d.InputPos()
	return &diag.Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// line returns the line the decoder is at.
func (d *decoder) line() int {
	l, _ := d.d.InputPos()
	return l
}

// root returns the document's first element.
func (d *decoder) root() (xml.StartElement, error) {
	for {
		t, err := d.token()
		if err == io.EOF {
			return xml.StartElement{}, &diag.Error{Line: d.line(), Msg: "no root element: the file is empty or holds only comments"}
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return xml.StartElement{}, d.errorf("text before the root element: not an XML report")
			}
		}
	}
}

// children calls fn for each child element of the element just opened,
// until its end tag. fn must consume the child entirely (with text, skip
// or children of its own).
func (d *decoder) children(fn func(xml.StartElement) error) error {
	for {
		t, err := d.token()
		if err == io.EOF {
			return d.errorf("malformed XML: unexpected end of input (a truncated report?)")
		}
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// skip consumes the rest of the element just opened.
func (d *decoder) skip() error {
	return d.children(func(xml.StartElement) error { return d.skip() })
}

// text consumes the rest of the element just opened and returns its
// text, that of nested elements included, bounded by MaxText.
func (d *decoder) text() (string, error) {
	var b strings.Builder
	cut := false
	depth := 0
	for {
		t, err := d.token()
		if err == io.EOF {
			return "", d.errorf("malformed XML: unexpected end of input (a truncated report?)")
		}
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				// Line ends as an XML parser reads them back.
				s := strings.ReplaceAll(strings.ReplaceAll(b.String(), "\r\n", "\n"), "\r", "\n")
				if cut {
					s += truncated
				}
				return s, nil
			}
			depth--
		case xml.CharData:
			if room := MaxText - b.Len(); len(t) > room {
				b.WriteString(cutRunes(string(t), room))
				cut = true
			} else {
				b.Write(t)
			}
		}
	}
}

// cutRunes returns s cut to at most n bytes, on a rune boundary.
func cutRunes(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// attr returns the value of the attribute named name, "" when absent.
func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// hasAttr reports whether the attribute is present.
func hasAttr(e xml.StartElement, name string) bool {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return true
		}
	}
	return false
}

// messageAndTrace reads a failure-like element holding <message> and
// <stack-trace> children (NUnit's failure and reason, xUnit's failure).
func (d *decoder) messageAndTrace() (msg, trace string, err error) {
	err = d.children(func(e xml.StartElement) error {
		var err error
		switch e.Name.Local {
		case "message":
			msg, err = d.text()
		case "stack-trace":
			trace, err = d.text()
		default:
			err = d.skip()
		}
		return err
	})
	return msg, trace, err
}
