package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/atomicfile"
	"github.com/xshard/xshard/internal/collect"
	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/ghaction"
	"github.com/xshard/xshard/internal/gocollect"
	"github.com/xshard/xshard/internal/ingest"
	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/plan"
	"github.com/xshard/xshard/internal/testid"
)

const shardUsage = `Usage: shard [flags] [test-id ...] [--exec -- command [args...]]

shard computes the same deterministic plan on every worker of a CI matrix
and prints, runs or records this worker's part of it.

What to split (any mix): test ids as arguments or in --tests-from, test
files matched by --glob, Go packages by --go.

Who this worker is: --index/--total (0-based) or --shard K/N (1-based);
else $XSHARD_INDEX/$XSHARD_TOTAL, CircleCI, GitLab, Buildkite, Semaphore or
Azure Pipelines variables.

Examples:
  shard --go ./... --shard 1/4 --format go-run
  shard --glob 'tests/**/test_*.py' --index 0 --total 4 --timings timings.json --exec -- pytest
  shard --go ./... --total 4 --plan
  shard --go ./... --matrix --target-duration 5m --job-overhead 40s --max-workers 16
  shard --go ./... --queue "$XSHARD_QUEUE_URL" --manifest m.json --exec -- go test -json -coverprofile=cover-{batch}.out

Flags:
`

// shardConfig holds the shard command's flags.
type shardConfig struct {
	index, total      int
	shardKN           string
	testsFrom         string
	globs, gos        stringList
	tags              string
	by                *enumFlag
	groupPattern      string
	strategy          *enumFlag
	seed              uint64
	timingsFiles      stringList
	format            *enumFlag
	showPlan          bool
	matrix            bool
	targetDuration    durationFlag
	jobOverhead       durationFlag
	maxWorkers        int
	expectFingerprint string
	manifestPath      string
	exec              bool
	queue             queueFlags
	hist              historyFlags
	dir               string
	ids               []string
	command           []string
}

func (c *shardConfig) flags() *flag.FlagSet {
	fs := newFlagSet("shard")
	c.by = newEnum("test", "test", "file", "package", "group")
	c.strategy = newEnum("auto", "auto", "hash", "timing")
	c.format = newEnum("lines", "lines", "space", "json", "go-run")
	c.index, c.total = -1, -1
	fs.Var(optInt{&c.index}, "index", "this worker's `index`, 0-based (with --total)")
	fs.Var(optInt{&c.index}, "worker", "alias of --index, as the action's input is named (`index`)")
	fs.Var(optInt{&c.total}, "total", "the number of workers (`n`)")
	fs.Var(optInt{&c.total}, "workers", "alias of --total, as the action's input is named (`n`)")
	fs.StringVar(&c.shardKN, "shard", "", "this worker as `K/N`, 1-based, as Jest and Playwright write it")
	fs.StringVar(&c.testsFrom, "tests-from", "", "read test ids from `file`, one a line (- for stdin); blank lines and # comments ignored")
	fs.StringVar(&c.testsFrom, "tests-file", "", "alias of --tests-from (`file`)")
	fs.Var(&c.globs, "glob", "split the test files matching `pattern` (repeatable; ** matches directories)")
	fs.Var(&c.gos, "go", "split the tests of the Go packages matching `pattern`, such as ./... (repeatable)")
	fs.StringVar(&c.tags, "tags", "", "Go build `tags` for --go, comma separated, as go test -tags")
	fs.Var(c.by, "by", "granularity of a unit: `test`, file, package or group (xdist's load, loadfile, loadscope, loadgroup)")
	fs.StringVar(&c.groupPattern, "group-pattern", "", "with --by group: `regex` whose first capture group names an id's group")
	fs.Var(c.strategy, "strategy", "`auto`, hash or timing; auto uses timing when --timings cover at least one unit")
	fs.Uint64Var(&c.seed, "seed", 0, "`number` mixed into the hash strategy's order")
	fs.Var(&c.timingsFiles, "timings", "historical durations from `file`: xshard timings, {\"id\": seconds}, JUnit XML or go test -json (repeatable; later files win)")
	fs.Var(c.format, "format", "output `format`: lines, space, json, or go-run (one go test argument line per group of packages)")
	fs.BoolVar(&c.showPlan, "plan", false, "print every shard's part instead of this worker's")
	fs.BoolVar(&c.matrix, "matrix", false, "print a GitHub Actions matrix ({\"include\":[...]}) for fromJSON, with the plan's fingerprint")
	fs.Var(&c.targetDuration, "target-duration", "with --matrix: choose the fewest workers whose predicted wall time is within `duration`")
	fs.Var(&c.jobOverhead, "job-overhead", "with --matrix: fixed cost of one job (checkout, setup, build), added to each worker's `duration`")
	fs.IntVar(&c.maxWorkers, "max-workers", 32, "with --target-duration: the most workers to choose (`n`)")
	fs.StringVar(&c.expectFingerprint, "expect-fingerprint", "", "fail unless this worker's plan has `fingerprint` (from --matrix)")
	fs.StringVar(&c.manifestPath, "manifest", "", "write this worker's manifest to `file`, for merge to verify completeness")
	fs.BoolVar(&c.exec, "exec", false, "run the command after -- with this shard's tests appended (or put in place of {}), and exit with its code")
	c.queue.register(fs)
	c.hist.register(fs)
	fs.StringVar(&c.dir, "C", ".", "run as if started in `dir`")
	return fs
}

