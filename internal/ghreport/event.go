package ghreport

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Target is where a run's reports go: the commit that the check run is
// on, the pull request that gets the comment, and the workflow run they
// describe.
type Target struct {
	Repo Repo
	// HeadSHA is the commit the tests ran on: the pull request's head,
	// not the merge commit GitHub tests a pull_request event on.
	HeadSHA string
	// PR is the pull request's number, 0 when there is none or it is
	// still to be found (LookupPR).
	PR int
	// LookupPR is set for a workflow_run from a fork's pull request:
	// GitHub leaves its pull_requests empty, so FindPullRequest looks
	// for HeadOwner:HeadBranch at HeadSHA.
	LookupPR   bool
	HeadOwner  string
	HeadBranch string
	// Workflow names the workflow whose results these are: the
	// triggering workflow's for workflow_run.
	Workflow string
	// RunID is the workflow run that produced the results (the
	// triggering run for workflow_run), 0 when unknown.
	RunID int64
	// Untrusted is set for workflow_run: the results come from another
	// run, possibly a fork's.
	Untrusted bool
}

// Env is what the GitHub Actions environment says about the run (read
// by the caller from GITHUB_* variables).
type Env struct {
	Repository string // GITHUB_REPOSITORY
	SHA        string // GITHUB_SHA
	EventName  string // GITHUB_EVENT_NAME
	Workflow   string // GITHUB_WORKFLOW
	RunID      string // GITHUB_RUN_ID
}

// event is the part of an event payload that Resolve reads.
type event struct {
	Number      int `json:"number"`
	PullRequest *struct {
		Number int `json:"number"`
		Head   struct {
			SHA string `json:"sha"`
		} `json:"head"`
	} `json:"pull_request"`
	WorkflowRun *struct {
		ID           int64  `json:"id"`
		Name         string `json:"name"`
		HeadSHA      string `json:"head_sha"`
		HeadBranch   string `json:"head_branch"`
		Event        string `json:"event"`
		PullRequests []struct {
			Number int `json:"number"`
			Head   struct {
				SHA string `json:"sha"`
			} `json:"head"`
		} `json:"pull_requests"`
		HeadRepository *struct {
			Owner struct {
				Login string `json:"login"`
			} `json:"owner"`
		} `json:"head_repository"`
	} `json:"workflow_run"`
}

// Resolve tells the target of a run from its environment and event
// payload (the file at GITHUB_EVENT_PATH; nil when there is none):
//
//   - pull_request, pull_request_target: the pull request and its head;
//   - workflow_run: the triggering run's head commit, workflow and pull
//     request (found by FindPullRequest when the payload has none, as
//     for a fork's);
//   - anything else (push, schedule, ...): GITHUB_SHA and no pull request.
func Resolve(env Env, payload []byte) (Target, error) {
	repo, err := ParseRepo(env.Repository)
	if err != nil {
		return Target{}, fmt.Errorf("GITHUB_REPOSITORY: %w", err)
	}
	t := Target{Repo: repo, HeadSHA: env.SHA, Workflow: env.Workflow}
	if id, err := strconv.ParseInt(env.RunID, 10, 64); err == nil {
		t.RunID = id
	}
	var ev event
	if len(payload) > 0 {
		if err := json.Unmarshal(payload, &ev); err != nil {
			return Target{}, fmt.Errorf("event payload: %w", err)
		}
	}
	switch env.EventName {
	case "pull_request", "pull_request_target":
		if ev.PullRequest != nil {
			t.PR = ev.PullRequest.Number
			if ev.PullRequest.Head.SHA != "" {
				t.HeadSHA = ev.PullRequest.Head.SHA
			}
		}
		if t.PR == 0 {
			t.PR = ev.Number
		}
	case "workflow_run":
		wr := ev.WorkflowRun
		if wr == nil {
			return Target{}, fmt.Errorf("event payload: a workflow_run event without workflow_run")
		}
		t.Untrusted = true
		t.HeadSHA, t.RunID = wr.HeadSHA, wr.ID
		if wr.Name != "" {
			t.Workflow = wr.Name
		}
		for _, pr := range wr.PullRequests {
			if pr.Head.SHA == "" || pr.Head.SHA == wr.HeadSHA {
				t.PR = pr.Number
				break
			}
		}
		if t.PR == 0 && (wr.Event == "pull_request" || wr.Event == "pull_request_target") && wr.HeadRepository != nil {
			t.LookupPR = true
			t.HeadOwner, t.HeadBranch = wr.HeadRepository.Owner.Login, wr.HeadBranch
		}
	}
	if t.HeadSHA == "" {
		return Target{}, fmt.Errorf("no commit: GITHUB_SHA is not set and the event names none")
	}
	return t, nil
}
