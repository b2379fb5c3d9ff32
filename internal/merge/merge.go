package merge

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xshard/xshard/internal/atomicfile"

	"github.com/xshard/xshard/internal/cobertura"
	"github.com/xshard/xshard/internal/collect"
	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/dotnet"
	"github.com/xshard/xshard/internal/gocover"
	"github.com/xshard/xshard/internal/gotest"
	"github.com/xshard/xshard/internal/history"
	"github.com/xshard/xshard/internal/ingest"
	"github.com/xshard/xshard/internal/jsonmerge"
	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/lcov"
	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
	"github.com/xshard/xshard/internal/timings"
)

// Output file names, relative to the output directory.
const (
	JUnitFile        = "junit.xml"
	GoCoverFile      = "coverage.out"
	LCOVFile         = "coverage.lcov"
	CoberturaFile    = "coverage.cobertura.xml"
	OutputsFile      = "outputs.json"
	WorkerOutputFile = "outputs.per-worker.json"
	TimingsFile      = "timings.json"
)

// DefaultMaxFileSize is the default of Options.MaxFileSize: 2 GiB.
const DefaultMaxFileSize = 2 << 30

// DefaultJSONGlob matches the custom JSON outputs of workers.
const DefaultJSONGlob = "**/*.xshard.json"

// Options configure Run.
type Options struct {
	// Inputs are files, directories (walked recursively) and glob
	// patterns with **.
	Inputs []string
	// OutDir receives the merged files; it is created if missing.
	OutDir string
	// JSONGlob selects custom JSON outputs by their path under an input
	// directory; "" means DefaultJSONGlob.
	JSONGlob string
	// JSONPolicy resolves conflicting scalars in custom JSON outputs.
	JSONPolicy jsonmerge.Policy
	// Expect is the number of workers expected without manifests (or
	// checked against them); 0 means unknown.
	Expect int
	// TimingsHistory is a timings file to blend this run into ("" for
	// none); TimingsWeight is the new run's weight, 0 meaning
	// timings.DefaultWeight.
	TimingsHistory string
	TimingsWeight  float64
	// History is an outcome history (history.json) to fold this run
	// into ("" for none); the new one is written to OutDir either way.
	// HistoryLength is the most runs it keeps per test (0 means
	// history.DefaultLength) and FlakyThreshold the flip rate from which
	// a test counts as flaky (0 means history.DefaultFlakyThreshold).
	History        string
	HistoryLength  int
	FlakyThreshold float64
	// Quarantine lists the tests whose failures are reported apart and
	// do not count in History.Blocking; nil for none.
	Quarantine *history.Quarantine
	// MaxMessage and MaxDetail bound failure messages and traces kept.
	MaxMessage, MaxDetail int
	// MaxFileSize is the largest input file read, in bytes (0 means
	// DefaultMaxFileSize): a larger one is skipped with a problem that
	// names it, so that one hostile artifact cannot take the disk time
	// and, for the formats read whole (manifests, custom JSON), the
	// memory of the merge.
	MaxFileSize int64
	// AllowEmpty makes a merge that found no test results at all a
	// success; by default it is a problem (Result.Problems) naming what
	// was read, since it usually means the artifacts were not where the
	// merge looked.
	AllowEmpty bool
	// MaxTestRows bounds Result.Tests (0 means 200,000); MaxListed
	// bounds Failures and Flaky (0 means 1,000).
	MaxTestRows, MaxListed int
	// Report, when set, is called with the finished Result once
	// junit.xml is written, while timings.json may still be (of a
	// million tests, each takes a while): so that they share the cores.
	// Run returns its error. It must not change the Result.
	Report func(*Result) error
}

