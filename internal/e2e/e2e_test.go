// Package e2e holds the oracle tests: for several worker counts and both
// strategies, the bundled example suites are sharded, each worker is run
// in its own directory by the real test runner as a matrix job would run
// it, the workers' artifacts are merged, and the result is compared with
// one unsharded run of the same suite. Splitting must change nothing but
// the wall time.
package e2e

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xshard/xshard/internal/cli"
	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/model"
)

// workerCounts are the matrices the oracle runs.
var workerCounts = []int{1, 2, 3, 4, 8}

// run is a command's outcome.
type run struct {
	code           int
	stdout, stderr string
}

// env returns an Env for in-process commands: no CI variables of the
// machine running the tests, extra variables added.
func env(extra map[string]string) (cli.Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	e := cli.OSEnv()
	e.Stdin = strings.NewReader("")
	e.Stdout, e.Stderr = &out, &errb
	e.Getenv = func(k string) string {
		if v, ok := extra[k]; ok {
			return v
		}
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "XSHARD_") || strings.HasPrefix(k, "CI_") ||
			strings.HasPrefix(k, "CIRCLE_") || strings.HasPrefix(k, "BUILDKITE") || strings.HasPrefix(k, "SEMAPHORE") || strings.HasPrefix(k, "SYSTEM_") {
			return ""
		}
		return os.Getenv(k)
	}
	e.Now = func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) }
	return e, &out, &errb
}

func shard(t *testing.T, args ...string) run {
	t.Helper()
	e, out, errb := env(nil)
	code := cli.Shard(args, e)
	return run{code, out.String(), errb.String()}
}

func mergeCmd(t *testing.T, args ...string) run {
	t.Helper()
	e, out, errb := env(nil)
	code := cli.Merge(args, e)
	return run{code, out.String(), errb.String()}
}

// sh runs a real program in dir with extra environment variables and
// returns its exit code; its output goes to stdout when given.
func sh(t *testing.T, dir string, extra []string, stdout io.Writer, name string, args ...string) int {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extra...)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
	}
	return 0
}

// outcomes returns "id outcome" for every top-level test of a merge
// result, sorted: what must be equal sharded and unsharded.
func outcomes(res *merge.Result) []string {
	var out []string
	for _, r := range res.Tests {
		o := r.Outcome.String()
		if r.Flaky {
			o += " (flaky)"
		}
		out = append(out, r.ID+" "+o)
	}
	sort.Strings(out)
	return out
}

// mergeResult merges dir in-process and returns the result.
func mergeResult(t *testing.T, dir, out string) *merge.Result {
	t.Helper()
	res, err := merge.Run(merge.Options{Inputs: []string{dir}, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) > 0 {
		t.Fatalf("merge %s: problems: %q", dir, res.Problems)
	}
	return res
}

func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func worker(i int) string { return model.WorkerID(i) }
