package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

// GitHub's annotation limits: it keeps 10 annotations of each level per
// step and 50 per job, and drops the rest without a word.
const (
	MaxAnnotationsPerLevel = 10
	MaxAnnotationsPerJob   = 50
)

// The annotation levels, as workflow commands name them.
const (
	LevelError   = "error"
	LevelWarning = "warning"
	LevelNotice  = "notice"
)

// Annotation is one ::error, ::warning or ::notice workflow command.
type Annotation struct {
	Level string // LevelError, LevelWarning or LevelNotice
	Title string
	// File is a slash-separated path relative to the repository root
	// and Line its 1-based line; "" and 0 when unknown.
	File    string
	Line    int
	Message string
}

const (
	annotationMessageMax = 4000
	annotationTitleMax   = 200
)

// Annotations chooses the annotations of a run within GitHub's limits and
// returns them with the number of candidates left out. Errors go to input
// problems, then verification problems, then failed tests; warnings to
// missing workers, then flaky tests. When a level overflows, a notice says
// how many were left out and where to find them.
func Annotations(res *merge.Result, opts Options) (list []Annotation, omitted int) {
	errs, warns, errCase, warnCase := candidates(res)
	var notes []Annotation
	take := func(cands []Annotation, what string) []Annotation {
		if len(cands) <= MaxAnnotationsPerLevel {
			return cands
		}
		omitted += len(cands) - MaxAnnotationsPerLevel
		notes = append(notes, Annotation{Level: LevelNotice,
			Title: fmt.Sprintf("xshard: %d more %s not annotated", len(cands)-MaxAnnotationsPerLevel, what),
			Message: fmt.Sprintf("GitHub shows %d annotations of each level per step; the job summary and report.html list all %d.",
				MaxAnnotationsPerLevel, len(cands))})
		return cands[:MaxAnnotationsPerLevel]
	}
	for i := range min(len(errs), MaxAnnotationsPerLevel) {
		if c := errCase[i]; c != nil {
			errs[i].File, errs[i].Line = Locate(c, opts)
		}
	}
	for i := range min(len(warns), MaxAnnotationsPerLevel) {
		if c := warnCase[i]; c != nil {
			warns[i].File, warns[i].Line = Locate(c, opts)
		}
	}
	list = append(list, take(errs, "errors")...)
	list = append(list, take(warns, "warnings")...)
	list = append(list, notes...)
	if len(list) > MaxAnnotationsPerJob {
		omitted += len(list) - MaxAnnotationsPerJob
		list = list[:MaxAnnotationsPerJob]
	}
	for i := range list {
		list[i].Title = clip(oneLine(list[i].Title), annotationTitleMax)
		list[i].Message = clip(list[i].Message, annotationMessageMax)
	}
	return list, omitted
}

// candidates lists every annotation of a run in rank order, errors and
// warnings apart, with the cases behind failure and flaky annotations by
// index: only the annotations that will be shown are located (Locate
// reads traces).
func candidates(res *merge.Result) (errs, warns []Annotation, errCase, warnCase map[int]*model.Case) {
	errCase, warnCase = map[int]*model.Case{}, map[int]*model.Case{}
	for _, p := range res.Problems {
		errs = append(errs, Annotation{Level: LevelError, Title: "xshard: input error", Message: p})
	}
	v := &res.Verification
	if len(v.Missing) > 0 {
		errs = append(errs, Annotation{Level: LevelError,
			Title:   fmt.Sprintf("xshard: %s did not run", plural(len(v.Missing), "planned test", "planned tests")),
			Message: listed(v.Missing, 20)})
	}
	if len(v.Unexpected) > 0 {
		errs = append(errs, Annotation{Level: LevelError,
			Title:   fmt.Sprintf("xshard: %s that no worker was planned to run", plural(len(v.Unexpected), "result", "results")),
			Message: listed(v.Unexpected, 20)})
	}
	if len(v.Duplicated) > 0 {
		var lines []string
		for _, d := range v.Duplicated {
			lines = append(lines, d.Test+" on "+strings.Join(d.Workers, ", "))
		}
		errs = append(errs, Annotation{Level: LevelError,
			Title:   fmt.Sprintf("xshard: %s ran on more than one worker", plural(len(v.Duplicated), "test", "tests")),
			Message: listed(lines, 20)})
	}
	if len(v.Mismatches) > 0 {
		errs = append(errs, Annotation{Level: LevelError, Title: "xshard: the workers' manifests disagree", Message: listed(v.Mismatches, 20)})
	}
	for i := range res.Failures {
		c := &res.Failures[i]
		a := Annotation{Level: LevelError,
			Title:   fmt.Sprintf("%s %s on %s", res.Name(c), verb(c.Outcome), workerName(c.Worker)),
			Message: failureText(c)}
		errs = append(errs, a)
		errCase[len(errs)-1] = c
	}
	for _, w := range v.MissingWorkers {
		msg := "The worker uploaded no results: its job failed, was cancelled or its artifact is missing."
		if len(w.Tests) > 0 {
			msg += fmt.Sprintf(" Its %s did not run:\n", plural(len(w.Tests), "planned test", "planned tests")) + listed(w.Tests, 10)
		}
		warns = append(warns, Annotation{Level: LevelWarning, Title: "xshard: worker " + w.Name + " is missing", Message: msg})
	}
	for i := range res.Flaky {
		c := &res.Flaky[i]
		a := Annotation{Level: LevelWarning,
			Title: fmt.Sprintf("%s is flaky: passed on %s after %s", res.Name(c), workerName(c.Worker),
				plural(c.FailedAttempts, "failed attempt", "failed attempts")),
			Message: failureText(c)}
		warns = append(warns, a)
		warnCase[len(warns)-1] = c
	}
	return errs, warns, errCase, warnCase
}

