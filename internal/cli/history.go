package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/atomicfile"
	"github.com/xshard/xshard/internal/gotest"
	"github.com/xshard/xshard/internal/history"
	"github.com/xshard/xshard/internal/ingest"
	junitxml "github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
	"github.com/xshard/xshard/internal/timings"
)

// historyFlags are shard's flags that use the run history: re-running
// only the last run's failures, running them first, retrying this
// worker's failures and the quarantine.
type historyFlags struct {
	onlyFailed  string
	failedFirst bool
	history     string
	retries     int
	results     string
	quarantine  string
}

func (h *historyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&h.onlyFailed, "only-failed", "", "plan only the tests that failed or errored in the last merged run: from its report `dir` (history.json in it) or a history.json")
	fs.BoolVar(&h.failedFirst, "failed-first", false, "run the tests that failed in the last run (--history) first in this worker's share")
	fs.StringVar(&h.history, "history", "", "the outcome history (merge's history.json) for --failed-first (`file`)")
	fs.IntVar(&h.retries, "retries", 0, "with --exec: run this worker's failed tests again, up to `n` times; a test that passes on a retry is flaky (needs --results, or --go with go test -json on standard output)")
	fs.StringVar(&h.results, "results", "", "with --exec: the JUnit XML or go test -json `file` the command writes, read for --retries and --quarantine and rewritten with every attempt")
	fs.StringVar(&h.quarantine, "quarantine", "", "with --exec: exit 0 when every failed test is in the quarantine `file` (ids or * patterns, one a line, # reason)")
}

// check validates the flags against the rest of the command line.
func (h *historyFlags) check(c *shardConfig) error {
	switch {
	case h.retries < 0:
		return fmt.Errorf("--retries %d: must not be negative", h.retries)
	case (h.retries > 0 || h.results != "" || h.quarantine != "") && !c.exec:
		return errors.New("--retries, --results and --quarantine go with --exec: shard runs the tests to know which failed")
	case (h.retries > 0 || h.quarantine != "") && h.results == "" && len(c.gos) == 0:
		return errors.New("--retries and --quarantine need --results FILE, the JUnit XML or go test -json file the command writes (with --go, go test -json on standard output will do)")
	case h.failedFirst && h.history == "" && h.onlyFailed == "":
		return errors.New("--failed-first needs --history FILE, the history.json of the last merge")
	case h.retries > 0 && c.queue.url != "":
		return errors.New("--retries runs this worker's share again; with --queue each batch is the queue's: use the runner's own retries")
	}
	return nil
}

// failedIn reads the tests whose last outcome in the history at path (a
// history.json, or a report directory holding one) failed or errored,
// and the history's last run.
func failedIn(path string) (failed map[string]bool, lastRun, file string, err error) {
	file = path
	if st, serr := os.Stat(path); serr == nil && st.IsDir() {
		file = filepath.Join(path, timings.HistoryFile)
		if _, err := os.Stat(file); err != nil {
			return nil, "", file, fmt.Errorf("%q has no %s: pass the report directory of a merge run with this version, or its history.json", path, timings.HistoryFile)
		}
	}
	failed = map[string]bool{}
	add := func(id, marks string) {
		// Failed in the last run: its last mark.
		if marks != "" && model.Mark(marks[len(marks)-1]).Failing() {
			failed[id] = true
		}
	}
	if s, c, err := timings.OpenHistoryStream(file); err == nil {
		defer c.Close()
		for id, marks := range s.All() {
			add(string(id), string(marks))
		}
		if err = s.Err(); err == nil {
			return failed, s.Header().LastRun, file, nil
		}
		clear(failed)
		if !timings.IsNotCanonical(err) {
			return nil, "", file, err
		}
	} else if !timings.IsNotCanonical(err) {
		return nil, "", file, err
	}
	h, err := timings.ReadHistoryFile(file)
	if err != nil {
		return nil, "", file, err
	}
	for id, marks := range h.Tests {
		add(id, marks)
	}
	return failed, h.LastRun, file, nil
}

