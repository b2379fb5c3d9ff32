package ghreport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/google/go-github/v88/github"
)

// Marker is the hidden first line of the comment of one workflow and
// report name: an HTML comment that GitHub does not show, holding a hash
// of the two names (so that neither can end the comment early), by which
// a later run finds the comment and updates it.
func Marker(workflow, name string) string {
	sum := sha256.Sum256([]byte(workflow + "\x00" + name))
	return "<!-- xshard-report " + hex.EncodeToString(sum[:8]) + " -->"
}

// commentsPerPage is the page size of the comment listing (GitHub's
// largest).
const commentsPerPage = 100

// CommentResult is what UpsertComment did.
type CommentResult struct {
	ID      int64
	HTMLURL string
	// Updated is true when an existing comment was edited, Created when
	// one was made; both false when none existed and create was false.
	Updated, Created bool
}

// UpsertComment puts body on pull request pr: it lists the pull request's
// comments, every page, for one whose body starts with marker, preferring
// one written by a bot (the Actions token's identity) and then the
// oldest, and updates it in place; when there is none and create is set,
// it creates one. body must start with marker.
func (c *Client) UpsertComment(ctx context.Context, repo Repo, pr int, marker, body string, create bool) (CommentResult, error) {
	var res CommentResult
	if !strings.HasPrefix(body, marker) {
		return res, fmt.Errorf("comment body does not start with its marker %q", marker)
	}
	existing, err := c.findComment(ctx, repo, pr, marker)
	if err != nil {
		return res, err
	}
	if existing != nil {
		if existing.GetBody() == body {
			res.ID, res.HTMLURL, res.Updated = existing.GetID(), existing.GetHTMLURL(), true
			return res, nil
		}
		path := fmt.Sprintf("repos/%s/%s/issues/comments/%d", repo.Owner, repo.Name, existing.GetID())
		cm, resp, err := c.gh.Issues.EditComment(ctx, repo.Owner, repo.Name, existing.GetID(), &github.IssueComment{Body: github.Ptr(body)})
		if err != nil {
			return res, apiError("update pull request comment", "PATCH", path, resp, err)
		}
		res.ID, res.HTMLURL, res.Updated = cm.GetID(), cm.GetHTMLURL(), true
		return res, nil
	}
	if !create {
		return res, nil
	}
	path := fmt.Sprintf("repos/%s/%s/issues/%d/comments", repo.Owner, repo.Name, pr)
	cm, resp, err := c.gh.Issues.CreateComment(ctx, repo.Owner, repo.Name, pr, &github.IssueComment{Body: github.Ptr(body)})
	if err != nil {
		return res, apiError("create pull request comment", "POST", path, resp, err)
	}
	res.ID, res.HTMLURL, res.Created = cm.GetID(), cm.GetHTMLURL(), true
	return res, nil
}

func (c *Client) findComment(ctx context.Context, repo Repo, pr int, marker string) (*github.IssueComment, error) {
	var found, fromBot *github.IssueComment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: commentsPerPage}}
	for {
		list, resp, err := c.gh.Issues.ListComments(ctx, repo.Owner, repo.Name, pr, opts)
		if err != nil {
			path := fmt.Sprintf("repos/%s/%s/issues/%d/comments", repo.Owner, repo.Name, pr)
			return nil, apiError("list pull request comments", "GET", path, resp, err)
		}
		for _, cm := range list {
			if !strings.HasPrefix(cm.GetBody(), marker) {
				continue
			}
			if found == nil {
				found = cm
			}
			if fromBot == nil && cm.GetUser().GetType() == "Bot" {
				fromBot = cm
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if fromBot != nil {
		return fromBot, nil
	}
	return found, nil
}

// FindPullRequest returns the number of the open pull request whose head
// is branch of headOwner's repository at sha, 0 when there is none. It is
// how a workflow_run from a fork's pull request finds its pull request:
// GitHub leaves the event's pull_requests empty for forks.
func (c *Client) FindPullRequest(ctx context.Context, repo Repo, headOwner, branch, sha string) (int, error) {
	opts := &github.PullRequestListOptions{State: "open", Head: headOwner + ":" + branch, ListOptions: github.ListOptions{PerPage: commentsPerPage}}
	for {
		list, resp, err := c.gh.PullRequests.List(ctx, repo.Owner, repo.Name, opts)
		if err != nil {
			return 0, apiError("list pull requests", "GET", fmt.Sprintf("repos/%s/%s/pulls", repo.Owner, repo.Name), resp, err)
		}
		for _, pr := range list {
			if pr.GetHead().GetSHA() == sha {
				return pr.GetNumber(), nil
			}
		}
		if resp.NextPage == 0 {
			return 0, nil
		}
		opts.Page = resp.NextPage
	}
}
