package report

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testenv"
)

// bigRun is a run of n tests over 8 workers with every outcome.
func bigRun(n int) *merge.Result {
	res := &merge.Result{Verification: merge.Verification{Checked: true, Expected: 8}}
	res.Plan = &merge.PlanInfo{Total: 8, Strategy: "timing", By: "test"}
	res.Timings = &model.Timings{Tests: map[string]float64{}}
	for i := range 8 {
		res.Workers = append(res.Workers, merge.Worker{Index: i, Name: model.WorkerID(i), Present: true, Attempt: 1})
	}
	for i := range n {
		pkg := fmt.Sprintf("%s/pkg%02d", mod, i%50)
		w := i % 8
		c := model.Case{Suite: pkg, Classname: pkg, Name: fmt.Sprintf("TestCase%05d", i), Worker: model.WorkerID(w),
			Seconds: float64((i*7919)%1000) / 100}
		switch {
		case i%20 == 3:
			c.Outcome = model.Failed
		case i%200 == 7:
			c.Outcome = model.Errored
		case i%33 == 5:
			c.Outcome = model.Skipped
		case i%97 == 1:
			c.FailedAttempts = 1
		}
		if c.Outcome == model.Failed || c.Outcome == model.Errored {
			c.Message = fmt.Sprintf("    case_test.go:%d: got %d, want %d", 10+i%50, i, i+1)
			c.Detail = "goroutine 7 [running]:\n\t/home/runner/work/shop/shop/pkg/case_test.go:12 +0x1d\n<script>alert(1)</script>"
			if len(res.Failures) < 30 {
				res.Failures = append(res.Failures, c)
			}
			res.Workers[w].Failed++
		}
		if c.Flaky() && len(res.Flaky) < 10 {
			res.Flaky = append(res.Flaky, c)
		}
		res.Tests = append(res.Tests, rows(c)...)
		res.Timings.Tests[c.Classname+"."+c.Name] = c.Seconds
		t := &res.Totals
		t.Tests++
		t.Seconds += c.Seconds
		switch c.Outcome {
		case model.Passed:
			t.Passed++
		case model.Failed:
			t.Failed++
		case model.Errored:
			t.Errors++
		case model.Skipped:
			t.Skipped++
		}
		if c.Flaky() {
			t.Flaky++
		}
		res.Workers[w].Tests++
		res.Workers[w].Seconds += c.Seconds
	}
	for i := range res.Workers {
		res.Workers[i].Predicted = res.Totals.Seconds / 8
		res.Totals.WallSeconds = max(res.Totals.WallSeconds, res.Workers[i].Seconds)
	}
	res.Workers[5].Seconds *= 1.3
	slices.SortFunc(res.Tests, func(a, b merge.TestRow) int { return strings.Compare(a.ID, b.ID) })
	p := passingRun()
	res.Slowest, res.SlowestScopes, res.Outputs = p.Slowest, p.SlowestScopes, p.Outputs
	cov := merge.Coverage{Kind: "go", File: "coverage.out"}
	for i := range 120 {
		f := model.FileCoverage{File: fmt.Sprintf("%s/pkg%02d/file%d.go", mod, i%50, i), Total: int64(50 + i), Covered: int64((i * 37) % (50 + i))}
		cov.Files = append(cov.Files, f)
		cov.Total += f.Total
		cov.Covered += f.Covered
	}
	res.Coverage = []merge.Coverage{cov}
	// An outcome history: each row's marks, by its outcome and index.
	res.History = &merge.History{Known: true, Runs: 6, Length: 20, FlakyThreshold: 0.2}
	for i := range res.Tests {
		r := &res.Tests[i]
		last := string(rune(model.MarkOf(r.Outcome, r.Flaky)))
		switch {
		case r.Outcome == model.Failed && i%3 == 0:
			r.Marks = "PPPPF" + last // still failing
		case r.Outcome == model.Failed && i%3 == 1:
			r.Marks = "PFPFP" + last // flaky over its history
		case r.Outcome == model.Passed && i%50 == 1:
			r.Marks = "PPPPF" + last // fixed
		default:
			r.Marks = "PP-PP" + last
		}
	}
	return res
}

