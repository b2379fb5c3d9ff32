package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/xshard/xshard/internal/atomicfile"
	"github.com/xshard/xshard/internal/ghaction"
	"github.com/xshard/xshard/internal/history"
	"github.com/xshard/xshard/internal/jsonmerge"
	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/report"
)

const mergeUsage = `Usage: merge [flags] input...

merge combines what the workers of a sharded run uploaded (JUnit XML,
go test -json, Go cover profiles, LCOV, Cobertura, custom JSON outputs and
shard manifests, recognised by content) into one report directory, and
verifies that every planned test ran exactly once and no worker is
missing.

Inputs are files, directories (walked recursively, as
actions/download-artifact leaves them) and glob patterns with **.

With --github-report, merge also publishes a check run, with an
annotation per failure, and one pull-request comment that later runs
update, through GitHub's REST API ($GITHUB_TOKEN, $GITHUB_API_URL and the
GitHub Actions event). Publishing never changes the exit code: a failure
to publish is a warning naming the API call and the status.

Exit codes: 0 all passed; 1 test failures (see --fail-on); 2 input or
verification errors; 143 (130) stopped by SIGTERM (SIGINT), with no
half-written file left in the output directory.

Examples:
  merge artifacts
  gh run download 1234 -D artifacts && merge --out report artifacts

Flags:
`

type mergeConfig struct {
	out            string
	jsonGlob       string
	jsonConflict   *enumFlag
	expect         int
	timingsHistory string
	failOn         *enumFlag
	jobOverhead    durationFlag
	targetDuration durationFlag
	maxMessage     int
	maxDetail      int
	reportURL      string
	maxFileSize    int64
	allowEmpty     bool
	github         githubConfig
	historyFile    string
	historyLength  int
	flakyThreshold float64
	quarantine     string
}

func (c *mergeConfig) flags() *flag.FlagSet {
	fs := newFlagSet("merge")
	c.jsonConflict = newEnum("error", "error", "sum", "max", "min", "last", "list")
	c.failOn = newEnum("failures", "failures", "new", "never")
	fs.StringVar(&c.out, "out", "xshard-report", "write the report to `dir`")
	fs.StringVar(&c.jsonGlob, "json", merge.DefaultJSONGlob, "custom JSON outputs are the input files matching `glob`")
	fs.Var(c.jsonConflict, "json-conflict", "when workers' custom JSON outputs hold different values at one key: `error`, sum, max, min, last or list")
	c.expect = -1
	fs.Var(optInt{&c.expect}, "expect", "expect `n` workers: name the missing ones even without manifests")
	fs.StringVar(&c.timingsHistory, "timings-history", "", "blend this run's durations into the timings in `file` (a moving average); missing is fine")
	fs.Var(c.failOn, "fail-on", "exit 1 on `failures` (failed or errored tests), new (only failures the --history has not seen failing), or never")
	fs.StringVar(&c.historyFile, "history", "", "fold this run into the outcome history in `file` (history.json) to tell new failures from known ones; missing is fine")
	fs.IntVar(&c.historyLength, "history-length", history.DefaultLength, "keep the outcomes of the last `n` runs per test in the history")
	fs.Float64Var(&c.flakyThreshold, "flaky-threshold", history.DefaultFlakyThreshold, "a test whose outcome flips in at least this share of its recent runs is flaky (`rate`, 0 to 1)")
	fs.StringVar(&c.quarantine, "quarantine", "", "report failures of the tests in `file` (ids or * patterns, one a line, # reason) apart: they do not fail the run")
	fs.Var(&c.jobOverhead, "job-overhead", "fixed cost of one worker job (checkout, setup, build), for worker-count tuning (`duration`)")
	fs.Var(&c.targetDuration, "target-duration", "recommend the fewest workers whose predicted wall time is within `duration`")
	fs.IntVar(&c.maxMessage, "max-message", 4<<10, "keep at most `bytes` of each failure message")
	fs.IntVar(&c.maxDetail, "max-detail", 64<<10, "keep at most `bytes` of each failure trace")
	fs.Int64Var(&c.maxFileSize, "max-file-size", merge.DefaultMaxFileSize, "skip input files larger than `bytes`, naming them")
	fs.BoolVar(&c.allowEmpty, "allow-empty", false, "succeed when the inputs hold no test results at all (by default that is an input error)")
	fs.StringVar(&c.reportURL, "report-url", "", "link the job summary to the full report at `url` (an uploaded artifact, say)")
	c.github.flags(fs)
	return fs
}

