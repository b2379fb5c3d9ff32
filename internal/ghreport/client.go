// Package ghreport publishes a merge's results where reviewers look: a
// check run with an annotation per failure, and one pull-request comment
// per workflow and report name that is found again and updated in place.
// It talks to GitHub's REST API through go-github, retries secondary rate
// limits and server errors within a bounded time, and returns every
// failure as an *APIError that names the call and the status.
//
// It renders nothing itself (package report makes the Markdown and the
// annotations from a merge.Result) and never prints, exits or reads the
// environment: the merge command gives it the token, the API URL and what
// it read from the GitHub Actions event.
package ghreport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v88/github"
)

// DefaultAPIURL is GitHub.com's REST API.
const DefaultAPIURL = "https://api.github.com"

// Config configures a Client.
type Config struct {
	// APIURL is the REST API's root: DefaultAPIURL when "", or GitHub
	// Enterprise Server's https://HOST/api/v3 ($GITHUB_API_URL).
	APIURL string
	// Token authenticates every request (a bearer token: GITHUB_TOKEN,
	// an app's installation token or a personal access token).
	Token string
	// Transport sends the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// Sleep waits before a retry and Now tells the time (for
	// Retry-After dates and x-ratelimit-reset); nil means real ones.
	// Tests inject both so that nothing waits for real.
	Sleep func(context.Context, time.Duration) error
	Now   func() time.Time
	// MaxWait bounds the waiting of one call before it gives up
	// (DefaultMaxWait when 0), MaxAttempts its attempts
	// (DefaultMaxAttempts when 0).
	MaxWait     time.Duration
	MaxAttempts int
	// UserAgent names the client; "" means "xshard".
	UserAgent string
}

// Client publishes reports to one GitHub instance.
type Client struct {
	gh *github.Client
	r  *retrier
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.Token == "" {
		return nil, errors.New("no token: set GITHUB_TOKEN (the action passes its token input)")
	}
	api := cfg.APIURL
	if api == "" {
		api = DefaultAPIURL
	}
	if !strings.HasPrefix(api, "https://") && !strings.HasPrefix(api, "http://") {
		return nil, fmt.Errorf("API URL %q: expected an http(s) URL such as %s or https://HOST/api/v3", api, DefaultAPIURL)
	}
	if !strings.HasSuffix(api, "/") {
		api += "/"
	}
	r := &retrier{next: cfg.Transport, sleep: cfg.Sleep, now: cfg.Now, maxWait: cfg.MaxWait, maxAttempts: cfg.MaxAttempts}
	if r.next == nil {
		// An answer that does not start within a minute is a failed
		// attempt; the caller's context bounds the whole call, waits
		// for retries included (an http.Client timeout would cut them).
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = time.Minute
		r.next = t
	}
	if r.sleep == nil {
		r.sleep = sleepCtx
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.maxWait <= 0 {
		r.maxWait = DefaultMaxWait
	}
	if r.maxAttempts <= 0 {
		r.maxAttempts = DefaultMaxAttempts
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "xshard"
	}
	gh, err := github.NewClient(
		github.WithHTTPClient(&http.Client{Transport: r}),
		github.WithAuthToken(cfg.Token),
		github.WithURLs(&api, &api),
		github.WithUserAgent(ua),
		// The retrier waits for rate limits; go-github's own
		// bookkeeping would refuse calls without asking.
		github.WithDisableRateLimitCheck(),
	)
	if err != nil {
		return nil, fmt.Errorf("API URL %q: %w", api, err)
	}
	return &Client{gh: gh, r: r}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Repo is a repository, "owner/name".
type Repo struct{ Owner, Name string }

// ParseRepo parses "owner/name" ($GITHUB_REPOSITORY).
func ParseRepo(s string) (Repo, error) {
	o, n, ok := strings.Cut(s, "/")
	if !ok || o == "" || n == "" || strings.ContainsAny(n, "/ ") || strings.ContainsAny(o, " ") {
		return Repo{}, fmt.Errorf("repository %q: expected owner/name", s)
	}
	return Repo{o, n}, nil
}

func (r Repo) String() string { return r.Owner + "/" + r.Name }

// APIError is a failed API call: which call, the request, the HTTP
// status (0 when no answer came) and GitHub's message.
type APIError struct {
	Call    string // "create check run"
	Method  string
	Path    string
	Status  int
	Message string
	Err     error
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s (%s %s)", e.Call, e.Method, e.Path)
	if e.Status > 0 {
		s += fmt.Sprintf(": %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Message != "" {
		s += ": " + oneLine(e.Message)
	} else if e.Err != nil {
		s += ": " + oneLine(e.Err.Error())
	}
	return s
}

func (e *APIError) Unwrap() error { return e.Err }

// ReadOnly reports whether err is GitHub refusing a write to a read-only
// token: 403 "Resource not accessible by integration", what the token of
// a workflow run from a fork's pull request gets.
func ReadOnly(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusForbidden &&
		strings.Contains(strings.ToLower(e.Message), "resource not accessible by integration")
}

// apiError wraps what go-github returned for a call.
func apiError(call, method, path string, resp *github.Response, err error) error {
	if err == nil {
		return nil
	}
	e := &APIError{Call: call, Method: method, Path: "/" + strings.TrimPrefix(path, "/"), Err: err}
	if resp != nil && resp.Response != nil {
		e.Status = resp.StatusCode
	}
	var er *github.ErrorResponse
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	switch {
	case errors.As(err, &rl):
		e.Message = rl.Message
	case errors.As(err, &ab):
		e.Message = ab.Message
	case errors.As(err, &er):
		e.Message = er.Message
		for _, fe := range er.Errors {
			if fe.Message != "" {
				e.Message += "; " + fe.Message
			} else if fe.Field != "" {
				e.Message += fmt.Sprintf("; %s %s", fe.Field, fe.Code)
			}
		}
	}
	return e
}

// oneLine keeps the first line of s, at most 300 bytes.
func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}