// applyHistory narrows the universe to the last run's failures
// (--only-failed) and reads the failures to run first (--failed-first).
// A history that cannot be read is a warning, and the plan is made
// without it: all the tests, in their usual order. done is true when
// there is nothing to run.
func (s *shardRun) applyHistory() (done bool, err error) {
	h := &s.cfg.hist
	if h.onlyFailed != "" {
		failed, lastRun, file, err := failedIn(h.onlyFailed)
		if err != nil {
			s.warnf("--only-failed: %v; planning every test instead", err)
			return false, nil
		}
		var keep []model.Item
		matched := 0
		files := failedFiles(failed)
		for _, it := range s.items {
			switch {
			case failed[it.ID]:
				matched++
			case files[it.ID] > 0:
				// A file planned whole (--glob): its failed tests' IDs
				// are "file::test".
				matched += files[it.ID]
			default:
				continue
			}
			keep = append(keep, it)
		}
		if n := len(failed) - matched; n > 0 {
			s.warnf("--only-failed: %d failed tests of %s are not among the tests collected now (renamed or deleted?)", n, file)
		}
		if len(keep) == 0 {
			fmt.Fprintf(s.env.Stderr, "shard: --only-failed: no test failed in the last run (%s): nothing to run\n", file)
			return true, nil
		}
		fmt.Fprintf(s.env.Stderr, "shard: --only-failed: %s of the %d collected failed in the last run (%s)\n", plural(len(keep), "test", "tests"), len(s.items), file)
		s.items = keep
		s.rerunOf = lastRun
		if lastRun == "" {
			s.rerunOf, _ = timings.HistoryID(file)
		}
		s.failed = failed
		return false, nil
	}
	if h.failedFirst {
		failed, _, _, err := failedIn(h.history)
		if err != nil {
			s.warnf("--history: %v; running tests in their usual order", err)
			return false, nil
		}
		s.failed = failed
	}
	return false, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// failedFiles counts the failed tests of each file, for IDs of the form
// "file::test" (pytest, Jest): what a plan of whole files (--glob) holds.
func failedFiles(failed map[string]bool) map[string]int {
	files := map[string]int{}
	for id := range failed {
		if i := strings.Index(id, "::"); i > 0 {
			files[id[:i]]++
		}
	}
	return files
}

// failedFirst orders items (sorted) with the last run's failures first,
// each part in its order; go-run lines the same way, by whether they run
// a failure. Without --failed-first it returns them as they are.
func (s *shardRun) failedFirst(items, goRun []string) ([]string, []string) {
	if !s.cfg.hist.failedFirst || len(s.failed) == 0 {
		return items, goRun
	}
	files := failedFiles(s.failed)
	first := func(id string) bool { return s.failed[id] || files[id] > 0 }
	items = slices.Clone(items)
	sort.SliceStable(items, func(i, j int) bool { return first(items[i]) && !first(items[j]) })
	if len(goRun) > 0 {
		// A line runs a failure when its regex names one of a failing
		// test's package: those lines go first.
		var failing []string
		for id := range s.failed {
			failing = append(failing, id)
		}
		sort.Strings(failing)
		lines := goRunLines(failing, s.items)
		runsFailure := func(l string) bool {
			for _, f := range lines {
				if sharesPackageAndTest(l, f) {
					return true
				}
			}
			return false
		}
		goRun = slices.Clone(goRun)
		sort.SliceStable(goRun, func(i, j int) bool { return runsFailure(goRun[i]) && !runsFailure(goRun[j]) })
	}
	return items, goRun
}

// sharesPackageAndTest reports whether go-run lines a and b name a test
// and a package in common.
func sharesPackageAndTest(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) < 3 || len(fb) < 3 {
		return false
	}
	names := func(re string) []string {
		re = strings.TrimSuffix(strings.TrimPrefix(re, "^("), ")$")
		return strings.Split(re, "|")
	}
	common := func(x, y []string) bool {
		for _, v := range x {
			if slices.Contains(y, v) {
				return true
			}
		}
		return false
	}
	return common(fa[2:], fb[2:]) && common(names(fa[1]), names(fb[1]))
}