func verb(o model.Outcome) string {
	if o == model.Errored {
		return "errored"
	}
	return "failed"
}

func workerName(w string) string {
	if w == "" {
		return "an unknown worker"
	}
	return w
}

// failureText is the message and trace of a failure, bounded.
func failureText(c *model.Case) string {
	s := strings.TrimSpace(c.Message)
	if d := strings.TrimSpace(c.Detail); d != "" && d != s {
		if s != "" {
			s += "\n\n"
		}
		s += d
	}
	if s == "" {
		s = "(no message)"
	}
	return clipLines(s, 60, annotationMessageMax)
}

// listed joins up to n items, one per line, saying how many more there are.
func listed(items []string, n int) string {
	var b strings.Builder
	for i, s := range items {
		if i == n {
			fmt.Fprintf(&b, "… and %d more", len(items)-n)
			break
		}
		b.WriteString(oneLine(s))
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// WriteAnnotations writes list as workflow commands, one per line,
// escaped as GitHub's toolkit escapes them: in the message % becomes %25,
// \r %0D and \n %0A; in properties also : becomes %3A and , %2C. A
// message can therefore never end the command or start another.
func WriteAnnotations(w io.Writer, list []Annotation) error {
	for i, a := range list {
		switch a.Level {
		case LevelError, LevelWarning, LevelNotice:
		default:
			return fmt.Errorf("annotation %d: invalid level %q", i, a.Level)
		}
		props := githubactions.CommandProperties{}
		if a.Title != "" {
			props["title"] = a.Title
		}
		if a.File != "" {
			props["file"] = a.File
			if a.Line > 0 {
				props["line"] = strconv.Itoa(a.Line)
			}
		}
		cmd := githubactions.Command{Name: a.Level, Message: a.Message, Properties: props}
		if _, err := io.WriteString(w, cmd.String()+"\n"); err != nil {
			return err
		}
	}
	return nil
}

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{8,}$`)

// WriteLog writes untrusted text to a workflow log with workflow commands
// stopped: between "::stop-commands::TOKEN" and "::TOKEN::", so that a
// line of text such as "::error::..." or "::add-mask::..." is shown and
// not run. token should be random (ghaction's Runner.Token). When it is
// unusable (shorter than 8 characters, odd characters, or inside text),
// WriteLog derives one from the SHA-256 of the text, which the text
// cannot contain.
func WriteLog(w io.Writer, text string, token string) {
	if !tokenRE.MatchString(token) || token == "pause-logging" || strings.Contains(text, token) {
		sum := sha256.Sum256([]byte(text + token))
		token = "xshard_" + hex.EncodeToString(sum[:16])
		for strings.Contains(text, token) {
			sum = sha256.Sum256([]byte(token))
			token = "xshard_" + hex.EncodeToString(sum[:16])
		}
	}
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	io.WriteString(w, "::stop-commands::"+token+"\n"+text+"::"+token+"::\n")
}

var (
	// Go's t.Errorf and friends: "    foo_test.go:42: message".
	goMessageRE = regexp.MustCompile(`(?m)^\s*([\w.\-/\\]+\.go):(\d+):`)
	// Go's panic stack frames: "\t/path/to/foo_test.go:42 +0x1d".
	goFrameRE = regexp.MustCompile(`(?m)^\s+(\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?\s*$`)
	// pytest's "path.py:42: AssertionError" and Python's
	// 'File "path.py", line 42, in test_x'.
	pyRE      = regexp.MustCompile(`(?m)^(\S+\.py):(\d+):`)
	pyFrameRE = regexp.MustCompile(`(?m)^\s*File "([^"\n]+\.py)", line (\d+)`)
	// Node and Jest: "at fn (path.js:10:5)" or "at path.js:10:5".
	nodeRE = regexp.MustCompile(`(?m)^\s*at (?:[^\n(]*\()?([^\s()]+\.(?:[cm]?[jt]sx?)):(\d+):\d+\)?\s*$`)
	// JVM: "at com.x.FooTest.testBar(FooTest.java:42)".
	jvmRE = regexp.MustCompile(`(?m)^\s*at ([\w$.]+)\.[\w$<>-]+\(([\w$]+\.(?:java|kt|scala|groovy)):(\d+)\)`)
)