// Shard runs the shard command with args (without the program name) and
// returns its exit code.
func Shard(args []string, env Env) int {
	var c shardConfig
	fs := c.flags()
	pos, rest, code, done := parseCommand("shard", shardUsage, fs, args, env)
	if done {
		return code
	}
	c.ids = pos
	if c.exec {
		if len(rest) == 0 {
			fmt.Fprintln(env.Stderr, "shard: --exec needs a command after --, as in: shard --exec -- pytest -q")
			return ExitInput
		}
		c.command = rest
	} else if rest != nil {
		c.ids = append(c.ids, rest...)
	}
	s := &shardRun{cfg: &c, env: env}
	code, err := s.run()
	if err != nil {
		fmt.Fprintf(env.Stderr, "shard: %v\n", err)
	}
	return code
}

type shardRun struct {
	cfg       *shardConfig
	env       Env
	items     []model.Item
	collector string
	// untested are Go packages matched by --go without tests: worker 0
	// names them so that coverage reports their statements.
	untested []string
	// queueManifest is recorded in the manifest of a worker that fell
	// back from the queue to the static plan.
	queueManifest *manifest.Queue
	// failed are the last run's failures from the history (--only-failed,
	// --failed-first), and rerunOf that history's last run, which the
	// manifest names so that merge amends it (history.go).
	failed  map[string]bool
	rerunOf string
	// goModule is the Go module of --go, for the manifest: merge maps
	// import paths to the repository's files with it where it has no
	// checkout.
	goModule *manifest.GoModule
}

func (s *shardRun) warnf(format string, args ...any) {
	fmt.Fprintf(s.env.Stderr, "shard: warning: "+format+"\n", args...)
}