// attempts runs this worker's tests, then its failures again up to
// --retries times, and folds every attempt's results into one file whose
// reader sees a test that passed on a retry as flaky. With --quarantine,
// a run whose every failure is quarantined exits 0. goRun is nil unless
// the plan is Go's.
func (s *shardRun) attempts(items, goRun, env []string) (int, error) {
	h := &s.cfg.hist
	c := s.cfg
	if h.retries == 0 && h.quarantine == "" && h.results == "" {
		if goRun != nil {
			return s.execGo(goRun, env)
		}
		return runCommand(s.env, substitute(withBatch(withAttempt(c.command, 1), 1), items), env, c.dir)
	}
	var q *history.Quarantine
	if h.quarantine != "" {
		var err error
		if q, err = history.ReadQuarantine(h.quarantine); err != nil {
			return ExitInput, fmt.Errorf("--quarantine: %w", err)
		}
	}
	r := &attemptRun{s: s, mine: map[string]bool{}, scopes: testid.NewScopes()}
	for _, it := range items {
		r.mine[it] = true
	}
	for _, it := range s.items {
		r.scopes.Add(it.ID)
	}
	code, failed, err := r.run(1, items, goRun, env)
	if err != nil {
		return code, err
	}
	for attempt := 2; code != 0 && attempt <= h.retries+1; attempt++ {
		if len(failed) == 0 || r.unattributed > 0 {
			break // nothing that a retry of tests could fix
		}
		fmt.Fprintf(s.env.Stderr, "shard: attempt %d of %d: running %s again%s\n", attempt, h.retries+1, plural(len(failed), "failed test", "failed tests"), firstFew(failed))
		var lines []string
		if goRun != nil {
			lines = goRunLines(failed, s.items)
		}
		if code, failed, err = r.run(attempt, failed, lines, env); err != nil {
			return code, err
		}
	}
	if err := r.fold(); err != nil {
		return ExitInput, err
	}
	if code != 0 && q != nil && r.read {
		var out []string
		for _, id := range failed {
			if _, ok := q.Match(id); !ok {
				out = append(out, id)
			}
		}
		if len(out) == 0 && r.unattributed == 0 && len(failed) > 0 {
			fmt.Fprintf(s.env.Stderr, "shard: every failed test is quarantined (%s): exit 0; merge reports them\n", strings.Join(failed, ", "))
			return ExitOK, nil
		}
	}
	return code, nil
}

// withAttempt puts the attempt's number in place of {attempt} in the
// command's arguments.
func withAttempt(cmd []string, attempt int) []string {
	out := make([]string, len(cmd))
	for i, a := range cmd {
		out[i] = strings.ReplaceAll(a, "{attempt}", strconv.Itoa(attempt))
	}
	return out
}

// attemptRun is the state of a worker's attempts.
type attemptRun struct {
	s      *shardRun
	mine   map[string]bool // this worker's items
	scopes *testid.Scopes
	// The results of every attempt: go test -json streams as they are,
	// JUnit cases by test (suite, classname, name), attempts in order.
	kind    ingest.Kind
	streams [][]byte
	tests   [][]model.Case
	index   map[[3]string]int
	read    bool // some attempt's results were read
	// unattributed counts the failures of the last attempt that are not
	// a test of this worker's (a package that did not build, say).
	unattributed int
}

// run runs one attempt of items (go-run lines for Go) and returns its
// exit code and the items that failed in it, sorted.
func (r *attemptRun) run(attempt int, items, goRun, env []string) (int, []string, error) {
	s, h, c := r.s, &r.s.cfg.hist, r.s.cfg
	env = append(slices.Clone(env), "XSHARD_ATTEMPT="+strconv.Itoa(attempt))
	cmd := withAttempt(c.command, attempt)
	var stdout bytes.Buffer
	capture := h.results == "" // Go: the results are the command's standard output
	var code int
	var err error
	runOne := func(argv []string) {
		if err != nil {
			return
		}
		var rc int
		if capture {
			rc, err = runTee(s.env, argv, env, c.dir, &stdout)
		} else {
			rc, err = runCommand(s.env, argv, env, c.dir)
		}
		if rc != 0 && code == 0 {
			code = rc
		}
	}
	if goRun != nil {
		for _, l := range goRun {
			runOne(substitute(withBatch(cmd, 1), strings.Fields(l)))
		}
	} else {
		runOne(substitute(withBatch(cmd, 1), items))
	}
	if err != nil {
		return code, nil, err
	}
	var data []byte
	name := "standard output"
	if capture {
		data = stdout.Bytes()
	} else {
		name = h.results
		path := h.results
		if !filepath.IsAbs(path) {
			path = filepath.Join(c.dir, path)
		}
		data, err = os.ReadFile(path)
		if err != nil {
			s.warnf("--results: %v: cannot tell which tests failed", err)
			return code, nil, nil
		}
	}
	failed, ok := r.add(attempt, data, name)
	if !ok {
		return code, nil, nil
	}
	return code, failed, nil
}

