package actionrun

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// repoRoot is the module root, where action.yml lives.
var repoRoot, _ = filepath.Abs("../..")

// fakeGH is a stand-in for the gh CLI: it serves what the action asks of
// the GitHub API from files under $FAKE_GH, and logs its calls.
const fakeGH = `#!/usr/bin/env bash
echo "gh $*" >>"$FAKE_GH/calls"
case $1 in
api)
  case $2 in
  repos/*/commits/*) cat "$FAKE_GH/commits/${2##*/}" 2>/dev/null || exit 1 ;;
  repos/*/tags*) cat "$FAKE_GH/tags" 2>/dev/null || exit 1 ;;
  *) exit 1 ;;
  esac
  ;;
release)
  tag=$3
  shift 3
  dir=.
  pats=()
  while [ $# -gt 0 ]; do
    case $1 in
    -p) pats+=("$2"); shift 2 ;;
    -D) dir=$2; shift 2 ;;
    *) shift ;;
    esac
  done
  for p in "${pats[@]}"; do cp "$FAKE_GH/releases/$tag/$p" "$dir/" 2>/dev/null || exit 1; done
  ;;
*) exit 1 ;;
esac
`

type harness struct {
	r      *Runner
	fakeGH string
}

// newHarness returns a runner over a copy of src whose gh is fakeGH,
// runner.os and runner.arch those of this machine.
func newHarness(t *testing.T, src string) *harness {
	t.Helper()
	dir := t.TempDir()
	gh := filepath.Join(dir, "fake-gh")
	bin := filepath.Join(gh, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "gh"), []byte(fakeGH), 0o755); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"FAKE_GH": gh, "PATH": bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	for _, k := range []string{"HOME", "GOPATH", "GOCACHE", "GOMODCACHE", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN", "TMPDIR", "LANG"} {
		if v, ok := os.LookupEnv(k); ok {
			base[k] = v
		}
	}
	if base["GOCACHE"] == "" {
		out, err := exec.Command("go", "env", "GOCACHE").Output()
		if err == nil {
			base["GOCACHE"] = strings.TrimSpace(string(out))
		}
	}
	osName := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	r := &Runner{
		Dir:     filepath.Join(dir, "runner"),
		Source:  src,
		BaseEnv: base,
		OS:      osName,
		Arch:    arch,
		Github: map[string]any{
			"run_id": "1001", "run_number": "7", "run_attempt": "1", "workflow": "test",
			"repository": "octo/app", "repository_owner": "octo", "sha": "0123456789abcdef0123456789abcdef01234567",
			"ref": "refs/heads/main", "ref_name": "main", "event_name": "push", "token": "ghs_default_token",
			"server_url": "https://github.com", "api_url": "https://api.github.com",
		},
		Composites: map[string]string{"xshard/xshard": repoRoot},
		Cache:      &Cache{Dir: filepath.Join(dir, "cache"), DefaultBranch: "refs/heads/main"},
		Artifacts:  &Artifacts{Dir: filepath.Join(dir, "artifacts")},
	}
	r.Stubs = r.DefaultStubs()
	return &harness{r: r, fakeGH: gh}
}

func jobDetail(j *JobResult) string {
	return fmt.Sprintf("job %s #%d: %s: %v\n%s", j.JobID, j.Index, j.Conclusion, j.Err, j.Log)
}

