package actionrun

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xshard/xshard/internal/ghfake"
	"github.com/xshard/xshard/internal/ghreport"
)

// TestForkRecipeWorkflow runs examples/workflows/report-fork.yml as GitHub
// would on the workflow_run event of a fork's pull request: it downloads
// the triggering run's artifacts, merges them with no checkout, and posts
// the check run on the fork's head and the comment on its pull request
// (found by head, since GitHub leaves pull_requests empty for forks)
// through GITHUB_API_URL, a loopback fake; it saves nothing to the cache.
func TestForkRecipeWorkflow(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"go", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	wf, err := LoadWorkflow(filepath.Join(repoRoot, "examples/workflows/report-fork.yml"))
	if err != nil {
		t.Fatal(err)
	}
	const token = "ghs_default_token"
	srv := ghfake.New(ghfake.Options{Token: token})
	t.Cleanup(srv.Close)
	srv.AddPull(ghfake.Pull{Number: 31, State: "open", HeadOwner: "mallory", HeadBranch: "patch-1", HeadSHA: "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0"})

	// The checkout would copy this: the recipe must never make one.
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "PR_CODE_MUST_NOT_RUN"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, src)
	if h.r.Github["token"] != token {
		t.Fatalf("the harness's token is %v", h.r.Github["token"])
	}

	// The triggering run's artifacts, as its two workers uploaded them:
	// one failure with a hostile message.
	for i := range 2 {
		name := fmt.Sprintf("xshard-worker-%d", i)
		junit := fmt.Sprintf(`<testsuite name="tests"><testcase classname="tests.test_shop" name="test_ok_%d" file="tests/test_shop.py" time="0.5"/>`, i)
		if i == 1 {
			junit += `<testcase classname="tests.test_shop" name="test_pay" file="tests/test_shop.py" line="41" time="0.2"><failure message="@octocat see #1 &lt;img src=x&gt;">boom</failure></testcase>`
		}
		junit += "</testsuite>\n"
		for f, content := range map[string]string{"junit.xml": junit, "xshard-timings-key": "test\n"} {
			p := filepath.Join(h.r.Artifacts.Dir, name, f)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		h.r.Artifacts.names = append(h.r.Artifacts.names, name)
	}

	event := map[string]any{
		"action": "completed",
		"workflow_run": map[string]any{
			"id": 99, "name": "test", "event": "pull_request", "conclusion": "failure",
			"head_sha": "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0", "head_branch": "patch-1",
			"pull_requests": []any{}, "head_repository": map[string]any{"owner": map[string]any{"login": "mallory"}},
		},
		"repository": map[string]any{"default_branch": "main"},
	}
	data, _ := json.Marshal(event)
	eventPath := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(eventPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	h.r.BaseEnv["GITHUB_EVENT_PATH"] = eventPath
	h.r.Github["event_name"] = "workflow_run"
	h.r.Github["event"] = event
	h.r.Github["workflow"] = "test report"
	h.r.Github["api_url"] = srv.URL

	res, err := h.r.RunWorkflow(wf)
	if err != nil {
		t.Fatal(err)
	}
	report := res.Runs("report")[0]
	if report.Conclusion != "success" {
		t.Fatalf("%s", jobDetail(report))
	}
	out := report.Steps["merge"].Outputs
	if out["exit-code"] != "0" || out["failed"] != "1" || out["check-run-url"] == "" || out["comment-url"] == "" {
		t.Errorf("merge outputs %v\n%s", out, jobDetail(report))
	}

	runs := srv.CheckRuns()
	if len(runs) != 1 || runs[0].HeadSHA != "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0" || runs[0].Conclusion != "failure" || len(runs[0].Annotations) != 1 {
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

	// No checkout, and nothing of the artifacts reaches the cache.
	if fileExists(filepath.Join(report.Workspace, "PR_CODE_MUST_NOT_RUN")) {
		t.Error("the recipe checked out the pull request")
	}
	var keys []string
	for _, k := range h.r.Cache.Keys() {
		if !strings.HasPrefix(k, "xshard-bin-") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) != 0 {
		t.Errorf("a workflow_run saved %q to the default branch's cache", keys)
	}
}

// TestActionBaselineFromTheDefaultBranch: a push to the default branch
// saves the merge's baseline.json in the cache; a pull request's merge with
// pr-comment restores it and its comment says what changed against it, and
// saves no baseline of its own.
func TestActionBaselineFromTheDefaultBranch(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"go", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	const token = "ghs_default_token"
	srv := ghfake.New(ghfake.Options{Token: token})
	t.Cleanup(srv.Close)
	h := newHarness(t, t.TempDir())
	h.r.Github["api_url"] = srv.URL
	artifacts := func(failing ...string) string {
		dir := t.TempDir()
		junit := `<testsuite name="tests"><testcase classname="tests.test_shop" name="test_ok" file="tests/test_shop.py" time="0.5"/>`
		for _, f := range failing {
			junit += `<testcase classname="tests.test_shop" name="` + f + `" file="tests/test_shop.py" line="3" time="0.2"><failure message="boom">boom</failure></testcase>`
		}
		junit += "</testsuite>\n"
		for f, content := range map[string]string{"xshard-worker-0/junit.xml": junit, "xshard-worker-0/xshard-timings-key": "test\n"} {
			p := filepath.Join(dir, f)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	event := func(v map[string]any) {
		h.r.Github["event"] = v
		data, _ := json.Marshal(v)
		p := filepath.Join(t.TempDir(), "event.json")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		h.r.BaseEnv["GITHUB_EVENT_PATH"] = p
	}
	repo := map[string]any{"default_branch": "main"}
	merge := map[string]string{"command": "merge", "pr-comment": "true", "fail-on": "never", "timings-cache": "false"}

	// A push to main, where test_gone fails.
	event(map[string]any{"repository": repo})
	merge["path"] = artifacts("test_gone")
	j, _, err := h.r.RunAction(repoRoot, merge, "report", 0, 1)
	if err != nil {
		t.Fatalf("%v\n%s", err, jobDetail(j))
	}
	want := "xshard-baseline-v1-test-test-1001-1"
	if keys := baselineKeys(h.r.Cache); len(keys) != 1 || keys[0] != want {
		t.Fatalf("baselines saved: %q, want %q", keys, want)
	}

	// A pull request, where test_new fails and test_gone is fixed.
	h.r.Github["event_name"], h.r.Github["ref"], h.r.Github["run_id"] = "pull_request", "refs/pull/5/merge", "1002"
	event(map[string]any{"number": 5, "pull_request": map[string]any{"number": 5, "head": map[string]any{"sha": "feedface"}}, "repository": repo})
	merge["path"] = artifacts("test_new")
	j, out, err := h.r.RunAction(repoRoot, merge, "report", 0, 1)
	if err != nil {
		t.Fatalf("%v\n%s", err, jobDetail(j))
	}
	if out["comment-url"] == "" {
		t.Errorf("outputs %v\n%s", out, jobDetail(j))
	}
	c := srv.Comments(5)
	if len(c) != 1 {
		t.Fatalf("comments %+v\n%s", c, jobDetail(j))
	}
	for _, w := range []string{"### 🔀 Against main at 0123456\n", "🆕 1 new failure · ✅ 1 fixed", "- `tests/test_shop.py::test_gone`"} {
		if !strings.Contains(c[0].Body, w) {
			t.Errorf("the comment lacks %q:\n%s", w, c[0].Body)
		}
	}
	if keys := baselineKeys(h.r.Cache); len(keys) != 1 {
		t.Errorf("the pull request saved a baseline: %q", keys)
	}
}

func baselineKeys(c *Cache) []string {
	var out []string
	for _, k := range c.Keys() {
		if strings.HasPrefix(k, "xshard-baseline-") {
			out = append(out, k)
		}
	}
	return out
}