// Merge runs the merge command with args (without the program name) and
// returns its exit code.
func Merge(args []string, env Env) int {
	defer removeTempsOnSignal(env)()
	var c mergeConfig
	fs := c.flags()
	inputs, rest, code, done := parseCommand("merge", mergeUsage, fs, args, env)
	if done {
		return code
	}
	inputs = append(inputs, rest...)
	code, err := runMerge(&c, inputs, env)
	if err != nil {
		fmt.Fprintf(env.Stderr, "merge: %v\n", err)
	}
	return code
}

// removeTempsOnSignal makes SIGINT and SIGTERM (a cancelled CI run)
// remove the temporary files of the outputs being written before merge
// exits, so that --out holds only complete files. The function it returns
// undoes it.
func removeTempsOnSignal(env Env) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			atomicfile.RemoveTemps()
			fmt.Fprintf(env.Stderr, "merge: stopped by %v: files not yet complete were removed\n", sig)
			if sig == syscall.SIGTERM {
				os.Exit(128 + 15)
			}
			os.Exit(128 + 2)
		case <-done:
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

func runMerge(c *mergeConfig, inputs []string, env Env) (int, error) {
	if len(inputs) == 0 {
		return ExitInput, errors.New("no inputs: give the directory the artifacts were downloaded to, as in: merge artifacts")
	}
	rule, err := jsonmerge.ParseRule(c.jsonConflict.value)
	if err != nil {
		return ExitInput, fmt.Errorf("--json-conflict: %v", err)
	}
	if c.maxMessage < 0 || c.maxDetail < 0 {
		return ExitInput, errors.New("--max-message and --max-detail must not be negative")
	}
	if c.maxFileSize <= 0 {
		return ExitInput, errors.New("--max-file-size must be positive")
	}
	if c.historyLength < 1 {
		return ExitInput, fmt.Errorf("--history-length %d: must be at least 1", c.historyLength)
	}
	if !(c.flakyThreshold > 0 && c.flakyThreshold <= 1) {
		return ExitInput, fmt.Errorf("--flaky-threshold %v: must be above 0 and at most 1", c.flakyThreshold)
	}
	var quarantine *history.Quarantine
	if c.quarantine != "" {
		if quarantine, err = history.ReadQuarantine(c.quarantine); err != nil {
			return ExitInput, fmt.Errorf("--quarantine: %w", err)
		}
	}
	opts := merge.Options{
		Inputs:         inputs,
		OutDir:         c.out,
		JSONGlob:       c.jsonGlob,
		JSONPolicy:     jsonmerge.Policy{Default: rule},
		TimingsHistory: c.timingsHistory,
		MaxMessage:     c.maxMessage,
		MaxDetail:      c.maxDetail,
		MaxFileSize:    c.maxFileSize,
		AllowEmpty:     c.allowEmpty,
		History:        c.historyFile,
		HistoryLength:  c.historyLength,
		FlakyThreshold: c.flakyThreshold,
		Quarantine:     quarantine,
	}
	if c.expect > 0 {
		opts.Expect = c.expect
	}
	opts.Report = func(res *merge.Result) error {
		if nothingToReport(res) {
			return nil
		}
		return writeReports(c, res, env)
	}
	res, err := merge.Run(opts)
	if err != nil {
		return ExitInput, err
	}
	stop := nothingToReport(res)
	// Problems, warnings and the recap quote artifacts: in GitHub Actions
	// they are echoed between stop-commands markers, so that a test name
	// cannot become a workflow command.
	var log, recap strings.Builder
	for _, p := range res.Problems {
		fmt.Fprintf(&log, "merge: %s\n", p)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(&log, "merge: warning: %s\n", w)
	}
	if stop {
		// No headline or summary that could pass for a result.
		fmt.Fprintf(&recap, "no report written: nothing could be merged (see the errors above)\n")
	} else {
		printRecap(&recap, res, c.out, reportOptions(c, env, res))
	}
	if ghaction.Active(env.Getenv) {
		gh := ghaction.New(env.Stdout, env.Getenv)
		if log.Len() > 0 {
			report.WriteLog(env.Stderr, log.String(), gh.Token(log.String()))
		}
		report.WriteLog(env.Stdout, recap.String(), gh.Token(recap.String()))
		if stop {
			// The errors still become annotations, where people look.
			list, _ := report.Annotations(res, reportOptions(c, env, res))
			if err := report.WriteAnnotations(env.Stdout, list); err != nil {
				return ExitInput, err
			}
		}
	} else {
		io.WriteString(env.Stderr, log.String())
		io.WriteString(env.Stdout, recap.String())
	}
	if !stop {
		publishGitHub(c, res, env)
	}
	switch {
	case len(res.Problems) > 0 || !res.Verification.OK():
		return ExitInput, nil
	case failing(res, c.failOn.value):
		return ExitFailures, nil
	}
	return ExitOK, nil
}

