package ghreport

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xshard/xshard/internal/ghfake"
)

var repo = Repo{"octo", "shop"}

// clock is a fake clock and sleeper: sleeping advances it and records
// the wait, so that no test waits for real.
type clock struct {
	now   time.Time
	slept []time.Duration
}

func (c *clock) Now() time.Time { return c.now }

func (c *clock) Sleep(_ context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return nil
}

// newFake starts a fake and a client for it.
func newFake(t *testing.T, opts ghfake.Options) (*ghfake.Server, *Client, *clock) {
	t.Helper()
	srv := ghfake.New(opts)
	t.Cleanup(srv.Close)
	clk := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	c, err := New(Config{APIURL: srv.URL, Token: srv.Token, Sleep: clk.Sleep, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, clk
}

// wantHeaders are the headers of every request: the token, GitHub's
// recommended media type and the API version go-github pins.
func checkHeaders(t *testing.T, reqs []ghfake.Request) {
	t.Helper()
	for i, r := range reqs {
		got := map[string]string{
			"Accept":               r.Header.Get("Accept"),
			"Authorization":        r.Header.Get("Authorization"),
			"X-GitHub-Api-Version": r.Header.Get("X-GitHub-Api-Version"),
			"User-Agent":           r.Header.Get("User-Agent"),
			"Content-Type":         r.Header.Get("Content-Type"),
		}
		want := map[string]string{
			"Accept":               "application/vnd.github+json",
			"Authorization":        "Bearer test-token",
			"X-GitHub-Api-Version": "2022-11-28",
			"User-Agent":           "xshard",
		}
		if r.Method != "GET" && r.Method != "DELETE" {
			// A DELETE has no body.
			want["Content-Type"] = "application/json"
		} else {
			want["Content-Type"] = ""
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("request %d (%s %s) headers (-want +got):\n%s", i, r.Method, r.Path, diff)
		}
	}
}

// line is a request in one line: "METHOD path?query".
func line(r ghfake.Request) string {
	if r.Query != "" {
		return r.Method + " " + r.Path + "?" + r.Query
	}
	return r.Method + " " + r.Path
}

func lines(reqs []ghfake.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, line(r))
	}
	return out
}

// decode decodes a JSON body into a generic value.
func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return v
}

// jsonOf is a JSON literal as a generic value.
func jsonOf(t *testing.T, s string) any { return decode(t, []byte(s)) }

func fault(status int, header ...string) ghfake.Fault {
	f := ghfake.Fault{Status: status, Header: map[string]string{}, Body: `{"message":"` + http.StatusText(status) + `"}`}
	for i := 0; i+1 < len(header); i += 2 {
		f.Header[header[i]] = header[i+1]
	}
	return f
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