func (s *shardRun) run() (int, error) {
	c := s.cfg
	if c.format.value == "go-run" && len(c.gos) == 0 {
		return ExitInput, errors.New("--format go-run needs --go")
	}
	if c.by.value == "group" && c.groupPattern == "" {
		return ExitInput, errors.New("--by group needs --group-pattern")
	}
	var groupRE *regexp.Regexp
	if c.groupPattern != "" {
		re, err := regexp.Compile(c.groupPattern)
		if err != nil {
			return ExitInput, fmt.Errorf("invalid --group-pattern %q: %v", c.groupPattern, err)
		}
		if re.NumSubexp() < 1 {
			return ExitInput, fmt.Errorf("invalid --group-pattern %q: it needs a capture group, as in %q", c.groupPattern, `^tests/(\w+)/`)
		}
		groupRE = re
	}
	if (c.targetDuration.d > 0 || c.jobOverhead.d > 0) && !c.matrix {
		return ExitInput, errors.New("--target-duration and --job-overhead go with --matrix")
	}
	if c.exec && (c.showPlan || c.matrix) {
		return ExitInput, errors.New("--exec runs one worker's part; it cannot be combined with --plan or --matrix")
	}
	if c.queue.url == "" {
		c.queue.url = strings.TrimSpace(s.env.Getenv("XSHARD_QUEUE_URL"))
	}
	if c.queue.key == "" {
		c.queue.key = strings.TrimSpace(s.env.Getenv("XSHARD_QUEUE_KEY"))
	}
	if c.queue.url != "" && (c.showPlan || c.matrix) {
		return ExitInput, errors.New("--queue hands out one worker's batches; it cannot be combined with --plan or --matrix")
	}
	if c.queue.next && c.queue.url == "" {
		return ExitInput, errors.New("--next needs --queue URL (or $XSHARD_QUEUE_URL)")
	}
	if c.queue.next && c.exec {
		return ExitInput, errors.New("--next prints the next batch for a script's own loop; --exec runs them all: choose one")
	}
	if err := c.hist.check(c); err != nil {
		return ExitInput, err
	}
	if err := s.collect(); err != nil {
		return ExitInput, err
	}
	if done, err := s.applyHistory(); done || err != nil {
		return ExitOK, err
	}
	tm, err := s.loadTimings(groupRE)
	if err != nil {
		return ExitInput, err
	}
	opts := plan.Options{
		Strategy:     plan.Strategy(c.strategy.value),
		By:           plan.By(c.by.value),
		Seed:         c.seed,
		GroupPattern: groupRE,
		Timings:      tm,
	}

	if c.matrix {
		return s.printMatrix(opts)
	}
	var id identity
	if c.showPlan {
		total := c.total
		if c.shardKN != "" || c.index >= 0 {
			id, err = resolveIdentity(c.index, c.total, c.shardKN, s.env.Getenv)
			if err != nil {
				return ExitInput, err
			}
			total = id.total
		}
		if total < 0 {
			if t, err := strconv.Atoi(s.env.Getenv("XSHARD_TOTAL")); err == nil {
				total = t
			}
		}
		if total < 1 {
			return ExitInput, errors.New("--plan needs --total N (or $XSHARD_TOTAL)")
		}
		opts.Total = total
		p, err := plan.Make(s.items, opts)
		if err != nil {
			return ExitInput, err
		}
		return ExitOK, s.printPlan(p)
	}
	id, err = resolveIdentity(c.index, c.total, c.shardKN, s.env.Getenv)
	if err != nil {
		return ExitInput, err
	}
	opts.Total = id.total
	p, err := plan.Make(s.items, opts)
	if err != nil {
		return ExitInput, err
	}
	if c.expectFingerprint != "" && c.expectFingerprint != p.Fingerprint {
		parts := plan.DiffFingerprint(c.expectFingerprint, p.Fingerprint)
		return ExitInput, fmt.Errorf("this worker's plan differs from the expected one (%s differ): expected fingerprint %q, got %q; every worker must see the same tests and timings as the job that made the matrix", strings.Join(parts, ", "), c.expectFingerprint, p.Fingerprint)
	}
	if c.queue.url != "" {
		return s.runQueue(p, id, c.groupPattern)
	}
	return s.runWorker(p, id, groupRE)
}

