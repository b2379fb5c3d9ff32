package acttest

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/ghfake"
	"github.com/xshard/xshard/internal/ghreport"
)

// writeFiles writes files (path relative to dir -> content).
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for f, content := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const checksWorkflow = `name: checks
on: push
jobs:
  empty:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
      - uses: xshard/xshard@v1
        id: merge
        with:
          command: merge
          path: artifacts
  allowed:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
      - uses: xshard/xshard@v1
        id: merge
        with:
          command: merge
          path: artifacts
          allow-empty: "true"
  command:
    runs-on: ubuntu-latest
    steps:
      - uses: xshard/xshard@v1
        id: split
        with:
          command: split
`

// TestActionChecksItsInput runs the action where it must refuse: a merge
// that finds no test results fails the step with an annotation saying
// what was read (unless allow-empty), and an unknown command fails with
// one naming it.
func TestActionChecksItsInput(t *testing.T) {
	t.Parallel()
	res := Run{
		Workflow: writeInline(t, checksWorkflow),
		Prepare: func(t *testing.T, dir string) {
			writeFiles(t, dir, map[string]string{"artifacts/xshard-worker-0/notes.txt": "no tests ran\n"})
		},
	}.Run(t)
	if res.Code == 0 {
		t.Errorf("act exited 0 with two failing jobs")
	}
	if j := res.Job("empty"); j == nil || j.Result != "failure" || !j.Annotated("error", `no test results in "artifacts": read 1 file`) {
		t.Errorf("without allow-empty: %v", j)
	}
	if j := res.Job("allowed"); j == nil || j.Result != "success" || j.Output("merge", "total") != "0" || j.Output("merge", "exit-code") != "0" {
		t.Errorf("with allow-empty: %v", j)
	}
	if j := res.Job("command"); j == nil || j.Result != "failure" || !j.Annotated("error", `input command is "split": expected one of "shard", "merge"`) {
		t.Errorf("command split: %v", j)
	}
}