// add reads one attempt's results and returns this worker's items that
// failed in it.
func (r *attemptRun) add(attempt int, data []byte, name string) ([]string, bool) {
	kind := ingest.Sniff(data)
	if kind != ingest.JUnit && kind != ingest.GoTestJSON {
		r.s.warnf("%s holds no JUnit XML or go test -json output: cannot tell which tests failed", name)
		return nil, false
	}
	if r.kind != 0 && kind != r.kind {
		r.s.warnf("attempt %d wrote %v to %s, the first %v: cannot fold them", attempt, kind, name, r.kind)
		return nil, false
	}
	r.kind = kind
	resolver := testid.Resolver{Scopes: r.scopes}
	failed := map[string]bool{}
	r.unattributed = 0
	var cases []model.Case
	fn := func(c *model.Case) error {
		cases = append(cases, *c)
		if c.Outcome != model.Failed && c.Outcome != model.Errored {
			return nil
		}
		k := resolver.Of(c)
		for _, id := range []string{k.Test, k.Parent, k.File} {
			if id != "" && r.mine[id] {
				failed[id] = true
				return nil
			}
		}
		r.unattributed++
		return nil
	}
	var err error
	if kind == ingest.JUnit {
		_, err = junitxml.Read(bytes.NewReader(data), junitxml.ReadOptions{Source: name}, fn)
	} else {
		_, err = gotest.Read(bytes.NewReader(data), gotest.Options{Source: name}, fn)
	}
	if err != nil {
		r.s.warnf("%v: the failures it holds may be incomplete", err)
	}
	r.read = true
	if kind == ingest.GoTestJSON {
		r.streams = append(r.streams, data)
	} else {
		if r.index == nil {
			r.index = map[[3]string]int{}
		}
		for _, c := range cases {
			k := [3]string{c.Suite, c.Classname, c.Name}
			i, ok := r.index[k]
			if !ok {
				i = len(r.tests)
				r.index[k] = i
				r.tests = append(r.tests, nil)
			}
			r.tests[i] = append(r.tests[i], c)
		}
	}
	out := make([]string, 0, len(failed))
	for id := range failed {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, true
}

// fold writes every attempt's results to --results: go test -json
// streams one after the other (go test -json readers fold a test that
// ran again), JUnit in Surefire's rerun style. With results on standard
// output the retries are already there, after the first attempt's.
func (r *attemptRun) fold() error {
	h := &r.s.cfg.hist
	if h.results == "" || !r.read || len(r.streams)+len(r.tests) == 0 {
		return nil
	}
	path := h.results
	if !filepath.IsAbs(path) {
		path = filepath.Join(r.s.cfg.dir, path)
	}
	if r.kind == ingest.GoTestJSON {
		if len(r.streams) < 2 {
			return nil
		}
		return atomicfile.WriteFile(path, bytes.Join(r.streams, nil))
	}
	retried := false
	for _, t := range r.tests {
		retried = retried || len(t) > 1
	}
	if !retried {
		return nil
	}
	return atomicfile.Write(path, func(w io.Writer) error { return junitxml.WriteAttempts(w, r.tests) })
}

// runTee runs argv as runCommand does, copying its standard output to
// out as well.
func runTee(e Env, argv, env []string, dir string, out io.Writer) (int, error) {
	tee := e
	tee.Stdout = io.MultiWriter(e.Stdout, out)
	return runCommand(tee, argv, env, dir)
}
