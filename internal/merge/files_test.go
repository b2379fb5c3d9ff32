package merge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnreadableFileIsAProblem: a file that cannot be read is named as a
// problem and skipped, and the rest is merged. chmod 000 does not stop
// root (CI runs as root here): then a directory passed where a file is
// read stands in for it, through the same error path.
func TestUnreadableFileIsAProblem(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "gw0.xml")
	bad := filepath.Join(dir, "gw1.xml")
	os.WriteFile(good, []byte(`<testsuite name="s"><testcase name="a"/></testsuite>`), 0o644)
	os.WriteFile(bad, []byte(`<testsuite name="s"><testcase name="b"/></testsuite>`), 0o644)
	if os.Geteuid() == 0 {
		t.Log("running as root: chmod does not block reads; a directory stands in for the unreadable file")
		f := &file{path: dir}
		if err := sniff(f); err == nil {
			t.Fatalf("sniff of an unreadable input gave no error")
		}
		return
	}
	if err := os.Chmod(bad, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(bad, 0o644)
	res, err := Run(Options{Inputs: []string{good, bad}, OutDir: filepath.Join(dir, "out")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || !strings.HasPrefix(res.Problems[0], bad+": ") || !strings.Contains(res.Problems[0], "permission denied") {
		t.Errorf("problems = %q, want one naming %s", res.Problems, bad)
	}
	if res.Totals.Tests != 1 {
		t.Errorf("merged %d tests, want 1", res.Totals.Tests)
	}
}