// Locate returns the repository file and line of a test case: the case's
// own File and Line when the report gives them, else the location parsed
// out of its failure message and trace. Go file names are mapped to the
// package's directory through Options.ModulePath; absolute paths are made
// relative to Options.RepoRoot or matched to the test's file. It returns
// "" and 0 when nothing points into the repository.
func Locate(c *model.Case, opts Options) (file string, line int) {
	return locate(c, opts)
}

// locateBytes is how much of a trace Locate reads.
const locateBytes = 4 << 10

func locate(c *model.Case, opts Options) (file string, line int) {
	k := testid.Of(c)
	if c.File != "" && c.Line > 0 {
		if f := repoPath(c.File, c, k, opts); f != "" {
			return f, c.Line
		}
	}
	// The frames sought are near the top of a trace: scanning its first
	// locateBytes keeps a thousand 64 KiB traces cheap.
	detail := c.Detail
	if len(detail) > locateBytes {
		detail = detail[:locateBytes]
	}
	text := c.Message + "\n" + detail
	pick := func(f string, l string) (string, int) {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			return "", 0
		}
		if f = repoPath(f, c, k, opts); f == "" {
			return "", 0
		}
		return f, n
	}
	// JVM frames of the test class (or its inner classes), innermost first.
	if c.Classname != "" {
		for _, m := range jvmRE.FindAllStringSubmatch(linesWith(text, "at "+c.Classname), -1) {
			if m[1] == c.Classname || strings.HasPrefix(m[1], c.Classname+"$") {
				if f, n := pick(m[2], m[3]); f != "" {
					return f, n
				}
			}
		}
	}
	// Go's messages, then Go's panic frames in a test file.
	goLines := linesWith(text, ".go:")
	for _, m := range goMessageRE.FindAllStringSubmatch(goLines, -1) {
		if f, n := pick(m[1], m[2]); f != "" {
			return f, n
		}
	}
	// Python, outermost frame first: the deepest frame in the test's own
	// file, else the first.
	py := append(pyRE.FindAllStringSubmatch(linesWith(text, ".py:"), -1), pyFrameRE.FindAllStringSubmatch(linesWith(text, ".py\","), -1)...)
	if f, n := choose(py, k.File, true, pick); f != "" {
		return f, n
	}
	// Node, innermost frame first: the first in the test's file, else the
	// first outside node_modules and Node itself.
	var node [][]string
	for _, m := range nodeRE.FindAllStringSubmatch(linesWith(text, "s:", "sx:"), -1) {
		if !strings.Contains(m[1], "node_modules/") && !strings.HasPrefix(m[1], "node:") && !strings.HasPrefix(m[1], "internal/") {
			node = append(node, m)
		}
	}
	if f, n := choose(node, k.File, false, pick); f != "" {
		return f, n
	}
	for _, m := range goFrameRE.FindAllStringSubmatch(goLines, -1) {
		if strings.HasSuffix(m[1], "_test.go") {
			if f, n := pick(m[1], m[2]); f != "" {
				return f, n
			}
		}
	}
	return "", 0
}