// Run merges the inputs into opts.OutDir and returns what it found. Input
// problems do not stop it: they are listed in Result.Problems and every
// other input is merged. The error is for what stops it altogether, such
// as an output directory that cannot be written.
func Run(opts Options) (*Result, error) {
	if opts.JSONGlob == "" {
		opts.JSONGlob = DefaultJSONGlob
	}
	if opts.MaxTestRows == 0 {
		opts.MaxTestRows = 200_000
	}
	if opts.MaxListed == 0 {
		opts.MaxListed = 1000
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	res := &Result{}
	// What an earlier merge killed outright (SIGKILL) left: its own kind
	// of temporary files only, and only of processes no longer running.
	if stale, err := atomicfile.RemoveStale(opts.OutDir); err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("output directory: %v (temporary files an earlier merge left there were not all removed)", err))
	} else if len(stale) > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: removed %d temporary file(s) an earlier merge left when it was killed: %s", opts.OutDir, len(stale), strings.Join(stale, ", ")))
	}
	files := find(opts.Inputs, &res.Problems)
	outAbs, _ := filepath.Abs(opts.OutDir)
	var kept []*file
	for _, f := range files {
		if abs, _ := filepath.Abs(f.path); strings.HasPrefix(abs, outAbs+string(filepath.Separator)) {
			continue // our own output, from an earlier merge into the same place
		}
		if f.size > opts.MaxFileSize {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: %s, over the --max-file-size limit of %s (skipped: raise --max-file-size if it is a real report)", f.path, formatSize(f.size), formatSize(opts.MaxFileSize)))
			continue
		}
		if f.size == 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s: empty file (skipped: did the worker stop before writing it?)", f.path))
			continue
		}
		if own := actionFiles[filepath.Base(f.path)]; own != "" {
			f.own = own
			kept = append(kept, f)
			continue
		}
		if why := foreignData(f); why != "" {
			f.ignored = why
			kept = append(kept, f)
			continue
		}
		if collect.Match(opts.JSONGlob, filepath.ToSlash(filepath.Join(f.artifact, f.rel))) || collect.Match(opts.JSONGlob, f.rel) {
			f.custom = true
		} else if err := sniff(f); err != nil {
			var d *diag.Error
			if err == errBlank {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s: blank file (skipped: did the worker stop before writing it?)", f.path))
			} else if errors.As(err, &d) {
				res.Problems = append(res.Problems, err.Error())
			} else {
				res.Problems = append(res.Problems, fmt.Sprintf("%s: %v (skipped)", f.path, errors.Unwrap(err)))
			}
			continue
		}
		kept = append(kept, f)
	}
	files = kept

	m := &merger{opts: opts, res: res, waitJUnit: func() error { return nil }}
	m.attribute(files)
	if err := m.mergeAll(files); err != nil {
		m.waitJUnit()
		return res, err
	}
	m.verify()
	m.finish()
	m.balance()
	passes := []func() ([]string, error){m.timingsWriter(), m.historyWriter()}
	for _, f := range files {
		kind := f.kind.String()
		switch {
		case f.custom:
			kind = "custom-json"
		case f.own != "":
			kind = f.own
		}
		ig := f.ignored
		if ig == "" && !f.custom && f.own == "" && f.kind == ingest.Unknown {
			ig = "unknown format"
		}
		res.Inputs = append(res.Inputs, Input{Path: f.path, Kind: kind, Worker: f.worker, Ignored: ig})
	}
	if res.Totals.Tests == 0 && !opts.AllowEmpty {
		res.Problems = append(res.Problems, noResults(opts.Inputs, res.Inputs, len(res.Problems) > 0))
	}
	// junit.xml is still being written (mergeResults): timings.json and
	// history.json are written meanwhile, each streaming its history
	// beside the run's sorted tests, and the reports once all three are
	// done: they show the history's classes, and the inputs' index that
	// junit.xml needs is gone by then (the reports would otherwise hold
	// memory alongside it).
	type passResult struct {
		warnings []string
		err      error
	}
	done := make([]chan passResult, len(passes))
	for i, pass := range passes {
		done[i] = make(chan passResult, 1)
		go func() {
			w, err := pass()
			done[i] <- passResult{w, err}
		}()
	}
	junitErr := m.waitJUnit()
	var passErr error
	for _, d := range done {
		r := <-d
		res.Warnings = append(res.Warnings, r.warnings...)
		passErr = cmp.Or(passErr, r.err)
	}
	if res.Totals.Tests >= 100_000 {
		// The inputs' index and the passes' buffers are garbage now: give
		// their pages back before the reports are built, rather than when
		// the scavenger gets to them, so that the peak memory of a large
		// merge is the larger of its phases, not their sum.
		debug.FreeOSMemory()
	}
	var reportErr error
	if opts.Report != nil && junitErr == nil && passErr == nil {
		reportErr = opts.Report(res)
	}
	if err := cmp.Or(junitErr, passErr); err != nil {
		return res, err
	}
	return res, reportErr
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// merger holds the state of one Run.
type merger struct {
	opts      Options
	res       *Result
	manifests map[string]*manifest.Manifest // kept, by worker
	agg       *aggregate
	queue     *queueRun // nil unless a worker used a queue
	groupRE   *regexp.Regexp
	// scopes are the pytest files and classes of the plan, nil without.
	scopes *testid.Scopes
	// waitJUnit waits for junit.xml, written while the rest goes on.
	waitJUnit func() error
}

