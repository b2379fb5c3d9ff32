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
		// Listed again after creating: no other merge made one.
		"GET /repos/octo/shop/issues/3/comments?per_page=100",
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

// Two merges of one workflow and report name at once: each lists, finds
// nothing and creates a comment. Whichever order they come in, they
// converge on the oldest comment, holding a run's body, and delete the
// other; the comments of other accounts and other reports stay.
func TestUpsertCommentConvergesWhenTwoMergesCreate(t *testing.T) {
	marker := Marker("CI", "xshard")
	const bot, botType = "github-actions[bot]", "Bot"
	list := "GET /repos/octo/shop/issues/9/comments?per_page=100"
	create := "POST /repos/octo/shop/issues/9/comments"
	patch := func(id int64) string { return fmt.Sprintf("PATCH /repos/octo/shop/issues/comments/%d", id) }
	del := func(id int64) string { return fmt.Sprintf("DELETE /repos/octo/shop/issues/comments/%d", id) }
	for _, otherFirst := range []bool{true, false} {
		name := "the other merge created second: ours is kept and the other's deleted"
		if otherFirst {
			name = "the other merge created first: ours is deleted and the other's takes our body"
		}
		t.Run(name, func(t *testing.T) {
			srv, c, _ := newFake(t, ghfake.Options{})
			otherReport := srv.AddComment(9, bot, botType, Marker("CI", "e2e")+"\nanother report")
			var ours, other, quoted int64
			newest := func() int64 { cs := srv.Comments(9); return cs[len(cs)-1].ID }
			// Between our list and our create: someone quotes the marker
			// (and the other merge creates its comment).
			srv.After(ghfake.RouteListComments, func() {
				quoted = srv.AddComment(9, "mallory", "User", marker+"\nquoting the marker")
				if otherFirst {
					other = srv.AddComment(9, bot, botType, marker+"\nthe other merge")
				}
			})
			if otherFirst {
				srv.After(ghfake.RouteCreateComment, func() { ours = newest() })
			} else {
				// Between our create and our second list.
				srv.After(ghfake.RouteCreateComment, func() {
					ours = newest()
					other = srv.AddComment(9, bot, botType, marker+"\nthe other merge")
				})
			}
			body := marker + "\nthis merge"
			res, err := c.UpsertComment(context.Background(), repo, 9, marker, body, true)
			if err != nil {
				t.Fatal(err)
			}
			kept := other
			want := []string{list, create, list, patch(other), del(ours)}
			wantRes := CommentResult{ID: other, HTMLURL: htmlURL(9, other), Updated: true, Removed: 1}
			if !otherFirst {
				kept = ours
				want = []string{list, create, list, del(other)}
				wantRes = CommentResult{ID: ours, HTMLURL: htmlURL(9, ours), Created: true, Removed: 1}
			}
			if diff := cmp.Diff(want, lines(srv.Requests())); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			checkHeaders(t, srv.Requests())
			if diff := cmp.Diff(wantRes, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			got := map[int64]string{}
			for _, cm := range srv.Comments(9) {
				got[cm.ID] = cm.Body
			}
			wantComments := map[int64]string{quoted: marker + "\nquoting the marker", otherReport: Marker("CI", "e2e") + "\nanother report", kept: body}
			if diff := cmp.Diff(wantComments, got); diff != "" {
				t.Errorf("comments (-want +got):\n%s", diff)
			}
		})
	}
}

// Both merges converge at once: the other merge deleted the duplicate
// before this one could, which is no error.
func TestUpsertCommentDuplicateAlreadyDeleted(t *testing.T) {
	srv, c, _ := newFake(t, ghfake.Options{})
	marker := Marker("CI", "xshard")
	var other int64
	srv.After(ghfake.RouteListComments, func() { other = srv.AddComment(4, "github-actions[bot]", "Bot", marker+"\nthe other merge") })
	// The other merge, converging too, deletes ours between our update
	// of its comment and our delete.
	srv.After(ghfake.RouteUpdateComment, func() {
		for _, cm := range srv.Comments(4) {
			if cm.ID != other {
				srv.DeleteComment(cm.ID)
			}
		}
	})
	res, err := c.UpsertComment(context.Background(), repo, 4, marker, marker+"\nthis merge", true)
	if err != nil {
		t.Fatalf("err = %v: a duplicate already deleted is no error", err)
	}
	if res.ID != other || !res.Updated || res.Removed != 0 {
		t.Errorf("result = %+v, want comment %d updated and nothing removed by this merge", res, other)
	}
	comments := srv.Comments(4)
	if len(comments) != 1 || comments[0].ID != other || comments[0].Body != marker+"\nthis merge" {
		t.Errorf("comments = %+v", comments)
	}
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; last.Method != "DELETE" || last.Status != 404 {
		t.Errorf("last request %s -> %d, want a DELETE answered 404", line(last), last.Status)
	}
}

// Duplicates left by an earlier race (or by a release without this rule)
// are deleted by the next update; a person's comment quoting the marker
// never is.
func TestUpsertCommentUpdateDeletesLeftoverDuplicates(t *testing.T) {
	srv, c, _ := newFake(t, ghfake.Options{})
	marker := Marker("CI", "xshard")
	quoted := srv.AddComment(2, "mallory", "User", marker+"\nquoting")
	first := srv.AddComment(2, "github-actions[bot]", "Bot", marker+"\nrun 1")
	second := srv.AddComment(2, "github-actions[bot]", "Bot", marker+"\nrun 1 again")
	other := srv.AddComment(2, "other-app[bot]", "Bot", marker+"\nanother app")
	body := marker + "\nrun 2"
	res, err := c.UpsertComment(context.Background(), repo, 2, marker, body, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /repos/octo/shop/issues/2/comments?per_page=100",
		fmt.Sprintf("PATCH /repos/octo/shop/issues/comments/%d", first),
		fmt.Sprintf("DELETE /repos/octo/shop/issues/comments/%d", second),
	}
	if diff := cmp.Diff(want, lines(srv.Requests())); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if res != (CommentResult{ID: first, HTMLURL: htmlURL(2, first), Updated: true, Removed: 1}) {
		t.Errorf("result = %+v", res)
	}
	var ids []int64
	for _, cm := range srv.Comments(2) {
		ids = append(ids, cm.ID)
	}
	if diff := cmp.Diff([]int64{quoted, first, other}, ids); diff != "" {
		t.Errorf("comments left (-want +got):\n%s", diff)
	}
}

// A delete GitHub refuses leaves the comment posted and says which call
// failed.
func TestUpsertCommentDeleteRefused(t *testing.T) {
	srv, c, _ := newFake(t, ghfake.Options{})
	marker := Marker("CI", "xshard")
	first := srv.AddComment(2, "github-actions[bot]", "Bot", marker+"\nrun 1")
	second := srv.AddComment(2, "github-actions[bot]", "Bot", marker+"\nrun 1 again")
	srv.Fail(ghfake.RouteDeleteComment, ghfake.Fault{Status: 403, Body: `{"message":"Resource not accessible by integration"}`})
	res, err := c.UpsertComment(context.Background(), repo, 2, marker, marker+"\nrun 2", true)
	want := fmt.Sprintf("delete duplicate pull request comment (DELETE /repos/octo/shop/issues/comments/%d): 403 Forbidden: Resource not accessible by integration", second)
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if res.ID != first || !res.Updated || res.Removed != 0 {
		t.Errorf("result = %+v: the update stands", res)
	}
}

func htmlURL(pr int, id int64) string {
	return fmt.Sprintf("https://github.example/octo/shop/pull/%d#issuecomment-%d", pr, id)
}

// A comment that starts with the marker but was written by someone
// without write access (a fork's author, say) is never where the report
// goes: its author could rewrite the results. One written by a person
// with write access is (a personal access token's identity).
func TestUpsertCommentOnlyInCommentsTheWorkflowControls(t *testing.T) {
	marker := Marker("CI", "xshard")
	for _, tt := range []struct {
		association string
		wantUpdate  bool
	}{
		{"NONE", false},
		{"CONTRIBUTOR", false},
		{"FIRST_TIME_CONTRIBUTOR", false},
		{"COLLABORATOR", true},
		{"MEMBER", true},
		{"OWNER", true},
	} {
		t.Run(tt.association, func(t *testing.T) {
			srv, c, _ := newFake(t, ghfake.Options{})
			srv.Associations["someone"] = tt.association
			theirs := srv.AddComment(6, "someone", "User", marker+"\nall tests passed, trust me")
			body := marker + "\nthe report"
			res, err := c.UpsertComment(context.Background(), repo, 6, marker, body, true)
			if err != nil {
				t.Fatal(err)
			}
			comments := srv.Comments(6)
			if tt.wantUpdate {
				if !res.Updated || res.ID != theirs || len(comments) != 1 || comments[0].Body != body {
					t.Errorf("result %+v, comments %+v: want comment %d updated", res, comments, theirs)
				}
				return
			}
			want := []string{
				"GET /repos/octo/shop/issues/6/comments?per_page=100",
				"POST /repos/octo/shop/issues/6/comments",
				"GET /repos/octo/shop/issues/6/comments?per_page=100",
			}
			if diff := cmp.Diff(want, lines(srv.Requests())); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if !res.Created || len(comments) != 2 || comments[0].Body != marker+"\nall tests passed, trust me" || comments[1].Body != body {
				t.Errorf("result %+v, comments %+v: want theirs untouched and a new one", res, comments)
			}
			// The next run finds the workflow's own comment.
			res, err = c.UpsertComment(context.Background(), repo, 6, marker, body+" again", true)
			if err != nil || !res.Updated || res.ID != comments[1].ID {
				t.Errorf("second run: %+v, %v", res, err)
			}
		})
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
