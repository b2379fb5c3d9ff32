package dotnet

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/xshard/xshard/internal/golden"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenCase is a model.Case as the *.cases.json files show it, with the
// test ID that testid gives it.
type goldenCase struct {
	ID        string
	Classname string
	Name      string
	Outcome   string
	Seconds   float64 `json:",omitempty"`
	Message   string  `json:",omitempty"`
	Detail    string  `json:",omitempty"`
	Output    string  `json:",omitempty"`
}

type goldenReport struct {
	Format    string
	Hostname  string `json:",omitempty"`
	Timestamp string `json:",omitempty"`
	Repaired  int    `json:",omitempty"`
	Error     string `json:",omitempty"`
	Cases     []goldenCase
}

var formatDirs = map[string]Format{"nunit2": NUnit2, "nunit3": NUnit3, "xunit": XUnit, "trx": TRX}

// TestGolden reads each testdata/FORMAT/NNN-name.input.* and compares
// what Parse returns with NNN-name.cases.json and what ToJUnit writes with
// NNN-name.junit.xml (go test -update rewrites both).
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/*/*.input.*")
	if len(inputs) == 0 {
		t.Fatal("no inputs in testdata")
	}
	for _, in := range inputs {
		f := formatDirs[filepath.Base(filepath.Dir(in))]
		prefix := in[:strings.Index(in, ".input.")]
		t.Run(strings.TrimPrefix(prefix, "testdata/"), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			rep, perr := Parse(bytes.NewReader(data), f)
			g := goldenReport{Format: f.String()}
			if perr != nil {
				g.Error = perr.Error()
			}
			if rep == nil {
				t.Fatalf("Parse returned no report (error %v)", perr)
			}
			g.Hostname, g.Repaired = rep.Hostname, rep.Repaired
			if !rep.Timestamp.IsZero() {
				g.Timestamp = rep.Timestamp.Format(time.RFC3339Nano)
			}
			for _, c := range rep.Cases {
				if c.Suite != c.Classname {
					t.Errorf("case %q: Suite %q is not its Classname %q", c.Name, c.Suite, c.Classname)
				}
				g.Cases = append(g.Cases, goldenCase{
					ID: testid.Of(&c).Test, Classname: c.Classname, Name: c.Name, Outcome: c.Outcome.String(),
					Seconds: c.Seconds, Message: c.Message, Detail: c.Detail, Output: c.Output,
				})
			}
			js, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Compare(t, prefix+".cases.json", append(js, '\n'), *update)

			// Read a byte at a time, split UTF-8 sequences and character
			// references read the same.
			slow, serr := Parse(iotest.OneByteReader(bytes.NewReader(data)), f)
			if (serr == nil) != (perr == nil) || !reflect.DeepEqual(slow, rep) {
				t.Errorf("read a byte at a time, the report differs (error %v)", serr)
			}

			var out bytes.Buffer
			rep2, jerr := ToJUnit(bytes.NewReader(data), &out, f)
			if (jerr == nil) != (perr == nil) || len(rep2.Cases) != len(rep.Cases) {
				t.Errorf("ToJUnit read %d cases with error %v; Parse %d with %v", len(rep2.Cases), jerr, len(rep.Cases), perr)
			}
			golden.Compare(t, prefix+".junit.xml", out.Bytes(), *update)
		})
	}
}

// parse is Parse on a string, for the table tests.
func parse(t *testing.T, f Format, in string) ([]model.Case, error) {
	t.Helper()
	rep, err := Parse(strings.NewReader(in), f)
	if rep == nil {
		t.Fatalf("Parse returned no report (error %v)", err)
	}
	return rep.Cases, err
}
