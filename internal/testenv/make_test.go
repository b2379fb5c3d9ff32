package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMakeTestSaysWhatWasSkipped runs the Makefile's test recipe (not its
// vet, lint and act prerequisites) with a stand-in for the go command that
// logs a skip as a test would, and checks the last line and that the
// exit status is still the tests'.
func TestMakeTestSaysWhatWasSkipped(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fake := filepath.Join(t.TempDir(), "go")
	script := `#!/bin/sh
case " $* " in
*" -fuzz "*) exit 0 ;;
esac
printf 'chromium\tTestHTMLInBrowser\n' >>"$XSHARD_SKIPPED_LOG"
printf 'pytest\tTestA\npytest\tTestB\n' >>"$XSHARD_SKIPPED_LOG"
echo "fake go test $*"
exit "$FAKE_GO_STATUS"
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		status string
		fails  bool
	}{
		{"passing tests", "0", false},
		{"failing tests", "1", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command("make", "--no-print-directory", "-C", root, "-o", "vet", "-o", "lint", "-o", "act", "test")
			cmd.Env = append(os.Environ(), "GO="+fake, "FAKE_GO_STATUS="+tt.status, "MAKEFLAGS=")
			out, err := cmd.CombinedOutput()
			if (err != nil) != tt.fails {
				t.Errorf("make test: error %v, want failure %v\n%s", err, tt.fails, out)
			}
			lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
			last := lines[len(lines)-1]
			if tt.fails {
				// make's own error line comes after the recipe's output.
				last = lines[len(lines)-2]
			}
			const want = "make test: SKIPPED for lack of chromium (1 skip), pytest (2 skips): install them to run everything (README, Development)"
			if last != want {
				t.Errorf("last line of make test = %q, want %q\n%s", last, want, out)
			}
			if strings.Contains(string(out), "scripts/fuzz.sh") != !tt.fails {
				t.Errorf("the fuzz smoke run should run only after passing tests:\n%s", out)
			}
		})
	}
}