// failing reports whether the run's failures fail it under --fail-on.
func failing(res *merge.Result, failOn string) bool {
	return failOn != "never" && res.Blocking(failOn == "new")
}

// nothingToReport reports whether a merge stops before any report: it
// read nothing (no test result, coverage, custom output or manifest) and
// that is an error, so that neither a "0 tests" headline nor an empty
// summary can pass for a result.
func nothingToReport(res *merge.Result) bool { return res.Empty() && len(res.Problems) > 0 }

// printRecap prints a few lines of plain text for the terminal: the
// counts, the first failures, what is wrong, and where the report is.
func printRecap(w io.Writer, res *merge.Result, out string, opts report.Options) {
	t := res.Totals
	subtests := ""
	if t.WithSubtests > t.Tests {
		subtests = fmt.Sprintf(" (%d with subtests)", t.WithSubtests)
	}
	fmt.Fprintf(w, "%d tests%s: %d passed, %d failed, %d errors, %d skipped, %d flaky (%s of tests, slowest worker %s)\n",
		t.Tests, subtests, t.Passed, t.Failed, t.Errors, t.Skipped, t.Flaky, fmtSeconds(t.Seconds), fmtSeconds(t.WallSeconds))
	if t.WithSubtests == 0 {
		fmt.Fprintln(w, "no test results among the inputs")
	}
	report.WriteFailuresText(w, res, opts, recapLines)
	report.WriteHistoryText(w, res)
	v := res.Verification
	switch {
	case !v.Checked && v.Expected == 0:
		fmt.Fprintln(w, "completeness not checked: no shard manifests among the inputs (pass --expect N to check for missing workers)")
	case v.OK() && v.Checked && len(v.Requeued) > 0:
		fmt.Fprintf(w, "verified: all %d workers reported, every queued test ran; %d ran on more than one worker (requeued: one result of each counts)\n", v.Expected, len(v.Requeued))
	case v.OK() && v.Checked:
		fmt.Fprintf(w, "verified: all %d workers reported, every planned test ran exactly once\n", v.Expected)
	case v.OK():
		fmt.Fprintf(w, "all %d expected workers reported (no manifests: tests not checked against a plan)\n", v.Expected)
	}
	if len(res.GuessedWorkers) > 0 {
		fmt.Fprintf(w, "workers guessed from artifact directory names (no manifest there)%s\n", firstFew(res.GuessedWorkers))
	}
	for _, mw := range v.MissingWorkers {
		if v.Queue && len(mw.Tests) == 0 {
			// In a queue run no test was its own: what nobody ran is MISSING.
			fmt.Fprintf(w, "MISSING WORKER %s: no artifact; the tests no other worker ran are listed as missing\n", report.PlainText(mw.Name))
			continue
		}
		fmt.Fprintf(w, "MISSING WORKER %s: %d planned tests did not run%s\n", report.PlainText(mw.Name), len(mw.Tests), firstFew(mw.Tests))
	}
	if len(v.Missing) > 0 {
		fmt.Fprintf(w, "MISSING: %d planned tests have no result%s\n", len(v.Missing), firstFew(v.Missing))
	}
	if len(v.Unexpected) > 0 {
		fmt.Fprintf(w, "UNEXPECTED: %d results match no planned test%s\n", len(v.Unexpected), firstFew(v.Unexpected))
	}
	for i, d := range v.Duplicated {
		if i == recapLines {
			fmt.Fprintf(w, "DUPLICATED: ... and %d more tests that ran on more than one worker (see the summary)\n", len(v.Duplicated)-i)
			break
		}
		fmt.Fprintf(w, "DUPLICATED: %s ran on %s\n", report.PlainText(d.Test), report.PlainText(strings.Join(d.Workers, ", ")))
	}
	for _, m := range v.Mismatches {
		fmt.Fprintf(w, "MISMATCH: %s\n", report.PlainText(m))
	}
	printQueueRecap(w, res)
	if v.AttributedResults > 0 {
		fmt.Fprintf(w, "attributed: %s\n", attributedLine(v))
	}
	var unknown, ignored []string
	for _, in := range res.Inputs {
		switch {
		case in.Ignored == "unknown format":
			unknown = append(unknown, in.Path)
		case in.Ignored != "":
			ignored = append(ignored, in.Path+" ("+in.Ignored+")")
		}
	}
	if len(unknown) > 0 {
		fmt.Fprintf(w, "not recognised, ignored: %s\n", strings.Join(unknown, ", "))
	}
	if len(ignored) > 0 {
		fmt.Fprintf(w, "ignored: %s\n", strings.Join(ignored, ", "))
	}
	for _, cv := range res.Coverage {
		fmt.Fprintf(w, "coverage (%s): %.1f%% of %d\n", cv.Kind, cv.Percent(), cv.Total)
	}
	fmt.Fprintf(w, "report: %s\n", filepath.Join(out, "report.html"))
}