func (m *merger) problem(err error) {
	m.res.Problems = append(m.res.Problems, err.Error())
}

func (m *merger) warnf(format string, args ...any) {
	m.res.Warnings = append(m.res.Warnings, fmt.Sprintf(format, args...))
}

// attribute reads the manifests and decides which worker every file came
// from: the manifest in its artifact directory, else a worker named in the
// directory or file name. Of a worker uploaded by several attempts, only
// the newest attempt's files are kept.
func (m *merger) attribute(files []*file) {
	type group struct {
		key       string
		files     []*file
		manifests []*manifest.Manifest
	}
	groups := map[string]*group{}
	var order []string
	for _, f := range files {
		key := f.root + "\x00" + f.artifact
		g := groups[key]
		if g == nil {
			g = &group{key: key}
			groups[key] = g
			order = append(order, key)
		}
		g.files = append(g.files, f)
		if f.kind == ingest.Manifest {
			mf, err := manifest.ReadFile(f.path)
			if err != nil {
				m.problem(err)
				f.ignored = "invalid manifest"
				continue
			}
			g.manifests = append(g.manifests, mf)
			f.worker = mf.Worker
		}
	}
	// A manifest of another test run (a stale artifact) vouches for
	// nothing: its artifact's files are left out, so that its worker is
	// missing unless this run's artifact has it.
	var mine []*manifest.Manifest
	for _, key := range order {
		mine = append(mine, groups[key].manifests...)
	}
	this := thisRun(mine)
	for _, key := range order {
		g := groups[key]
		var stale *manifest.Manifest
		for _, x := range g.manifests {
			if k := runKey(x); k != "" && k != this.key {
				stale = x
			}
		}
		if stale == nil {
			continue
		}
		why := fmt.Sprintf("from test run %s, not this run %s", runName(stale), this.name)
		for _, f := range g.files {
			if f.ignored == "" {
				f.ignored = why
			}
		}
		m.warnf("%s: the manifest of %s is from test run %s, not from this run %s (%s): a stale artifact from another run? Its files are left out; download only this run's artifacts", dirOf(g.files[0]), stale.Worker, runName(stale), this.name, this.workers)
		g.files, g.manifests = nil, nil
	}
	type claim struct {
		g       *group
		attempt int
		m       *manifest.Manifest
	}
	claims := map[string][]claim{}
	var guessed []string
	for _, key := range order {
		g := groups[key]
		if len(g.files) == 0 {
			continue
		}
		worker := ""
		var mf *manifest.Manifest
		switch {
		case len(g.manifests) == 1:
			mf = g.manifests[0]
			worker = mf.Worker
		case len(g.manifests) > 1:
			names := map[string]bool{}
			for _, x := range g.manifests {
				names[x.Worker] = true
			}
			if len(names) > 1 {
				m.warnf("%s holds the manifests of %d workers in one directory (downloaded with merge-multiple?): its files cannot be told apart by worker; download without merge-multiple", dirOf(g.files[0]), len(names))
			} else {
				mf = newest(g.manifests)
				worker = mf.Worker
			}
		default:
			// No manifest: the artifact directory's name, as the action
			// and the README's workflows lay artifacts out.
			dir := g.files[0].artifact
			if dir == "" {
				dir = filepath.Base(g.files[0].root)
			}
			if worker = workerFromDir(dir); worker != "" {
				guessed = append(guessed, fmt.Sprintf("%s as %s", dirOf(g.files[0]), worker))
			}
		}
		for _, f := range g.files {
			if f.worker == "" {
				f.worker = worker
			}
		}
		if worker != "" {
			attempt := 0
			if mf != nil {
				attempt = mf.RunAttempt
			}
			claims[worker] = append(claims[worker], claim{g, attempt, mf})
		}
	}
	sort.Strings(guessed)
	m.res.GuessedWorkers = guessed
	m.manifests = map[string]*manifest.Manifest{}
	workers := make([]string, 0, len(claims))
	for w := range claims {
		workers = append(workers, w)
	}
	sort.Strings(workers)
	for _, w := range workers {
		cs := claims[w]
		best := 0
		for i, c := range cs {
			if c.attempt > cs[best].attempt {
				best = i
			}
		}
		for i, c := range cs {
			switch {
			case i == best:
			case c.attempt < cs[best].attempt:
				for _, f := range c.g.files {
					f.ignored = fmt.Sprintf("older attempt %d of %s (attempt %d kept)", c.attempt, w, cs[best].attempt)
				}
				m.warnf("%s: attempt %d in %s replaced by attempt %d in %s", w, c.attempt, dirOf(c.g.files[0]), cs[best].attempt, dirOf(cs[best].g.files[0]))
			default:
				m.warnf("%s was uploaded twice, in %s and %s: its tests will be counted twice", w, dirOf(cs[best].g.files[0]), dirOf(c.g.files[0]))
			}
		}
		if cs[best].m != nil {
			m.manifests[w] = cs[best].m
		}
	}
	// Files with the same path inside artifacts of the same (or an
	// unknown) worker would have overwritten each other in a
	// merge-multiple download; here both are read, but say so.
	byRel := map[string]*file{}
	for _, f := range files {
		if f.ignored != "" {
			continue
		}
		k := f.worker + "\x00" + f.rel
		if prev, ok := byRel[k]; ok && prev.artifact != f.artifact && !sameContent(prev.path, f.path) {
			who := f.worker
			if who == "" {
				who = "an unknown worker"
			}
			m.warnf("%s and %s have the same relative path %q for %s but different content: a merge-multiple download would have kept only one", prev.path, f.path, f.rel, who)
		}
		byRel[k] = f
	}
}

