package ghreport

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/xshard/xshard/internal/report"
)

// AnnotationsPerRequest is the most annotations GitHub takes in one check
// run request; more go in later updates, which append.
const AnnotationsPerRequest = 50

// NoFilePath is where an annotation without a file of its own is put (an
// input error, a missing worker, a failure whose trace names no file):
// GitHub requires a path, and .github is in every repository that uses
// Actions. It shows in the check run, not on the diff.
const NoFilePath = ".github"

// Check is a check run to publish.
type Check struct {
	// Name is the check's name ("xshard"), HeadSHA the commit it is on.
	Name    string
	HeadSHA string
	// Conclusion is report.Conclusion's: success, failure or neutral.
	Conclusion string
	// Title and Summary make the output (report.CheckTitle and
	// report.CheckSummary).
	Title   string
	Summary string
	// DetailsURL links the workflow run; "" leaves it to GitHub.
	DetailsURL string
	// ExternalID is sent as the check run's external_id and tells it
	// from another workflow's check run of the same name on the commit
	// (the merge command's is "xshard/RUN_ID/RUN_ATTEMPT/NAME"). A create
	// that failed with a 5xx or a lost connection may have been served:
	// before trying again, PublishCheck looks for a check run of this
	// name, head SHA and external ID and, when there is one, goes on
	// with it. Without an ExternalID, nothing tells the check run apart,
	// and such a create is not tried again.
	ExternalID string
	// Annotations are sent AnnotationsPerRequest at a time.
	Annotations []report.Annotation
	// CompletedAt is when the check completed.
	CompletedAt time.Time
}

// CheckResult is what publishing a check run did.
type CheckResult struct {
	ID      int64
	HTMLURL string
	// Requests counts the requests that succeeded; Annotations the
	// annotations that GitHub took.
	Requests    int
	Annotations int
}

// PublishCheck creates the check run, completed, with the first
// AnnotationsPerRequest annotations, and sends the rest in updates of
// AnnotationsPerRequest each. The run is completed from the first request
// on, so that a later failure cannot leave it in progress: then the error
// says which update failed and CheckResult what was sent.
func (c *Client) PublishCheck(ctx context.Context, repo Repo, ch Check) (CheckResult, error) {
	var res CheckResult
	anns := make([]*github.CheckRunAnnotation, len(ch.Annotations))
	for i, a := range ch.Annotations {
		anns[i] = checkAnnotation(a)
	}
	first := anns[:min(len(anns), AnnotationsPerRequest)]
	output := func(batch []*github.CheckRunAnnotation) *github.CheckRunOutput {
		return &github.CheckRunOutput{Title: github.Ptr(ch.Title), Summary: github.Ptr(ch.Summary), Annotations: batch}
	}
	opts := github.CreateCheckRunOptions{
		Name:       ch.Name,
		HeadSHA:    ch.HeadSHA,
		Status:     github.Ptr("completed"),
		Conclusion: github.Ptr(ch.Conclusion),
		Output:     output(first),
	}
	if !ch.CompletedAt.IsZero() {
		opts.CompletedAt = &github.Timestamp{Time: ch.CompletedAt.UTC()}
	}
	if ch.DetailsURL != "" {
		opts.DetailsURL = github.Ptr(ch.DetailsURL)
	}
	if ch.ExternalID != "" {
		opts.ExternalID = github.Ptr(ch.ExternalID)
	}
	path := fmt.Sprintf("repos/%s/%s/check-runs", repo.Owner, repo.Name)
	run, err := c.createCheck(ctx, repo, opts)
	if err != nil {
		return res, err
	}
	res.ID, res.HTMLURL = run.GetID(), run.GetHTMLURL()
	res.Requests, res.Annotations = 1, len(first)
	for i := len(first); i < len(anns); i += AnnotationsPerRequest {
		batch := anns[i:min(len(anns), i+AnnotationsPerRequest)]
		upd := github.UpdateCheckRunOptions{Name: ch.Name, Output: output(batch)}
		_, resp, err := c.gh.Checks.UpdateCheckRun(ctx, repo.Owner, repo.Name, res.ID, upd)
		if err != nil {
			call := fmt.Sprintf("update check run with annotations %d-%d of %d", i+1, i+len(batch), len(anns))
			return res, apiError(call, "PATCH", fmt.Sprintf("%s/%d", path, res.ID), resp, err)
		}
		res.Requests++
		res.Annotations += len(batch)
	}
	return res, nil
}