// attributedLine says how many results tests created and ran, and which
// tests ran them.
func attributedLine(v merge.Verification) string {
	what := "planned tests"
	if !v.Checked {
		what = "tests"
	}
	var runners []string
	for _, a := range v.Attributed {
		runners = append(runners, fmt.Sprintf("%s (%d)", a.Test, a.Results))
	}
	return fmt.Sprintf("%d results created and run inside %s (testing.RunTests, suite runners) count under the test that ran them%s",
		v.AttributedResults, what, firstFew(runners))
}

// recapLines bounds each list the terminal recap prints; the summary and
// the report have them all.
const recapLines = 10

func firstFew(s []string) string {
	const n = 5
	if len(s) == 0 {
		return ""
	}
	more := ""
	if len(s) > n {
		s, more = s[:n], ", ..."
	}
	plain := make([]string, len(s))
	for i, x := range s {
		plain[i] = report.PlainText(x)
	}
	return ": " + strings.Join(plain, ", ") + more
}

// reportOptions gathers what the report needs from flags, the
// environment and the result: the Go module (to map import paths to
// files), the checkout's root, the clock.
func reportOptions(c *mergeConfig, env Env, res *merge.Result) report.Options {
	opts := report.Options{
		RepoRoot:       env.Getenv("GITHUB_WORKSPACE"),
		JobOverhead:    c.jobOverhead.d.Seconds(),
		TargetDuration: c.targetDuration.d.Seconds(),
		ReportURL:      c.reportURL,
		Title:          c.github.name,
	}
	goModuleOptions(&opts, res)
	return opts
}

