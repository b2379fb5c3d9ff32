package ghaction

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runner(t *testing.T) (*Runner, map[string]string) {
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_ENV":          filepath.Join(dir, "env"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
	}
	return New(&bytes.Buffer{}, func(k string) string { return env[k] }), env
}

// parseFileCommands reads a GITHUB_OUTPUT/GITHUB_ENV file the way the
// runner does: NAME=VALUE lines, or NAME<<DELIM ... DELIM blocks.
func parseFileCommands(t *testing.T, data string) map[string]string {
	t.Helper()
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if name, delim, ok := strings.Cut(l, "<<"); ok {
			var val []string
			i++
			for ; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				t.Fatalf("unterminated block for %q", name)
			}
			if _, dup := out[name]; dup {
				t.Fatalf("%q set twice", name)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, _ := strings.Cut(l, "=")
		if _, dup := out[name]; dup {
			t.Fatalf("%q set twice", name)
		}
		out[name] = val
	}
	return out
}

func TestSetOutputCannotBeForged(t *testing.T) {
	r, env := runner(t)
	hostile := "TestA\n_GitHubActionsFileCommandDelimeter_\nfailed=0\nEOF\nfailed<<x\n0\nx"
	if err := r.SetOutput("tests", hostile); err != nil {
		t.Fatal(err)
	}
	if err := r.SetOutput("failed", "3"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(env["GITHUB_OUTPUT"])
	if err != nil {
		t.Fatal(err)
	}
	got := parseFileCommands(t, string(data))
	if got["tests"] != hostile || got["failed"] != "3" || len(got) != 2 {
		t.Errorf("outputs = %q; the hostile value must stay one output", got)
	}
}

func TestTokenAvoidsTheValue(t *testing.T) {
	r, _ := runner(t)
	calls := 0
	r.Random = func(n int) []byte {
		calls++
		b := make([]byte, n)
		if calls > 1 {
			b[0] = 1
		}
		return b
	}
	first := "xshard_" + strings.Repeat("00", 16)
	if tok := r.Token("value containing " + first); tok == first || calls != 2 {
		t.Errorf("Token = %q after %d draws; a token found in the value must be drawn again", tok, calls)
	}
}

func TestSetEnvAndSummary(t *testing.T) {
	r, env := runner(t)
	if err := r.SetEnv("XSHARD_WORKER", "gw1"); err != nil {
		t.Fatal(err)
	}
	if err := r.AddStepSummary("# hi"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(env["GITHUB_ENV"])
	if got := parseFileCommands(t, string(data)); got["XSHARD_WORKER"] != "gw1" {
		t.Errorf("env = %q", got)
	}
	sum, _ := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if !strings.Contains(string(sum), "# hi") {
		t.Errorf("summary = %q", sum)
	}
	if err := r.SetOutput("bad\nname", "x"); err == nil {
		t.Error("a name with a newline must be refused")
	}
}

func TestOutsideActions(t *testing.T) {
	r := New(&bytes.Buffer{}, func(string) string { return "" })
	if err := r.SetOutput("a", "b"); err == nil || !strings.Contains(err.Error(), "$GITHUB_OUTPUT is not set") {
		t.Errorf("err = %v", err)
	}
	if Active(func(string) string { return "" }) {
		t.Error("Active without GITHUB_ACTIONS")
	}
}
