package ghreport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
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
	// Removed counts the duplicates deleted (see UpsertComment).
	Removed int
}

// UpsertComment puts body on pull request pr: it lists the pull request's
// comments, every page, for one whose body starts with marker, preferring
// one written by a bot (the Actions token's identity, or an app's) and
// then the oldest by a person with write access (the owner, a member or a
// collaborator: a personal access token's identity), and updates it in
// place; when there is none and create is set, it creates one. A comment
// by anyone else that starts with marker is left alone: the report never
// goes into a comment that its author, not the workflow, could rewrite.
// body must start with marker.
//
// Two merges that run at once (two report jobs, a re-run racing the run,
// or a create that GitHub served although it answered 5xx and was sent
// again) may each find no comment and each create one. So the comments
// converge on one: after creating, UpsertComment lists the comments again
// and, when the account that created it has more than one that starts
// with marker, keeps the oldest, puts body in it and deletes the others
// (its own new one included when it is not the oldest). An update deletes
// the same way any duplicates of the comment it updates when a bot wrote
// that comment. A comment of another account is never deleted; a
// duplicate that is already gone (the other merge deleted it) is no error.
func (c *Client) UpsertComment(ctx context.Context, repo Repo, pr int, marker, body string, create bool) (CommentResult, error) {
	var res CommentResult
	if !strings.HasPrefix(body, marker) {
		return res, fmt.Errorf("comment body does not start with its marker %q", marker)
	}
	list, err := c.markerComments(ctx, repo, pr, marker)
	if err != nil {
		return res, err
	}
	if existing := preferred(list); existing != nil {
		if err := c.updateComment(ctx, repo, existing, body, &res); err != nil {
			return res, err
		}
		if existing.GetUser().GetType() != "Bot" {
			return res, nil
		}
		return res, c.deleteDuplicates(ctx, repo, existing, list, &res)
	}
	if !create {
		return res, nil
	}
	path := fmt.Sprintf("repos/%s/%s/issues/%d/comments", repo.Owner, repo.Name, pr)
	mine, resp, err := c.gh.Issues.CreateComment(ctx, repo.Owner, repo.Name, pr, &github.IssueComment{Body: github.Ptr(body)})
	if err != nil {
		return res, apiError("create pull request comment", "POST", path, resp, err)
	}
	res.ID, res.HTMLURL, res.Created = mine.GetID(), mine.GetHTMLURL(), true
	// Converge: another merge may have created one meanwhile.
	list, err = c.markerComments(ctx, repo, pr, marker)
	if err != nil {
		return res, err
	}
	login := mine.GetUser().GetLogin()
	ours := []*github.IssueComment{}
	seen := false
	for _, cm := range list {
		if cm.GetUser().GetLogin() == login {
			ours = append(ours, cm)
			seen = seen || cm.GetID() == mine.GetID()
		}
	}
	if !seen {
		// Not listed yet: it is the newest all the same.
		ours = append(ours, mine)
	}
	if len(ours) < 2 {
		return res, nil
	}
	kept := ours[0]
	if kept.GetID() != mine.GetID() {
		res = CommentResult{}
		if err := c.updateComment(ctx, repo, kept, body, &res); err != nil {
			return res, err
		}
	}
	return res, c.deleteDuplicates(ctx, repo, kept, ours, &res)
}

// preferred returns the comment to update among those with the marker,
// oldest first: the oldest a bot wrote, else the oldest a person with
// write access wrote; nil for none.
func preferred(list []*github.IssueComment) *github.IssueComment {
	for _, cm := range list {
		if cm.GetUser().GetType() == "Bot" {
			return cm
		}
	}
	for _, cm := range list {
		switch cm.GetAuthorAssociation() {
		case "OWNER", "MEMBER", "COLLABORATOR":
			return cm
		}
	}
	return nil
}

// updateComment puts body in cm, unless it holds it already, and says so
// in res.
func (c *Client) updateComment(ctx context.Context, repo Repo, cm *github.IssueComment, body string, res *CommentResult) error {
	res.ID, res.HTMLURL, res.Updated = cm.GetID(), cm.GetHTMLURL(), true
	if cm.GetBody() == body {
		return nil
	}
	path := fmt.Sprintf("repos/%s/%s/issues/comments/%d", repo.Owner, repo.Name, cm.GetID())
	edited, resp, err := c.gh.Issues.EditComment(ctx, repo.Owner, repo.Name, cm.GetID(), &github.IssueComment{Body: github.Ptr(body)})
	if err != nil {
		return apiError("update pull request comment", "PATCH", path, resp, err)
	}
	res.HTMLURL = edited.GetHTMLURL()
	return nil
}

// deleteDuplicates deletes the comments of list that kept's author wrote,
// but kept, oldest first; one already gone is skipped.
func (c *Client) deleteDuplicates(ctx context.Context, repo Repo, kept *github.IssueComment, list []*github.IssueComment, res *CommentResult) error {
	login := kept.GetUser().GetLogin()
	for _, cm := range list {
		if cm.GetID() == kept.GetID() || cm.GetUser().GetLogin() != login {
			continue
		}
		resp, err := c.gh.Issues.DeleteComment(ctx, repo.Owner, repo.Name, cm.GetID())
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			continue
		}
		if err != nil {
			path := fmt.Sprintf("repos/%s/%s/issues/comments/%d", repo.Owner, repo.Name, cm.GetID())
			return apiError("delete duplicate pull request comment", "DELETE", path, resp, err)
		}
		res.Removed++
	}
	return nil
}

// markerComments lists the comments of pull request pr, every page, and
// returns those whose body starts with marker, in the order GitHub lists
// them: oldest first.
func (c *Client) markerComments(ctx context.Context, repo Repo, pr int, marker string) ([]*github.IssueComment, error) {
	var found []*github.IssueComment
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: commentsPerPage}}
	for {
		list, resp, err := c.gh.Issues.ListComments(ctx, repo.Owner, repo.Name, pr, opts)
		if err != nil {
			path := fmt.Sprintf("repos/%s/%s/issues/%d/comments", repo.Owner, repo.Name, pr)
			return nil, apiError("list pull request comments", "GET", path, resp, err)
		}
		for _, cm := range list {
			if strings.HasPrefix(cm.GetBody(), marker) {
				found = append(found, cm)
			}
		}
		if resp.NextPage == 0 {
			return found, nil
		}
		opts.Page = resp.NextPage
	}
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