// writeReports writes summary.md and report.html and, in GitHub Actions,
// the step summary, annotations and step outputs.
func writeReports(c *mergeConfig, res *merge.Result, env Env) error {
	opts := reportOptions(c, env, res)
	// The summary and the HTML report only read the Result: each on its
	// own core (a tenth of a second apiece on a million tests, and most
	// of a small merge's time).
	summaryc := make(chan string, 1)
	go func() { summaryc <- report.Summary(res, opts) }()
	htmlErr := atomicfile.Write(filepath.Join(c.out, "report.html"), func(w io.Writer) error { return report.HTML(w, res, opts) })
	summary := <-summaryc
	if err := atomicfile.WriteFile(filepath.Join(c.out, "summary.md"), []byte(summary)); err != nil {
		return err
	}
	if htmlErr != nil {
		return htmlErr
	}
	if err := writeBaseline(c, res, env); err != nil {
		return err
	}
	if !ghaction.Active(env.Getenv) {
		return nil
	}
	gh := ghaction.New(env.Stdout, env.Getenv)
	if err := gh.AddStepSummary(summary); err != nil {
		return err
	}
	list, _ := report.Annotations(res, opts)
	if err := report.WriteAnnotations(env.Stdout, list); err != nil {
		return err
	}
	recommended, _ := report.RecommendWorkers(res, opts)
	t := res.Totals
	cov := ""
	if len(res.Coverage) > 0 {
		cov = strconv.FormatFloat(res.Coverage[0].Percent(), 'f', 1, 64)
	}
	timingsFile := ""
	if res.NumTestTimings() > 0 {
		timingsFile = filepath.Join(c.out, merge.TimingsFile)
	}
	historyFile := ""
	if res.History != nil {
		historyFile = filepath.Join(c.out, merge.HistoryFile)
	}
	rec := ""
	if recommended > 0 {
		rec = strconv.Itoa(recommended)
	}
	outs := []struct{ k, v string }{
		{"total", strconv.Itoa(t.Tests)},
		{"passed", strconv.Itoa(t.Passed)},
		{"failed", strconv.Itoa(t.Failed)},
		{"skipped", strconv.Itoa(t.Skipped)},
		{"flaky", strconv.Itoa(t.Flaky)},
		{"errors", strconv.Itoa(t.Errors)},
		{"coverage-percent", cov},
		{"report-dir", c.out},
		{"timings-file", timingsFile},
		{"recommended-workers", rec},
		{"realised-ratio", realisedRatio(res)},
		{"history-file", historyFile},
	}
	for _, kv := range report.HistoryOutputs(res) {
		outs = append(outs, struct{ k, v string }{kv[0], kv[1]})
	}
	for _, o := range outs {
		if err := gh.SetOutput(o.k, o.v); err != nil {
			return err
		}
	}
	return nil
}

// printQueueRecap names, in the terminal recap, the lost workers, the
// requeued tests, the fallbacks and the queue errors of a queue run, and
// the realised balance of any run whose workers recorded their test phase.
func printQueueRecap(w io.Writer, res *merge.Result) {
	v := res.Verification
	for _, b := range v.Lost {
		again := "no other worker ran it to its end"
		if len(b.RerunBy) > 0 {
			again = "run again by " + strings.Join(b.RerunBy, ", ")
		}
		fmt.Fprintf(w, "LOST WORKER %s: batch %s (%s) did not finish; %s\n", report.PlainText(b.Worker), report.PlainText(b.Batch), plural(len(b.Units), "unit", "units"), report.PlainText(again))
	}
	for i, r := range v.Requeued {
		if i == recapLines {
			fmt.Fprintf(w, "requeued: ... and %d more (see the summary)\n", len(v.Requeued)-i)
			break
		}
		fmt.Fprintf(w, "requeued: %s ran on %s (%s); %s's result counts\n", report.PlainText(r.Test), report.PlainText(strings.Join(r.Workers, ", ")), r.Reason, report.PlainText(r.Kept))
	}
	for _, f := range v.Fallbacks {
		fmt.Fprintf(w, "static fallback: %s\n", report.PlainText(f))
	}
	for _, e := range v.QueueErrors {
		fmt.Fprintf(w, "QUEUE ERROR: %s\n", report.PlainText(e))
	}
	if b := res.Balance; b != nil && b.Measured && b.LowerBound > 0 {
		fmt.Fprintf(w, "realised balance: slowest worker %s, realised lower bound %s: %.2fx", fmtSeconds(b.Makespan), fmtSeconds(b.LowerBound), b.Ratio)
		if o := b.OverheadShare(); o > merge.OverheadNoteShare {
			fmt.Fprintf(w, " (%.0f%% of the test phases was not test time but start-up and collection: the ratio measures that more than the split)", 100*o)
		}
		fmt.Fprintln(w)
	}
}

// realisedRatio is the realised makespan over the realised lower bound,
// "" when the workers did not record their test phase.
func realisedRatio(res *merge.Result) string {
	if b := res.Balance; b != nil && b.Measured && b.Ratio > 0 {
		return strconv.FormatFloat(b.Ratio, 'f', 3, 64)
	}
	return ""
}
