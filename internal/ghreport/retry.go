package ghreport

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry policy, after GitHub's REST guide on rate limits: on a secondary
// rate limit (403 or 429) wait as Retry-After says; else, when
// x-ratelimit-remaining is 0, until x-ratelimit-reset; else at least a
// minute, doubling. 5xx answers and lost connections of idempotent
// requests are retried after 1, 2, 4, ... seconds. A call gives up when
// the next wait would take its total waiting past MaxWait, or after
// MaxAttempts attempts, and returns the last answer.
const (
	// DefaultMaxWait bounds the time one call spends waiting to retry.
	DefaultMaxWait = 2 * time.Minute
	// DefaultMaxAttempts bounds the attempts of one call.
	DefaultMaxAttempts = 5
	// secondaryWait is the wait after a secondary rate limit that names
	// no time: GitHub says to wait at least a minute.
	secondaryWait = time.Minute
	// serverWait is the first wait after a 5xx.
	serverWait = time.Second
)

// retrier is an http.RoundTripper that retries as the policy above says.
type retrier struct {
	next        http.RoundTripper
	sleep       func(context.Context, time.Duration) error
	now         func() time.Time
	maxWait     time.Duration
	maxAttempts int
}

// MediaType is the Accept header of every request, as GitHub's REST
// documentation recommends (go-github asks for the check runs' old
// preview type, which GitHub still serves).
const MediaType = "application/vnd.github+json"

func (r *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	var waited time.Duration
	orig := req
	for attempt := 1; ; attempt++ {
		req = orig.Clone(orig.Context())
		req.Header.Set("Accept", MediaType)
		if attempt > 1 && orig.Body != nil {
			if orig.GetBody == nil {
				return nil, errNoRewind
			}
			body, err := orig.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := r.next.RoundTrip(req)
		wait, retry := r.backoff(req, resp, err, attempt)
		if !retry || attempt >= r.maxAttempts || waited+wait > r.maxWait {
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
		}
		if err := r.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
		waited += wait
	}
}

type rewindError struct{}

func (rewindError) Error() string { return "cannot retry: the request body cannot be read again" }

var errNoRewind error = rewindError{}

// backoff says whether to retry after this attempt and how long to wait.
func (r *retrier) backoff(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	doubling := func(first time.Duration) time.Duration { return first << (attempt - 1) }
	if err != nil {
		// A lost connection may have been served: retry only what
		// cannot create something twice.
		if req.Context().Err() != nil || req.Method == http.MethodPost || noServerRetry(req.Context()) {
			return 0, false
		}
		return doubling(serverWait), true
	}
	switch {
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests:
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), r.now()); ok {
			return d, true
		}
		if resp.Header.Get("X-Ratelimit-Remaining") == "0" {
			if reset, err := strconv.ParseInt(resp.Header.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
				return max(time.Unix(reset, 0).Sub(r.now())+time.Second, time.Second), true
			}
		}
		if resp.StatusCode == http.StatusTooManyRequests || mentionsRateLimit(resp) {
			return doubling(secondaryWait), true
		}
		return 0, false // a plain 403: the token may not do this
	case resp.StatusCode >= 500:
		if noServerRetry(req.Context()) {
			return 0, false
		}
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), r.now()); ok {
			return d, true
		}
		return doubling(serverWait), true
	}
	return 0, false
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// mentionsRateLimit reads the body of a 403 without rate-limit headers
// (and puts it back): GitHub says "secondary rate limit" in its message.
func mentionsRateLimit(resp *http.Response) bool {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return bytes.Contains(bytes.ToLower(b), []byte("rate limit"))
}

// serverBackoff is the policy's wait after a call's attempt that a 5xx
// or a lost connection ended, for the calls that retry themselves
// (withoutServerRetry): false when the call is to give up.
func (r *retrier) serverBackoff(status int, header http.Header, attempt int, waited time.Duration) (time.Duration, bool) {
	wait := serverWait << (attempt - 1)
	if status > 0 {
		if d, ok := retryAfter(header.Get("Retry-After"), r.now()); ok {
			wait = d
		}
	}
	if attempt >= r.maxAttempts || waited+wait > r.maxWait {
		return 0, false
	}
	return wait, true
}

type noServerRetryKey struct{}

// withoutServerRetry marks a call whose 5xx answers and lost connections
// the retrier returns at once, for a caller that must look before it
// tries again (a create that may have been served). Rate limits are still
// waited for: GitHub served nothing then.
func withoutServerRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, noServerRetryKey{}, true)
}

func noServerRetry(ctx context.Context) bool { return ctx.Value(noServerRetryKey{}) != nil }