// runKey is what tells test runs apart: the CI's run id (so that the
// attempts of one run are one run), else the test-run UID; "" when the
// manifest has neither (shard made its UID up).
func runKey(mf *manifest.Manifest) string {
	switch {
	case mf.RunID != "":
		return "run " + mf.RunID
	case mf.TestRunUID != "":
		return "uid " + mf.TestRunUID
	}
	return ""
}

// runName names a manifest's run for messages: its test-run UID, else its
// run id.
func runName(mf *manifest.Manifest) string {
	if mf.TestRunUID != "" {
		return fmt.Sprintf("%q", mf.TestRunUID)
	}
	return fmt.Sprintf("%q", "run "+mf.RunID)
}

// run is the test run the merge is of.
type run struct {
	key, name, workers string
}

// thisRun decides which test run the manifests are of: the one most of
// them (by artifact) belong to; of runs with as many, the one that
// started last (then the greatest key, so that the choice never depends
// on input order). Its name is the UID of its newest attempt, and workers
// lists its workers, for messages.
func thisRun(ms []*manifest.Manifest) run {
	type tally struct {
		n      int
		latest time.Time
		newest *manifest.Manifest
		ws     []string
	}
	runs := map[string]*tally{}
	for _, mf := range ms {
		k := runKey(mf)
		if k == "" {
			continue
		}
		t := runs[k]
		if t == nil {
			t = &tally{}
			runs[k] = t
		}
		t.n++
		if at, err := time.Parse(time.RFC3339, mf.StartedAt); err == nil && at.After(t.latest) {
			t.latest = at
		}
		if t.newest == nil || mf.RunAttempt > t.newest.RunAttempt {
			t.newest = mf
		}
		t.ws = append(t.ws, mf.Worker)
	}
	best := ""
	for k, t := range runs {
		if b := runs[best]; b == nil || t.n > b.n || t.n == b.n && (t.latest.After(b.latest) || t.latest.Equal(b.latest) && k > best) {
			best = k
		}
	}
	if best == "" {
		return run{}
	}
	t := runs[best]
	slices.SortFunc(t.ws, compareWorkers)
	return run{key: best, name: runName(t.newest), workers: "the run of " + strings.Join(slices.Compact(t.ws), ", ")}
}

