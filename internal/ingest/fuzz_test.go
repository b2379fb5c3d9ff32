package ingest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/xshard/xshard/internal/diag"
)

// FuzzSniff checks that Sniff never panics, looks at no more than SniffLen
// bytes, and does not depend on what follows them; and that ReadTimings
// on the same bytes fails only with an error naming the file.
func FuzzSniff(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0"?><testsuites>`,
		"\xEF\xBB\xBF\n<!-- hi --><testsuite name=\"x\">",
		`<!DOCTYPE x [<!ENTITY a "b">]><testsuites/>`,
		`<!DOCTYPE x [<!ENTITY a "]>">]><coverage/>`,
		`<?xml version="1.0" ?><!DOCTYPE coverage SYSTEM "x.dtd"><coverage line-rate="1">`,
		"<x:testsuites xmlns:x=\"u\">",
		"mode: atomic\na.go:1.1,2.2 1 0\n",
		"TN:\nSF:/a.js\n",
		`{"Time":"2024-01-01T00:00:00Z","Action":"run","Package":"p","Test":"TestA"}` + "\n",
		"go: downloading x\n" + `{"Action":"run","Package":"p","Test":"TestA"}` + "\n",
		`{"schema": "xshard.manifest/v1", "worker": "gw0"}`,
		`{"schema":"xshard.timings/v1","tests":{"a":1}}`,
		`{"t.py::a": 1.5}`,
		"\xFF\xFE<\x00t\x00",
		"<",
		"<!",
		"\x7fELF\x02\x01",
		"<?xml version=\"1.0\"?>\n<!-- cut",
		"<!DOCTYPE testsuites [\n<!ENTITY a \"b\">\n",
		"Tests passed: 3\n",
		"",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in []byte) {
		k := Sniff(in)
		if k < Unknown || k > Last {
			t.Fatalf("Sniff(%q) = %d, not a kind", in, k)
		}
		_ = k.String()
		if len(in) > SniffLen {
			if k2 := Sniff(in[:SniffLen]); k2 != k {
				t.Fatalf("Sniff looks past SniffLen: %v on the whole input, %v on its head", k, k2)
			}
		}
		if Sniff(append(bytes.Clone(in), "\x00junk"...)) == Unknown && k != Unknown && len(in) >= SniffLen {
			t.Fatalf("Sniff depends on bytes past SniffLen")
		}
		if _, err := XMLRoot(bytes.NewReader(in)); err != nil {
			var d *diag.Error
			if !errors.As(err, &d) || d.Line < 1 || d.Col < 1 {
				t.Fatalf("XMLRoot error %v has no line and column", err)
			}
		}
		path := filepath.Join(dir, "timings")
		if err := os.WriteFile(path, in, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadTimings(path, nil, nil); err != nil {
			var d *diag.Error
			if !errors.As(err, &d) || d.File != path {
				t.Fatalf("ReadTimings error %v does not name the file", err)
			}
		}
	})
}
