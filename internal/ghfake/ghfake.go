// Package ghfake is a loopback fake of the GitHub REST endpoints that
// xshard's reports use, for tests: check runs (create, update, list for
// a ref), issue comments (list with pagination, create, update, delete)
// and pull requests (list). It follows GitHub's REST documentation
// (docs.github.com/rest: checks/runs, issues/comments, pulls, using-the-rest-api) in what it
// checks and answers:
//
//   - authentication: "Authorization: Bearer TOKEN" (or "token TOKEN"),
//     else 401 Bad credentials;
//   - X-GitHub-Api-Version, when sent, must be a version GitHub serves
//     (2022-11-28, 2026-03-10), else 400;
//   - check runs: name and head_sha required, a completed run needs a
//     conclusion, output needs a title and a summary, summary and text at
//     most 65,535 characters, at most 50 annotations a request, each with
//     path, start_line, end_line, annotation_level (notice, warning or
//     failure) and message, a title of at most 255 characters, message and
//     raw_details of at most 64 KB; an update's annotations are appended;
//   - comments: a body of at most 65,536 characters; lists of per_page
//     (default 30, at most 100) with a Link header (rel="next", "last");
//     a delete answers 204 with no body, 404 for a comment that is gone;
//     a comment carries its author's login, type and author_association;
//   - a read-only token (a fork's pull request) gets 403 "Resource not
//     accessible by integration" on every write;
//   - check runs for a ref: the ref must be a head SHA (the fake resolves
//     no branches or tags); check_name and filter (latest, the default:
//     the newest run of each name; all) select; per_page and page cut
//     the list as for comments; the answer is {total_count, check_runs};
//   - scripted faults (rate limits, 5xx) answer the next requests of a
//     route before the route itself does; a Served fault answers after
//     the route has done its work (GitHub created the check run, then a
//     proxy answered 502), a Drop fault closes the connection unanswered;
//   - scripted actions (After) run once a route has answered, so that a
//     test can make something happen between two requests of a client,
//     as another client would.
//
// Every request is recorded, headers and body included, so that tests
// assert exactly what was sent.
package ghfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Request is one request the fake received.
type Request struct {
	Method string
	// Path is the URL path without the fake's prefix, Query the raw query.
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	// Route names the endpoint matched ("create check run", ...), ""
	// when none did.
	Route string
	// Status is the status answered.
	Status int
}

// Annotation is a check run annotation as received.
type Annotation struct {
	Path            string `json:"path"`
	StartLine       int    `json:"start_line"`
	EndLine         int    `json:"end_line"`
	AnnotationLevel string `json:"annotation_level"`
	Message         string `json:"message"`
	Title           string `json:"title,omitempty"`
	RawDetails      string `json:"raw_details,omitempty"`
}

// CheckRun is a check run the fake holds.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	ExternalID  string
	DetailsURL  string
	Status      string
	Conclusion  string
	Title       string
	Summary     string
	Text        string
	Annotations []Annotation
	// Requests counts the requests that created and updated it.
	Requests int
}

// Comment is an issue comment the fake holds.
type Comment struct {
	ID       int64
	Issue    int
	Body     string
	User     string
	UserType string // "User" or "Bot"
	// Association is the author's author_association with the
	// repository: OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ...
	Association string
}

// Pull is a pull request the fake lists.
type Pull struct {
	Number     int
	State      string // "open" or "closed"
	HeadOwner  string
	HeadBranch string
	HeadSHA    string
}

// Fault is a scripted answer.
type Fault struct {
	Status int
	Header map[string]string
	Body   string
	// Served runs the route first, so that what it creates or changes
	// stays, and then answers the fault instead of the route's answer.
	Served bool
	// Drop closes the connection without an answer (recorded with
	// Status 0); with Served, after the route has done its work.
	Drop bool
}

// The routes, as Fail names them.
const (
	RouteCreateCheck   = "create check run"
	RouteUpdateCheck   = "update check run"
	RouteListChecks    = "list check runs for ref"
	RouteListComments  = "list comments"
	RouteCreateComment = "create comment"
	RouteUpdateComment = "update comment"
	RouteDeleteComment = "delete comment"
	RouteListPulls     = "list pulls"
)

