// Package cli implements the shard and merge commands: flags, files,
// environment variables and exit codes live here and nowhere below.
package cli

import (
	"context"
	"io"
	"os"
	"time"
)

// Exit codes shared by both commands. They are documented in the README.
const (
	// ExitOK: success; for merge, every test passed.
	ExitOK = 0
	// ExitFailures: merge found failed tests (see --fail-on).
	ExitFailures = 1
	// ExitInput: bad flags, unreadable or malformed input, or a failed
	// verification (missing workers, missing or duplicated tests).
	ExitInput = 2
)

// Env is the world a command runs in. Tests build their own; OSEnv returns
// the process's.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable; LookupEnv-like absence is
	// the empty string.
	Getenv func(string) string
	// Environ lists the environment as KEY=VALUE, for child processes.
	Environ func() []string
	// Now is the clock, injected so that outputs can be made stable.
	Now func() time.Time
	// Sleep waits before an API call is retried; nil waits for real.
	// Tests inject it so that nothing waits.
	Sleep func(context.Context, time.Duration) error
}

// OSEnv returns the Env of the running process.
func OSEnv() Env {
	return Env{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Getenv:  os.Getenv,
		Environ: os.Environ,
		Now:     time.Now,
	}
}