func newest(ms []*manifest.Manifest) *manifest.Manifest {
	best := ms[0]
	for _, x := range ms[1:] {
		if x.RunAttempt > best.RunAttempt {
			best = x
		}
	}
	return best
}

func dirOf(f *file) string {
	if f.artifact == "" {
		return f.root
	}
	return filepath.Join(f.root, f.artifact)
}

func sameContent(a, b string) bool {
	x, err1 := os.ReadFile(a)
	y, err2 := os.ReadFile(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// mergeAll merges every kept file by kind and writes the merged outputs.
func (m *merger) mergeAll(files []*file) error {
	byKind := map[ingest.Kind][]*file{}
	var custom []*file
	for _, f := range files {
		if f.ignored != "" {
			continue
		}
		if f.custom {
			custom = append(custom, f)
			continue
		}
		byKind[f.kind] = append(byKind[f.kind], f)
	}
	for _, mf := range m.manifests {
		if mf.GroupPattern != "" {
			if re, err := regexp.Compile(mf.GroupPattern); err == nil {
				m.groupRE = re
			}
		}
	}
	var planned map[string]*plannedItem
	if ref := m.reference(); ref != nil {
		planned, m.scopes = plannedItems(ref)
		m.res.scopes = m.scopes
	}
	// About one test case per 400 bytes of report: room for the maps of
	// a million-test run without growing them step by step.
	// go test -json and the .NET formats are converted to JUnit first.
	converted := byKind[ingest.GoTestJSON]
	for k := ingest.Kind(0); k <= ingest.Last; k++ {
		if _, ok := k.DotNet(); ok {
			converted = append(converted, byKind[k]...)
		}
	}
	var bytes int64
	for _, f := range append(byKind[ingest.JUnit], converted...) {
		bytes += f.size
	}
	m.agg = newAggregate(m.opts, m.groupRE, planned, m.scopes, runtime.GOMAXPROCS(0), int(min(bytes/400, 8<<20)))
	if m.queue = m.queueClaims(); m.queue != nil {
		m.agg.queue, m.agg.keep, m.agg.keptSeen = m.queue, m.queue.keep, map[string]bool{}
		m.agg.contestKey = map[contest]uint64{}
	}
	wait, err := m.mergeResults(byKind[ingest.JUnit], converted)
	m.waitJUnit = wait
	m.agg.close()
	if err != nil {
		return err
	}
	if err := m.mergeGoCover(byKind[ingest.GoCover]); err != nil {
		return err
	}
	if err := m.mergeLCOV(byKind[ingest.LCOV]); err != nil {
		return err
	}
	if err := m.mergeCobertura(byKind[ingest.Cobertura]); err != nil {
		return err
	}
	return m.mergeCustom(custom)
}

// mergeResults merges JUnit inputs, and the other results (go test -json
// streams, .NET reports) converted to JUnit, into junit.xml, feeding every
// case to the aggregate. It
// returns once every case is in the aggregate and the broken inputs are
// in the problems: junit.xml is still being written then, on its own
// goroutine, while the caller goes on; wait returns when it is written,
// with the error that stops the merge, if any.
func (m *merger) mergeResults(junits, converted []*file) (wait func() error, err error) {
	wait = func() error { return nil }
	if len(junits)+len(converted) == 0 {
		return wait, nil
	}
	// origin maps the copies read in place of inputs (converted to JUnit,
	// or to UTF-8) to the inputs; warnings of the JUnit reader about a
	// conversion are left out, since the converter has given its own.
	origin := map[string]string{}
	conversions := map[string]bool{}
	tmp := ""
	needTmp := len(converted) > 0
	for _, f := range junits {
		needTmp = needTmp || f.enc != nil
	}
	if needTmp {
		if tmp, err = atomicfile.TempDir(m.opts.OutDir, "gotest"); err != nil {
			return wait, fmt.Errorf("output directory: %w", err)
		}
	}
	var inputs []junit.Input
	for i, f := range junits {
		if f.enc == nil {
			inputs = append(inputs, junit.Input{Path: f.path, Worker: f.worker})
			continue
		}
		conv := filepath.Join(tmp, fmt.Sprintf("utf8-%04d.xml", i))
		if err := copyUTF8(f, conv); err != nil {
			m.problem(diag.WithFile(err, f.path))
			continue
		}
		inputs = append(inputs, junit.Input{Path: conv, Worker: f.worker})
		origin[conv] = f.path
	}
	if len(converted) > 0 {
		for i, f := range converted {
			conv := filepath.Join(tmp, fmt.Sprintf("%04d.xml", i))
			warnings, err := convert(f, conv)
			for _, w := range warnings {
				m.warnf("%s", w)
			}
			if err != nil {
				m.problem(err)
			}
			if st, err := os.Stat(conv); err == nil && st.Size() > 0 {
				inputs = append(inputs, junit.Input{Path: conv, Worker: f.worker})
				origin[conv] = f.path
				conversions[conv] = true
			}
		}
	}
	// indexed gets the broken inputs once every input is read, or, when
	// junit.xml could not even be created, nothing is read and read is
	// false.
	type index struct {
		errs     []error
		warnings []*diag.Error
		read     bool
	}
	indexed := make(chan index, 1)
	done := make(chan error, 1)
	opts := junit.MergeOptions{
		MaxMessage: m.opts.MaxMessage, MaxDetail: m.opts.MaxDetail,
		Parallel: len(m.agg.readers),
		OnCaseFrom: func(r int, c *model.Case) {
			if o, ok := origin[c.Source]; ok {
				c.Source = o
			}
			m.agg.readers[r].add(c)
		},
	}
	if m.queue != nil {
		// A requeued test appears once in junit.xml too: its reports are
		// held until the aggregate has settled whose report counts.
		opts.Hold = func(r int, _ *model.Case) uint64 { return m.agg.readers[r].held }
		opts.Resolve = m.agg.resolve
	}
	go func() {
		if tmp != "" {
			defer atomicfile.RemoveTempDir(tmp) // junit.Merge copies from it
		}
		sent := false
		err := atomicfile.Write(filepath.Join(m.opts.OutDir, JUnitFile), func(w io.Writer) error {
			opts.OnIndexed = func(errs []error, warnings []*diag.Error) { sent = true; indexed <- index{errs, warnings, true} }
			_, errs := junit.Merge(w, inputs, opts)
			// A broken input is reported and the rest still written;
			// only a failure to write stops the file.
			for _, e := range errs {
				var d *diag.Error
				if !errors.As(e, &d) {
					return e
				}
			}
			return nil
		})
		done <- err
		if !sent {
			indexed <- index{}
		}
	}()
	ix := <-indexed
	if !ix.read {
		return wait, <-done
	}
	for _, w := range ix.warnings {
		if conversions[w.File] {
			// Converted to JUnit: its reader has warned of the same, at
			// the input's own lines.
			continue
		}
		if o, ok := origin[w.File]; ok {
			c := *w
			c.File = o
			w = &c
		}
		m.warnf("%s", w)
	}
	for _, e := range ix.errs {
		var d *diag.Error
		if errors.As(e, &d) {
			if o, ok := origin[d.File]; ok {
				c := *d
				c.File = o
				e = &c
			}
			m.problem(e)
		}
	}
	return func() error { return <-done }, nil
}

// copyUTF8 writes the XML report f, in another encoding, to dst in
// UTF-8.
func copyUTF8(f *file, dst string) error {
	in, err := openUTF8(f)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// convert writes the go test -json stream or .NET report f as JUnit XML
// to dst, what it holds even when it is broken, and returns the reader's
// warnings and its error (which says where it broke).
func convert(f *file, dst string) ([]string, error) {
	in, err := openUTF8(f)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return nil, err
	}
	var warnings []string
	var cerr error
	if format, ok := f.kind.DotNet(); ok {
		var rep *dotnet.Report
		rep, cerr = dotnet.ToJUnit(bufio.NewReaderSize(in, 64<<10), out, format)
		if rep != nil && rep.Repaired > 0 {
			warnings = append(warnings, fmt.Sprintf("%s: %d characters that XML cannot hold (control characters, bytes that are not UTF-8) replaced with U+FFFD", f.path, rep.Repaired))
		}
	} else {
		var st gotest.Stats
		st, cerr = gotest.ToJUnit(in, out, gotest.Options{Source: f.path, Worker: f.worker})
		for _, w := range st.Warnings {
			warnings = append(warnings, w.Error())
		}
	}
	if err := out.Close(); err != nil && cerr == nil {
		cerr = err
	}
	return warnings, diag.WithFile(cerr, f.path)
}

func (m *merger) mergeGoCover(files []*file) error {
	if len(files) == 0 {
		return nil
	}
	var gm gocover.Merger
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.path
	}
	for len(names) > 0 {
		err := gm.AddFiles(names...)
		if err == nil {
			break
		}
		m.problem(err)
		// AddFiles stops at the failing file: go on after it.
		// The error names the failing file, and its message may name an
		// earlier one it disagrees with: match the file exactly first.
		next := len(names)
		var d *diag.Error
		if errors.As(err, &d) {
			if i := slices.Index(names, d.File); i >= 0 {
				next = i + 1
			}
		} else {
			for i, n := range names {
				if strings.Contains(err.Error(), n) {
					next = i + 1
					break
				}
			}
		}
		names = names[next:]
	}
	for _, o := range gm.Overflows() {
		m.warnf("%s", o)
	}
	if gm.Mode() == "" {
		return nil
	}
	if err := atomicfile.Write(filepath.Join(m.opts.OutDir, GoCoverFile), gm.Write); err != nil {
		return err
	}
	m.res.Coverage = append(m.res.Coverage, coverage("go", GoCoverFile, gm.Files()))
	return nil
}

// fileMerger is what the LCOV and Cobertura mergers have in common.
type fileMerger interface {
	AddFile(name string) error
	Write(w io.Writer) error
	Files() []model.FileCoverage
}

func (m *merger) mergeLCOV(files []*file) error {
	return m.mergeFiles(files, new(lcov.Merger), "lcov", LCOVFile)
}

func (m *merger) mergeCobertura(files []*file) error {
	return m.mergeFiles(files, new(cobertura.Merger), "cobertura", CoberturaFile)
}

// mergeFiles adds every file to fm, naming those that fail and going on,
// and writes the merge to out when any file was read.
func (m *merger) mergeFiles(files []*file, fm fileMerger, kind, out string) error {
	n := 0
	for _, f := range files {
		add := func() error { return fm.AddFile(f.path) }
		if r, ok := fm.(interface{ Add(string, io.Reader) error }); ok && f.enc != nil {
			add = func() error {
				in, err := openUTF8(f)
				if err != nil {
					return err
				}
				defer in.Close()
				return r.Add(f.path, in)
			}
		}
		if err := add(); err != nil {
			m.problem(diag.WithFile(err, f.path))
			continue
		}
		n++
	}
	if n == 0 {
		return nil
	}
	if err := atomicfile.Write(filepath.Join(m.opts.OutDir, out), fm.Write); err != nil {
		return err
	}
	m.res.Coverage = append(m.res.Coverage, coverage(kind, out, fm.Files()))
	return nil
}

func coverage(kind, file string, files []model.FileCoverage) Coverage {
	c := Coverage{Kind: kind, File: file, Files: files}
	for _, f := range files {
		c.Total += f.Total
		c.Covered += f.Covered
	}
	return c
}

func (m *merger) mergeCustom(files []*file) error {
	if len(files) == 0 {
		return nil
	}
	var inputs []jsonmerge.Input
	for _, f := range files {
		h, err := os.Open(f.path)
		if err != nil {
			m.problem(err)
			continue
		}
		v, err := jsonmerge.Parse(h, f.path)
		h.Close()
		if err != nil {
			m.problem(err)
			f.ignored = "invalid JSON"
			continue
		}
		inputs = append(inputs, jsonmerge.Input{Worker: f.worker, Path: f.path, Value: v})
	}
	if len(inputs) == 0 {
		return nil
	}
	jsonmerge.Sort(inputs)
	merged, err := jsonmerge.Merge(inputs, m.opts.JSONPolicy)
	if err != nil {
		m.problem(fmt.Errorf("custom JSON outputs: %w", err))
	} else {
		m.res.Outputs = merged
		if err := atomicfile.Write(filepath.Join(m.opts.OutDir, OutputsFile), func(w io.Writer) error { return jsonmerge.Write(w, merged) }); err != nil {
			return err
		}
	}
	per := jsonmerge.PerWorker(inputs)
	m.res.OutputsPerWorker = per
	return atomicfile.Write(filepath.Join(m.opts.OutDir, WorkerOutputFile), func(w io.Writer) error {
		v := make(map[string]any, len(per))
		for k, x := range per {
			v[k] = x
		}
		return jsonmerge.Write(w, v)
	})
}

// timingsWriter returns the pass that writes this run's timings blended
// with the timings history. A history laid out as merge writes it is
// streamed beside the run's sorted tests, so that a million tests cost no
// map; any other kind or layout is read whole. A history that cannot be
// read is a warning naming the place: this run's timings start a new one.
// The pass only reads the Result, so it can run beside the reports.
func (m *merger) timingsWriter() func() ([]string, error) {
	run := m.res.Timings
	if run == nil || m.res.NumTestTimings() == 0 {
		return func() ([]string, error) { return nil, nil }
	}
	w := m.opts.TimingsWeight
	if w == 0 {
		w = timings.DefaultWeight
	}
	path := filepath.Join(m.opts.OutDir, TimingsFile)
	res := m.res
	histPath := m.opts.TimingsHistory
	groups, scopes := m.groupRE, m.scopes
	return func() ([]string, error) {
		write := func(hist *timings.File) error {
			// The tests, a million of them, go from the sorted run to the
			// file without a map: blended with history's as a sorted merge.
			tests := res.TestTimings()
			out := &timings.File{Runs: 1, Timings: *run}
			if hist != nil {
				h := hist.Timings
				tests = timings.BlendTests(h.Tests, tests, w)
				h.Tests = nil
				out = timings.Blend(&timings.File{Runs: hist.Runs, Timings: h}, run, w)
			}
			return atomicfile.Write(path, func(wr io.Writer) error { return timings.WriteTests(wr, out, tests) })
		}
		if histPath == "" {
			return nil, write(nil)
		}
		if _, err := os.Stat(histPath); err != nil {
			return []string{fmt.Sprintf("--timings-history %q does not exist yet: this run's timings start the history", histPath)}, write(nil)
		}
		if s, c, err := timings.OpenStream(histPath); err == nil {
			err = atomicfile.Write(path, func(wr io.Writer) error { return writeStreamed(wr, s, res, run, w) })
			c.Close()
			var se *sourceError
			if !errors.As(err, &se) {
				return nil, err
			}
			// Not canonical after all, or damaged: read the general way.
		}
		hist, err := ingest.ReadTimingsFile(histPath, groups, scopes)
		if err != nil {
			return []string{fmt.Sprintf("--timings-history: %v (this run's timings start the history again)", err)}, write(nil)
		}
		return nil, write(hist)
	}
}

// writeStreamed writes the run's timings blended with the history that
// s streams: both in ID order, as a sorted merge. An error of the stream
// is a sourceError.
func writeStreamed(wr io.Writer, s *timings.Stream, res *Result, run *model.Timings, w float64) error {
	tests := func(yield func(string, float64) bool) {
		hid, hsecs, more := s.Next()
		for id, secs := range res.testTimingsNoCopy() {
			for more && string(hid) < id {
				if !yield(string(hid), hsecs) {
					return
				}
				hid, hsecs, more = s.Next()
			}
			if more && string(hid) == id {
				secs = w*secs + (1-w)*hsecs
				hid, hsecs, more = s.Next()
			}
			if !yield(id, secs) {
				return
			}
		}
		for more {
			if !yield(string(hid), hsecs) {
				return
			}
			hid, hsecs, more = s.Next()
		}
	}
	rest := func() (*model.Timings, error) {
		if err := s.Err(); err != nil {
			return nil, &sourceError{err}
		}
		f, err := s.Rest()
		if err != nil {
			return nil, &sourceError{err}
		}
		out := timings.Blend(f, run, w)
		return &out.Timings, nil
	}
	return timings.WriteStream(wr, s.Runs()+1, tests, rest)
}