// expectClass is what the page's history filter should show: rows of the
// class ("all", "new", "still", "flaky", "fixed").
func expectClass(res *merge.Result, class string) int {
	names := []string{"", "new", "still", "flaky", "fixed", "quarantined"}
	n := 0
	for _, r := range res.Tests {
		if class == "all" || names[rowClass(r, res.History, historyIndex{})] == class {
			n++
		}
	}
	return n
}

// expectVisible is what the page's filter should show: rows of the status
// ("all", an outcome or "flaky") whose "id worker" holds every term.
func expectVisible(res *merge.Result, status, query string) int {
	n := 0
	terms := strings.Fields(strings.ToLower(query))
	for _, r := range res.Tests {
		s := strings.ToLower(r.ID + " " + r.Worker)
		ok := true
		for _, t := range terms {
			ok = ok && strings.Contains(s, t)
		}
		if ok && (status == "all" || status == r.Outcome.String() || status == "flaky" && r.Flaky) {
			n++
		}
	}
	return n
}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserEvents collects what the page reports that a test must see.
type browserEvents struct {
	mu       chanMutex
	errors   []string
	requests []string
	loaded   chan struct{}
}

type chanMutex chan struct{}

func (m chanMutex) lock()   { m <- struct{}{} }
func (m chanMutex) unlock() { <-m }

func (e *browserEvents) handle(method string, params json.RawMessage) {
	e.mu.lock()
	defer e.mu.unlock()
	switch method {
	case "Runtime.exceptionThrown":
		e.errors = append(e.errors, "exception: "+string(params))
	case "Runtime.consoleAPICalled":
		var p struct{ Type string }
		json.Unmarshal(params, &p)
		if p.Type == "error" || p.Type == "assert" || p.Type == "warning" {
			e.errors = append(e.errors, "console."+p.Type+": "+string(params))
		}
	case "Log.entryAdded":
		var p struct {
			Entry struct{ Level, Text, URL string }
		}
		json.Unmarshal(params, &p)
		if p.Entry.Level == "error" || p.Entry.Level == "warning" {
			e.errors = append(e.errors, "log: "+p.Entry.Text+" "+p.Entry.URL)
		}
	case "Network.requestWillBeSent":
		var p struct{ Request struct{ URL string } }
		json.Unmarshal(params, &p)
		e.requests = append(e.requests, p.Request.URL)
	case "Page.loadEventFired":
		select {
		case e.loaded <- struct{}{}:
		default:
		}
	}
}

