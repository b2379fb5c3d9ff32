package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/xshard/xshard/internal/ghfake"
	"github.com/xshard/xshard/internal/ghreport"
)

// ghRun is one in-process merge against the GitHub fake.
type ghRun struct {
	t      *testing.T
	dir    string
	srv    *ghfake.Server
	vars   map[string]string
	slept  []time.Duration
	stdout bytes.Buffer
	stderr bytes.Buffer
}

// newGHRun makes a working directory with artifacts/ and a fake, and the
// environment of a GitHub Actions step on a pull_request event.
func newGHRun(t *testing.T) *ghRun {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	srv := ghfake.New(ghfake.Options{Prefix: "/api/v3"})
	t.Cleanup(srv.Close)
	r := &ghRun{t: t, dir: dir, srv: srv, vars: map[string]string{
		"GITHUB_API_URL":    srv.URL,
		"GITHUB_SERVER_URL": "https://ghe.example",
		"GITHUB_TOKEN":      srv.Token,
		"GITHUB_REPOSITORY": "octo/shop",
		"GITHUB_SHA":        "merge-commit-sha",
		"GITHUB_REF":        "refs/pull/12/merge",
		"GITHUB_EVENT_NAME": "pull_request",
		"GITHUB_WORKFLOW":   "CI",
		"GITHUB_RUN_ID":     "4242",
	}}
	r.event(`{"number": 12, "pull_request": {"number": 12, "head": {"sha": "head-sha"}}}`)
	return r
}

