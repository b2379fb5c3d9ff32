package timings

// The Token-based parser that Read used before its hand-written scanner:
// kept, unchanged but for its names, as the reference that the scanner
// must agree with (TestReadEquivalent, FuzzReadEquivalent) and be measured
// against (BenchmarkRead1MTokenParser).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/xshard/xshard/internal/diag"
)

// oldRead is Read as it was, with encoding/json's Decoder.Token.
func oldRead(r io.Reader, name string) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", name, err)
	}
	p := &oldParser{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	return p.parse()
}

type oldParser struct {
	name string
	data []byte
	dec  *json.Decoder
}

// errAt returns a diag.Error at byte offset off of the input.
func (p *oldParser) errAt(off int64, format string, args ...any) error {
	return diag.At(p.name, p.data, off, fmt.Sprintf(format, args...))
}

func (p *oldParser) token() (json.Token, int64, error) {
	off := p.dec.InputOffset()
	t, err := p.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if ok := oldAsSyntax(err, &se); ok {
			return nil, off, p.errAt(se.Offset, "invalid JSON: %v", err)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, off, p.errAt(int64(len(p.data)), "unexpected end of file: the timings file is truncated")
		}
		return nil, off, p.errAt(off, "invalid JSON: %v", err)
	}
	return t, p.skipSpace(off), nil
}

// skipSpace returns the offset of the first byte at or after off that is
// not white space or a separator: where the next token starts.
func (p *oldParser) skipSpace(off int64) int64 {
	for off < int64(len(p.data)) && strings.IndexByte(" \t\r\n:,", p.data[off]) >= 0 {
		off++
	}
	return off
}

func oldAsSyntax(err error, se **json.SyntaxError) bool {
	s, ok := err.(*json.SyntaxError)
	if ok {
		*se = s
	}
	return ok
}

func (p *oldParser) parse() (*File, error) {
	t, off, err := p.token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('{') {
		return nil, p.errAt(off, "timings must be a JSON object, either xshard's (with \"schema\") or {\"test id\": seconds}")
	}
	f := &File{}
	own := false
	first := true
	for p.dec.More() {
		kt, koff, err := p.token()
		if err != nil {
			return nil, err
		}
		key := kt.(string)
		if first && key == "schema" {
			own = true
		}
		first = false
		if !own {
			v, err := p.number(key)
			if err != nil {
				return nil, err
			}
			if f.Timings.Tests == nil {
				f.Timings.Tests = make(map[string]float64)
			}
			if _, dup := f.Timings.Tests[key]; dup {
				return nil, p.errAt(koff, "duplicate test id %q", key)
			}
			f.Timings.Tests[key] = v
			continue
		}
		switch key {
		case "schema":
			vt, voff, err := p.token()
			if err != nil {
				return nil, err
			}
			s, _ := vt.(string)
			if s != Schema {
				if strings.HasPrefix(s, schemaPrefix) {
					return nil, p.errAt(voff, "timings schema %q is not supported by this version (it reads %q); upgrade xshard or regenerate the file", s, Schema)
				}
				return nil, p.errAt(voff, "not an xshard timings file: schema %q", s)
			}
		case "runs":
			vt, voff, err := p.token()
			if err != nil {
				return nil, err
			}
			n, ok := vt.(json.Number)
			i, ierr := n.Int64()
			if !ok || ierr != nil || i < 0 {
				return nil, p.errAt(voff, "\"runs\" must be a non-negative integer")
			}
			f.Runs = int(i)
		case "tests", "files", "packages", "groups":
			m, err := p.level(key)
			if err != nil {
				return nil, err
			}
			switch key {
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
	}
	if _, _, err := p.token(); err != nil { // closing brace
		return nil, err
	}
	if !own && len(f.Timings.Tests) == 0 {
		return nil, p.errAt(0, "timings file holds no durations")
	}
	return f, nil
}

func (p *oldParser) level(name string) (map[string]float64, error) {
	t, off, err := p.token()
	if err != nil {
		return nil, err
	}
	if t != json.Delim('{') {
		return nil, p.errAt(off, "%q must be an object of id to seconds", name)
	}
	m := make(map[string]float64)
	for p.dec.More() {
		kt, koff, err := p.token()
		if err != nil {
			return nil, err
		}
		key := kt.(string)
		v, err := p.number(key)
		if err != nil {
			return nil, err
		}
		if _, dup := m[key]; dup {
			return nil, p.errAt(koff, "duplicate key %q in %q", key, name)
		}
		m[key] = v
	}
	_, _, err = p.token()
	return m, err
}

// number reads a duration value for key.
func (p *oldParser) number(key string) (float64, error) {
	vt, off, err := p.token()
	if err != nil {
		return 0, err
	}
	n, ok := vt.(json.Number)
	if !ok {
		return 0, p.errAt(off, "duration of %q must be a number of seconds, got %s", key, oldDescribe(vt))
	}
	v, err := n.Float64()
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, p.errAt(off, "duration of %q is out of range: %s", key, n)
	}
	if v < 0 {
		return 0, p.errAt(off, "duration of %q is negative: %s", key, n)
	}
	return v, nil
}

func oldDescribe(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("%t", v)
	case nil:
		return "null"
	}
	return fmt.Sprint(t)
}

func (p *oldParser) skip() error {
	depth := 0
	for {
		t, _, err := p.token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}
