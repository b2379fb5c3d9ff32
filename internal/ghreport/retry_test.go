package ghreport

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/ghfake"
)

func TestRetries(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		faults []ghfake.Fault
		// wantWaits are the waits between attempts; wantStatus the
		// error's status, 0 for success.
		wantWaits  []time.Duration
		wantStatus int
	}{
		{
			name:      "a 429 with Retry-After waits as long as it says",
			faults:    []ghfake.Fault{fault(429, "Retry-After", "7")},
			wantWaits: []time.Duration{7 * time.Second},
		},
		{
			name:      "a 403 secondary rate limit with Retry-After waits as long as it says",
			faults:    []ghfake.Fault{fault(403, "Retry-After", "30"), fault(403, "Retry-After", "45")},
			wantWaits: []time.Duration{30 * time.Second, 45 * time.Second},
		},
		{
			name:      "Retry-After as an HTTP date",
			faults:    []ghfake.Fault{fault(429, "Retry-After", start.Add(12*time.Second).Format(http.TimeFormat))},
			wantWaits: []time.Duration{12 * time.Second},
		},
		{
			name:      "x-ratelimit-remaining 0 waits until x-ratelimit-reset",
			faults:    []ghfake.Fault{fault(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", strconv.FormatInt(start.Add(20*time.Second).Unix(), 10))},
			wantWaits: []time.Duration{21 * time.Second},
		},
		{
			name:      "a secondary rate limit that names no time waits a minute",
			faults:    []ghfake.Fault{{Status: 403, Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`}},
			wantWaits: []time.Duration{time.Minute},
		},
		{
			name:      "5xx is retried after 1, 2, 4 seconds",
			faults:    []ghfake.Fault{fault(502), fault(503), fault(500)},
			wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
		{
			name:       "5xx is given up after 5 attempts",
			faults:     []ghfake.Fault{fault(502), fault(502), fault(502), fault(502), fault(502), fault(502)},
			wantWaits:  []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second},
			wantStatus: 502,
		},
		{
			name:       "a Retry-After beyond the two minutes a call may wait is given up at once",
			faults:     []ghfake.Fault{fault(429, "Retry-After", "3600")},
			wantStatus: 429,
		},
		{
			name:       "the primary rate limit, reset in an hour, is given up at once",
			faults:     []ghfake.Fault{fault(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", strconv.FormatInt(start.Add(time.Hour).Unix(), 10))},
			wantStatus: 403,
		},
		{
			name:       "waits that add up past two minutes stop",
			faults:     []ghfake.Fault{fault(429, "Retry-After", "60"), fault(429, "Retry-After", "50"), fault(429, "Retry-After", "20")},
			wantWaits:  []time.Duration{60 * time.Second, 50 * time.Second},
			wantStatus: 429,
		},
		{
			name:       "a 404 is not retried",
			faults:     []ghfake.Fault{fault(404)},
			wantStatus: 404,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c, clk := newFake(t, ghfake.Options{})
			srv.Fail(ghfake.RouteCreateComment, tt.faults...)
			marker := Marker("ci", "xshard")
			_, err := c.UpsertComment(context.Background(), repo, 5, marker, marker+"\nbody", true)
			if diff := cmp.Diff(tt.wantWaits, clk.slept); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			var posts []ghfake.Request
			for _, r := range srv.Requests() {
				if r.Method == "POST" {
					posts = append(posts, r)
				}
			}
			if len(posts) != len(tt.wantWaits)+1 {
				t.Errorf("%d POST requests, want %d", len(posts), len(tt.wantWaits)+1)
			}
			for i, p := range posts {
				if string(p.Body) != string(posts[0].Body) {
					t.Errorf("attempt %d sent %q, the first %q: a retry sends the same body", i+1, p.Body, posts[0].Body)
				}
			}
			checkHeaders(t, srv.Requests())
			if tt.wantStatus == 0 {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if n := len(srv.Comments(5)); n != 1 {
					t.Errorf("%d comments, want 1", n)
				}
				return
			}
			var e *APIError
			if !errors.As(err, &e) || e.Status != tt.wantStatus || e.Call != "create pull request comment" || e.Path != "/repos/octo/shop/issues/5/comments" {
				t.Fatalf("err = %#v, want an APIError with status %d naming the call", err, tt.wantStatus)
			}
			if n := len(srv.Comments(5)); n != 0 {
				t.Errorf("%d comments, want none", n)
			}
		})
	}
}

func TestRetryStopsWhenTheContextEnds(t *testing.T) {
	srv, _, _ := newFake(t, ghfake.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	c, err := New(Config{APIURL: srv.URL, Token: srv.Token, Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Fail(ghfake.RouteListComments, fault(503), fault(503))
	_, err = c.UpsertComment(ctx, repo, 5, "<!-- m -->", "<!-- m -->", true)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
