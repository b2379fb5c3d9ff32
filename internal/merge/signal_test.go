package merge

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/model"
)

// signalSetup builds the merge command and writes a large input: 4
// workers of 150,000 cases each, so that writing junit.xml takes a while.
func signalSetup(t *testing.T) (bin, in, out string, workers, cases int) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on Windows")
	}
	if testing.Short() {
		t.Skip("builds the merge command")
	}
	dir := t.TempDir()
	bin = filepath.Join(dir, "merge")
	build := exec.Command("go", "build", "-o", bin, "github.com/xshard/xshard/cmd/merge")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	in = filepath.Join(dir, "artifacts")
	workers, cases = 4, 150_000
	for w := 0; w < workers; w++ {
		var b bytes.Buffer
		b.WriteString("<testsuites>\n")
		for s := 0; s < cases/1000; s++ {
			fmt.Fprintf(&b, "<testsuite name=\"pkg%d\">\n", s)
			for c := 0; c < 1000; c++ {
				fmt.Fprintf(&b, "<testcase classname=\"pkg%d\" name=\"Test%d_%d\" time=\"0.001\"><system-out>some output of the test</system-out></testcase>\n", s, w, c)
			}
			b.WriteString("</testsuite>\n")
		}
		b.WriteString("</testsuites>\n")
		path := filepath.Join(in, fmt.Sprintf("xshard-%d", w), "junit.xml")
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return bin, in, filepath.Join(dir, "out"), workers, cases
}

// startUntilWriting starts a merge of in into out and returns once it is
// writing junit.xml.
func startUntilWriting(t *testing.T, bin, in, out string, stderr *bytes.Buffer) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "--out", out, in)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if tmps, _ := filepath.Glob(filepath.Join(out, ".junit.xml.xshard-tmp-*")); len(tmps) > 0 {
			return cmd
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("junit.xml was never being written\n%s", stderr.String())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSIGKILLLeftoversAreRemovedByTheNextMerge: a merge killed outright
// leaves its temporary files; the next merge into the same directory
// removes them, says so, and leaves the user's files alone.
func TestSIGKILLLeftoversAreRemovedByTheNextMerge(t *testing.T) {
	bin, in, out, _, _ := signalSetup(t)
	var stderr bytes.Buffer
	cmd := startUntilWriting(t, bin, in, out, &stderr)
	cmd.Process.Kill()
	cmd.Wait()
	left, _ := filepath.Glob(filepath.Join(out, ".*.xshard-tmp-*"))
	if len(left) == 0 {
		t.Fatal("the killed merge left no temporary file: the test proves nothing")
	}
	mine := filepath.Join(out, ".junit.xml.tmp-1") // a user's file, not ours
	os.WriteFile(mine, []byte("keep"), 0o644)

	stderr.Reset()
	again := exec.Command(bin, "--out", out, in)
	again.Stderr = &stderr
	if err := again.Run(); err != nil {
		t.Fatalf("the next merge: %v\n%s", err, stderr.String())
	}
	if now, _ := filepath.Glob(filepath.Join(out, ".*.xshard-tmp-*")); len(now) > 0 {
		t.Errorf("still in --out after the next merge: %q", now)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("the next merge removed a user's file: %v", err)
	}
	if want := "temporary file(s) an earlier merge left when it was killed: " + filepath.Base(left[0]); !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
	}
}

// TestSIGTERMLeavesNoHalfWrittenOutput runs the merge binary on a large
// input, stops it with SIGTERM while it writes junit.xml, and checks that
// --out holds no temporary file and no incomplete output: every output is
// written to a temporary file and renamed, and the signal handler removes
// the temporary files before exiting.
func TestSIGTERMLeavesNoHalfWrittenOutput(t *testing.T) {
	bin, in, out, workers, cases := signalSetup(t)
	var stderr bytes.Buffer
	cmd := startUntilWriting(t, bin, in, out, &stderr)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Errorf("merge exited with %v, want code 143\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "merge: stopped by terminated") {
		t.Errorf("stderr does not say why merge stopped:\n%s", stderr.String())
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind in --out: %s", e.Name())
		}
		if e.Name() == JUnitFile {
			// Renamed into place just before the signal: then it is whole.
			f, _ := os.Open(filepath.Join(out, e.Name()))
			n := 0
			_, err := junit.Read(f, junit.ReadOptions{}, func(*model.Case) error { n++; return nil })
			f.Close()
			if err != nil || n != workers*cases {
				t.Errorf("junit.xml is incomplete: %d cases, error %v", n, err)
			}
		}
	}
}
