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

// TestSIGTERMLeavesNoHalfWrittenOutput runs the merge binary on a large
// input, stops it with SIGTERM while it writes junit.xml, and checks that
// --out holds no temporary file and no incomplete output: every output is
// written to a temporary file and renamed, and the signal handler removes
// the temporary files before exiting.
func TestSIGTERMLeavesNoHalfWrittenOutput(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on Windows")
	}
	if testing.Short() {
		t.Skip("builds the merge command")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "merge")
	build := exec.Command("go", "build", "-o", bin, "github.com/xshard/xshard/cmd/merge")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	in := filepath.Join(dir, "artifacts")
	const workers, cases = 4, 150_000
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
	out := filepath.Join(dir, "out")
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "--out", out, in)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until junit.xml is being written, then stop the merge.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if tmps, _ := filepath.Glob(filepath.Join(out, ".junit.xml.tmp-*")); len(tmps) > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("junit.xml was never being written\n%s", stderr.String())
		}
		time.Sleep(time.Millisecond)
	}
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