// TestHTMLInBrowser loads a report of 50,000 tests in headless Chromium
// from file://, checks that it loads without errors or network requests,
// drives the status filter, the search and the virtual scrolling, and
// saves screenshots to $XSHARD_SCREENSHOT_DIR for review.
func TestHTMLInBrowser(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		testenv.Missing(t, "chromium", "XSHARD_REQUIRE_BROWSER", "apt-get install chromium")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 35*time.Second)
	defer cancel()
	dir := t.TempDir()
	res := bigRun(50_000)
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := HTML(f, res, Options{ModulePath: mod, JobOverhead: 20}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(page)
	t.Logf("report.html of %d tests: %d bytes, written in %v", len(res.Tests), st.Size(), time.Since(start).Round(time.Millisecond))

	profile := filepath.Join(dir, "profile")
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
		"--user-data-dir="+profile, "--remote-debugging-port=0", "--window-size=1280,900", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the browser's own process group
		cmd.Wait()
	}()

	var port, browserPath string
	for port == "" {
		if b, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort")); err == nil {
			if lines := strings.Split(string(b), "\n"); len(lines) >= 2 && lines[0] != "" {
				port, browserPath = lines[0], lines[1]
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("chromium did not start: %s", stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	_ = browserPath
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1:"+port+"/json/list", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var targets []struct{ Type, WebSocketDebuggerURL string }
	err = json.NewDecoder(resp.Body).Decode(&targets)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var wsURL string
	for _, tg := range targets {
		if tg.Type == "page" {
			wsURL = tg.WebSocketDebuggerURL
			break
		}
	}
	if wsURL == "" {
		t.Fatalf("no page target in %+v", targets)
	}
	ws, err := dialWS(ctx, wsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ev := &browserEvents{mu: make(chanMutex, 1), loaded: make(chan struct{}, 1)}
	c := newCDP(ws, ev.handle)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{"Runtime.enable", "Log.enable", "Network.enable", "Page.enable"} {
		must(c.call(ctx, m, nil, nil))
	}
	viewport := func(w, h int, mobile bool) {
		must(c.call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{"width": w, "height": h, "deviceScaleFactor": 1, "mobile": mobile}, nil))
	}
	viewport(1280, 900, false)
	fileURL := "file://" + filepath.ToSlash(page)
	navStart := time.Now()
	must(c.call(ctx, "Page.navigate", map[string]any{"url": fileURL}, nil))
	select {
	case <-ev.loaded:
	case <-ctx.Done():
		t.Fatal("the page did not load")
	}
	var ready string
	must(c.eval(ctx, `new Promise(r => { const f = () => document.documentElement.dataset.ready ? r(document.documentElement.dataset.ready) : setTimeout(f, 20); f(); })`, &ready))
	t.Logf("loaded and rendered in %v", time.Since(navStart).Round(time.Millisecond))

	type pageState struct {
		Visible, Status, Query, Error string
		Rendered                      int
		Count                         string
	}
	state := func() pageState {
		t.Helper()
		var s pageState
		must(c.eval(ctx, `(() => { const d = document.documentElement.dataset; return {Visible: d.visible || "", Status: d.status || "", Query: d.query || "",
			Error: d.error || "", Rendered: document.querySelectorAll('#t-rows .tr:not([hidden])').length, Count: document.getElementById('t-count').textContent}; })()`, &s))
		return s
	}
	check := func(what, status, query string) pageState {
		t.Helper()
		s := state()
		want := strconv.Itoa(expectVisible(res, status, query))
		if s.Visible != want || s.Status != status || s.Query != query {
			t.Errorf("%s: page shows %s rows for status %q and query %q, want %s for %q and %q", what, s.Visible, s.Status, s.Query, want, status, query)
		}
		if s.Rendered > 80 {
			t.Errorf("%s: %d rows in the DOM: the table should draw only the rows in view", what, s.Rendered)
		}
		return s
	}
	clickStatus := func(status string) {
		t.Helper()
		must(c.eval(ctx, fmt.Sprintf(`document.querySelector('.filters [data-status=%q]').click()`, status), nil))
	}
	search := func(q string) {
		t.Helper()
		b, _ := json.Marshal(q)
		must(c.eval(ctx, fmt.Sprintf(`new Promise(r => { const s = document.getElementById('t-search'); s.value = %s; s.dispatchEvent(new Event('input'));
			const f = () => document.documentElement.dataset.query === s.value.trim() ? r() : setTimeout(f, 20); f(); })`, b), nil))
	}

	s := check("on load", "all", "")
	if s.Rendered == 0 {
		t.Error("no rows drawn on load")
	}
	if s.Count != "Showing all 50,000 tests" {
		t.Errorf("count line = %q", s.Count)
	}
	clickStatus("failed")
	check("failed", "failed", "")
	clickStatus("flaky")
	check("flaky", "flaky", "")
	search("pkg07 gw7")
	check("flaky and searched", "flaky", "pkg07 gw7")
	clickStatus("all")
	check("all and searched", "all", "pkg07 gw7")
	search("TestCase0001")
	check("a narrow search", "all", "TestCase0001")
	search("no such test")
	if s := check("a search without results", "all", "no such test"); s.Visible != "0" {
		t.Errorf("visible = %s", s.Visible)
	}
	// Per-test times: milliseconds under a second.
	for _, tt := range []struct{ id, want string }{
		{"TestCase00012", "280 ms"}, // 0.28 s
		{"TestCase00000", "0 ms"},
		{"TestCase00001", "9.19s"},
	} {
		search(tt.id)
		var got []string
		must(c.eval(ctx, `new Promise(r => requestAnimationFrame(() => r(Array.from(document.querySelectorAll('#t-rows .tr:not([hidden]) .t')).map(e => e.textContent))))`, &got))
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("the time of %s in the table is %q, want [%q]", tt.id, got, tt.want)
		}
	}
	search("")

	// The history filter, and each row's strip of recent runs.
	for _, class := range []string{"new", "still", "flaky", "fixed", "all"} {
		must(c.eval(ctx, fmt.Sprintf(`document.querySelector('.cfilters [data-cls=%q]').click()`, class), nil))
		var got struct{ Visible, Cls string }
		must(c.eval(ctx, `(() => { const d = document.documentElement.dataset; return {Visible: d.visible, Cls: d.cls}; })()`, &got))
		if want := strconv.Itoa(expectClass(res, class)); got.Visible != want || got.Cls != class {
			t.Errorf("history filter %q: %s rows shown (%q), want %s", class, got.Visible, got.Cls, want)
		}
		if class != "all" && expectClass(res, class) == 0 {
			t.Errorf("the test run has no %q rows: the check proves nothing", class)
		}
	}
	search(res.Tests[1].ID)
	var squares []string
	must(c.eval(ctx, `new Promise(r => requestAnimationFrame(() => r(Array.from(document.querySelectorAll('#t-rows .tr:not([hidden]) .strip .m')).map(e => e.className))))`, &squares))
	var wantSquares []string
	for _, m := range res.Tests[1].Marks {
		wantSquares = append(wantSquares, "m "+strings.ReplaceAll(string(m), "-", "N"))
	}
	if !slices.Equal(squares, wantSquares) {
		t.Errorf("the strip of %s is %q, want %q", res.Tests[1].ID, squares, wantSquares)
	}
	search("")

	// Scroll the table: the rows in view must be the ones at that offset.
	var drawn []string
	must(c.eval(ctx, `new Promise(r => { const v = document.getElementById('t-view'); v.scrollTop = 32 * 20000;
		requestAnimationFrame(() => requestAnimationFrame(() => r(Array.from(document.querySelectorAll('#t-rows .tr:not([hidden]) .id')).map(e => e.textContent)))); })`, &drawn))
	if want := res.Tests[20000].ID; !slices.Contains(drawn, want) {
		t.Errorf("after scrolling to row 20000 the drawn rows %q do not hold %q", drawn, want)
	}

	// Screenshots for review: the top, the filtered table, and a phone.
	shots := os.Getenv("XSHARD_SCREENSHOT_DIR")
	shot := func(name string) {
		t.Helper()
		var r struct{ Data string }
		must(c.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"}, &r))
		png, err := base64.StdEncoding.DecodeString(r.Data)
		must(err)
		if !strings.HasPrefix(string(png), "\x89PNG") {
			t.Fatalf("screenshot %s is not a PNG", name)
		}
		if shots != "" {
			must(os.MkdirAll(shots, 0o755))
			must(os.WriteFile(filepath.Join(shots, name), png, 0o644))
		}
	}
	must(c.eval(ctx, `window.scrollTo(0, 0)`, nil))
	shot("report-top.png")
	clickStatus("failed")
	search("pkg1")
	must(c.eval(ctx, `new Promise(r => { document.getElementById('tests').scrollIntoView(); requestAnimationFrame(() => requestAnimationFrame(r)); })`, nil))
	shot("report-tests.png")
	must(c.eval(ctx, `new Promise(r => { document.getElementById('workers').scrollIntoView(); requestAnimationFrame(() => requestAnimationFrame(r)); })`, nil))
	shot("report-workers.png")
	viewport(390, 844, true)
	clickStatus("all")
	search("")
	must(c.eval(ctx, `new Promise(r => { window.scrollTo(0, 0); requestAnimationFrame(() => requestAnimationFrame(r)); })`, nil))
	shot("report-phone.png")

	if s := state(); s.Error != "" {
		t.Errorf("the page reported an error: %s", s.Error)
	}
	ev.mu.lock()
	defer ev.mu.unlock()
	for _, e := range ev.errors {
		t.Errorf("browser: %s", e)
	}
	for _, u := range ev.requests {
		if u != fileURL && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %q: it must make no requests", u)
		}
	}
}