// TestGoExampleWorkflow runs examples/workflows/go.yml on examples/go as
// GitHub would: four shard jobs at once, then the report job, twice, the
// second run planning with the timings the first one saved.
func TestGoExampleWorkflow(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not installed")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	wf, err := LoadWorkflow(filepath.Join(repoRoot, "examples/workflows/go.yml"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, filepath.Join(repoRoot, "examples/go"))
	// One job builds the binary from source and caches it, so that the
	// four workers restore it instead of building it four times at once.
	j, _, err := h.r.RunAction(repoRoot, map[string]string{"command": "shard", "tests": "TestA\nTestB"}, "build", 0, 1)
	if err != nil {
		t.Fatalf("%v\n%s", err, jobDetail(j))
	}
	if j.Steps["action/bin-cache"].Outputs["cache-hit"] != "false" || j.Steps["action/download"].Outcome != "skipped" {
		t.Errorf("the binary was not built from source: %v %v", j.Steps["action/bin-cache"], j.Steps["action/download"])
	}

	start := time.Now()
	res, err := h.r.RunWorkflow(wf)
	t.Logf("first run: %v", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	workers := res.Runs("test")
	if len(workers) != 4 {
		t.Fatalf("%d test jobs, want 4", len(workers))
	}
	planned := 0
	seen := map[string]bool{}
	var fingerprint string
	for i, w := range workers {
		if w.Conclusion != "success" {
			t.Fatalf("%s", jobDetail(w))
		}
		out := w.Steps["shard"].Outputs
		worker := "gw" + strconv.Itoa(i)
		for k, want := range map[string]string{"worker": worker, "index": strconv.Itoa(i), "total": "4", "strategy": "hash", "testrun-uid": "1001-1", "manifest": "xshard-out/xshard-manifest.json"} {
			if out[k] != want {
				t.Errorf("%s: output %s = %q, want %q", worker, k, out[k], want)
			}
		}
		for k, want := range map[string]string{"XSHARD_WORKER": worker, "XSHARD_WORKER_INDEX": strconv.Itoa(i), "XSHARD_WORKER_COUNT": "4", "XSHARD_TESTRUN_UID": "1001-1"} {
			if w.Env[k] != want {
				t.Errorf("%s: $GITHUB_ENV %s = %q, want %q", worker, k, w.Env[k], want)
			}
		}
		n, err := strconv.Atoi(out["count"])
		if err != nil || n == 0 {
			t.Errorf("%s: count %q", worker, out["count"])
		}
		if got := len(strings.Fields(out["tests"])); got != n {
			t.Errorf("%s: %d tests listed, count %d", worker, got, n)
		}
		if out["go-run"] == "" || !strings.Contains(out["go-run"], "-run ^(") {
			t.Errorf("%s: go-run %q", worker, out["go-run"])
		}
		planned += n
		for _, id := range strings.Fields(out["tests"]) {
			if seen[id] {
				t.Errorf("%s: test %s is planned on two workers", worker, id)
			}
			seen[id] = true
		}
		if i == 0 {
			fingerprint = out["fingerprint"]
		}
		// The action's binary is on PATH for the steps after it.
		if len(w.Paths) == 0 || !fileExists(filepath.Join(w.Paths[0], "shard")) {
			t.Errorf("%s: $GITHUB_PATH %q does not hold the shard binary", worker, w.Paths)
		}
		key, err := os.ReadFile(filepath.Join(w.Workspace, "xshard-out/xshard-timings-key"))
		if err != nil || strings.TrimSpace(string(key)) != "test" {
			t.Errorf("%s: timings key file: %q, %v", worker, key, err)
		}
	}
	for _, w := range workers {
		if w.Steps["shard/bin-cache"].Outputs["cache-hit"] != "true" {
			t.Errorf("worker %d built the binary again", w.Index)
		}
	}

	report := res.Runs("report")[0]
	if report.Conclusion != "success" {
		t.Fatalf("%s", jobDetail(report))
	}
	m := report.Steps["merge"].Outputs
	total, _ := strconv.Atoi(m["total"])
	passed, _ := strconv.Atoi(m["passed"])
	skipped, _ := strconv.Atoi(m["skipped"])
	// go test -json reports subtests too, so merge counts at least the
	// planned tests; merge's verification proves they all ran once.
	if total < planned || passed+skipped != total || m["failed"] != "0" || m["errors"] != "0" || m["exit-code"] != "0" {
		t.Errorf("merge outputs %v; the workers planned %d tests", m, planned)
	}
	if m["coverage-percent"] == "" || m["report-dir"] != "xshard-report" || m["timings-file"] == "" {
		t.Errorf("merge outputs %v", m)
	}
	for _, f := range []string{"junit.xml", "coverage.out", "summary.md", "timings.json"} {
		if !fileExists(filepath.Join(report.Workspace, "xshard-report", f)) {
			t.Errorf("report directory has no %s", f)
		}
	}
	if !strings.Contains(report.Summary, strconv.Itoa(total)) || !strings.Contains(report.Summary, "every planned test ran exactly once") {
		t.Errorf("job summary does not give the totals and the verification:\n%s", report.Summary)
	}
	names := h.r.Artifacts.Names()
	if strings.Join(names, " ") != "xshard-report xshard-worker-0 xshard-worker-1 xshard-worker-2 xshard-worker-3" {
		t.Errorf("artifacts %q", names)
	}
	var saved []string
	for _, k := range h.r.Cache.Keys() {
		if strings.HasPrefix(k, "xshard-timings-") {
			saved = append(saved, k)
		}
	}
	if len(saved) != 1 || saved[0] != "xshard-timings-v1-test-test-1001-1" {
		t.Fatalf("timings saved under %q, want one key xshard-timings-v1-test-test-1001-1", saved)
	}

	// The next run plans by the timings the first one saved: its shard
	// jobs, up to the action's step, are enough to show it.
	h.r.Github["run_id"] = "1002"
	test := *wf.Job("test")
	for i, s := range test.Steps {
		if s.ID == "shard" {
			test.Steps = test.Steps[:i+1]
		}
	}
	start = time.Now()
	res, err = h.r.RunWorkflow(&Workflow{Path: wf.Path, Jobs: []*Job{&test}})
	t.Logf("second run: %v", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Runs("test") {
		out := w.Steps["shard"].Outputs
		if w.Conclusion != "success" || out["strategy"] != "timing" || out["fingerprint"] == fingerprint {
			t.Errorf("second run, %s: strategy %q, fingerprint %q (first run %q)\n%s", out["worker"], out["strategy"], out["fingerprint"], fingerprint, jobDetail(w))
		}
		if w.Steps["shard/timings-cache"].Outputs["cache-matched-key"] != "xshard-timings-v1-test-test-1001-1" {
			t.Errorf("second run, %s: timings restored from %v", out["worker"], w.Steps["shard/timings-cache"].Outputs)
		}
		if w.Steps["shard/bin-cache"].Outputs["cache-hit"] != "true" {
			t.Errorf("second run, %s: the binary was not restored from the cache", out["worker"])
		}
		if s, _ := strconv.ParseFloat(out["predicted-seconds"], 64); s <= 0 {
			t.Errorf("second run, %s: predicted-seconds %q", out["worker"], out["predicted-seconds"])
		}
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestActionDownloadsVerifiedRelease runs the action at a release tag: it
// takes the binary from the release after checking its sha256, and
// refuses an asset whose checksum does not match.
func TestActionDownloadsVerifiedRelease(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not installed")
	}
	h := newHarness(t, filepath.Join(repoRoot, "examples/go"))
	if h.r.OS == "" || h.r.Arch == "" || runtime.GOOS == "windows" {
		t.Skip("no release asset for this platform")
	}
	// A release asset as GoReleaser makes it: both binaries in a tar.gz.
	// Built as the action builds, so Go's cache has it already.
	bin := t.TempDir()
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s", "-o", bin, "./cmd/shard", "./cmd/merge")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	asset := fmt.Sprintf("xshard_%s_%s.tar.gz", runtime.GOOS, runtime.GOARCH)
	rel := filepath.Join(h.fakeGH, "releases", "v1.2.3")
	if err := os.MkdirAll(rel, 0o755); err != nil {
		t.Fatal(err)
	}
	data := tarGz(t, bin, "shard", "merge")
	if err := os.WriteFile(filepath.Join(rel, asset), data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	checksums := hex.EncodeToString(sum[:]) + "  " + asset + "\n" + strings.Repeat("0", 64) + "  xshard_other_arch.tar.gz\n"
	if err := os.WriteFile(filepath.Join(rel, "checksums.txt"), []byte(checksums), 0o644); err != nil {
		t.Fatal(err)
	}
	// The moving tag v1 resolves to the commit of v1.2.3.
	os.MkdirAll(filepath.Join(h.fakeGH, "commits"), 0o755)
	os.WriteFile(filepath.Join(h.fakeGH, "commits", "v1"), []byte("abc123\n"), 0o644)
	os.WriteFile(filepath.Join(h.fakeGH, "tags"), []byte("v1\nv1.2.3\n"), 0o644)

	// A copy of the action without its Go source: only the release can
	// provide the binary.
	action := t.TempDir()
	copyFile(filepath.Join(repoRoot, "action.yml"), filepath.Join(action, "action.yml"))
	for _, f := range []string{"go.mod", "go.sum", "cmd/shard/main.go"} {
		copyFile(filepath.Join(repoRoot, f), filepath.Join(action, f))
	}
	os.MkdirAll(filepath.Join(action, "internal"), 0o755)
	h.r.Composites["xshard/xshard"] = action

	wf := &Workflow{Path: "inline", Jobs: []*Job{{ID: "test", Steps: []Step{
		{Uses: "actions/checkout@v7"},
		{ID: "shard", Uses: "xshard/xshard@v1", With: []KV{{"command", "shard"}, {"go", "./..."}, {"workers", "2"}, {"worker", "1"}}},
	}}}}
	res, err := h.r.RunWorkflow(wf)
	if err != nil {
		t.Fatal(err)
	}
	j := res.Jobs[0]
	if j.Conclusion != "success" || j.Steps["shard"].Outputs["worker"] != "gw1" {
		t.Fatalf("%s", jobDetail(j))
	}
	if !strings.Contains(j.Log, "xshard v1.2.3 from xshard/xshard, sha256 "+hex.EncodeToString(sum[:])+" verified") {
		t.Errorf("the binary did not come from the release:\n%s", j.Log)
	}
	calls, _ := os.ReadFile(filepath.Join(h.fakeGH, "calls"))
	if !strings.Contains(string(calls), "gh release download v1.2.3 -R xshard/xshard -p "+asset+" -p checksums.txt") {
		t.Errorf("gh calls:\n%s", calls)
	}

	// A tampered asset fails the step instead of running.
	os.WriteFile(filepath.Join(rel, asset), append(data, 0), 0o644)
	h.r.Cache = &Cache{Dir: t.TempDir(), DefaultBranch: "refs/heads/main"}
	h.r.Stubs = h.r.DefaultStubs()
	res, err = h.r.RunWorkflow(wf)
	if err != nil {
		t.Fatal(err)
	}
	j = res.Jobs[0]
	if j.Conclusion != "failure" || !hasAnnotation(j, "error", "checksum mismatch") {
		t.Errorf("tampered asset: %s", jobDetail(j))
	}
}

func hasAnnotation(j *JobResult, level, text string) bool {
	for _, a := range j.Annotations {
		if a.Level == level && strings.Contains(a.Message, text) {
			return true
		}
	}
	return false
}

func tarGz(t *testing.T, dir string, names ...string) []byte {
	t.Helper()
	var buf strings.Builder
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	tw.Close()
	gz.Close()
	return []byte(buf.String())
}

// TestActionCommandIsChecked: a wrong command or input fails with a
// message naming it.
func TestActionCommandIsChecked(t *testing.T) {
	h := newHarness(t, filepath.Join(repoRoot, "examples/go"))
	j, _, err := h.r.RunAction(repoRoot, map[string]string{"command": "split"}, "test", 0, 1)
	if err == nil || !hasAnnotation(j, "error", `input command is "split": expected one of "shard", "merge"`) {
		t.Errorf("err %v, annotations %v", err, j.Annotations)
	}
	_, _, err = h.r.RunAction(repoRoot, map[string]string{"command": "shard", "shards": "4"}, "test", 0, 1)
	if err == nil || !strings.Contains(err.Error(), `unexpected input "shards"`) {
		t.Errorf("unknown input: err %v", err)
	}
}

// TestActionAllowEmpty: a merge that finds no test results fails the step
// with an annotation saying what was read, unless allow-empty is true.
func TestActionAllowEmpty(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not installed")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "artifacts", "xshard-worker-0"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "artifacts", "xshard-worker-0", "notes.txt"), []byte("no tests ran\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, src)
	// The harness runs no checkout: the path is absolute.
	path := filepath.Join(src, "artifacts")
	j, _, err := h.r.RunAction(repoRoot, map[string]string{"command": "merge", "path": path}, "report", 0, 1)
	if err == nil || !hasAnnotation(j, "error", `no test results in "`+path+`": read 1 file`) {
		t.Errorf("without allow-empty: err %v, annotations %v\n%s", err, j.Annotations, jobDetail(j))
	}
	j, _, err = h.r.RunAction(repoRoot, map[string]string{"command": "merge", "path": path, "allow-empty": "true"}, "report", 0, 1)
	if err != nil || j.Steps["action/merge"].Outputs["total"] != "0" || j.Steps["action/merge"].Outputs["exit-code"] != "0" {
		t.Errorf("with allow-empty: err %v, merge outputs %v\n%s", err, j.Steps["action/merge"].Outputs, jobDetail(j))
	}
}

// TestNoExpressionInRunScripts enforces that every value reaches a
// script of action.yml through env:, never spliced into its text.
func TestNoExpressionInRunScripts(t *testing.T) {
	a, err := LoadAction(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	for _, s := range a.Steps {
		if s.Run == "" {
			continue
		}
		runs++
		if strings.Contains(s.Run, "${{") {
			t.Errorf("action.yml:%d: step %q has ${{ in its run: script; pass the value through env:", s.Line, s.Label())
		}
	}
	if runs == 0 {
		t.Fatal("action.yml has no run: steps")
	}
}

var pinned = regexp.MustCompile(`^([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$`)

// TestActionsPinnedBySHA: every third-party action in action.yml, the
// workflows and the examples is pinned by full commit SHA with its
// version in a comment.
func TestActionsPinnedBySHA(t *testing.T) {
	files := []string{filepath.Join(repoRoot, "action.yml")}
	for _, g := range []string{".github/workflows/*.yml", "examples/workflows/*.yml"} {
		m, _ := filepath.Glob(filepath.Join(repoRoot, g))
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range strings.Split(string(data), "\n") {
			l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- "))
			v, ok := strings.CutPrefix(l, "uses: ")
			if !ok || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "xshard/xshard@") {
				continue
			}
			if !pinned.MatchString(v) {
				t.Errorf("%s:%d: %q is not pinned as owner/repo@<40-hex SHA> # vX.Y.Z", f, i+1, v)
			}
		}
	}
}

// TestWorkflowsUseExistingInputs: every with: given to this action in a
// workflow or example names an input of action.yml.
func TestWorkflowsUseExistingInputs(t *testing.T) {
	a, err := LoadAction(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, g := range []string{".github/workflows/*.yml", "examples/workflows/*.yml"} {
		m, _ := filepath.Glob(filepath.Join(repoRoot, g))
		files = append(files, m...)
	}
	seen := 0
	for _, f := range files {
		wf, err := LoadWorkflow(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range wf.Jobs {
			for _, s := range j.Steps {
				if s.Uses != "./" && !strings.HasPrefix(s.Uses, "xshard/xshard@") {
					continue
				}
				seen++
				for _, kv := range s.With {
					if _, ok := a.Input(kv.Key); !ok {
						t.Errorf("%s:%d: input %q is not in action.yml", f, s.Line, kv.Key)
					}
				}
			}
		}
	}
	if seen == 0 {
		t.Error("no workflow uses the action")
	}
}

// TestShellcheckActionScripts runs shellcheck on every run: script of
// action.yml (actionlint checks the workflows' scripts, not an action's).
// Skipped without shellcheck unless XSHARD_REQUIRE_SHELLCHECK=1.
func TestShellcheckActionScripts(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		if os.Getenv("XSHARD_REQUIRE_SHELLCHECK") == "1" {
			t.Fatal("shellcheck is not installed")
		}
		t.Skip("shellcheck is not installed")
	}
	a, err := LoadAction(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range a.Steps {
		if s.Run == "" {
			continue
		}
		cmd := exec.Command("shellcheck", "--shell=bash", "--format=gcc", "-")
		cmd.Stdin = strings.NewReader(s.Run)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("action.yml:%d: step %q: shellcheck:\n%s", s.Line, s.Label(), out)
		}
	}
}
