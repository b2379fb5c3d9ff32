package junit_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/model"
)

// A test that ran on two workers (a queue gave it to both) appears once
// in the merged document: Hold holds the reports of both, Resolve drops
// gw1's and marks gw0's, whatever the shape of the testcase (self-closing,
// with properties, with an empty properties element, with none, with a
// worker property from an earlier merge, not well-formed).
func TestHeldCasesAreDroppedOrMarked(t *testing.T) {
	dir := filepath.Join("testdata", "held")
	inputs := []junit.Input{{Path: filepath.Join(dir, "gw1.xml"), Worker: "gw1"}, {Path: filepath.Join(dir, "gw0.xml"), Worker: "gw0"}}
	const keptKey, droppedKey = 1, 2
	asked := map[uint64]int{}
	opts := junit.MergeOptions{
		OnCase: func(*model.Case) {},
		Hold: func(_ int, c *model.Case) uint64 {
			switch {
			case !strings.HasPrefix(c.Name, "TestRequeued"):
				return 0
			case c.Worker == "gw0":
				return keptKey
			}
			return droppedKey
		},
		Resolve: func(key uint64) (bool, []junit.Property) {
			asked[key]++
			if key == droppedKey {
				return true, nil
			}
			return false, []junit.Property{{Name: junit.RequeuedProperty, Value: "gw1"}, {Name: "note", Value: `a "quoted" <value> & more`}}
		},
	}
	out, st, errs := mergeToBytes(t, inputs, opts)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	golden(t, filepath.Join(dir, "merged.xml"), out)
	checkWithEncodingXML(t, out)
	if diff := cmp.Diff(map[uint64]int{keptKey: 1, droppedKey: 1}, asked); diff != "" {
		t.Errorf("Resolve calls by key (-want +got):\n%s", diff)
	}
	if st.Dropped != 3 || st.Cases != 8 || st.Failed != 0 || st.Errored != 0 || st.Skipped != 1 {
		t.Errorf("stats: dropped %d, cases %d, failed %d, errored %d, skipped %d; want 3, 8, 0, 0, 1", st.Dropped, st.Cases, st.Failed, st.Errored, st.Skipped)
	}
	var doc xmlDoc
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			seen[c.Name]++
			props := map[string]string{}
			for _, p := range c.Props {
				props[p.Name] = p.Value
			}
			requeued, marked := strings.HasPrefix(c.Name, "TestRequeued"), props[junit.RequeuedProperty] != ""
			if requeued != marked {
				t.Errorf("%s: %s property %q", c.Name, junit.RequeuedProperty, props[junit.RequeuedProperty])
			}
			if requeued && (props[junit.WorkerProperty] != "gw0" || props["note"] != `a "quoted" <value> & more`) {
				t.Errorf("%s: properties %v, want gw0's report with both added properties", c.Name, props)
			}
		}
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("%s appears %d times, want once", name, n)
		}
	}
	for _, gone := range []string{"the lost worker's log", "go.version", "cut off", "killed"} {
		if bytes.Contains(out, []byte(gone)) {
			t.Errorf("the output still holds %q, of a part whose every testcase was dropped", gone)
		}
	}
	// The suite totals leave the dropped cases' times out.
	if !bytes.Contains(out, []byte(`<testsuite name="pkg/a" tests="5" failures="0" time="5.000" errors="0" skipped="0">`)) {
		t.Errorf("pkg/a's totals do not leave gw1's dropped cases out:\n%s", out)
	}
	// Merging the result again alone changes nothing.
	again, _, errs := mergeToBytes(t, []junit.Input{{Path: writeTemp(t, out), Worker: "gw9"}}, junit.MergeOptions{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if diff := cmp.Diff(string(out), string(again)); diff != "" {
		t.Errorf("merging the merged document again changed it (-first +again):\n%s", diff)
	}
}

// writeTemp writes b to a file of its own and returns its path.
func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "merged.xml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The worker name (an artifact's directory name, a manifest's field) and
// the properties Resolve adds are escaped, and the characters XML cannot
// hold replaced, as everything Merge writes.
func TestAddedPropertiesAreWellFormed(t *testing.T) {
	path := writeTemp(t, []byte(`<testsuite name="s"><testcase name="a"/></testsuite>`))
	out, _, errs := mergeToBytes(t, []junit.Input{{Path: path, Worker: "gw\x01<\"&"}}, junit.MergeOptions{
		Hold: func(int, *model.Case) uint64 { return 1 },
		Resolve: func(uint64) (bool, []junit.Property) {
			return false, []junit.Property{{Name: "n\x02", Value: "v\x1b[31m"}}
		},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if err := wellFormed(out); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if want := `<property name="xshard.worker" value="gw�&lt;&quot;&amp;"/><property name="n�" value="v�[31m"/>`; !bytes.Contains(out, []byte(want)) {
		t.Errorf("output lacks %s:\n%s", want, out)
	}
}