func (r *ghRun) event(payload string) {
	p := filepath.Join(r.dir, "event.json")
	if err := os.WriteFile(p, []byte(payload), 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.vars["GITHUB_EVENT_PATH"] = p
}

func (r *ghRun) write(name, content string) {
	p := filepath.Join(r.dir, name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// merge runs the merge command in process and returns its exit code.
func (r *ghRun) merge(args ...string) int {
	r.stdout.Reset()
	r.stderr.Reset()
	env := Env{
		Stdin: strings.NewReader(""), Stdout: &r.stdout, Stderr: &r.stderr,
		Getenv:  func(k string) string { return r.vars[k] },
		Environ: func() []string { return nil },
		Now:     func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) },
		Sleep: func(_ context.Context, d time.Duration) error {
			r.slept = append(r.slept, d)
			return nil
		},
	}
	return Merge(args, env)
}

// junit returns a JUnit file with failing and passing test cases.
func junit(failing, passing int, name func(i int) string, message func(i int) string) string {
	var b strings.Builder
	b.WriteString("<testsuite name=\"shop\">\n")
	for i := range failing {
		fmt.Fprintf(&b, "<testcase classname=\"tests.test_shop\" name=\"%s\" file=\"tests/test_shop.py\" line=\"%d\" time=\"0.1\"><failure message=\"%s\">trace %d</failure></testcase>\n",
			xmlEscape(name(i)), 10+i, xmlEscape(message(i)), i)
	}
	for i := range passing {
		fmt.Fprintf(&b, "<testcase classname=\"tests.test_shop\" name=\"test_ok_%d\" file=\"tests/test_shop.py\" time=\"0.1\"/>\n", i)
	}
	b.WriteString("</testsuite>\n")
	return b.String()
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\n':
			b.WriteString("&#10;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func numbered(prefix string) func(int) string {
	return func(i int) string { return fmt.Sprintf("%s%d", prefix, i) }
}

func requestLines(srv *ghfake.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		l := r.Method + " " + r.Path
		if r.Query != "" {
			l += "?" + r.Query
		}
		out = append(out, fmt.Sprintf("%s -> %d", l, r.Status))
	}
	return out
}

func TestMergeGitHubReportOnAPullRequest(t *testing.T) {
	r := newGHRun(t)
	r.write("artifacts/gw0/junit.xml", junit(60, 5, numbered("test_broken_"), numbered("assert ")))
	code := r.merge("--github-report", "check,comment", "--expect", "1", "artifacts")
	if code != ExitFailures {
		t.Fatalf("exit %d, want %d (failures); stderr:\n%s", code, ExitFailures, r.stderr.String())
	}
	runs := r.srv.CheckRuns()
	if len(runs) != 1 {
		t.Fatalf("%d check runs", len(runs))
	}
	cr := runs[0]
	if cr.Name != "xshard" || cr.HeadSHA != "head-sha" || cr.Status != "completed" || cr.Conclusion != "failure" ||
		cr.Title != "60 tests failed of 65" || len(cr.Annotations) != 60 || cr.Requests != 2 {
		t.Errorf("check run = %+v", cr)
	}
	if a := cr.Annotations[0]; a.Path != "tests/test_shop.py" || a.StartLine != 10 || a.AnnotationLevel != "failure" {
		t.Errorf("first annotation = %+v", a)
	}
	comments := r.srv.Comments(12)
	if len(comments) != 1 || !strings.HasPrefix(comments[0].Body, ghreport.Marker("CI", "xshard")+"\n## ❌ xshard: 60 tests failed of 65") {
		t.Fatalf("comments = %+v", comments)
	}
	if !strings.Contains(comments[0].Body, "[Workflow run and full report](https://ghe.example/octo/shop/actions/runs/4242)") {
		t.Errorf("the comment does not link the run:\n%s", comments[0].Body)
	}
	want := []string{
		"POST /repos/octo/shop/check-runs -> 201",
		fmt.Sprintf("PATCH /repos/octo/shop/check-runs/%d -> 200", cr.ID),
		"GET /repos/octo/shop/issues/12/comments?per_page=100 -> 200",
		"POST /repos/octo/shop/issues/12/comments -> 201",
		// Listed again: another merge may have created one meanwhile.
		"GET /repos/octo/shop/issues/12/comments?per_page=100 -> 200",
	}
	if diff := cmp.Diff(want, requestLines(r.srv)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for _, f := range []string{"summary.md", "report.html", "junit.xml", BaselineFile} {
		if _, err := os.Stat(filepath.Join("xshard-report", f)); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(r.stderr.String(), "merge: check run \"xshard\" on head-sha: failure, 60 annotations in 2 requests\n") ||
		!strings.Contains(r.stderr.String(), "merge: comment on pull request #12 created") {
		t.Errorf("stderr:\n%s", r.stderr.String())
	}

	// The next push: the comment is found and updated, not repeated.
	r.write("artifacts/gw0/junit.xml", junit(1, 64, numbered("test_broken_"), numbered("assert ")))
	if code := r.merge("--github-report", "check,comment", "--expect", "1", "artifacts"); code != ExitFailures {
		t.Fatalf("exit %d", code)
	}
	comments = r.srv.Comments(12)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "1 test failed of 65") {
		t.Errorf("after the second run: %+v", comments)
	}
}

func TestMergeGitHubReportWithBase(t *testing.T) {
	r := newGHRun(t)
	r.write("artifacts/gw0/junit.xml", junit(2, 8, numbered("test_broken_"), numbered("assert ")))
	r.write("base/baseline.json", `{"schema": "xshard.baseline/v1", "commit": "0123456789abcdef", "ref": "refs/heads/main",
		"totals": {"tests": 9, "passed": 8, "failed": 1}, "coverage": [], "failed": ["tests/test_shop.py::test_broken_0", "tests/test_shop.py::test_gone"], "failed_complete": true}`)
	r.merge("--github-report", "comment", "--base", "base/baseline.json", "artifacts")
	comments := r.srv.Comments(12)
	if len(comments) != 1 {
		t.Fatalf("comments: %+v\n%s", comments, r.stderr.String())
	}
	for _, want := range []string{
		"### 🔀 Against main at 0123456\n\n🆕 1 new failure · ✅ 1 fixed · ❌ 1 still failing · +1 tests\n",
		"- 🆕 `tests/test_shop.py::test_broken_1` failed",
		"### ✅ Fixed (1)\n\n- `tests/test_shop.py::test_gone`\n",
	} {
		if !strings.Contains(comments[0].Body, want) {
			t.Errorf("the comment lacks %q:\n%s", want, comments[0].Body)
		}
	}
	// The baseline this run wrote reads back as a base.
	b, err := readBase(filepath.Join("xshard-report", BaselineFile))
	if err != nil || b.Totals.Tests != 10 || len(b.Failed) != 2 || !b.FailedComplete {
		t.Errorf("baseline = %+v, %v", b, err)
	}
}

func TestMergeGitHubCommentModes(t *testing.T) {
	for _, tt := range []struct {
		mode    string
		failing int
		want    int // comments after the run
	}{
		{"always", 0, 1},
		{"failures", 0, 0},
		{"failures", 1, 1},
		{"changes", 0, 0},
	} {
		t.Run(fmt.Sprintf("%s with %d failing", tt.mode, tt.failing), func(t *testing.T) {
			r := newGHRun(t)
			r.write("artifacts/gw0/junit.xml", junit(tt.failing, 3, numbered("test_broken_"), numbered("assert ")))
			r.merge("--github-report", "comment", "--comment-mode", tt.mode, "--expect", "1", "artifacts")
			if n := len(r.srv.Comments(12)); n != tt.want {
				t.Errorf("%d comments, want %d; stderr:\n%s", n, tt.want, r.stderr.String())
			}
		})
	}
	// A green run updates the comment an earlier red run left.
	r := newGHRun(t)
	r.write("artifacts/gw0/junit.xml", junit(1, 3, numbered("test_broken_"), numbered("assert ")))
	r.merge("--github-report", "comment", "--comment-mode", "failures", "--expect", "1", "artifacts")
	r.write("artifacts/gw0/junit.xml", junit(0, 4, numbered("test_broken_"), numbered("assert ")))
	r.merge("--github-report", "comment", "--comment-mode", "failures", "--expect", "1", "artifacts")
	if c := r.srv.Comments(12); len(c) != 1 || !strings.Contains(c[0].Body, "## ✅ xshard: all 4 tests passed") {
		t.Errorf("comments = %+v", c)
	}
}

// A fork's read-only token: the merge's verdict and report stand, and the
// warning says how to set up the workflow_run recipe.
func TestMergeGitHubReportReadOnlyToken(t *testing.T) {
	for _, actions := range []bool{false, true} {
		t.Run(fmt.Sprintf("GITHUB_ACTIONS=%v", actions), func(t *testing.T) {
			r := newGHRun(t)
			r.srv.ReadOnly = true
			if actions {
				r.vars["GITHUB_ACTIONS"] = "true"
				r.vars["GITHUB_OUTPUT"] = filepath.Join(r.dir, "output")
				r.vars["GITHUB_STEP_SUMMARY"] = filepath.Join(r.dir, "summary")
			}
			r.write("artifacts/gw0/junit.xml", junit(3, 3, numbered("test_broken_"), numbered("assert ")))
			code := r.merge("--github-report", "check,comment", "--expect", "1", "artifacts")
			if code != ExitFailures {
				t.Errorf("exit %d, want %d", code, ExitFailures)
			}
			want := []string{
				"POST /repos/octo/shop/check-runs -> 403",
				"GET /repos/octo/shop/issues/12/comments?per_page=100 -> 200",
				"POST /repos/octo/shop/issues/12/comments -> 403",
			}
			if diff := cmp.Diff(want, requestLines(r.srv)); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			out := r.stderr.String()
			if actions {
				out = r.stdout.String()
			}
			for _, w := range []string{
				"check run \"xshard\" not published: the token cannot write to octo/shop (create check run (POST /repos/octo/shop/check-runs): 403 Forbidden: Resource not accessible by integration)",
				"a pull request from a fork gets a read-only token",
				"examples/workflows/report-fork.yml",
				"comment on pull request #12 not published: create pull request comment (POST /repos/octo/shop/issues/12/comments): 403 Forbidden: Resource not accessible by integration",
			} {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Count(out, "read-only token") != 1 {
				t.Errorf("the recipe's help is not said once:\n%s", out)
			}
			if actions && !regexp.MustCompile(`(?m)^::warning title=xshard%3A GitHub report::check run "xshard" not published`).MatchString(out) {
				t.Errorf("no ::warning command:\n%s", out)
			}
			if _, err := os.Stat("xshard-report/summary.md"); err != nil {
				t.Error(err)
			}
		})
	}
}

// Server errors: retried, then given up with a warning naming the call;
// the exit code is the merge's.
func TestMergeGitHubReportServerErrors(t *testing.T) {
	r := newGHRun(t)
	var faults []ghfake.Fault
	for range 5 {
		faults = append(faults, ghfake.Fault{Status: 502, Body: `{"message":"Server Error"}`})
	}
	r.srv.Fail(ghfake.RouteCreateCheck, faults...)
	r.srv.Fail(ghfake.RouteListComments, ghfake.Fault{Status: 429, Header: map[string]string{"Retry-After": "3"}})
	r.write("artifacts/gw0/junit.xml", junit(0, 3, numbered("t"), numbered("m")))
	if code := r.merge("--github-report", "check,comment", "--expect", "1", "artifacts"); code != ExitOK {
		t.Errorf("exit %d, want 0: publishing does not change the verdict", code)
	}
	if !strings.Contains(r.stderr.String(), "merge: warning: check run \"xshard\" not published: create check run (POST /repos/octo/shop/check-runs): 502 Bad Gateway: Server Error\n") {
		t.Errorf("stderr:\n%s", r.stderr.String())
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 3 * time.Second}
	if diff := cmp.Diff(want, r.slept); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if n := len(r.srv.Comments(12)); n != 1 {
		t.Errorf("%d comments: the comment goes on after the check run failed", n)
	}
	// Before each new attempt, the check runs of the name are looked
	// up: a 502 may come after GitHub created the run.
	want502 := "POST /repos/octo/shop/check-runs -> 502"
	list := "GET /repos/octo/shop/commits/head-sha/check-runs?check_name=xshard&filter=all&per_page=100 -> 200"
	wantLines := []string{want502, list, want502, list, want502, list, want502, list, want502,
		"GET /repos/octo/shop/issues/12/comments?per_page=100 -> 429",
		"GET /repos/octo/shop/issues/12/comments?per_page=100 -> 200",
		"POST /repos/octo/shop/issues/12/comments -> 201",
		"GET /repos/octo/shop/issues/12/comments?per_page=100 -> 200",
	}
	if diff := cmp.Diff(wantLines, requestLines(r.srv)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// A create that GitHub served but answered 502: merge finds the check run
// by its external ID (run, attempt, report name) and updates it; one check
// run, no warning.
func TestMergeGitHubReportCheckCreatedDespite502(t *testing.T) {
	r := newGHRun(t)
	r.vars["GITHUB_RUN_ATTEMPT"] = "2"
	r.srv.Fail(ghfake.RouteCreateCheck, ghfake.Fault{Status: 502, Body: `{"message":"Server Error"}`, Served: true})
	r.write("artifacts/gw0/junit.xml", junit(60, 5, numbered("t"), numbered("m")))
	if code := r.merge("--github-report", "check", "--expect", "1", "artifacts"); code != ExitFailures {
		t.Errorf("exit %d, want %d", code, ExitFailures)
	}
	if strings.Contains(r.stderr.String(), "warning") {
		t.Errorf("stderr:\n%s", r.stderr.String())
	}
	runs := r.srv.CheckRuns()
	if len(runs) != 1 || runs[0].ExternalID != "xshard/4242/2/xshard" || len(runs[0].Annotations) != 60 {
		t.Fatalf("check runs: %+v", runs)
	}
	want := []string{"POST /repos/octo/shop/check-runs -> 502",
		"GET /repos/octo/shop/commits/head-sha/check-runs?check_name=xshard&filter=all&per_page=100 -> 200",
		fmt.Sprintf("PATCH /repos/octo/shop/check-runs/%d -> 200", runs[0].ID)}
	if diff := cmp.Diff(want, requestLines(r.srv)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// The fork recipe: a workflow_run event, its pull request found by head.
func TestMergeGitHubReportOnWorkflowRun(t *testing.T) {
	r := newGHRun(t)
	r.vars["GITHUB_EVENT_NAME"] = "workflow_run"
	r.vars["GITHUB_WORKFLOW"] = "Report"
	r.vars["GITHUB_SHA"] = "default-branch-sha"
	r.event(`{"workflow_run": {"id": 99, "name": "CI", "event": "pull_request", "head_sha": "fork-head", "head_branch": "patch-1",
		"pull_requests": [], "head_repository": {"owner": {"login": "mallory"}}}}`)
	r.srv.AddPull(ghfake.Pull{Number: 31, State: "open", HeadOwner: "mallory", HeadBranch: "patch-1", HeadSHA: "fork-head"})
	r.write("artifacts/xshard-0/junit.xml", junit(1, 1, numbered("test_x"), numbered("m")))
	r.merge("--github-report", "check,comment", "artifacts")
	if runs := r.srv.CheckRuns(); len(runs) != 1 || runs[0].HeadSHA != "fork-head" {
		t.Errorf("check runs = %+v", runs)
	}
	c := r.srv.Comments(31)
	if len(c) != 1 || !strings.HasPrefix(c[0].Body, ghreport.Marker("CI", "xshard")) {
		t.Fatalf("comments = %+v; stderr:\n%s", c, r.stderr.String())
	}
	if !strings.Contains(c[0].Body, "(https://ghe.example/octo/shop/actions/runs/99)") {
		t.Errorf("the comment does not link the triggering run:\n%s", c[0].Body)
	}
}

// A run of 50,000 failures through the merge command: every request is
// within GitHub's limits (the fake refuses any that is not).
func TestMergeGitHubReportFiftyThousandFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("merges 50,000 failures")
	}
	r := newGHRun(t)
	long := strings.Repeat("boom ", 200)
	huge := strings.Repeat("é", 60_000) // 120 KB on one line: over GitHub's 64 KB for a message
	name := func(i int) string {
		if i%1000 == 1 {
			return fmt.Sprintf("test_fail_%d_%s", i, strings.Repeat("ü", 300)) // a title over 255 characters
		}
		return fmt.Sprintf("test_fail_@octocat_#1_%d", i)
	}
	message := func(i int) string {
		if i%1000 == 0 {
			return huge
		}
		return long
	}
	r.write("artifacts/gw0/junit.xml", junit(50_000, 10, name, message))
	code := r.merge("--github-report", "check,comment", "--expect", "1", "artifacts")
	if code != ExitFailures || strings.Contains(r.stderr.String(), "not published") {
		t.Fatalf("exit %d; stderr:\n%s", code, r.stderr.String())
	}
	runs := r.srv.CheckRuns()
	if len(runs) != 1 || len(runs[0].Annotations) != 1000 || runs[0].Requests != 20 {
		t.Fatalf("check run: %d annotations in %d requests", len(runs[0].Annotations), runs[0].Requests)
	}
	if n := utf8.RuneCountInString(runs[0].Title) + utf8.RuneCountInString(runs[0].Summary); n > 65535 {
		t.Errorf("title and summary: %d characters", n)
	}
	longTitles, hugeMessages := 0, 0
	for _, a := range runs[0].Annotations {
		if utf8.RuneCountInString(a.Title) > 255 || len(a.Message) > 64<<10 {
			t.Fatalf("annotation over GitHub's limits: title %d characters, message %d bytes", utf8.RuneCountInString(a.Title), len(a.Message))
		}
		if strings.Contains(a.Title, "üüü") {
			longTitles++
		}
		if strings.Contains(a.Message, "ééé") {
			hugeMessages++
		}
	}
	if longTitles == 0 || hugeMessages == 0 {
		t.Errorf("%d long titles and %d huge messages among the annotations sent: the limits were not tried", longTitles, hugeMessages)
	}
	if !strings.Contains(runs[0].Summary, "49,000 annotations were left out") {
		t.Error("the summary does not say how many annotations were left out")
	}
	c := r.srv.Comments(12)
	if len(c) != 1 || len(c[0].Body) > 65000 {
		t.Fatalf("comment: %d", len(c))
	}
	t.Logf("check run: %d requests, %d annotations, title+summary %d characters; comment %d bytes; %d requests in all",
		runs[0].Requests, len(runs[0].Annotations), utf8.RuneCountInString(runs[0].Title)+utf8.RuneCountInString(runs[0].Summary),
		len(c[0].Body), len(r.srv.Requests()))
	// Exactly: the check run created with 50 annotations and 19 updates
	// of 50, then the comment looked for, created and looked for again.
	want := []string{"POST /repos/octo/shop/check-runs -> 201"}
	for range 19 {
		want = append(want, fmt.Sprintf("PATCH /repos/octo/shop/check-runs/%d -> 200", runs[0].ID))
	}
	want = append(want, "GET /repos/octo/shop/issues/12/comments?per_page=100 -> 200", "POST /repos/octo/shop/issues/12/comments -> 201",
		"GET /repos/octo/shop/issues/12/comments?per_page=100 -> 200")
	if diff := cmp.Diff(want, requestLines(r.srv)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	for i, req := range r.srv.Requests() {
		if req.Route != ghfake.RouteCreateCheck && req.Route != ghfake.RouteUpdateCheck {
			continue
		}
		var b struct {
			Output struct {
				Annotations []json.RawMessage `json:"annotations"`
			} `json:"output"`
		}
		if err := json.Unmarshal(req.Body, &b); err != nil || len(b.Output.Annotations) != 50 {
			t.Errorf("request %d: %d annotations, %v; want 50", i, len(b.Output.Annotations), err)
		}
	}
}

// Hostile test names and messages reach GitHub escaped: in the Markdown of
// the check run and the comment, outside code, no mention, issue
// reference, link, HTML or workflow command.
func TestMergeGitHubReportInjection(t *testing.T) {
	r := newGHRun(t)
	name := func(i int) string {
		return fmt.Sprintf("test_%d @octocat #12 <img src=x> | x | [a](https://evil.example)", i)
	}
	msg := func(int) string {
		return "@octocat please see #123 and GH-4\n<script>alert(1)</script>\n::set-output name=x::y\n| a | b |\n|---|---|\nhttps://evil.example/phish www.evil.example"
	}
	r.write("artifacts/gw0/junit.xml", junit(3, 1, name, msg))
	r.merge("--github-report", "check,comment", "--expect", "1", "artifacts")
	var bodies []string
	for _, req := range r.srv.Requests() {
		var v struct {
			Body   string `json:"body"`
			Output struct {
				Title   string `json:"title"`
				Summary string `json:"summary"`
			} `json:"output"`
		}
		if len(req.Body) > 0 {
			if err := json.Unmarshal(req.Body, &v); err != nil {
				t.Fatal(err)
			}
			bodies = append(bodies, v.Body, v.Output.Summary, v.Output.Title)
		}
	}
	if len(bodies) < 3 {
		t.Fatalf("%d bodies", len(bodies))
	}
	// Annotations are plain text to GitHub: they go as the test wrote
	// them, unescaped (an escape would show).
	for _, cr := range r.srv.CheckRuns() {
		for _, a := range cr.Annotations {
			if !strings.HasPrefix(a.Message, msg(0)) || !strings.Contains(a.Title, "@octocat #12 <img src=x>") {
				t.Errorf("annotation %+v: want the test's own text", a)
			}
		}
		if len(cr.Annotations) != 3 {
			t.Errorf("%d annotations, want 3", len(cr.Annotations))
		}
	}
	bad := regexp.MustCompile(`(?m)@octocat|#1[23]|GH-4|<img|<script|^::|[^\\]\| a \||https?://evil|www\.evil|\]\(https://evil`)
	for _, b := range bodies {
		text := stripCode(b)
		if m := bad.FindString(text); m != "" {
			t.Errorf("%q outside code in:\n%s", m, text)
		}
	}
}

// stripCode removes fenced code blocks and code spans from Markdown.
func stripCode(md string) string {
	var b strings.Builder
	fence := ""
	for line := range strings.Lines(md) {
		t := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(t, fence) && strings.Trim(t, "`") == "" {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(t, "```") {
			fence = t[:len(t)-len(strings.TrimLeft(t, "`"))]
			continue
		}
		b.WriteString(line)
	}
	s, out := b.String(), strings.Builder{}
	for i := 0; i < len(s); {
		if s[i] != '`' || i > 0 && s[i-1] == '\\' {
			out.WriteByte(s[i])
			i++
			continue
		}
		n := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
		end := strings.Index(s[i+n:], s[i:i+n])
		if end < 0 {
			out.WriteString(s[i : i+n])
			i += n
			continue
		}
		i += n + end + n
	}
	return out.String()
}

func TestMergeGitHubReportFlagErrors(t *testing.T) {
	r := newGHRun(t)
	if code := r.merge("--github-report", "checks", "artifacts"); code != ExitInput ||
		r.stderr.String() != "merge: invalid value \"checks\" for flag -github-report: \"checks\": expected check, comment or check,comment\nRun 'merge -h' for usage.\n" {
		t.Errorf("exit %d, stderr %q", code, r.stderr.String())
	}
	// Without a token: a warning, and the merge's own verdict.
	delete(r.vars, "GITHUB_TOKEN")
	r.write("artifacts/gw0/junit.xml", junit(0, 1, numbered("t"), numbered("m")))
	if code := r.merge("--github-report", "check", "--expect", "1", "artifacts"); code != ExitOK ||
		!strings.Contains(r.stderr.String(), "merge: warning: GitHub reports not published: no token: set GITHUB_TOKEN") {
		t.Errorf("exit %d, stderr:\n%s", code, r.stderr.String())
	}
}

// fakes holds each script's GitHub fake.
var fakes sync.Map // *testscript.TestScript -> *ghfake.Server

// ghfakeCmd is the scripts' GitHub fake:
//
//	ghfake start [readonly]   start it; sets GITHUB_API_URL and GITHUB_TOKEN
//	ghfake requests           print the requests received, one a line
//	ghfake checks             print the check runs
//	ghfake comments N         print the bodies of the comments on N
func ghfakeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: ghfake start [readonly] | requests | checks | comments N")
	}
	if args[0] == "start" {
		srv := ghfake.New(ghfake.Options{})
		srv.ReadOnly = len(args) > 1 && args[1] == "readonly"
		fakes.Store(ts, srv)
		ts.Defer(srv.Close)
		ts.Setenv("GITHUB_API_URL", srv.URL)
		ts.Setenv("GITHUB_TOKEN", srv.Token)
		return
	}
	v, ok := fakes.Load(ts)
	if !ok {
		ts.Fatalf("ghfake start first")
	}
	srv := v.(*ghfake.Server)
	switch args[0] {
	case "requests":
		for _, l := range requestLines(srv) {
			fmt.Fprintln(ts.Stdout(), l)
		}
	case "checks":
		for _, c := range srv.CheckRuns() {
			fmt.Fprintf(ts.Stdout(), "%s on %s: %s %s: %q, %d annotations\n", c.Name, c.HeadSHA, c.Status, c.Conclusion, c.Title, len(c.Annotations))
			for _, a := range c.Annotations {
				fmt.Fprintf(ts.Stdout(), "  %s %s:%d %q\n", a.AnnotationLevel, a.Path, a.StartLine, a.Title)
			}
		}
	case "comments":
		n, _ := strconv.Atoi(args[len(args)-1])
		for _, c := range srv.Comments(n) {
			fmt.Fprintf(ts.Stdout(), "comment %d by %s:\n%s\n", c.ID, c.User, c.Body)
		}
	default:
		ts.Fatalf("ghfake: unknown %q", args[0])
	}
}

// A token that may comment but not create check runs (permissions with
// pull-requests: write only): the comment is still posted.
func TestMergeGitHubReportCommentWithoutChecksPermission(t *testing.T) {
	r := newGHRun(t)
	r.srv.Fail(ghfake.RouteCreateCheck, ghfake.Fault{Status: 403, Body: `{"message":"Resource not accessible by integration"}`})
	r.write("artifacts/gw0/junit.xml", junit(1, 1, numbered("t"), numbered("m")))
	if code := r.merge("--github-report", "check,comment", "--expect", "1", "artifacts"); code != ExitFailures {
		t.Errorf("exit %d", code)
	}
	if n := len(r.srv.Comments(12)); n != 1 {
		t.Errorf("%d comments, want 1; stderr:\n%s", n, r.stderr.String())
	}
	if !strings.Contains(r.stderr.String(), "check run \"xshard\" not published: the token cannot write to octo/shop") {
		t.Errorf("stderr:\n%s", r.stderr.String())
	}
}

// Another merge of the same workflow and report name creates its comment
// while this one runs: the two converge on the older comment, and the
// merge says it deleted its duplicate.
func TestMergeGitHubCommentConverges(t *testing.T) {
	r := newGHRun(t)
	var other int64
	r.srv.After(ghfake.RouteListComments, func() {
		other = r.srv.AddComment(12, "github-actions[bot]", "Bot", ghreport.Marker("CI", "xshard")+"\nthe other merge")
	})
	r.write("artifacts/gw0/junit.xml", junit(1, 1, numbered("t"), numbered("m")))
	if code := r.merge("--github-report", "comment", "--expect", "1", "artifacts"); code != ExitFailures {
		t.Errorf("exit %d", code)
	}
	c := r.srv.Comments(12)
	if len(c) != 1 || c[0].ID != other || !strings.Contains(c[0].Body, "1 test failed of 2") {
		t.Errorf("comments = %+v, want the other merge's, with this run's body", c)
	}
	if !regexp.MustCompile(`(?m)^merge: comment on pull request #12 updated \(\d+ bytes\), 1 duplicate of it deleted$`).MatchString(r.stderr.String()) {
		t.Errorf("stderr:\n%s", r.stderr.String())
	}
}

// With merge --history and no base, the comment says what changed against
// the recent runs.
func TestMergeGitHubCommentFromHistory(t *testing.T) {
	r := newGHRun(t)
	r.write("artifacts/gw0/junit.xml", junit(1, 2, numbered("test_a"), numbered("m")))
	r.merge("--history", "history.json", "--expect", "1", "artifacts")
	// As the action carries it: the history merge wrote, restored.
	h, err := os.ReadFile(filepath.Join("xshard-report", "history.json"))
	if err != nil {
		t.Fatal(err)
	}
	r.write("history.json", string(h))
	r.write("artifacts/gw0/junit.xml", junit(0, 2, numbered("test_a"), numbered("m")))
	r.write("artifacts/gw0/b.xml", junit(1, 0, numbered("test_b"), numbered("m")))
	r.write("artifacts/gw0/a.xml", `<testsuite name="shop"><testcase classname="tests.test_shop" name="test_a0" file="tests/test_shop.py" time="0.1"/></testsuite>`)
	r.merge("--history", "history.json", "--github-report", "comment", "--comment-mode", "changes", "--expect", "1", "artifacts")
	c := r.srv.Comments(12)
	if len(c) != 1 {
		t.Fatalf("comments %+v\n%s", c, r.stderr.String())
	}
	for _, w := range []string{"### 🔀 Against the last 1 run\n\n🆕 1 new failure · ✅ 1 fixed · ❌ 0 still failing\n",
		"- 🆕 `tests/test_shop.py::test_b0` failed", "### ✅ Fixed (1)\n\n- `tests/test_shop.py::test_a0`\n"} {
		if !strings.Contains(c[0].Body, w) {
			t.Errorf("the comment lacks %q:\n%s", w, c[0].Body)
		}
	}
}