// collect gathers the items from ids, --tests-from, --glob and --go.
func (s *shardRun) collect() error {
	c := s.cfg
	var items []model.Item
	var kinds []string
	ids := c.ids
	if c.testsFrom != "" {
		more, err := collect.ReadIDsFile(c.testsFrom, s.env.Stdin)
		if err != nil {
			return fmt.Errorf("--tests-from: %w", err)
		}
		ids = append(ids, more...)
	}
	if len(ids) > 0 || c.testsFrom != "" {
		kinds = append(kinds, "ids")
		for _, id := range ids {
			items = append(items, collect.Infer(id))
		}
	}
	if len(c.globs) > 0 {
		kinds = append(kinds, "glob")
		got, err := collect.Glob(c.dir, c.globs)
		if err != nil {
			return err
		}
		items = append(items, got...)
	}
	if len(c.gos) > 0 {
		kinds = append(kinds, "go")
		var tags []string
		if c.tags != "" {
			for _, t := range strings.FieldsFunc(c.tags, func(r rune) bool { return r == ',' || r == ' ' }) {
				tags = append(tags, t)
			}
		}
		got, untested, err := gocollect.CollectPackages(gocollect.Options{Dir: c.dir, Patterns: c.gos, Tags: tags})
		if err != nil {
			return err
		}
		items = append(items, got...)
		s.untested = untested
		s.goModule = goModuleOf(c.dir, s.env)
	}
	if len(kinds) == 0 {
		return errors.New("nothing to split: give test ids, --tests-from, --glob or --go")
	}
	items, dups := collect.Dedup(items)
	if len(dups) > 0 {
		s.warnf("%d duplicate test id(s) ignored, first %q", len(dups), dups[0])
	}
	if len(items) == 0 {
		return errors.New("no tests found: the universe is empty; check the patterns and the working directory")
	}
	s.items = items
	s.collector = strings.Join(kinds, "+")
	return nil
}

func (s *shardRun) loadTimings(groups *regexp.Regexp) (*model.Timings, error) {
	if len(s.cfg.timingsFiles) == 0 {
		return nil, nil
	}
	// Reports given as timings are keyed by the collected IDs.
	scopes := testid.NewScopes()
	for _, it := range s.items {
		scopes.Add(it.ID)
	}
	all := &model.Timings{}
	for _, f := range s.cfg.timingsFiles {
		t, err := ingest.ReadTimings(f, groups, scopes)
		var d *diag.Error
		if errors.As(err, &d) {
			// A damaged history (a cut cache entry, say): every worker
			// reads the same file, so all plan without it alike.
			s.warnf("--timings: %v; planning without it", err)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("--timings: %w", err)
		}
		all.Merge(t)
	}
	return all, nil
}

// runWorker prints, executes and records this worker's part.
func (s *shardRun) runWorker(p *plan.Plan, id identity, groups *regexp.Regexp) (int, error) {
	c := s.cfg
	sh := p.Shards[id.index]
	items := shardItems(sh)
	ri := detectRun(s.env.Getenv)
	worker := model.WorkerID(id.index)
	if len(items) == 0 {
		s.warnf("%s has no tests: %d units for %d workers; this worker runs nothing", worker, countUnits(p), p.Total)
	}
	var goRun []string
	if len(c.gos) > 0 {
		goRun = goRunLines(items, s.items)
		if id.index == 0 && len(s.untested) > 0 {
			goRun = withUntested(goRun, s.untested)
		}
	}
	items, goRun = s.failedFirst(items, goRun)
	m := buildManifest(p, id, ri, s, c.groupPattern)
	m.Queue = s.queueManifest
	m.RerunOf = s.rerunOf
	writeManifest := func() error {
		if c.manifestPath == "" {
			return nil
		}
		err := atomicfile.Write(c.manifestPath, func(w io.Writer) error { return manifest.Write(w, m) })
		if err != nil {
			return fmt.Errorf("--manifest: %w", err)
		}
		return nil
	}
	if c.exec {
		m.TestStartedAt = s.env.Now().UTC().Format(manifest.TimeFormat)
	}
	if err := writeManifest(); err != nil {
		return ExitInput, err
	}
	vars := []struct{ k, v string }{
		{"XSHARD_WORKER", worker},
		{"XSHARD_WORKER_INDEX", strconv.Itoa(id.index)},
		{"XSHARD_WORKER_COUNT", strconv.Itoa(id.total)},
		{"XSHARD_TESTRUN_UID", ri.testrunUID},
	}
	if ghaction.Active(s.env.Getenv) {
		gh := ghaction.New(s.env.Stderr, s.env.Getenv)
		for _, kv := range vars {
			if err := gh.SetEnv(kv.k, kv.v); err != nil {
				return ExitInput, err
			}
		}
		outs := []struct{ k, v string }{
			{"worker", worker},
			{"index", strconv.Itoa(id.index)},
			{"total", strconv.Itoa(id.total)},
			{"testrun-uid", ri.testrunUID},
			{"count", strconv.Itoa(len(items))},
			{"tests", strings.Join(items, " ")},
			{"tests-lines", strings.Join(items, "\n")},
			{"predicted-seconds", strconv.FormatFloat(predicted(p, sh.Seconds), 'f', 3, 64)},
			{"strategy", string(p.Strategy)},
			{"fingerprint", p.Fingerprint},
			{"go-run", strings.Join(goRun, "\n")},
			{"manifest", c.manifestPath},
		}
		for _, o := range outs {
			if err := gh.SetOutput(o.k, o.v); err != nil {
				return ExitInput, err
			}
		}
	}
	if c.exec {
		if len(items) == 0 && len(goRun) == 0 {
			m.TestFinishedAt = m.TestStartedAt
			return ExitOK, writeManifest()
		}
		env := s.env.Environ()
		for _, kv := range vars {
			env = append(env, kv.k+"="+kv.v)
		}
		env = append(env, "XSHARD_BATCH=1")
		var code int
		var err error
		code, err = s.attempts(items, goRun, env) // retries and quarantine: history.go
		if err == nil {
			// The test phase's end, for merge's realised balance.
			m.TestFinishedAt = s.env.Now().UTC().Format(manifest.TimeFormat)
			err = writeManifest()
		}
		return code, err
	}
	return ExitOK, s.printWorker(p, sh, items, goRun, worker)
}

