package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"

	"github.com/xshard/xshard/internal/diag"
)

// XML reports declare their encoding in the XML declaration,
// <?xml version="1.0" encoding="ISO-8859-1"?>, and the readers of xshard
// read UTF-8. A report in another encoding is decoded to UTF-8 first,
// with the labels and decoders of the WHATWG Encoding Standard
// (golang.org/x/text/encoding/htmlindex), as browsers decode them: so
// "ISO-8859-1" and "latin1" are read as windows-1252, which differs from
// ISO-8859-1 only in 0x80-0x9F, control characters there that no text
// uses and printable ones (€, “, ”) in windows-1252. A label that the
// standard does not know is refused. A declaration of UTF-16 or UTF-32
// in a file whose declaration reads as ASCII is wrong (.NET writes it so
// when a document made in a string is saved as UTF-8): the file is read
// as UTF-8. Files in UTF-16 or UTF-32 themselves are refused before.

var xmlDecl = regexp.MustCompile(`^<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([^"'>]*)(["'])`)

// DeclaredEncoding returns the encoding that the XML declaration at the
// start of head names, and the byte offset of its name; "" when head has
// no declaration or it names none. A byte order mark before it means
// UTF-8 whatever it says, and gives "".
func DeclaredEncoding(head []byte) (string, int) {
	if bytes.HasPrefix(head, utf8BOM) {
		return "", 0
	}
	m := xmlDecl.FindSubmatchIndex(head[:min(len(head), 1024)])
	if m == nil || head[m[2]] != head[m[6]] {
		return "", 0
	}
	return string(head[m[4]:m[5]]), m[4]
}

// Decoding returns the decoding of the encoding an XML declaration names:
// nil for UTF-8 (and for the UTF-16 and UTF-32 labels, see above), an
// error naming the label when the Encoding Standard does not know it.
func Decoding(label string) (encoding.Encoding, error) {
	switch l := strings.ToLower(strings.TrimSpace(label)); {
	case l == "" || strings.HasPrefix(l, "utf-16") || strings.HasPrefix(l, "utf-32") || l == "ucs-2" || l == "unicode":
		return nil, nil
	}
	e, err := htmlindex.Get(label)
	if err != nil || e == encoding.Replacement {
		return nil, fmt.Errorf("encoding %q is not one merge knows: convert the file to UTF-8 first, e.g. iconv -f %s -t UTF-8", label, label)
	}
	if e == unicode.UTF8 {
		return nil, nil
	}
	return e, nil
}

// EncodingOf returns the decoding a file needs, from its first bytes: nil
// for UTF-8, a *diag.Error (line 1, without File) for an encoding merge
// does not know.
func EncodingOf(head []byte) (encoding.Encoding, error) {
	label, off := DeclaredEncoding(head)
	if label == "" {
		return nil, nil
	}
	e, err := Decoding(label)
	if err != nil {
		return nil, &diag.Error{Line: 1, Col: off + 1, Msg: err.Error() + " (skipped)"}
	}
	return e, nil
}

// ToUTF8 writes r, a document in encoding e, to w in UTF-8, with its XML
// declaration saying so. Lines stay where they were; columns count the
// bytes of the UTF-8 text.
func ToUTF8(w io.Writer, r io.Reader, e encoding.Encoding) error {
	br := bufio.NewReader(e.NewDecoder().Reader(r))
	head, err := br.Peek(1024)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return err
	}
	n := 0
	if m := xmlDecl.FindSubmatchIndex(head); m != nil {
		var b bytes.Buffer
		b.Write(head[:m[4]])
		b.WriteString("UTF-8")
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
		n = m[5]
	}
	if _, err := br.Discard(n); err != nil {
		return err
	}
	_, err = io.Copy(w, br)
	return err
}