// Server is the fake. Its fields may be set before the first request.
type Server struct {
	// URL is the API root to give the client (with Prefix).
	URL string
	// Token is the token it accepts.
	Token string
	// ReadOnly makes every write answer 403 Resource not accessible by
	// integration.
	ReadOnly bool
	// CommentUser is the login and type that created comments get.
	CommentUser, CommentUserType string
	// Associations gives a login's author_association; a login not in
	// it has NONE (as GitHub says of a bot, or of someone who never
	// contributed).
	Associations map[string]string

	srv    *httptest.Server
	prefix string

	mu       sync.Mutex
	requests []Request
	checks   []*CheckRun
	comments []*Comment
	pulls    []Pull
	faults   map[string][]Fault
	after    map[string][]func()
	nextID   int64
}

// Options configure New.
type Options struct {
	// Prefix is the path the API is served under: "" for api.github.com,
	// "/api/v3" for GitHub Enterprise Server.
	Prefix string
	// Token is the token accepted; "" means "test-token".
	Token string
}

// New starts a fake on a loopback port; Close stops it.
func New(opts Options) *Server {
	s := &Server{Token: opts.Token, prefix: strings.TrimSuffix(opts.Prefix, "/"), faults: map[string][]Fault{}, after: map[string][]func(){},
		nextID: 1000, CommentUser: "github-actions[bot]", CommentUserType: "Bot", Associations: map[string]string{}}
	if s.Token == "" {
		s.Token = "test-token"
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + s.prefix
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Fail makes the next len(faults) requests of route answer the faults,
// in order, before the route answers normally again.
func (s *Server) Fail(route string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = append(s.faults[route], faults...)
}

// After makes fn run once, after the next request of route has been
// answered and recorded and before the fake reads another: what another
// client did in between. fn may call the Server's methods.
func (s *Server) After(route string, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.after[route] = append(s.after[route], fn)
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// CheckRuns returns copies of the check runs, in creation order.
func (s *Server) CheckRuns() []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, c := range s.checks {
		cp := *c
		cp.Annotations = append([]Annotation(nil), c.Annotations...)
		out = append(out, cp)
	}
	return out
}

// Comments returns copies of the comments on issue n, oldest first.
func (s *Server) Comments(n int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Issue == n {
			out = append(out, *c)
		}
	}
	return out
}

// AddComment puts a comment on issue n as user and returns its id.
func (s *Server) AddComment(n int, user, userType, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.comments = append(s.comments, &Comment{ID: s.nextID, Issue: n, Body: body, User: user, UserType: userType, Association: s.association(user)})
	return s.nextID
}

// DeleteComment deletes comment id, as another client would; false when
// there is none.
func (s *Server) DeleteComment(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleteComment([]string{"", "", "", strconv.FormatInt(id, 10)}).status == 204
}

// association returns login's author_association; s.mu is held.
func (s *Server) association(login string) string {
	if a := s.Associations[login]; a != "" {
		return a
	}
	return "NONE"
}

// AddPull adds a pull request to the list.
func (s *Server) AddPull(p Pull) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pulls = append(s.pulls, p)
}

var (
	checkRunsRE     = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/check-runs$`)
	checkRunRE      = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/check-runs/(\d+)$`)
	refCheckRunsRE  = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/commits/([^/]+)/check-runs$`)
	issueCommentsRE = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/(\d+)/comments$`)
	commentRE       = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/comments/(\d+)$`)
	pullsRE         = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls$`)
)