// linesWith returns the lines of text that contain one of lits: the
// only lines where a pattern needing it can match (the patterns match
// within a line), so that regular expressions run over a few lines of a
// long trace, not all of it.
func linesWith(text string, lits ...string) string {
	var b strings.Builder
	for line := range strings.Lines(text) {
		for _, lit := range lits {
			if strings.Contains(line, lit) {
				b.WriteString(line)
				if !strings.HasSuffix(line, "\n") {
					b.WriteByte('\n')
				}
				break
			}
		}
	}
	return b.String()
}

// choose picks a frame (file in m[1], line in m[2]): the last (or first)
// in the test's file when known, else the first that maps.
func choose(frames [][]string, testFile string, last bool, pick func(string, string) (string, int)) (string, int) {
	if testFile != "" {
		f, n := "", 0
		for _, m := range frames {
			p := strings.TrimPrefix(path.Clean(strings.ReplaceAll(m[1], `\`, "/")), "file://")
			if p == testFile || strings.HasSuffix(p, "/"+testFile) {
				if g, l := pick(m[1], m[2]); g != "" {
					f, n = g, l
					if !last {
						return f, n
					}
				}
			}
		}
		if f != "" {
			return f, n
		}
	}
	for _, m := range frames {
		if f, n := pick(m[1], m[2]); f != "" {
			return f, n
		}
	}
	return "", 0
}

// repoPath maps a path from a report or trace to a clean path relative to
// the repository root, "" when it cannot point into the repository.
func repoPath(p string, c *model.Case, k testid.Key, opts Options) string {
	p = strings.TrimPrefix(strings.ReplaceAll(p, `\`, "/"), "file://")
	if p == "" {
		return ""
	}
	base := path.Base(p)
	goDir, isGo := goPackageDir(c, opts)
	abs := strings.HasPrefix(p, "/") || len(p) > 2 && p[1] == ':' && p[2] == '/'
	switch {
	case abs:
		root := strings.TrimSuffix(strings.ReplaceAll(opts.RepoRoot, `\`, "/"), "/")
		switch {
		case root != "" && strings.HasPrefix(p, root+"/"):
			p = strings.TrimPrefix(p, root+"/")
		case k.File != "" && strings.HasSuffix(p, "/"+k.File):
			p = k.File
		case isGo && strings.HasSuffix(p, "/"+path.Join(goDir, base)):
			p = path.Join(goDir, base)
		default:
			return ""
		}
	case strings.HasSuffix(p, ".go") && !strings.Contains(p, "/"):
		// go test names the file without its directory.
		switch {
		case isGo:
			p = path.Join(goDir, p)
		case k.File != "":
			p = path.Join(path.Dir(k.File), p)
		}
	case isJVMFile(p) && !strings.Contains(p, "/"):
		if k.File != "" && path.Base(k.File) == p {
			p = k.File
		} else if c.Classname != "" {
			// The class's package under the standard Maven and Gradle
			// test source root.
			pkg := c.Classname
			if i := strings.LastIndexByte(pkg, '.'); i >= 0 {
				pkg = pkg[:i]
			} else {
				pkg = ""
			}
			p = path.Join("src/test", strings.TrimPrefix(path.Ext(p), "."), strings.ReplaceAll(pkg, ".", "/"), p)
		}
	}
	p = path.Clean(p)
	if p == "." || p == ".." || strings.HasPrefix(p, "../") || strings.HasPrefix(p, "/") {
		return ""
	}
	return p
}

func isJVMFile(p string) bool {
	switch path.Ext(p) {
	case ".java", ".kt", ".scala", ".groovy":
		return true
	}
	return false
}

// goPackageDir returns the repository directory of a Go case's package
// when its import path is inside Options.ModulePath.
func goPackageDir(c *model.Case, opts Options) (string, bool) {
	if opts.ModulePath == "" {
		return "", false
	}
	pkg := c.Classname
	if pkg == "" {
		pkg = c.Suite
	}
	var rel string
	switch {
	case pkg == opts.ModulePath:
	case strings.HasPrefix(pkg, opts.ModulePath+"/"):
		rel = strings.TrimPrefix(pkg, opts.ModulePath+"/")
	default:
		return "", false
	}
	return path.Join(opts.ModuleDir, rel), true
}
