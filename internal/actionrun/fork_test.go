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