type answer struct {
	status int
	header map[string]string
	body   any
	drop   bool
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := r.URL.Path
	req := Request{Method: r.Method, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	var a answer
	if p, ok := strings.CutPrefix(path, s.prefix); ok && (s.prefix == "" || strings.HasPrefix(p, "/")) {
		req.Path = p
		s.mu.Lock()
		a = s.route(&req, r)
		s.mu.Unlock()
	} else {
		req.Path = path
		a = answer{status: 404, body: msg("Not Found")}
	}
	req.Status = a.status
	if a.drop {
		req.Status = 0
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	var fn func()
	if f := s.after[req.Route]; req.Route != "" && len(f) > 0 {
		fn, s.after[req.Route] = f[0], f[1:]
	}
	s.mu.Unlock()
	if fn != nil {
		fn()
	}
	if a.drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-GitHub-Media-Type", "github.v3; format=json")
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.status)
	switch b := a.body.(type) {
	case nil:
	case string:
		io.WriteString(w, b)
	default:
		json.NewEncoder(w).Encode(b)
	}
}

func msg(m string) map[string]any {
	return map[string]any{"message": m, "documentation_url": "https://docs.github.com/rest", "status": ""}
}

func invalid(m string) answer { return answer{status: 422, body: msg(m)} }

// route answers a request; s.mu is held.
func (s *Server) route(req *Request, r *http.Request) answer {
	m := func(re *regexp.Regexp) []string { return re.FindStringSubmatch(req.Path) }
	var handler func([]string) answer
	var groups []string
	switch {
	case r.Method == "POST" && m(checkRunsRE) != nil:
		req.Route, groups, handler = RouteCreateCheck, m(checkRunsRE), func(g []string) answer { return s.createCheck(g, req) }
	case r.Method == "PATCH" && m(checkRunRE) != nil:
		req.Route, groups, handler = RouteUpdateCheck, m(checkRunRE), func(g []string) answer { return s.updateCheck(g, req) }
	case r.Method == "GET" && m(refCheckRunsRE) != nil:
		req.Route, groups, handler = RouteListChecks, m(refCheckRunsRE), func(g []string) answer { return s.listChecks(g, r) }
	case r.Method == "GET" && m(issueCommentsRE) != nil:
		req.Route, groups, handler = RouteListComments, m(issueCommentsRE), func(g []string) answer { return s.listComments(g, r) }
	case r.Method == "POST" && m(issueCommentsRE) != nil:
		req.Route, groups, handler = RouteCreateComment, m(issueCommentsRE), func(g []string) answer { return s.createComment(g, req) }
	case r.Method == "PATCH" && m(commentRE) != nil:
		req.Route, groups, handler = RouteUpdateComment, m(commentRE), func(g []string) answer { return s.updateComment(g, req) }
	case r.Method == "DELETE" && m(commentRE) != nil:
		req.Route, groups, handler = RouteDeleteComment, m(commentRE), func(g []string) answer { return s.deleteComment(g) }
	case r.Method == "GET" && m(pullsRE) != nil:
		req.Route, groups, handler = RouteListPulls, m(pullsRE), func(g []string) answer { return s.listPulls(g, r) }
	default:
		return answer{status: 404, body: msg("Not Found")}
	}
	auth := r.Header.Get("Authorization")
	if auth != "Bearer "+s.Token && auth != "token "+s.Token {
		return answer{status: 401, body: msg("Bad credentials")}
	}
	if v := r.Header.Get("X-GitHub-Api-Version"); v != "" && v != "2022-11-28" && v != "2026-03-10" {
		return answer{status: 400, body: msg(fmt.Sprintf("Unsupported 'X-GitHub-Api-Version' header %q.", v))}
	}
	var served *Fault
	if f := s.faults[req.Route]; len(f) > 0 {
		s.faults[req.Route] = f[1:]
		if !f[0].Served {
			return answer{status: f[0].Status, header: f[0].Header, body: f[0].Body, drop: f[0].Drop}
		}
		served = &f[0]
	}
	if s.ReadOnly && r.Method != "GET" {
		return answer{status: 403, body: msg("Resource not accessible by integration")}
	}
	a := handler(groups)
	if served != nil {
		return answer{status: served.Status, header: served.Header, body: served.Body, drop: served.Drop}
	}
	return a
}

type checkOutput struct {
	Title       *string          `json:"title"`
	Summary     *string          `json:"summary"`
	Text        *string          `json:"text"`
	Annotations []map[string]any `json:"annotations"`
}

type checkBody struct {
	Name       *string      `json:"name"`
	HeadSHA    *string      `json:"head_sha"`
	ExternalID *string      `json:"external_id"`
	DetailsURL *string      `json:"details_url"`
	Status     *string      `json:"status"`
	Conclusion *string      `json:"conclusion"`
	Output     *checkOutput `json:"output"`
}

var conclusions = map[string]bool{"action_required": true, "cancelled": true, "failure": true, "neutral": true, "success": true, "skipped": true, "stale": true, "timed_out": true}

func (s *Server) checkBody(req *Request, create bool) (checkBody, []Annotation, *answer) {
	var b checkBody
	if err := json.Unmarshal(req.Body, &b); err != nil {
		a := answer{status: 400, body: msg("Problems parsing JSON")}
		return b, nil, &a
	}
	fail := func(m string) (checkBody, []Annotation, *answer) { a := invalid(m); return b, nil, &a }
	if create && (b.Name == nil || *b.Name == "") {
		return fail(`Invalid request. "name" wasn't supplied.`)
	}
	if create && (b.HeadSHA == nil || *b.HeadSHA == "") {
		return fail(`Invalid request. "head_sha" wasn't supplied.`)
	}
	if b.Status != nil && *b.Status != "queued" && *b.Status != "in_progress" && *b.Status != "completed" {
		return fail("Invalid request. " + strconv.Quote(*b.Status) + " is not a member of [\"queued\", \"in_progress\", \"completed\"].")
	}
	if b.Conclusion != nil && !conclusions[*b.Conclusion] {
		return fail("Invalid request. " + strconv.Quote(*b.Conclusion) + " is not a valid conclusion.")
	}
	if b.Status != nil && *b.Status == "completed" && b.Conclusion == nil {
		return fail(`Invalid request. "conclusion" is required when "status" is "completed".`)
	}
	var anns []Annotation
	if o := b.Output; o != nil {
		if o.Title == nil || o.Summary == nil {
			return fail(`Invalid request. "title" and "summary" are required in "output".`)
		}
		if n := utf8.RuneCountInString(*o.Summary); n > 65535 {
			return fail(fmt.Sprintf("Invalid request. Only 65535 characters are allowed; %d were supplied.", n))
		}
		if o.Text != nil && utf8.RuneCountInString(*o.Text) > 65535 {
			return fail("Invalid request. Only 65535 characters are allowed in text.")
		}
		if len(o.Annotations) > 50 {
			return fail(fmt.Sprintf("Invalid request. Only 50 annotations are allowed per request; %d were supplied.", len(o.Annotations)))
		}
		for i, raw := range o.Annotations {
			enc, _ := json.Marshal(raw)
			var a Annotation
			json.Unmarshal(enc, &a)
			for _, k := range []string{"path", "start_line", "end_line", "annotation_level", "message"} {
				if _, ok := raw[k]; !ok {
					return fail(fmt.Sprintf("Invalid request. annotations[%d]: %q wasn't supplied.", i, k))
				}
			}
			switch a.AnnotationLevel {
			case "notice", "warning", "failure":
			default:
				return fail(fmt.Sprintf("Invalid request. annotations[%d]: annotation_level %q is not a member of [notice, warning, failure].", i, a.AnnotationLevel))
			}
			if a.StartLine < 1 || a.EndLine < a.StartLine || a.Path == "" {
				return fail(fmt.Sprintf("Invalid request. annotations[%d]: a path and lines from 1 are required.", i))
			}
			if utf8.RuneCountInString(a.Title) > 255 {
				return fail(fmt.Sprintf("Invalid request. annotations[%d]: title is longer than 255 characters.", i))
			}
			if len(a.Message) > 64<<10 || len(a.RawDetails) > 64<<10 {
				return fail(fmt.Sprintf("Invalid request. annotations[%d]: message or raw_details is over 64 KB.", i))
			}
			anns = append(anns, a)
		}
	}
	return b, anns, nil
}

func (s *Server) checkJSON(c *CheckRun, owner, repo string) map[string]any {
	return map[string]any{
		"id": c.ID, "name": c.Name, "head_sha": c.HeadSHA, "status": c.Status, "conclusion": c.Conclusion,
		"external_id": c.ExternalID, "details_url": c.DetailsURL,
		"url":      fmt.Sprintf("%s/repos/%s/%s/check-runs/%d", s.URL, owner, repo, c.ID),
		"html_url": fmt.Sprintf("https://github.example/%s/%s/runs/%d", owner, repo, c.ID),
		"output":   map[string]any{"title": c.Title, "summary": c.Summary, "annotations_count": len(c.Annotations)},
	}
}

func (s *Server) createCheck(g []string, req *Request) answer {
	b, anns, bad := s.checkBody(req, true)
	if bad != nil {
		return *bad
	}
	s.nextID++
	c := &CheckRun{ID: s.nextID, Name: *b.Name, HeadSHA: *b.HeadSHA, Status: "queued", Requests: 1, Annotations: anns}
	if b.Status != nil {
		c.Status = *b.Status
	}
	if b.Conclusion != nil {
		c.Conclusion = *b.Conclusion
	}
	if b.ExternalID != nil {
		c.ExternalID = *b.ExternalID
	}
	if b.DetailsURL != nil {
		c.DetailsURL = *b.DetailsURL
	}
	if o := b.Output; o != nil {
		c.Title, c.Summary = *o.Title, *o.Summary
		if o.Text != nil {
			c.Text = *o.Text
		}
	}
	s.checks = append(s.checks, c)
	return answer{status: 201, body: s.checkJSON(c, g[1], g[2])}
}

func (s *Server) updateCheck(g []string, req *Request) answer {
	id, _ := strconv.ParseInt(g[3], 10, 64)
	var c *CheckRun
	for _, x := range s.checks {
		if x.ID == id {
			c = x
		}
	}
	if c == nil {
		return answer{status: 404, body: msg("Not Found")}
	}
	b, anns, bad := s.checkBody(req, false)
	if bad != nil {
		return *bad
	}
	if b.Name != nil {
		c.Name = *b.Name
	}
	if b.Status != nil {
		c.Status = *b.Status
	}
	if b.Conclusion != nil {
		c.Conclusion = *b.Conclusion
	}
	if b.ExternalID != nil {
		c.ExternalID = *b.ExternalID
	}
	if b.DetailsURL != nil {
		c.DetailsURL = *b.DetailsURL
	}
	if o := b.Output; o != nil {
		c.Title, c.Summary = *o.Title, *o.Summary
		if o.Text != nil {
			c.Text = *o.Text
		}
		c.Annotations = append(c.Annotations, anns...)
	}
	c.Requests++
	return answer{status: 200, body: s.checkJSON(c, g[1], g[2])}
}

func (s *Server) commentJSON(c *Comment, owner, repo string) map[string]any {
	return map[string]any{
		"id": c.ID, "body": c.Body,
		"user":               map[string]any{"login": c.User, "type": c.UserType},
		"author_association": c.Association,
		"url":                fmt.Sprintf("%s/repos/%s/%s/issues/comments/%d", s.URL, owner, repo, c.ID),
		"html_url":           fmt.Sprintf("https://github.example/%s/%s/pull/%d#issuecomment-%d", owner, repo, c.Issue, c.ID),
	}
}

// page cuts a list as GitHub does and makes the Link header.
func (s *Server) page(r *http.Request, n int) (lo, hi int, header map[string]string, bad *answer) {
	q := r.URL.Query()
	per, pg := 30, 1
	if v := q.Get("per_page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 {
			a := invalid("per_page must be a positive integer")
			return 0, 0, nil, &a
		}
		per = min(p, 100)
	}
	if v := q.Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 {
			a := invalid("page must be a positive integer")
			return 0, 0, nil, &a
		}
		pg = p
	}
	last := max(1, (n+per-1)/per)
	lo, hi = min(n, (pg-1)*per), min(n, pg*per)
	link := func(p int, rel string) string {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		q2.Set("page", strconv.Itoa(p))
		q2.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, s.srv.URL, r.URL.Path, q2.Encode(), rel)
	}
	var links []string
	if pg > 1 {
		links = append(links, link(pg-1, "prev"))
	}
	if pg < last {
		links = append(links, link(pg+1, "next"), link(last, "last"))
	}
	if pg > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		header = map[string]string{"Link": strings.Join(links, ", ")}
	}
	return lo, hi, header, nil
}

