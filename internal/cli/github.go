package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xshard/xshard/internal/atomicfile"
	"github.com/xshard/xshard/internal/ghaction"
	"github.com/xshard/xshard/internal/ghreport"
	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/report"
	"github.com/xshard/xshard/internal/testid"
)

// githubConfig holds merge's flags for the reports it publishes through
// GitHub's REST API.
type githubConfig struct {
	channels    channelList
	commentMode *enumFlag
	name        string
	base        string
}

func (g *githubConfig) flags(fs *flag.FlagSet) {
	g.commentMode = newEnum(report.CommentAlways, report.CommentAlways, report.CommentFailures, report.CommentChanges)
	fs.Var(&g.channels, "github-report", "publish through GitHub's API: `check` (a check run), comment (a pull-request comment), or check,comment")
	fs.Var(g.commentMode, "comment-mode", "post the pull-request comment on every run (`always`), on failures only, or on changes against --base; an existing comment is always updated")
	fs.StringVar(&g.name, "report-name", "xshard", "the check run's `name`, the summary's title, and with the workflow's name what keys the comment")
	fs.StringVar(&g.base, "base", "", "compare with the baseline.json of an earlier merge in `file` (the default branch's), for the comment's changes and coverage delta; missing is fine")
}

// channelList is the --github-report flag: a comma-separated, repeatable
// set of check and comment.
type channelList struct{ check, comment bool }

func (l *channelList) String() string {
	var s []string
	if l.check {
		s = append(s, "check")
	}
	if l.comment {
		s = append(s, "comment")
	}
	return strings.Join(s, ",")
}

func (l *channelList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		switch strings.TrimSpace(p) {
		case "check":
			l.check = true
		case "comment":
			l.comment = true
		case "":
		default:
			return fmt.Errorf("%q: expected check, comment or check,comment", p)
		}
	}
	return nil
}

// BaselineFile is what merge writes for a later run to compare with.
const BaselineFile = "baseline.json"

const baselineSchema = "xshard.baseline/v1"

// baseline is the compact record of a run that a later run's comment
// compares with (docs/action.md, "Pull-request comment"): totals,
// coverage by kind and the failing test IDs.
type baseline struct {
	Schema         string                  `json:"schema"`
	Commit         string                  `json:"commit,omitempty"`
	Ref            string                  `json:"ref,omitempty"`
	Totals         baselineTotals          `json:"totals"`
	Coverage       []report.CoverageFigure `json:"coverage"`
	Failed         []string                `json:"failed"`
	FailedComplete bool                    `json:"failed_complete"`
}

