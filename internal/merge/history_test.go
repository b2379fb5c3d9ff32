package merge

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xshard/xshard/internal/history"
	"github.com/xshard/xshard/internal/timings"
)

// junitRun writes a JUnit file of tests named by outcome letter: P
// passed, F failed, E error, S skipped, K flaky (a passed test with a
// flakyFailure); "-" leaves the test out.
func junitRun(t *testing.T, path string, outcomes map[string]byte) {
	t.Helper()
	names := make([]string, 0, len(outcomes))
	for n := range outcomes {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString(`<testsuite name="s">`)
	for _, n := range names {
		switch outcomes[n] {
		case 'P':
			fmt.Fprintf(&b, `<testcase classname="s" name="%s" time="0.5"/>`, n)
		case 'F':
			fmt.Fprintf(&b, `<testcase classname="s" name="%s" time="0.5"><failure message="boom"/></testcase>`, n)
		case 'E':
			fmt.Fprintf(&b, `<testcase classname="s" name="%s" time="0.5"><error message="crash"/></testcase>`, n)
		case 'S':
			fmt.Fprintf(&b, `<testcase classname="s" name="%s"><skipped/></testcase>`, n)
		case 'K':
			fmt.Fprintf(&b, `<testcase classname="s" name="%s" time="0.5"><flakyFailure message="once"/></testcase>`, n)
		}
	}
	b.WriteString(`</testsuite>`)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// classes returns "id class" for every classified test of h, sorted.
func classes(h *History) []string {
	var out []string
	for _, l := range [][]ClassifiedTest{h.New, h.StillFailing, h.Flaky, h.Fixed, h.Quarantined} {
		for _, c := range l {
			s := c.ID + " " + c.Class.String()
			if c.Quarantine != "" {
				s += " (quarantined)"
			}
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// TestHistoryOverRuns merges five consecutive runs, each with the history
// of the one before, and checks each run's classes and the marks kept.
func TestHistoryOverRuns(t *testing.T) {
	// The outcomes of each test in runs 1 to 5.
	runs := map[string]string{
		"ok":       "PPPPP", // always passes
		"sometime": "PFPFP", // fails now and then: new, fixed, then flaky
		"broken":   "PPFFF", // broken for good from run 3
		"fixed":    "FFFPP", // fixed at run 4
		"retried":  "PKPPP", // passed on a rerun within run 2
		"skipped":  "SSSSS",
		"removed":  "PF---", // deleted after run 2
	}
	want := [][]string{
		{"s.fixed new"},
		{"s.fixed still failing", "s.removed new", "s.retried flaky", "s.sometime new"},
		{"s.broken new", "s.fixed still failing", "s.sometime fixed"},
		{"s.broken still failing", "s.fixed fixed", "s.sometime flaky"},
		{"s.broken still failing", "s.sometime fixed"},
	}
	wantMarks := map[string]string{
		"s.ok": "PPPPP", "s.sometime": "PFPFP", "s.broken": "PPFFF", "s.fixed": "FFFPP",
		"s.retried": "PKPPP", "s.skipped": "SSSSS", "s.removed": "PF---",
	}
	dir := t.TempDir()
	prev := ""
	for r := range 5 {
		in := filepath.Join(dir, fmt.Sprintf("run%d", r+1), "gw0", "junit.xml")
		outcomes := map[string]byte{}
		for name, o := range runs {
			if o[r] != '-' {
				outcomes[name] = o[r]
			}
		}
		junitRun(t, in, outcomes)
		out := filepath.Join(dir, fmt.Sprintf("report%d", r+1))
		res, err := Run(Options{Inputs: []string{filepath.Dir(in)}, OutDir: out, History: prev, HistoryLength: 5})
		if err != nil {
			t.Fatal(err)
		}
		if res.History == nil {
			t.Fatalf("run %d: no History", r+1)
		}
		if res.History.Known != (r > 0) || res.History.Runs != r+1 {
			t.Errorf("run %d: Known %v, Runs %d", r+1, res.History.Known, res.History.Runs)
		}
		if diff := cmp.Diff(want[r], classes(res.History)); diff != "" {
			t.Errorf("run %d: classes (-want +got):\n%s", r+1, diff)
		}
		for _, row := range res.Tests {
			if w := wantMarks[row.ID][:r+1]; strings.Trim(w, "-") != "" && row.Marks != w {
				t.Errorf("run %d: row %s has marks %q, want %q", r+1, row.ID, row.Marks, w)
			}
		}
		prev = filepath.Join(out, HistoryFile)
	}
	h, err := timings.ReadHistoryFile(prev)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantMarks, h.Tests); diff != "" {
		t.Errorf("history.json after 5 runs (-want +got):\n%s", diff)
	}
	// Two more runs without "removed": after the second it has run in none
	// of the last 5 and is dropped.
	for r := 6; r <= 7; r++ {
		in := filepath.Join(dir, fmt.Sprintf("run%d", r), "gw0", "junit.xml")
		junitRun(t, in, map[string]byte{"ok": 'P'})
		out := filepath.Join(dir, fmt.Sprintf("report%d", r))
		if _, err := Run(Options{Inputs: []string{filepath.Dir(in)}, OutDir: out, History: prev, HistoryLength: 5}); err != nil {
			t.Fatal(err)
		}
		prev = filepath.Join(out, HistoryFile)
		h, _ = timings.ReadHistoryFile(prev)
		if _, ok := h.Tests["s.removed"]; ok != (r == 6) || h.Tests["s.ok"] != "PPPPP" {
			t.Errorf("after run %d: %v", r, h.Tests)
		}
	}
	if h.Tests["s.broken"] != "FFF--" {
		t.Errorf("after run 7: %v", h.Tests)
	}
}

// TestHistoryStreamEqualsGeneralRead: a history in another layout (read
// whole) gives the same result and bytes as the canonical one (streamed),
// for the outcome history and the timings.
func TestHistoryStreamEqualsGeneralRead(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "gw0", "junit.xml")
	junitRun(t, in, map[string]byte{"a": 'F', "b": 'P', "c": 'K', "e": 'F'})
	hist := &timings.History{Length: 20, Runs: 3, LastRun: "x", Tests: map[string]string{"s.a": "PPP", "s.b": "FFF", "s.d": "PFP", "s.e": "PFPFP"}}
	var canon bytes.Buffer
	timings.WriteHistory(&canon, hist, timings.SortedMarks(hist.Tests))
	// The same, all on one line and unsorted.
	var flat strings.Builder
	flat.WriteString(`{"schema":"xshard.history/v1","length":20,"runs":3,"last_run":"x","tests":{`)
	ids := []string{"s.e", "s.d", "s.b", "s.a"}
	for i, id := range ids {
		if i > 0 {
			flat.WriteString(",")
		}
		fmt.Fprintf(&flat, "%q:%q", id, hist.Tests[id])
	}
	flat.WriteString("}}")
	tf := &timings.File{Runs: 2}
	tf.Timings.Tests = map[string]float64{"s.a": 1, "s.z": 3}
	tf.Timings.Files = map[string]float64{"f": 2}
	var tcanon bytes.Buffer
	timings.Write(&tcanon, tf)
	tflat := `{"schema":"xshard.timings/v1","files":{"f":2},"tests":{"s.z":3,"s.a":1},"runs":2}`

	run := func(name, h, tm string) (*Result, string, string) {
		hp, tp := filepath.Join(dir, name+"-history.json"), filepath.Join(dir, name+"-timings.json")
		os.WriteFile(hp, []byte(h), 0o644)
		os.WriteFile(tp, []byte(tm), 0o644)
		out := filepath.Join(dir, name)
		res, err := Run(Options{Inputs: []string{filepath.Dir(in)}, OutDir: out, History: hp, TimingsHistory: tp})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Warnings) > 0 {
			t.Fatalf("%s: warnings %q", name, res.Warnings)
		}
		hb, _ := os.ReadFile(filepath.Join(out, HistoryFile))
		tb, _ := os.ReadFile(filepath.Join(out, TimingsFile))
		return res, string(hb), string(tb)
	}
	r1, h1, t1 := run("canonical", canon.String(), tcanon.String())
	r2, h2, t2 := run("flat", flat.String(), tflat)
	if diff := cmp.Diff(classes(r1.History), classes(r2.History)); diff != "" {
		t.Errorf("classes differ (-stream +general):\n%s", diff)
	}
	if h1 != h2 || t1 != t2 {
		t.Errorf("outputs differ:\n%s\n%s\n%s\n%s", h1, h2, t1, t2)
	}
	want := []string{"s.a new", "s.b fixed", "s.c flaky", "s.e flaky"}
	if diff := cmp.Diff(want, classes(r1.History)); diff != "" {
		t.Errorf("classes (-want +got):\n%s", diff)
	}
	if !strings.Contains(h1, `"s.d": "PFP-"`) || !strings.Contains(h1, `"s.e": "PFPFPF"`) || !strings.Contains(h1, `"runs": 4`) {
		t.Errorf("history:\n%s", h1)
	}
	if !strings.Contains(t1, `"s.z": 3`) || !strings.Contains(t1, `"s.a": 0.85`) || !strings.Contains(t1, `"runs": 3`) || !strings.Contains(t1, `"f": 2`) {
		t.Errorf("timings:\n%s", t1)
	}
}

// TestDamagedHistoryIsAWarning: a truncated or corrupted history is named
// with the place of the damage, and the run goes on without it, as the
// first of a new history.
func TestDamagedHistoryIsAWarning(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "gw0", "junit.xml")
	junitRun(t, in, map[string]byte{"a": 'F', "b": 'P'})
	hist := &timings.History{Length: 20, Runs: 3, Tests: map[string]string{"s.a": "FFF", "s.b": "PPP", "s.c": "PPP"}}
	var canon bytes.Buffer
	timings.WriteHistory(&canon, hist, timings.SortedMarks(hist.Tests))
	good := canon.String()
	tf := &timings.File{Runs: 2}
	tf.Timings.Tests = map[string]float64{"s.a": 1, "s.b": 3}
	var tb bytes.Buffer
	timings.Write(&tb, tf)
	tests := []struct {
		name, history, timings string
		want                   []string
	}{
		{"a truncated history", good[:len(good)-30], tb.String(),
			[]string{`--history: HIST:8:12: unexpected end of file: the history is truncated (the outcome history starts again from this run)`}},
		{"a history with a damaged line", strings.Replace(good, `"s.b": "PPP"`, `"s.b": "PXP"`, 1), tb.String(),
			[]string{`--history: HIST:8:12: outcomes of "s.b" must be a string of the letters "PFESK-", got PXP (the outcome history starts again from this run)`}},
		{"a history of a newer version", strings.Replace(good, "history/v1", "history/v2", 1), tb.String(),
			[]string{`--history: HIST:2:13: history schema "xshard.history/v2" is not supported by this version (it reads "xshard.history/v1"); upgrade xshard or delete the file to start a new history (the outcome history starts again from this run)`}},
		{"truncated timings", good, tb.String()[:tb.Len()-40],
			[]string{`--timings-history: TIMINGS:8:11: unexpected end of file: the timings file is truncated (this run's timings start the history again)`}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hp := filepath.Join(dir, fmt.Sprintf("h%d.json", i))
			tp := filepath.Join(dir, fmt.Sprintf("t%d.json", i))
			os.WriteFile(hp, []byte(tt.history), 0o644)
			os.WriteFile(tp, []byte(tt.timings), 0o644)
			out := filepath.Join(dir, fmt.Sprintf("out%d", i))
			res, err := Run(Options{Inputs: []string{filepath.Dir(in)}, OutDir: out, History: hp, TimingsHistory: tp})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range res.Warnings {
				got = append(got, strings.NewReplacer(hp, "HIST", tp, "TIMINGS").Replace(w))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if len(res.Problems) > 0 {
				t.Errorf("problems %q: a damaged history is not the run's fault", res.Problems)
			}
			if res.History == nil || res.History.Runs < 1 {
				t.Fatalf("no History")
			}
			if strings.Contains(tt.want[0], "--history") {
				if res.History.Known || res.History.Runs != 1 || classes(res.History)[0] != "s.a new" {
					t.Errorf("without its history: %+v", res.History)
				}
				// What was written is this run alone: nothing of the
				// damaged file (s.c, the earlier marks) leaks in.
				h, err := timings.ReadHistoryFile(filepath.Join(out, HistoryFile))
				if err != nil {
					t.Fatal(err)
				}
				want := &timings.History{Length: 20, Runs: 1, Tests: map[string]string{"s.a": "F", "s.b": "P"}}
				if diff := cmp.Diff(want, h); diff != "" {
					t.Errorf("history.json (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestRerunAmendsTheRun: a re-run of the failed tests (manifests naming
// the history's last run) amends that run's marks instead of adding one.
func TestRerunAmendsTheRun(t *testing.T) {
	dir := t.TempDir()
	hist := &timings.History{Length: 20, Runs: 4, LastRun: "55-1", Tests: map[string]string{"s.a": "PPPF", "s.b": "PPPF", "s.c": "PPPP"}}
	hp := filepath.Join(dir, "history.json")
	var canon bytes.Buffer
	timings.WriteHistory(&canon, hist, timings.SortedMarks(hist.Tests))
	os.WriteFile(hp, canon.Bytes(), 0o644)
	art := filepath.Join(dir, "art", "xshard-0")
	junitRun(t, filepath.Join(art, "junit.xml"), map[string]byte{"a": 'P', "b": 'F'})
	manifest := `{"schema": "xshard.manifest/v1", "worker": "gw0", "index": 0, "total": 1, "strategy": "hash", "by": "test",
 "collector": "ids", "fingerprint": "f", "universe_fingerprint": "u", "timings_fingerprint": "t", "items": 2,
 "run_id": "55", "run_attempt": 2, "testrun_uid": "55-2", "rerun_of": "55-1",
 "shards": [{"index": 0, "units": [{"id": "s.a"}, {"id": "s.b"}]}]}`
	os.WriteFile(filepath.Join(art, "xshard-manifest.json"), []byte(manifest), 0o644)
	res, err := Run(Options{Inputs: []string{filepath.Dir(art)}, OutDir: filepath.Join(dir, "out"), History: hp})
	if err != nil {
		t.Fatal(err)
	}
	if !res.History.Amended || res.History.Runs != 4 {
		t.Errorf("Amended %v, Runs %d; want an amended run 4", res.History.Amended, res.History.Runs)
	}
	if diff := cmp.Diff([]string{"s.a flaky", "s.b new"}, classes(res.History)); diff != "" {
		t.Errorf("classes (-want +got):\n%s", diff)
	}
	h, err := timings.ReadHistoryFile(filepath.Join(dir, "out", HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	want := &timings.History{Length: 20, Runs: 4, LastRun: "55-2", Tests: map[string]string{"s.a": "PPPK", "s.b": "PPPF", "s.c": "PPPP"}}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

// TestAnotherAttemptAmendsTheRun: after Re-run failed jobs the merge
// holds the kept workers' first-attempt manifests and the re-run
// worker's second-attempt one, all of CI run 77; the history's last run
// is that run's first attempt, so the merge amends it (one CI run, one
// run of the history). A merge of another CI run adds a run.
func TestAnotherAttemptAmendsTheRun(t *testing.T) {
	manifest := func(worker string, index, attempt int, run string, ids ...string) string {
		var units []string
		for _, id := range ids {
			units = append(units, fmt.Sprintf(`{"id": %q}`, id))
		}
		var shards []string
		for i := 0; i < 2; i++ {
			u := ""
			if i == index {
				u = strings.Join(units, ", ")
			}
			shards = append(shards, fmt.Sprintf(`{"index": %d, "units": [%s]}`, i, u))
		}
		return fmt.Sprintf(`{"schema": "xshard.manifest/v1", "worker": %q, "index": %d, "total": 2, "strategy": "hash", "by": "test",
 "collector": "ids", "fingerprint": "f", "universe_fingerprint": "u", "timings_fingerprint": "t", "items": 3,
 "run_id": %q, "run_attempt": %d, "testrun_uid": "%s-%d", "shards": [%s]}`, worker, index, run, attempt, run, attempt, strings.Join(shards, ", "))
	}
	tests := []struct {
		name      string
		lastRun   string
		run       string
		amended   bool
		runs      int
		wantMarks map[string]string
		wantLast  string
	}{
		{"re-run failed jobs of the last run", "77-1", "77", true, 4, map[string]string{"s.a": "PPPP", "s.b": "PPPK", "s.c": "PPPP"}, "77-2"},
		{"the same run without attempts", "77", "77", true, 4, map[string]string{"s.a": "PPPP", "s.b": "PPPK", "s.c": "PPPP"}, "77-2"},
		{"another CI run", "76-1", "77", false, 5, map[string]string{"s.a": "PPPPP", "s.b": "PPPFP", "s.c": "PPPPP"}, "77-2"},
		{"a run whose id only starts alike", "7-1", "77", false, 5, map[string]string{"s.a": "PPPPP", "s.b": "PPPFP", "s.c": "PPPPP"}, "77-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			hist := &timings.History{Length: 20, Runs: 4, LastRun: tt.lastRun, Tests: map[string]string{"s.a": "PPPP", "s.b": "PPPF", "s.c": "PPPP"}}
			hp := filepath.Join(dir, "history.json")
			var canon bytes.Buffer
			timings.WriteHistory(&canon, hist, timings.SortedMarks(hist.Tests))
			os.WriteFile(hp, canon.Bytes(), 0o644)
			// gw0 kept from attempt 1 (passed); gw1 re-run in attempt 2,
			// where its failure of attempt 1 now passes.
			kept := filepath.Join(dir, "art", "xshard-0")
			junitRun(t, filepath.Join(kept, "junit.xml"), map[string]byte{"a": 'P'})
			os.WriteFile(filepath.Join(kept, "xshard-manifest.json"), []byte(manifest("gw0", 0, 1, tt.run, "s.a")), 0o644)
			rerun := filepath.Join(dir, "art", "xshard-1")
			junitRun(t, filepath.Join(rerun, "junit.xml"), map[string]byte{"b": 'P', "c": 'P'})
			os.WriteFile(filepath.Join(rerun, "xshard-manifest.json"), []byte(manifest("gw1", 1, 2, tt.run, "s.b", "s.c")), 0o644)
			res, err := Run(Options{Inputs: []string{filepath.Join(dir, "art")}, OutDir: filepath.Join(dir, "out"), History: hp})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Problems) > 0 {
				t.Fatalf("problems: %q", res.Problems)
			}
			if res.History.Amended != tt.amended || res.History.Runs != tt.runs {
				t.Errorf("Amended %v, Runs %d; want %v, %d", res.History.Amended, res.History.Runs, tt.amended, tt.runs)
			}
			h, err := timings.ReadHistoryFile(filepath.Join(dir, "out", HistoryFile))
			if err != nil {
				t.Fatal(err)
			}
			want := &timings.History{Length: 20, Runs: tt.runs, LastRun: tt.wantLast, Tests: tt.wantMarks}
			if diff := cmp.Diff(want, h); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
		})
	}
}

// TestQuarantineAndBlocking: quarantined failures are listed apart and do
// not block; --fail-on new blocks only on new failures.
func TestQuarantineAndBlocking(t *testing.T) {
	dir := t.TempDir()
	hist := &timings.History{Length: 3, Runs: 3, Tests: map[string]string{"s.known": "PPF", "s.q1": "PPP", "s.q2": "PPP", "s.qok": "PP"}}
	hp := filepath.Join(dir, "history.json")
	var canon bytes.Buffer
	timings.WriteHistory(&canon, hist, timings.SortedMarks(hist.Tests))
	os.WriteFile(hp, canon.Bytes(), 0o644)
	q, _ := history.ParseQuarantine(strings.NewReader("s.q* # flaky, issue 7\n"), "q.txt")
	merge := func(outcomes map[string]byte) *Result {
		t.Helper()
		in := filepath.Join(dir, fmt.Sprintf("in%d", len(outcomes)), "gw0", "junit.xml")
		junitRun(t, in, outcomes)
		res, err := Run(Options{Inputs: []string{filepath.Dir(in)}, OutDir: filepath.Join(dir, fmt.Sprintf("out%d", len(outcomes))), History: hp, HistoryLength: 3, Quarantine: q})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := merge(map[string]byte{"known": 'F', "q1": 'F', "q2": 'E', "qok": 'P'})
	if diff := cmp.Diff([]string{"s.known still failing", "s.q1 new (quarantined)", "s.q2 new (quarantined)"}, classes(res.History)); diff != "" {
		t.Errorf("classes (-want +got):\n%s", diff)
	}
	c := res.History.Counts
	if c.Quarantined != 2 || c.QuarantinedCases != 2 || c.New != 0 || c.StillFailing != 1 || c.Failing != 3 {
		t.Errorf("counts %+v", c)
	}
	if !res.Blocking(false) || res.Blocking(true) {
		t.Errorf("Blocking(failures) %v, Blocking(new) %v; want true, false", res.Blocking(false), res.Blocking(true))
	}
	if len(res.History.Releasable) != 1 || res.History.Releasable[0].ID != "s.qok" || res.History.Releasable[0].Quarantine != "s.q* # flaky, issue 7" {
		t.Errorf("releasable %+v, want s.qok", res.History.Releasable)
	}
	// Only quarantined failures: nothing blocks.
	res = merge(map[string]byte{"q1": 'F', "known": 'P', "x": 'P', "y": 'P', "z": 'P'})
	if res.Blocking(false) || res.Blocking(true) {
		t.Errorf("only a quarantined failure, yet blocking")
	}
}

// TestPreviousReleaseHistory: the timings.json that the release before
// the outcome history wrote (testdata/previous-release, made by merge at
// d0342ec) is still streamed and blended, and with no history.json yet
// the run starts one.
func TestPreviousReleaseHistory(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join("testdata", "previous-release", "timings.json")
	if s, c, err := timings.OpenStream(old); err != nil {
		t.Fatalf("the previous release's timings.json is not streamed: %v", err)
	} else {
		c.Close()
		if s.Runs() != 1 {
			t.Errorf("runs %d", s.Runs())
		}
	}
	in := filepath.Join(dir, "in", "gw0", "junit.xml")
	junitRun(t, in, map[string]byte{"a": 'P', "b": 'F'})
	out := filepath.Join(dir, "out")
	res, err := Run(Options{Inputs: []string{filepath.Dir(in)}, OutDir: out, TimingsHistory: old, History: filepath.Join(filepath.Dir(old), HistoryFile)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "does not exist yet: this run starts the outcome history") {
		t.Errorf("problems %q, warnings %q", res.Problems, res.Warnings)
	}
	got, err := timings.ReadFile(filepath.Join(out, TimingsFile))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"s.a": 0.3*0.5 + 0.7*1.5, "s.b": 0.3*0.5 + 0.7*0.25, "s.cü \"q\"": 2}
	for id, secs := range want {
		if g := got.Timings.Tests[id]; timings.FormatSeconds(g) != timings.FormatSeconds(secs) {
			t.Errorf("%s: %v, want %v", id, g, secs)
		}
	}
	if got.Runs != 2 || res.History.Known || res.History.Runs != 1 {
		t.Errorf("runs %d, history %+v", got.Runs, res.History)
	}
}
