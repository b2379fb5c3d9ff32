// Package ghaction is xshard's safe use of GitHub Actions' workflow
// commands, built on go-githubactions: step outputs and exported
// environment variables written with a random delimiter that the value
// cannot contain (the library's fixed delimiter could be forged by a test
// name), so that untrusted text never becomes a second output or variable.
package ghaction

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

// Runner writes workflow commands for one step.
type Runner struct {
	a      *githubactions.Action
	getenv func(string) string
	// Random returns n random bytes; replaced in tests.
	Random func(n int) []byte
}

// New returns a Runner that logs to w and reads the runner's environment
// (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STEP_SUMMARY) through getenv.
func New(w io.Writer, getenv func(string) string) *Runner {
	return &Runner{
		a:      githubactions.New(githubactions.WithWriter(w), githubactions.WithGetenv(getenv)),
		getenv: getenv,
		Random: func(n int) []byte {
			b := make([]byte, n)
			if _, err := rand.Read(b); err != nil {
				panic(err) // crypto/rand does not fail on supported platforms
			}
			return b
		},
	}
}

// Active reports whether the process runs as a GitHub Actions step.
func Active(getenv func(string) string) bool { return getenv("GITHUB_ACTIONS") == "true" }

// Token returns a random hex token of 16 bytes that s does not contain.
func (r *Runner) Token(s string) string {
	for {
		t := "xshard_" + hex.EncodeToString(r.Random(16))
		if !strings.Contains(s, t) {
			return t
		}
	}
}

// SetOutput sets a step output. Multi-line values are safe.
func (r *Runner) SetOutput(name, value string) error {
	return r.fileCommand("GITHUB_OUTPUT", "output", name, value)
}

// SetEnv exports an environment variable to the following steps.
func (r *Runner) SetEnv(name, value string) error {
	return r.fileCommand("GITHUB_ENV", "env", name, value)
}

func (r *Runner) fileCommand(envName, cmd, name, value string) (err error) {
	if r.getenv(envName) == "" {
		return fmt.Errorf("$%s is not set: not running as a GitHub Actions step", envName)
	}
	if name == "" || strings.ContainsAny(name, "=\r\n<") {
		return fmt.Errorf("invalid %s name %q", cmd, name)
	}
	d := r.Token(value)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write $%s: %v", envName, p)
		}
	}()
	r.a.IssueFileCommand(&githubactions.Command{
		Name:    cmd,
		Message: name + "<<" + d + "\n" + value + "\n" + d,
	})
	return nil
}

// AddStepSummary appends Markdown to the job summary.
func (r *Runner) AddStepSummary(markdown string) (err error) {
	if r.getenv("GITHUB_STEP_SUMMARY") == "" {
		return fmt.Errorf("$GITHUB_STEP_SUMMARY is not set: not running as a GitHub Actions step")
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("write $GITHUB_STEP_SUMMARY: %v", p)
		}
	}()
	r.a.AddStepSummary(markdown)
	return nil
}

// Action returns the underlying go-githubactions Action, for annotations.
func (r *Runner) Action() *githubactions.Action { return r.a }