// createCheck creates the check run. A create that a 5xx or a lost
// connection ended may have been served (GitHub created the run, then a
// proxy gave up on the answer): before each new attempt it lists the
// commit's check runs of the name and, when one has the head SHA and the
// external ID of opts, returns it instead of creating a second. Waits
// and attempts follow the retry policy (retry.go).
func (c *Client) createCheck(ctx context.Context, repo Repo, opts github.CreateCheckRunOptions) (*github.CheckRun, error) {
	path := fmt.Sprintf("repos/%s/%s/check-runs", repo.Owner, repo.Name)
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		run, resp, err := c.gh.Checks.CreateCheckRun(withoutServerRetry(ctx), repo.Owner, repo.Name, opts)
		if err == nil {
			return run, nil
		}
		status := 0
		var header http.Header
		if resp != nil && resp.Response != nil {
			status, header = resp.StatusCode, resp.Header
		}
		if ctx.Err() != nil || opts.GetExternalID() == "" || (status != 0 && status < 500) {
			return nil, apiError("create check run", "POST", path, resp, err)
		}
		wait, again := c.r.serverBackoff(status, header, attempt, waited)
		if !again {
			return nil, apiError("create check run", "POST", path, resp, err)
		}
		if err := c.r.sleep(ctx, wait); err != nil {
			return nil, err
		}
		waited += wait
		found, err := c.findCheck(ctx, repo, opts)
		if err != nil {
			return nil, err
		}
		if found != nil {
			return found, nil
		}
	}
}

// findCheck returns the check run on opts.HeadSHA with opts's name and
// external ID, nil when there is none. It lists all the runs of the name
// (filter=all): filter=latest shows one run per name, and a newer one of
// another workflow would hide this one.
func (c *Client) findCheck(ctx context.Context, repo Repo, opts github.CreateCheckRunOptions) (*github.CheckRun, error) {
	lo := &github.ListCheckRunsOptions{CheckName: github.Ptr(opts.Name), Filter: github.Ptr("all"), ListOptions: github.ListOptions{PerPage: 100}}
	for {
		list, resp, err := c.gh.Checks.ListCheckRunsForRef(ctx, repo.Owner, repo.Name, opts.HeadSHA, lo)
		if err != nil {
			call := fmt.Sprintf("list check runs %q to find the one a failed create may have made", opts.Name)
			return nil, apiError(call, "GET", fmt.Sprintf("repos/%s/%s/commits/%s/check-runs", repo.Owner, repo.Name, opts.HeadSHA), resp, err)
		}
		for _, r := range list.CheckRuns {
			if r.GetName() == opts.Name && r.GetHeadSHA() == opts.HeadSHA && r.GetExternalID() == opts.GetExternalID() {
				return r, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		lo.Page = resp.NextPage
	}
}

// checkAnnotation converts an annotation to the API's: levels notice,
// warning and failure; a path and a line always.
func checkAnnotation(a report.Annotation) *github.CheckRunAnnotation {
	level := "failure"
	switch a.Level {
	case report.LevelWarning:
		level = "warning"
	case report.LevelNotice:
		level = "notice"
	}
	path, line := a.File, a.Line
	if path == "" {
		path, line = NoFilePath, 1
	}
	if line <= 0 {
		line = 1
	}
	msg := a.Message
	if msg == "" {
		msg = a.Title
	}
	out := &github.CheckRunAnnotation{
		Path:            github.Ptr(path),
		StartLine:       github.Ptr(line),
		EndLine:         github.Ptr(line),
		AnnotationLevel: github.Ptr(level),
		Message:         github.Ptr(msg),
	}
	if a.Title != "" {
		out.Title = github.Ptr(a.Title)
	}
	return out
}
