package ghreport

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/ghfake"
)

func TestMarker(t *testing.T) {
	m := Marker("CI", "xshard")
	if m != Marker("CI", "xshard") || m == Marker("CI", "xshard-e2e") || m == Marker("CI2", "xshard") || m == Marker("CIx", "shard") {
		t.Errorf("markers must differ by workflow and by name, and only by them")
	}
	if want := "<!-- xshard-report "; m[:len(want)] != want || m[len(m)-4:] != " -->" {
		t.Errorf("marker = %q", m)
	}
	// Hostile names cannot end the HTML comment: they are hashed.
	if h := Marker("--><script>", "x"); contains(h, "script") {
		t.Errorf("marker %q holds the workflow's name", h)
	}
}

func TestUpsertCommentFindsItsMarkerAcrossPages(t *testing.T) {
	srv, c, _ := newFake(t, ghfake.Options{})
	marker := Marker("CI", "xshard")
	other := Marker("CI", "other-report")
	var want int64
	for i := range 250 {
		switch i {
		case 120:
			// Someone quoting the marker in their own comment: a bot's
			// comment is preferred.
			srv.AddComment(7, "mallory", "User", marker+"\nnot ours")
		case 130:
			srv.AddComment(7, "github-actions[bot]", "Bot", other+"\nanother report")
		case 210:
			want = srv.AddComment(7, "github-actions[bot]", "Bot", marker+"\nlast run")
		default:
			srv.AddComment(7, "someone", "User", fmt.Sprintf("comment %d", i))
		}
	}
	body := marker + "\n## this run\n"
	res, err := c.UpsertComment(context.Background(), repo, 7, marker, body, true)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Updated || res.Created || res.ID != want {
		t.Errorf("result = %+v, want comment %d updated", res, want)
	}
	wantLines := []string{
		"GET /repos/octo/shop/issues/7/comments?per_page=100",
		"GET /repos/octo/shop/issues/7/comments?page=2&per_page=100",
		"GET /repos/octo/shop/issues/7/comments?page=3&per_page=100",
		fmt.Sprintf("PATCH /repos/octo/shop/issues/comments/%d", want),
	}
	reqs := srv.Requests()
	if diff := cmp.Diff(wantLines, lines(reqs)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	checkHeaders(t, reqs)
	if got := decode(t, reqs[3].Body); !cmp.Equal(got, map[string]any{"body": body}) {
		t.Errorf("PATCH body = %v", got)
	}
	comments := srv.Comments(7)
	if len(comments) != 250 {
		t.Fatalf("%d comments, want 250: none created", len(comments))
	}
	for _, cm := range comments {
		switch cm.ID {
		case want:
			if cm.Body != body {
				t.Errorf("our comment = %q", cm.Body)
			}
		default:
			if cm.Body == body {
				t.Errorf("comment %d by %s was overwritten", cm.ID, cm.User)
			}
		}
	}
}

func TestUpsertCommentCreatesOnce(t *testing.T) {
	srv, c, _ := newFake(t, ghfake.Options{})
	marker := Marker("CI", "xshard")
	ctx := context.Background()
	// comment-mode: a green run with no comment yet makes none.
	res, err := c.UpsertComment(ctx, repo, 3, marker, marker+"\ngreen", false)
	if err != nil || res.Created || res.Updated {
		t.Fatalf("res, err = %+v, %v: want nothing done", res, err)
	}
	for i, body := range []string{"first push", "second push", "second push", "third push"} {
		res, err := c.UpsertComment(ctx, repo, 3, marker, marker+"\n"+body, true)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != (i == 0) || res.Updated == (i == 0) {
			t.Errorf("push %d: %+v", i+1, res)
		}
	}
	comments := srv.Comments(3)
	if len(comments) != 1 || comments[0].Body != marker+"\nthird push" {
		t.Errorf("comments = %+v, want one, updated in place", comments)
	}
	want := []string{
		"GET /repos/octo/shop/issues/3/comments?per_page=100",
		"GET /repos/octo/shop/issues/3/comments?per_page=100",
		"POST /repos/octo/shop/issues/3/comments",
		"GET /repos/octo/shop/issues/3/comments?per_page=100",
		fmt.Sprintf("PATCH /repos/octo/shop/issues/comments/%d", comments[0].ID),
		// The same body again: nothing to send.
		"GET /repos/octo/shop/issues/3/comments?per_page=100",
		"GET /repos/octo/shop/issues/3/comments?per_page=100",
		fmt.Sprintf("PATCH /repos/octo/shop/issues/comments/%d", comments[0].ID),
	}
	if diff := cmp.Diff(want, lines(srv.Requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestUpsertCommentReadOnlyToken(t *testing.T) {
	srv, c, _ := newFake(t, ghfake.Options{})
	srv.ReadOnly = true
	marker := Marker("CI", "xshard")
	_, err := c.UpsertComment(context.Background(), repo, 3, marker, marker+"\nx", true)
	if !ReadOnly(err) {
		t.Fatalf("err = %v, want a read-only token error", err)
	}
	if want := "create pull request comment (POST /repos/octo/shop/issues/3/comments): 403 Forbidden: Resource not accessible by integration"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestUpsertCommentTooLong(t *testing.T) {
	_, c, _ := newFake(t, ghfake.Options{})
	marker := Marker("CI", "xshard")
	body := marker + "\n" + string(make([]byte, 70000))
	_, err := c.UpsertComment(context.Background(), repo, 3, marker, body, true)
	want := "create pull request comment (POST /repos/octo/shop/issues/3/comments): 422 Unprocessable Entity: Validation Failed; Body is too long (maximum is 65536 characters)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestFindPullRequest(t *testing.T) {
	srv, c, _ := newFake(t, ghfake.Options{})
	srv.AddPull(ghfake.Pull{Number: 4, State: "open", HeadOwner: "fork", HeadBranch: "feature", HeadSHA: "old"})
	srv.AddPull(ghfake.Pull{Number: 9, State: "closed", HeadOwner: "fork", HeadBranch: "feature", HeadSHA: "abc"})
	srv.AddPull(ghfake.Pull{Number: 12, State: "open", HeadOwner: "fork", HeadBranch: "feature", HeadSHA: "abc"})
	srv.AddPull(ghfake.Pull{Number: 13, State: "open", HeadOwner: "other", HeadBranch: "feature", HeadSHA: "abc"})
	n, err := c.FindPullRequest(context.Background(), repo, "fork", "feature", "abc")
	if err != nil || n != 12 {
		t.Errorf("FindPullRequest = %d, %v, want 12", n, err)
	}
	n, err = c.FindPullRequest(context.Background(), repo, "fork", "feature", "zzz")
	if err != nil || n != 0 {
		t.Errorf("FindPullRequest = %d, %v, want 0", n, err)
	}
	want := []string{
		"GET /repos/octo/shop/pulls?head=fork%3Afeature&per_page=100&state=open",
		"GET /repos/octo/shop/pulls?head=fork%3Afeature&per_page=100&state=open",
	}
	if diff := cmp.Diff(want, lines(srv.Requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