// predicted returns secs, or 0 when no unit had timings: the planner then
// weighs every unit as one second, which is a count, not a prediction.
func predicted(p *plan.Plan, secs float64) float64 {
	if p.KnownShare == 0 {
		return 0
	}
	return secs
}

// shardItems lists the item IDs of a shard, sorted.
func shardItems(sh plan.Shard) []string {
	var out []string
	for _, u := range sh.Units {
		out = append(out, u.Items...)
	}
	sortStrings(out)
	return out
}

func countUnits(p *plan.Plan) int {
	n := 0
	for _, sh := range p.Shards {
		n += len(sh.Units)
	}
	return n
}

// substitute puts items in place of a "{}" argument, or appends them.
func substitute(cmd, items []string) []string {
	out := make([]string, 0, len(cmd)+len(items))
	done := false
	for _, a := range cmd {
		if a == "{}" && !done {
			out = append(out, items...)
			done = true
			continue
		}
		out = append(out, a)
	}
	if !done {
		out = append(out, items...)
	}
	return out
}

// execGo runs the command once per go-run line, with the line's arguments
// in place of {} or appended, and returns the first failing exit code
// after running every line.
func (s *shardRun) execGo(lines []string, env []string) (int, error) {
	code := ExitOK
	for _, l := range lines {
		rc, err := runCommand(s.env, substitute(withBatch(s.cfg.command, 1), strings.Fields(l)), env, s.cfg.dir)
		if err != nil {
			return rc, err
		}
		if rc != 0 && code == ExitOK {
			code = rc
		}
	}
	return code, nil
}

func (s *shardRun) printWorker(p *plan.Plan, sh plan.Shard, items, goRun []string, worker string) error {
	w := s.env.Stdout
	switch s.cfg.format.value {
	case "lines":
		for _, it := range items {
			fmt.Fprintln(w, it)
		}
	case "space":
		fmt.Fprintln(w, strings.Join(items, " "))
	case "go-run":
		for _, l := range goRun {
			fmt.Fprintln(w, l)
		}
	case "json":
		return writeJSON(w, workerJSON{
			Worker: worker, Index: sh.Index, Total: p.Total,
			Strategy: string(p.Strategy), By: string(p.By),
			Items: nonNil(items), PredictedSeconds: round3(predicted(p, sh.Seconds)),
			Fingerprint: p.Fingerprint, KnownShare: round3(p.KnownShare),
		})
	}
	return nil
}

type workerJSON struct {
	Worker           string   `json:"worker"`
	Index            int      `json:"index"`
	Total            int      `json:"total"`
	Strategy         string   `json:"strategy"`
	By               string   `json:"by"`
	Items            []string `json:"items"`
	PredictedSeconds float64  `json:"predicted_seconds"`
	KnownShare       float64  `json:"known_share"`
	Fingerprint      string   `json:"fingerprint"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