// TestForkRecipeWorkflow runs examples/workflows/report-fork.yml as GitHub
// would on the workflow_run event of a fork's pull request: it downloads
// the triggering run's artifacts, merges them with no checkout, and posts
// the check run on the fork's head and the comment on its pull request
// (found by head, since GitHub leaves pull_requests empty for forks)
// through GITHUB_API_URL, a loopback fake; it saves nothing to the cache.
func TestForkRecipeWorkflow(t *testing.T) {
	t.Parallel()
	const token = "ghs_default_token"
	const head = "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0"
	srv := ghfake.New(ghfake.Options{Token: token})
	t.Cleanup(srv.Close)
	srv.AddPull(ghfake.Pull{Number: 31, State: "open", HeadOwner: "mallory", HeadBranch: "patch-1", HeadSHA: head})

	// The triggering run's artifacts, as its two workers uploaded them
	// (in the stand-in's store): one failure with a hostile message.
	store := newStore(t, true)
	for i := range 2 {
		junit := fmt.Sprintf(`<testsuite name="tests"><testcase classname="tests.test_shop" name="test_ok_%d" file="tests/test_shop.py" time="0.5"/>`, i)
		if i == 1 {
			junit += `<testcase classname="tests.test_shop" name="test_pay" file="tests/test_shop.py" line="41" time="0.2"><failure message="@octocat see #1 &lt;img src=x&gt;">boom</failure></testcase>`
		}
		junit += "</testsuite>\n"
		dir := fmt.Sprintf("artifacts/99/xshard-worker-%d", i)
		writeFiles(t, store, map[string]string{dir + "/files/junit.xml": junit, dir + "/files/xshard-timings-key": "test\n", dir + "/id": fmt.Sprint(i + 1)})
	}
	event, err := json.Marshal(map[string]any{
		"action": "completed",
		"workflow_run": map[string]any{
			"id": 99, "name": "test", "event": "pull_request", "conclusion": "failure",
			"head_sha": head, "head_branch": "patch-1",
			"pull_requests": []any{}, "head_repository": map[string]any{"owner": map[string]any{"login": "mallory"}},
		},
		"repository": map[string]any{"default_branch": "main"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res := Run{
		Workflow:  "examples/workflows/report-fork.yml",
		Event:     "workflow_run",
		EventJSON: string(event),
		Store:     store,
		// The fake listens on the host's loopback.
		HostNetwork: true,
		Env:         map[string]string{"GITHUB_API_URL": srv.URL},
		Secrets:     map[string]string{"GITHUB_TOKEN": token},
		// The checkout would copy this: the recipe must never make one.
		Prepare: func(t *testing.T, dir string) {
			writeFiles(t, dir, map[string]string{"PR_CODE_MUST_NOT_RUN": "x"})
		},
	}.Run(t)
	report := res.Job("report")
	if res.Code != 0 || report == nil || report.Result != "success" {
		t.Fatalf("act exited %d; report job %v", res.Code, report)
	}
	out := report.Outputs["merge"]
	if out["exit-code"] != "0" || out["failed"] != "1" || out["check-run-url"] == "" || out["comment-url"] == "" {
		t.Errorf("merge outputs %v", out)
	}

	runs := srv.CheckRuns()
	if len(runs) != 1 || runs[0].HeadSHA != head || runs[0].Conclusion != "failure" || len(runs[0].Annotations) != 1 {
		t.Fatalf("check runs %+v", runs)
	}
	if a := runs[0].Annotations[0]; a.Path != "tests/test_shop.py" || a.StartLine != 41 {
		t.Errorf("annotation %+v", a)
	}
	comments := srv.Comments(31)
	if len(comments) != 1 || !strings.HasPrefix(comments[0].Body, ghreport.Marker("test", "xshard")+"\n") {
		t.Fatalf("comments %+v", comments)
	}
	if !strings.Contains(comments[0].Body, "`@octocat`") || strings.Contains(comments[0].Body, "<img") {
		t.Errorf("the comment does not escape the failure's message:\n%s", comments[0].Body)
	}
	for _, r := range srv.Requests() {
		if r.Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("%s %s sent %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}

	// No checkout: the workspace holds the artifacts only.
	dl := report.Output("0", "download-path")
	if dl == "" {
		t.Fatalf("download-artifact's outputs: %v", report.Outputs["0"])
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dl), "PR_CODE_MUST_NOT_RUN")); err == nil {
		t.Error("the recipe checked out the pull request")
	}
	// Nothing of the artifacts reaches the cache.
	for _, k := range CacheKeys(store) {
		if !strings.HasPrefix(k, "xshard-bin-") {
			t.Errorf("a workflow_run saved %q to the cache", k)
		}
	}
}

const baselineWorkflow = `name: test
on: [push, pull_request]
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
      - uses: xshard/xshard@v1
        id: merge
        with:
          command: merge
          path: artifacts
          pr-comment: "true"
          fail-on: never
          timings-cache: "false"
`

// TestActionBaselineFromTheDefaultBranch: a push to the default branch
// saves the merge's baseline.json in the cache; a pull request's merge with
// pr-comment restores it, its comment says what changed against it, and
// it saves no baseline of its own.
func TestActionBaselineFromTheDefaultBranch(t *testing.T) {
	t.Parallel()
	const token = "ghs_default_token"
	srv := ghfake.New(ghfake.Options{Token: token})
	t.Cleanup(srv.Close)
	artifacts := func(failing string) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			junit := `<testsuite name="tests"><testcase classname="tests.test_shop" name="test_ok" file="tests/test_shop.py" time="0.5"/>` +
				`<testcase classname="tests.test_shop" name="` + failing + `" file="tests/test_shop.py" line="3" time="0.2"><failure message="boom">boom</failure></testcase></testsuite>` + "\n"
			writeFiles(t, dir, map[string]string{"artifacts/xshard-worker-0/junit.xml": junit, "artifacts/xshard-worker-0/xshard-timings-key": "test\n"})
		}
	}
	wf := writeInline(t, baselineWorkflow)
	store := newStore(t, true)
	baselines := func() []string {
		var out []string
		for _, k := range CacheKeys(store) {
			if strings.HasPrefix(k, "xshard-baseline-") {
				out = append(out, k)
			}
		}
		return out
	}
	repo := map[string]any{"default_branch": "main"}

	// A push to main, where test_gone fails.
	push, _ := json.Marshal(map[string]any{"ref": "refs/heads/main", "repository": repo})
	first := Run{Workflow: wf, Store: store, HostNetwork: true, Event: "push", EventJSON: string(push),
		Env: map[string]string{"GITHUB_API_URL": srv.URL}, Secrets: map[string]string{"GITHUB_TOKEN": token},
		Prepare: artifacts("test_gone")}.Run(t)
	if j := first.Job("report"); first.Code != 0 || j == nil || j.Result != "success" {
		t.Fatalf("push: act exited %d; %v", first.Code, j)
	}
	want := fmt.Sprintf("xshard-baseline-v1-test-test-%d-1", first.RunID)
	if keys := baselines(); len(keys) != 1 || keys[0] != want {
		t.Fatalf("baselines saved: %q, want %q", keys, want)
	}
	sha, err := exec.Command("git", "-C", first.Repo, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}

	// A pull request, where test_new fails and test_gone is fixed.
	pr, _ := json.Marshal(map[string]any{"number": 5, "pull_request": map[string]any{"number": 5, "head": map[string]any{"sha": "feedface"}}, "repository": repo})
	second := Run{Workflow: wf, Store: store, HostNetwork: true, Event: "pull_request", EventJSON: string(pr),
		Env: map[string]string{"GITHUB_API_URL": srv.URL}, Secrets: map[string]string{"GITHUB_TOKEN": token},
		Prepare: artifacts("test_new")}.Run(t)
	j := second.Job("report")
	if second.Code != 0 || j == nil || j.Result != "success" || j.Output("merge", "comment-url") == "" {
		t.Fatalf("pull request: act exited %d; %v", second.Code, j)
	}
	c := srv.Comments(5)
	if len(c) != 1 {
		t.Fatalf("comments %+v", c)
	}
	for _, w := range []string{"### 🔀 Against main at " + string(sha[:7]) + "\n", "🆕 1 new failure · ✅ 1 fixed", "- `tests/test_shop.py::test_gone`"} {
		if !strings.Contains(c[0].Body, w) {
			t.Errorf("the comment lacks %q:\n%s", w, c[0].Body)
		}
	}
	if keys := baselines(); len(keys) != 1 {
		t.Errorf("the pull request saved a baseline: %q", keys)
	}
}
