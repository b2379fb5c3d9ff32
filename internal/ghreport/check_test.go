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
