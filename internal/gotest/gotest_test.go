package gotest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenCase is model.Case as the NNN-cases.json files show it.
type goldenCase struct {
	Name           string // Classname.Name; Suite and Classname are checked equal
	Outcome        string
	Seconds        float64 `json:",omitempty"`
	BadTime        bool    `json:",omitempty"`
	FailedAttempts int     `json:",omitempty"`
	Subtest        bool    `json:",omitempty"`
	RanIn          string  `json:",omitempty"`
	Message        string  `json:",omitempty"`
	Detail         string  `json:",omitempty"`
}

type golden struct {
	Error string `json:",omitempty"`
	Stats Stats
	Cases []goldenCase
}

// TestGolden reads each testdata/NNN-input.json, recorded from real go
// test -json runs of testdata/mod (see gen.sh), and compares the cases
// that Read returns with NNN-cases.json and the document that ToJUnit
// writes with NNN-report.xml.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*-input.json")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		prefix := strings.TrimSuffix(in, "-input.json")
		t.Run(filepath.Base(prefix), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Source: filepath.Base(in), Worker: "gw0", MaxDetail: 2048}

			var got golden
			_, err = Read(bytes.NewReader(data), opts, func(c *model.Case) error {
				if c.Suite != c.Classname || c.Source != opts.Source || c.Worker != "gw0" {
					t.Errorf("case %q: Suite %q, Classname %q, Source %q, Worker %q", c.Name, c.Suite, c.Classname, c.Source, c.Worker)
				}
				got.Cases = append(got.Cases, goldenCase{
					Name: c.Classname + "." + c.Name, Outcome: c.Outcome.String(), Seconds: c.Seconds, BadTime: c.BadTime,
					FailedAttempts: c.FailedAttempts, Subtest: IsSubtest(c.Name), RanIn: c.RanIn,
					Message: c.Message, Detail: c.Detail,
				})
				return nil
			})
			if err != nil {
				got.Error = err.Error()
			}
			var xmlOut bytes.Buffer
			st, jerr := ToJUnit(bytes.NewReader(data), &xmlOut, opts)
			if (jerr == nil) != (err == nil) || jerr != nil && jerr.Error() != err.Error() {
				t.Errorf("ToJUnit error %v, Read error %v", jerr, err)
			}
			got.Stats = st
			if err != nil && st.Warnings != nil {
				t.Errorf("warnings %v", st.Warnings)
			}
			if st.Tests != len(got.Cases) {
				t.Errorf("ToJUnit counted %d cases, Read returned %d", st.Tests, len(got.Cases))
			}
			if err := xml.Unmarshal(xmlOut.Bytes(), new(struct{})); err != nil {
				t.Errorf("ToJUnit wrote bad XML: %v", err)
			}

			gotJSON, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			gotJSON = append(gotJSON, '\n')
			checkGolden(t, prefix+"-cases.json", gotJSON)
			checkGolden(t, prefix+"-report.xml", xmlOut.Bytes())
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
