package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMissing runs this test binary as a child whose test calls Missing:
// with the component not required it skips and logs; required, it fails.
func TestMissing(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") == "1" {
		Missing(t, "widget", "TESTENV_REQUIRE_WIDGET", "apt-get install widget")
		t.Log("not reached")
		return
	}
	log := filepath.Join(t.TempDir(), "skipped.log")
	run := func(require string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTENV_CHILD=1", LogVar+"="+log, "TESTENV_REQUIRE_WIDGET="+require)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("")
	if err != nil || !strings.Contains(out, "--- SKIP: TestMissing") || !strings.Contains(out, Marker+" widget is not installed (apt-get install widget); set TESTENV_REQUIRE_WIDGET=1 to fail instead") {
		t.Errorf("not required: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(log); err != nil || string(b) != "widget\tTestMissing\n" {
		t.Errorf("skip log = %q, %v; want one line", b, err)
	}
	out, err = run("1")
	if err == nil || !strings.Contains(out, "--- FAIL: TestMissing") || strings.Contains(out, "not reached") {
		t.Errorf("required: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(log); strings.Count(string(b), "\n") != 1 {
		t.Errorf("a required component's failure was logged as a skip: %q", b)
	}
}

func TestRecordWithoutLogDoesNothing(t *testing.T) {
	t.Setenv(LogVar, "")
	Record("x", "y") // must not panic or write anywhere
	dir := t.TempDir()
	t.Setenv(LogVar, filepath.Join(dir, "l"))
	Record("a\tb", "c\nd")
	if b, _ := os.ReadFile(filepath.Join(dir, "l")); string(b) != "a b\tc d\n" {
		t.Errorf("log = %q", b)
	}
}
