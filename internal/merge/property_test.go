package merge

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixtureInputs copies real fixtures of every format into dir, each file
// named after the worker it stands for, and returns their paths.
func fixtureInputs(t *testing.T, dir string) []string {
	t.Helper()
	var src []string
	for _, pattern := range []string{
		"../junit/testdata/0[01][0-9]-*[a-z].xml", // the good reports
		"../junit/testdata/020-truncated.xml",     // and a broken one
		"../gotest/testdata/00[1-5]-input.json",
		"../gocover/testdata/merge/001-count-workers/gw*.out",
		"../lcov/testdata/merge/001-two-workers/gw*.info",
		"../cobertura/testdata/merge/001-coveragepy/gw*.xml",
	} {
		m, err := filepath.Glob(pattern)
		if err != nil || len(m) == 0 {
			t.Fatalf("no fixtures match %s", pattern)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, ".merged.xml") {
				src = append(src, f)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, s := range src {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimPrefix(filepath.Base(s), "gw")
		p := filepath.Join(dir, fmt.Sprintf("gw%d-%02d-%s", i%4, i, base))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	for w := 0; w < 2; w++ {
		p := filepath.Join(dir, fmt.Sprintf("gw%d.xshard.json", w))
		os.WriteFile(p, []byte(fmt.Sprintf(`{"by-worker":{"gw%d":%d},"list":[%d]}`, w, 10*w, w)), 0o644)
		out = append(out, p)
	}
	return out
}

// outputs returns the files Run wrote to dir, by name.
func outputs(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

// TestMergeIsIndependentOfInputOrder merges the same real fixtures given
// in random orders: every output file is the same bytes, and so are the
// problems and warnings.
func TestMergeIsIndependentOfInputOrder(t *testing.T) {
	dir := t.TempDir()
	inputs := fixtureInputs(t, filepath.Join(dir, "in"+string(filepath.Separator)))
	run := func(name string, in []string) (map[string]string, []string) {
		out := filepath.Join(dir, name)
		res, err := Run(Options{Inputs: in, OutDir: out})
		if err != nil {
			t.Fatal(err)
		}
		return outputs(t, out), append(res.Problems, res.Warnings...)
	}
	want, wantMsgs := run("sorted", inputs)
	for _, f := range []string{JUnitFile, GoCoverFile, LCOVFile, CoberturaFile, OutputsFile, WorkerOutputFile, TimingsFile} {
		if _, ok := want[f]; !ok {
			t.Errorf("the fixtures produce no %s: the property would not cover it", f)
		}
	}
	if len(wantMsgs) == 0 {
		t.Errorf("the broken fixture gave no problem")
	}
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := 0; i < 5; i++ {
		perm := append([]string(nil), inputs...)
		rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
		got, gotMsgs := run(fmt.Sprintf("perm%d", i), perm)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("seed %d, order %q: outputs differ (-sorted +shuffled):\n%s", seed, perm, diff)
		}
		if diff := cmp.Diff(wantMsgs, gotMsgs); diff != "" {
			t.Fatalf("seed %d: problems differ (-sorted +shuffled):\n%s", seed, diff)
		}
	}
}

// TestMergingAMergeAloneChangesNothing merges the fixtures, then merges
// the merge's junit.xml and coverage.out with nothing else: both come out
// the same bytes.
func TestMergingAMergeAloneChangesNothing(t *testing.T) {
	dir := t.TempDir()
	inputs := fixtureInputs(t, filepath.Join(dir, "in"+string(filepath.Separator)))
	first := filepath.Join(dir, "first")
	if _, err := Run(Options{Inputs: inputs, OutDir: first}); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "second")
	res, err := Run(Options{Inputs: []string{filepath.Join(first, JUnitFile), filepath.Join(first, GoCoverFile)}, OutDir: second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems merging a merge: %q", res.Problems)
	}
	a, b := outputs(t, first), outputs(t, second)
	for _, f := range []string{JUnitFile, GoCoverFile} {
		if a[f] == "" || a[f] != b[f] {
			t.Errorf("%s changed when merged alone (-first +second):\n%s", f, cmp.Diff(a[f], b[f]))
		}
	}
}

func TestMaxFileSizeSkipsLargerFilesAndNamesTheFlag(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "gw0.xml")
	big := filepath.Join(dir, "gw1.xml")
	os.WriteFile(small, []byte(`<testsuite name="s"><testcase name="a"/></testsuite>`), 0o644)
	os.WriteFile(big, []byte(`<testsuite name="s"><testcase name="b"/>`+strings.Repeat(" ", 2000)+`</testsuite>`), 0o644)
	res, err := Run(Options{Inputs: []string{small, big}, OutDir: filepath.Join(dir, "out"), MaxFileSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{big + ": 2 KiB, over the --max-file-size limit of 1 KiB (skipped: raise --max-file-size if it is a real report)"}
	if diff := cmp.Diff(want, res.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if res.Totals.Tests != 1 {
		t.Errorf("merged %d tests, want the small file's 1", res.Totals.Tests)
	}
}
