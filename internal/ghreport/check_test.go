package ghreport

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/ghfake"
	"github.com/xshard/xshard/internal/report"
)

func annotations(n int) []report.Annotation {
	var list []report.Annotation
	for i := range n {
		a := report.Annotation{Level: report.LevelError, Title: fmt.Sprintf("TestN%d failed on gw0", i), File: "pkg/n_test.go", Line: i + 1, Message: fmt.Sprintf("n_test.go:%d: want %d", i+1, i)}
		if i%7 == 6 {
			a.Level, a.File, a.Line = report.LevelWarning, "", 0
		}
		list = append(list, a)
	}
	return list
}

func wantAnnotation(a report.Annotation) map[string]any {
	level, path, line := "failure", a.File, a.Line
	if a.Level == report.LevelWarning {
		level = "warning"
	}
	if path == "" {
		path, line = ".github", 1
	}
	return map[string]any{"path": path, "start_line": float64(line), "end_line": float64(line), "annotation_level": level,
		"message": a.Message, "title": a.Title}
}

func TestPublishCheckBatchesAnnotations(t *testing.T) {
	for _, n := range []int{0, 1, 50, 51, 60, 500} {
		t.Run(fmt.Sprintf("%d annotations", n), func(t *testing.T) {
			srv, c, _ := newFake(t, ghfake.Options{})
			anns := annotations(n)
			ch := Check{Name: "xshard", HeadSHA: "abc123", Conclusion: "failure", Title: "3 tests failed of 10", Summary: "# summary\n",
				Annotations: anns, DetailsURL: "https://github.com/octo/shop/actions/runs/7", CompletedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
			res, err := c.PublishCheck(context.Background(), repo, ch)
			if err != nil {
				t.Fatal(err)
			}
			requests := 1 + max(0, (n-1)/50)
			if res.Requests != requests || res.Annotations != n || res.ID == 0 {
				t.Errorf("result = %+v, want %d requests, %d annotations", res, requests, n)
			}
			reqs := srv.Requests()
			checkHeaders(t, reqs)
			var wantLines []string
			wantLines = append(wantLines, "POST /repos/octo/shop/check-runs")
			for range requests - 1 {
				wantLines = append(wantLines, fmt.Sprintf("PATCH /repos/octo/shop/check-runs/%d", res.ID))
			}
			if diff := cmp.Diff(wantLines, lines(reqs)); diff != "" {
				t.Fatalf("requests (-want +got):\n%s", diff)
			}
			for i, r := range reqs {
				batch := []any{}
				for _, a := range anns[i*50 : min(n, (i+1)*50)] {
					batch = append(batch, wantAnnotation(a))
				}
				output := map[string]any{"title": ch.Title, "summary": ch.Summary}
				if len(batch) > 0 {
					output["annotations"] = batch
				}
				want := map[string]any{"name": "xshard", "output": output}
				if i == 0 {
					want["head_sha"] = "abc123"
					want["status"] = "completed"
					want["conclusion"] = "failure"
					want["completed_at"] = "2026-03-01T12:00:00Z"
					want["details_url"] = "https://github.com/octo/shop/actions/runs/7"
				}
				if diff := cmp.Diff(any(want), decode(t, r.Body)); diff != "" {
					t.Errorf("request %d body (-want +got):\n%s", i, diff)
				}
			}
			runs := srv.CheckRuns()
			if len(runs) != 1 || len(runs[0].Annotations) != n || runs[0].Status != "completed" || runs[0].Conclusion != "failure" {
				t.Errorf("check runs = %+v", runs)
			}
		})
	}
}

func TestPublishCheckOnEnterpriseServer(t *testing.T) {
	srv, c, _ := newFake(t, ghfake.Options{Prefix: "/api/v3"})
	if _, err := c.PublishCheck(context.Background(), repo, Check{Name: "xshard", HeadSHA: "abc", Conclusion: "success", Title: "t", Summary: "s"}); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Path != "/repos/octo/shop/check-runs" || reqs[0].Status != 201 {
		t.Errorf("requests = %v", lines(reqs))
	}
}

func TestPublishCheckReadOnlyToken(t *testing.T) {
	srv, c, clk := newFake(t, ghfake.Options{})
	srv.ReadOnly = true
	_, err := c.PublishCheck(context.Background(), repo, Check{Name: "xshard", HeadSHA: "abc", Conclusion: "success", Title: "t", Summary: "s", Annotations: annotations(60)})
	if !ReadOnly(err) {
		t.Fatalf("err = %v, want a read-only token error", err)
	}
	want := "create check run (POST /repos/octo/shop/check-runs): 403 Forbidden: Resource not accessible by integration"
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if n := len(srv.Requests()); n != 1 || len(clk.slept) != 0 {
		t.Errorf("%d requests and waits %v: a 403 without rate-limit headers is not retried", n, clk.slept)
	}
}

func TestPublishCheckUpdateFailureNamesTheBatch(t *testing.T) {
	srv, c, _ := newFake(t, ghfake.Options{})
	srv.Fail(ghfake.RouteUpdateCheck, fault(404))
	res, err := c.PublishCheck(context.Background(), repo, Check{Name: "xshard", HeadSHA: "abc", Conclusion: "failure", Title: "t", Summary: "s", Annotations: annotations(120)})
	if err == nil {
		t.Fatal("no error")
	}
	want := fmt.Sprintf("update check run with annotations 51-100 of 120 (PATCH /repos/octo/shop/check-runs/%d): 404 Not Found: Not Found", res.ID)
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	if res.Requests != 1 || res.Annotations != 50 {
		t.Errorf("result = %+v, want the create's 50 annotations counted", res)
	}
}

// A create that failed may have been served: before each new attempt the
// commit's check runs of the name are listed, and the one with this
// head SHA and external ID is gone on with, never a second created.
func TestPublishCheckCreateIsIdempotent(t *testing.T) {
	const (
		create = "POST /repos/octo/shop/check-runs"
		list   = "GET /repos/octo/shop/commits/abc123/check-runs?check_name=xshard&filter=all&per_page=100"
	)
	patch := func(id int64) string { return fmt.Sprintf("PATCH /repos/octo/shop/check-runs/%d", id) }
	tests := []struct {
		name string
		// other publishes another workflow's check run of the same
		// name on the commit first.
		other  bool
		faults []ghfake.Fault
		// want are the requests after other's, with their status;
		// ours is the index of our run among the fake's check runs.
		want      func(id int64) []string
		wantWaits []time.Duration
		ours      int
	}{
		{
			name: "no fault: the create and the updates, nothing looked up",
			want: func(id int64) []string { return []string{create + " -> 201", patch(id) + " -> 200"} },
		},
		{
			name:      "a 502 after GitHub created the run: listed, found, updated",
			faults:    []ghfake.Fault{{Status: 502, Body: `{"message":"Server Error"}`, Served: true}},
			want:      func(id int64) []string { return []string{create + " -> 502", list + " -> 200", patch(id) + " -> 200"} },
			wantWaits: []time.Duration{time.Second},
		},
		{
			name:      "the connection lost after GitHub created the run: listed, found, updated",
			faults:    []ghfake.Fault{{Served: true, Drop: true}},
			want:      func(id int64) []string { return []string{create + " -> 0", list + " -> 200", patch(id) + " -> 200"} },
			wantWaits: []time.Duration{time.Second},
		},
		{
			name: "a 502 before anything was created: listed, not found, created again",
			faults: []ghfake.Fault{{Status: 502, Body: `{"message":"Server Error"}`},
				{Status: 503, Header: map[string]string{"Retry-After": "5"}, Body: `{"message":"Unavailable"}`}},
			want: func(id int64) []string {
				return []string{create + " -> 502", list + " -> 200", create + " -> 503", list + " -> 200", create + " -> 201", patch(id) + " -> 200"}
			},
			wantWaits: []time.Duration{time.Second, 5 * time.Second},
		},
		{
			name:   "another workflow's run of the same name is not taken",
			other:  true,
			faults: []ghfake.Fault{{Status: 502, Body: `{"message":"Server Error"}`}},
			want: func(id int64) []string {
				return []string{create + " -> 502", list + " -> 200", create + " -> 201", patch(id) + " -> 200"}
			},
			wantWaits: []time.Duration{time.Second},
			ours:      1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c, clk := newFake(t, ghfake.Options{})
			ch := Check{Name: "xshard", HeadSHA: "abc123", Conclusion: "failure", Title: "60 tests failed", Summary: "# summary\n",
				Annotations: annotations(60), ExternalID: "xshard/7/1/xshard"}
			skip := 0
			if tt.other {
				other := ch
				other.ExternalID, other.Conclusion, other.Annotations = "other-workflow", "success", nil
				if _, err := c.PublishCheck(context.Background(), repo, other); err != nil {
					t.Fatal(err)
				}
				skip = 1
			}
			srv.Fail(ghfake.RouteCreateCheck, tt.faults...)
			res, err := c.PublishCheck(context.Background(), repo, ch)
			if err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()[skip:]
			var got []string
			for _, r := range reqs {
				got = append(got, fmt.Sprintf("%s -> %d", line(r), r.Status))
			}
			if diff := cmp.Diff(tt.want(res.ID), got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWaits, clk.slept); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			checkHeaders(t, reqs)
			for _, r := range reqs {
				if r.Method == "POST" && string(r.Body) != string(reqs[0].Body) {
					t.Errorf("a new attempt sent %s, the first %s", r.Body, reqs[0].Body)
				}
			}
			if got := decode(t, reqs[0].Body).(map[string]any)["external_id"]; got != "xshard/7/1/xshard" {
				t.Errorf("external_id = %v", got)
			}
			runs := srv.CheckRuns()
			if len(runs) != tt.ours+1 {
				t.Fatalf("%d check runs, want %d", len(runs), tt.ours+1)
			}
			mine := runs[tt.ours]
			if mine.ID != res.ID || len(mine.Annotations) != 60 || mine.Requests != 2 || mine.Conclusion != "failure" || mine.ExternalID != "xshard/7/1/xshard" {
				t.Errorf("check run %d: %d annotations in %d requests, %s, %q; result %+v", mine.ID, len(mine.Annotations), mine.Requests, mine.Conclusion, mine.ExternalID, res)
			}
			if tt.other && (runs[0].ExternalID != "other-workflow" || runs[0].Requests != 1 || runs[0].Conclusion != "success") {
				t.Errorf("the other workflow's check run was changed: %+v", runs[0])
			}
			if res.Requests != 2 || res.Annotations != 60 || res.HTMLURL == "" {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

// Without an external ID nothing tells a served create's run from another
// workflow's: a 5xx is not tried again, and the error names the call.
func TestPublishCheckCreateWithoutExternalIDIsNotRetried(t *testing.T) {
	srv, c, clk := newFake(t, ghfake.Options{})
	srv.Fail(ghfake.RouteCreateCheck, fault(502))
	_, err := c.PublishCheck(context.Background(), repo, Check{Name: "xshard", HeadSHA: "abc", Conclusion: "success", Title: "t", Summary: "s"})
	want := "create check run (POST /repos/octo/shop/check-runs): 502 Bad Gateway: Bad Gateway"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if n := len(srv.Requests()); n != 1 || len(clk.slept) != 0 {
		t.Errorf("%d requests, waits %v; want 1 and none", n, clk.slept)
	}
}

// A create given up after the policy's attempts: five creates, a lookup
// before each of the four new ones, the last status in the error.
func TestPublishCheckCreateGivesUp(t *testing.T) {
	srv, c, clk := newFake(t, ghfake.Options{})
	srv.Fail(ghfake.RouteCreateCheck, fault(502), fault(502), fault(502), fault(502), fault(502))
	_, err := c.PublishCheck(context.Background(), repo, Check{Name: "xshard", HeadSHA: "abc", Conclusion: "success", Title: "t", Summary: "s", ExternalID: "x"})
	want := "create check run (POST /repos/octo/shop/check-runs): 502 Bad Gateway: Bad Gateway"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	var routes []string
	for _, r := range srv.Requests() {
		routes = append(routes, r.Route)
	}
	cr, lc := ghfake.RouteCreateCheck, ghfake.RouteListChecks
	if diff := cmp.Diff([]string{cr, lc, cr, lc, cr, lc, cr, lc, cr}, routes); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, clk.slept); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
	if n := len(srv.CheckRuns()); n != 0 {
		t.Errorf("%d check runs", n)
	}
}
