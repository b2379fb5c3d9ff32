package ghreport

import (
	"context"
	"fmt"
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
	path := fmt.Sprintf("repos/%s/%s/check-runs", repo.Owner, repo.Name)
	run, resp, err := c.gh.Checks.CreateCheckRun(ctx, repo.Owner, repo.Name, opts)
	if err != nil {
		return res, apiError("create check run", "POST", path, resp, err)
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