type baselineTotals struct {
	Tests   int `json:"tests"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Errors  int `json:"errors"`
	Skipped int `json:"skipped"`
	Flaky   int `json:"flaky"`
}

// writeBaseline writes baseline.json into the report directory.
func writeBaseline(c *mergeConfig, res *merge.Result, env Env) error {
	t := res.Totals
	b := baseline{Schema: baselineSchema, Commit: env.Getenv("GITHUB_SHA"), Ref: env.Getenv("GITHUB_REF"),
		Totals:   baselineTotals{t.Tests, t.Passed, t.Failed, t.Errors, t.Skipped, t.Flaky},
		Coverage: []report.CoverageFigure{}, Failed: []string{}}
	if b.Commit == "" && res.Plan != nil {
		b.Commit = res.Plan.Commit
	}
	for _, cv := range res.Coverage {
		b.Coverage = append(b.Coverage, report.CoverageFigure{Kind: cv.Kind, Covered: cv.Covered, Total: cv.Total})
	}
	for i := range res.Failures {
		b.Failed = append(b.Failed, testid.Of(&res.Failures[i]).Test)
	}
	slices.Sort(b.Failed)
	b.Failed = slices.Compact(b.Failed)
	b.FailedComplete = t.Failed+t.Errors <= len(res.Failures)
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(c.out, BaselineFile), append(data, '\n'))
}

// readBase reads --base: nil without a file; an unreadable one is a
// warning, never a failed merge.
func readBase(path string) (*report.Base, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("--base: %w", err)
	}
	var b baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("--base: %s: %v", path, err)
	}
	if b.Schema != baselineSchema {
		return nil, fmt.Errorf("--base: %s: schema %q, expected %q (written by another version of xshard?)", path, b.Schema, baselineSchema)
	}
	label := strings.TrimPrefix(b.Ref, "refs/heads/")
	if c := b.Commit; len(c) >= 7 {
		if label != "" {
			label += " at "
		}
		label += c[:7]
	}
	slices.Sort(b.Failed)
	return &report.Base{
		Label:          label,
		Totals:         merge.Totals{Tests: b.Totals.Tests, Passed: b.Totals.Passed, Failed: b.Totals.Failed, Errors: b.Totals.Errors, Skipped: b.Totals.Skipped, Flaky: b.Totals.Flaky},
		Coverage:       b.Coverage,
		Failed:         b.Failed,
		FailedComplete: b.FailedComplete,
	}, nil
}

// githubTimeout bounds all the API calls of one merge.
const githubTimeout = 5 * time.Minute

// forkHelp is said when the token cannot write: what to do instead.
const forkHelp = "a pull request from a fork gets a read-only token (or the workflow's permissions lack checks: write and pull-requests: write). " +
	"The results are in the job summary and the report directory. To post the check run and the comment for forks, upload the artifacts " +
	"in this workflow and publish them from a second workflow on workflow_run: see \"Fork pull requests\" in docs/action.md (examples/workflows/report-fork.yml)"

// publishGitHub publishes the check run and the comment that
// --github-report asks for. Nothing here changes the exit code: a failure
// is a warning that names the API call and the status.
func publishGitHub(c *mergeConfig, res *merge.Result, env Env) {
	g := &c.github
	if !g.channels.check && !g.channels.comment {
		return
	}
	warn := func(format string, args ...any) { githubWarning(env, fmt.Sprintf(format, args...)) }
	var payload []byte
	if p := env.Getenv("GITHUB_EVENT_PATH"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			warn("GitHub reports not published: the event payload: %v", err)
			return
		}
		payload = data
	}
	target, err := ghreport.Resolve(ghreport.Env{
		Repository: env.Getenv("GITHUB_REPOSITORY"),
		SHA:        env.Getenv("GITHUB_SHA"),
		EventName:  env.Getenv("GITHUB_EVENT_NAME"),
		Workflow:   env.Getenv("GITHUB_WORKFLOW"),
		RunID:      env.Getenv("GITHUB_RUN_ID"),
	}, payload)
	if err != nil {
		warn("GitHub reports not published: %v (--github-report needs the GitHub Actions environment)", err)
		return
	}
	token := env.Getenv("GITHUB_TOKEN")
	if token == "" {
		token = env.Getenv("GH_TOKEN")
	}
	client, err := ghreport.New(ghreport.Config{APIURL: env.Getenv("GITHUB_API_URL"), Token: token, Sleep: env.Sleep, Now: env.Now})
	if err != nil {
		warn("GitHub reports not published: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), githubTimeout)
	defer cancel()
	opts := reportOptions(c, env, res)
	runURL := ""
	if server := env.Getenv("GITHUB_SERVER_URL"); server != "" && target.RunID > 0 {
		runURL = fmt.Sprintf("%s/%s/actions/runs/%d", strings.TrimSuffix(server, "/"), target.Repo, target.RunID)
	}
	readOnly := false
	failed := func(what string, err error) {
		if ghreport.ReadOnly(err) && !readOnly {
			// Said once: the other channel may still be allowed (a
			// token with pull-requests: write but not checks: write).
			readOnly = true
			warn("%s not published: the token cannot write to %s (%v): %s", what, target.Repo, err, forkHelp)
			return
		}
		warn("%s not published: %v", what, err)
	}
	var outputs [][2]string
	checkURL := ""
	if g.channels.check {
		list, omitted := report.CheckAnnotations(res, opts, 0)
		title := report.CheckTitle(res)
		check := ghreport.Check{
			Name: g.name, HeadSHA: target.HeadSHA, Conclusion: report.Conclusion(res),
			Title: title, Summary: report.CheckSummary(res, opts, title, len(list), omitted),
			Annotations: list, DetailsURL: runURL, CompletedAt: env.Now(),
		}
		// The run that publishes, its attempt and the report name:
		// what tells this check run from another workflow's of the
		// same name when a failed create is looked for.
		if id := env.Getenv("GITHUB_RUN_ID"); id != "" {
			attempt := env.Getenv("GITHUB_RUN_ATTEMPT")
			if attempt == "" {
				attempt = "1"
			}
			check.ExternalID = fmt.Sprintf("xshard/%s/%s/%s", id, attempt, g.name)
		}
		r, err := client.PublishCheck(ctx, target.Repo, check)
		if err != nil {
			failed(fmt.Sprintf("check run %q", g.name), err)
		} else {
			checkURL = r.HTMLURL
			fmt.Fprintf(env.Stderr, "merge: check run %q on %.12s: %s, %s in %s\n", g.name, target.HeadSHA, check.Conclusion,
				countOf(r.Annotations, "annotation"), countOf(r.Requests, "request"))
			outputs = append(outputs, [2]string{"check-run-url", r.HTMLURL})
		}
	}
	if g.channels.comment {
		if url, ok := publishComment(ctx, client, c, res, env, target, opts, runURL, checkURL, warn, failed); ok {
			outputs = append(outputs, [2]string{"comment-url", url})
		}
	}
	if ghaction.Active(env.Getenv) && env.Getenv("GITHUB_OUTPUT") != "" {
		gh := ghaction.New(env.Stdout, env.Getenv)
		for _, o := range outputs {
			if err := gh.SetOutput(o[0], o[1]); err != nil {
				warn("step output %s: %v", o[0], err)
			}
		}
	}
}

func publishComment(ctx context.Context, client *ghreport.Client, c *mergeConfig, res *merge.Result, env Env, target ghreport.Target,
	opts report.Options, runURL, checkURL string, warn func(string, ...any), failed func(string, error)) (string, bool) {
	g := &c.github
	pr := target.PR
	if pr == 0 && target.LookupPR {
		n, err := client.FindPullRequest(ctx, target.Repo, target.HeadOwner, target.HeadBranch, target.HeadSHA)
		if err != nil {
			failed("pull-request comment", err)
			return "", false
		}
		pr = n
	}
	if pr == 0 {
		fmt.Fprintf(env.Stderr, "merge: no pull request for this run (event %q): no comment\n", env.Getenv("GITHUB_EVENT_NAME"))
		return "", false
	}
	base, err := readBase(g.base)
	if err != nil {
		warn("%v: the comment compares with nothing", err)
	}
	// The default branch's run when there is one, else what the run
	// history (--history) says.
	changes := report.Compare(res, base)
	if changes == nil {
		changes = report.HistoryChanges(res)
	}
	marker := ghreport.Marker(target.Workflow, g.name)
	body := report.Comment(res, opts, report.CommentOptions{Marker: marker, Base: base, Changes: changes, RunURL: runURL, CheckURL: checkURL})
	create := report.CommentWanted(g.commentMode.value, res, base, changes)
	r, err := client.UpsertComment(ctx, target.Repo, pr, marker, body, create)
	removed := ""
	if r.Removed > 0 {
		removed = ", " + countOf(r.Removed, "duplicate") + " of it deleted"
	}
	switch {
	case err != nil && r.ID == 0:
		failed(fmt.Sprintf("comment on pull request #%d", pr), err)
		return "", false
	case err != nil:
		// Posted, but a duplicate that a concurrent merge made is left.
		warn("comment on pull request #%d posted, but %v", pr, err)
	case r.Created:
		fmt.Fprintf(env.Stderr, "merge: comment on pull request #%d created (%s bytes)%s\n", pr, strconv.Itoa(len(body)), removed)
	case r.Updated:
		fmt.Fprintf(env.Stderr, "merge: comment on pull request #%d updated (%s bytes)%s\n", pr, strconv.Itoa(len(body)), removed)
	default:
		fmt.Fprintf(env.Stderr, "merge: no comment on pull request #%d: comment-mode %s and nothing to say\n", pr, g.commentMode.value)
		return "", false
	}
	return r.HTMLURL, true
}

// githubWarning prints a warning about publishing: in GitHub Actions as a
// ::warning command (escaped), else on stderr.
func githubWarning(env Env, msg string) {
	if ghaction.Active(env.Getenv) {
		report.WriteAnnotations(env.Stdout, []report.Annotation{{Level: report.LevelWarning, Title: "xshard: GitHub report", Message: msg}})
		return
	}
	fmt.Fprintf(env.Stderr, "merge: warning: %s\n", msg)
}

func countOf(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}
