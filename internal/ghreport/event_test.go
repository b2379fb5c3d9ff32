package ghreport

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResolve(t *testing.T) {
	env := Env{Repository: "octo/shop", SHA: "merge-sha", Workflow: "CI", RunID: "77"}
	tests := []struct {
		name      string
		event     string
		payload   string
		want      Target
		expectErr string
	}{
		{
			name:    "a push reports on GITHUB_SHA with no pull request",
			event:   "push",
			payload: `{"after": "merge-sha"}`,
			want:    Target{Repo: repo, HeadSHA: "merge-sha", Workflow: "CI", RunID: 77},
		},
		{
			name:    "a pull request reports on its head, not the merge commit",
			event:   "pull_request",
			payload: `{"number": 12, "pull_request": {"number": 12, "head": {"sha": "head-sha"}}}`,
			want:    Target{Repo: repo, HeadSHA: "head-sha", PR: 12, Workflow: "CI", RunID: 77},
		},
		{
			name:    "a workflow_run from the same repository names its pull request",
			event:   "workflow_run",
			payload: `{"workflow_run": {"id": 5, "name": "Tests", "head_sha": "h1", "head_branch": "feat", "event": "pull_request", "pull_requests": [{"number": 8, "head": {"sha": "h1"}}], "head_repository": {"owner": {"login": "octo"}}}}`,
			want:    Target{Repo: repo, HeadSHA: "h1", PR: 8, Workflow: "Tests", RunID: 5, Untrusted: true},
		},
		{
			name:    "a workflow_run from a fork has no pull requests: it is looked up",
			event:   "workflow_run",
			payload: `{"workflow_run": {"id": 5, "name": "Tests", "head_sha": "h1", "head_branch": "feat", "event": "pull_request", "pull_requests": [], "head_repository": {"owner": {"login": "mallory"}}}}`,
			want:    Target{Repo: repo, HeadSHA: "h1", Workflow: "Tests", RunID: 5, Untrusted: true, LookupPR: true, HeadOwner: "mallory", HeadBranch: "feat"},
		},
		{
			name:    "a workflow_run of a push has no pull request",
			event:   "workflow_run",
			payload: `{"workflow_run": {"id": 5, "name": "Tests", "head_sha": "h1", "head_branch": "main", "event": "push", "pull_requests": []}}`,
			want:    Target{Repo: repo, HeadSHA: "h1", Workflow: "Tests", RunID: 5, Untrusted: true},
		},
		{
			name:      "a workflow_run payload without workflow_run",
			event:     "workflow_run",
			payload:   `{}`,
			expectErr: "event payload: a workflow_run event without workflow_run",
		},
		{
			name:      "a payload that is not JSON",
			event:     "push",
			payload:   `{`,
			expectErr: "event payload: unexpected end of JSON input",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env
			e.EventName = tt.event
			got, err := Resolve(e, []byte(tt.payload))
			if tt.expectErr != "" {
				if err == nil || err.Error() != tt.expectErr {
					t.Fatalf("err = %v, want %q", err, tt.expectErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("target (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRepo(t *testing.T) {
	for _, bad := range []string{"", "octo", "/shop", "octo/", "octo/shop/x", "oc to/shop"} {
		if _, err := ParseRepo(bad); err == nil {
			t.Errorf("ParseRepo(%q) succeeded", bad)
		}
	}
	if r, err := ParseRepo("octo/shop.js"); err != nil || r != (Repo{"octo", "shop.js"}) {
		t.Errorf("ParseRepo = %v, %v", r, err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{}); err == nil || err.Error() != "no token: set GITHUB_TOKEN (the action passes its token input)" {
		t.Errorf("err = %v", err)
	}
	if _, err := New(Config{Token: "t", APIURL: "ftp://x"}); err == nil {
		t.Error("an ftp API URL was taken")
	}
}