func (s *Server) listComments(g []string, r *http.Request) answer {
	n, _ := strconv.Atoi(g[3])
	var list []*Comment
	for _, c := range s.comments {
		if c.Issue == n {
			list = append(list, c)
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	lo, hi, header, bad := s.page(r, len(list))
	if bad != nil {
		return *bad
	}
	out := []map[string]any{}
	for _, c := range list[lo:hi] {
		out = append(out, s.commentJSON(c, g[1], g[2]))
	}
	return answer{status: 200, header: header, body: out}
}

func commentBody(req *Request) (string, *answer) {
	var b struct {
		Body *string `json:"body"`
	}
	if err := json.Unmarshal(req.Body, &b); err != nil {
		return "", &answer{status: 400, body: msg("Problems parsing JSON")}
	}
	if b.Body == nil {
		a := invalid(`Invalid request. "body" wasn't supplied.`)
		return "", &a
	}
	if utf8.RuneCountInString(*b.Body) > 65536 {
		return "", &answer{status: 422, body: map[string]any{"message": "Validation Failed",
			"errors": []map[string]any{{"resource": "IssueComment", "code": "unprocessable", "field": "data",
				"message": "Body is too long (maximum is 65536 characters)"}}}}
	}
	return *b.Body, nil
}

func (s *Server) createComment(g []string, req *Request) answer {
	body, bad := commentBody(req)
	if bad != nil {
		return *bad
	}
	n, _ := strconv.Atoi(g[3])
	s.nextID++
	c := &Comment{ID: s.nextID, Issue: n, Body: body, User: s.CommentUser, UserType: s.CommentUserType, Association: s.association(s.CommentUser)}
	s.comments = append(s.comments, c)
	return answer{status: 201, body: s.commentJSON(c, g[1], g[2])}
}

func (s *Server) updateComment(g []string, req *Request) answer {
	id, _ := strconv.ParseInt(g[3], 10, 64)
	for _, c := range s.comments {
		if c.ID == id {
			body, bad := commentBody(req)
			if bad != nil {
				return *bad
			}
			c.Body = body
			return answer{status: 200, body: s.commentJSON(c, g[1], g[2])}
		}
	}
	return answer{status: 404, body: msg("Not Found")}
}

func (s *Server) deleteComment(g []string) answer {
	id, _ := strconv.ParseInt(g[3], 10, 64)
	for i, c := range s.comments {
		if c.ID == id {
			s.comments = append(s.comments[:i:i], s.comments[i+1:]...)
			return answer{status: 204}
		}
	}
	return answer{status: 404, body: msg("Not Found")}
}

func (s *Server) listPulls(g []string, r *http.Request) answer {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var list []Pull
	for _, p := range s.pulls {
		if state != "all" && p.State != state {
			continue
		}
		if h := q.Get("head"); h != "" && h != p.HeadOwner+":"+p.HeadBranch {
			continue
		}
		list = append(list, p)
	}
	lo, hi, header, bad := s.page(r, len(list))
	if bad != nil {
		return *bad
	}
	out := []map[string]any{}
	for _, p := range list[lo:hi] {
		out = append(out, map[string]any{"number": p.Number, "state": p.State,
			"head": map[string]any{"sha": p.HeadSHA, "ref": p.HeadBranch, "label": p.HeadOwner + ":" + p.HeadBranch,
				"user": map[string]any{"login": p.HeadOwner}}})
	}
	return answer{status: 200, header: header, body: out}
}

// listChecks lists the check runs on a head SHA, newest first, by
// check_name and filter.
func (s *Server) listChecks(g []string, r *http.Request) answer {
	q := r.URL.Query()
	filter := q.Get("filter")
	switch filter {
	case "", "latest", "all":
	default:
		return invalid("Invalid request. " + strconv.Quote(filter) + " is not a member of [\"latest\", \"all\"].")
	}
	var list []*CheckRun
	seen := map[string]bool{}
	for i := len(s.checks) - 1; i >= 0; i-- {
		c := s.checks[i]
		if c.HeadSHA != g[3] || (q.Get("check_name") != "" && c.Name != q.Get("check_name")) {
			continue
		}
		if filter != "all" {
			if seen[c.Name] {
				continue
			}
			seen[c.Name] = true
		}
		list = append(list, c)
	}
	lo, hi, header, bad := s.page(r, len(list))
	if bad != nil {
		return *bad
	}
	out := []map[string]any{}
	for _, c := range list[lo:hi] {
		out = append(out, s.checkJSON(c, g[1], g[2]))
	}
	return answer{status: 200, header: header, body: map[string]any{"total_count": len(list), "check_runs": out}}
}
