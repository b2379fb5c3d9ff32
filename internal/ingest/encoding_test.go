package ingest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEncodingOf(t *testing.T) {
	tests := []struct {
		name, head string
		want       string // the decoding's name, "" for UTF-8
		expectErr  string
	}{
		{"no declaration is UTF-8", `<testsuite/>`, "", ""},
		{"a declaration without an encoding is UTF-8", `<?xml version="1.0"?><testsuite/>`, "", ""},
		{"UTF-8 in any case", `<?xml version="1.0" encoding="utf-8"?>`, "", ""},
		{"ISO-8859-1 is decoded as browsers do, as windows-1252", `<?xml version="1.0" encoding="ISO-8859-1"?>`, "Windows 1252", ""},
		{"latin1 with single quotes", `<?xml version='1.0' encoding='latin1' standalone='yes'?>`, "Windows 1252", ""},
		{"windows-1252", `<?xml version="1.0" encoding="windows-1252"?>`, "Windows 1252", ""},
		{"cp1252", `<?xml version="1.0" encoding="cp1252"?>`, "Windows 1252", ""},
		{"ISO-8859-15", `<?xml version="1.0" encoding="ISO-8859-15"?>`, "ISO 8859-15", ""},
		{"Shift_JIS", `<?xml version="1.0" encoding="Shift_JIS"?>`, "Shift JIS", ""},
		{"UTF-16 declared in a file that reads as ASCII is UTF-8 (.NET's StringWriter)", `<?xml version="1.0" encoding="utf-16"?>`, "", ""},
		{"a byte order mark means UTF-8 whatever the declaration says", "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"latin1\"?>", "", ""},
		{"an unknown encoding is refused, naming it", `<?xml version="1.0" encoding="x-klingon"?>`, "", `1:31: encoding "x-klingon" is not one merge knows: convert the file to UTF-8 first, e.g. iconv -f x-klingon -t UTF-8 (skipped)`},
		{"the replacement encoding is refused", `<?xml version="1.0" encoding="iso-2022-kr"?>`, "", `1:31: encoding "iso-2022-kr" is not one merge knows: convert the file to UTF-8 first, e.g. iconv -f iso-2022-kr -t UTF-8 (skipped)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := EncodingOf([]byte(tt.head))
			got := ""
			if e != nil {
				got = fmt.Sprint(e)
			}
			gotErr := ""
			if err != nil {
				gotErr = strings.TrimPrefix(err.Error(), "<input>:")
			}
			if got != tt.want || gotErr != tt.expectErr {
				t.Errorf("EncodingOf = %q, %q; want %q, %q", got, gotErr, tt.want, tt.expectErr)
			}
		})
	}
}

func TestToUTF8(t *testing.T) {
	in := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<testsuite name=\"caf\xe9\">\n<testcase name=\"\x80 \xfcber\"/>\n</testsuite>\n"
	e, err := EncodingOf([]byte(in))
	if err != nil || e == nil {
		t.Fatalf("EncodingOf = %v, %v", e, err)
	}
	var out bytes.Buffer
	if err := ToUTF8(&out, strings.NewReader(in), e); err != nil {
		t.Fatal(err)
	}
	want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"café\">\n<testcase name=\"€ über\"/>\n</testsuite>\n"
	if out.String() != want {
		t.Errorf("ToUTF8 = %q, want %q", out.String(), want)
	}
}

// A timings history in JUnit XML of another encoding gives its test IDs
// in UTF-8.
func TestReadTimingsDecodesDeclaredEncodings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.xml")
	doc := "<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<testsuite name=\"s\"><testcase classname=\"p\" name=\"caf\xe9\" time=\"2\"/></testsuite>\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	tm, err := ReadTimings(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := tm.Tests["p.café"]; got != 2 {
		t.Errorf("timings %v, want p.café: 2", tm.Tests)
	}
}
