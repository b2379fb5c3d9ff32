package cli

import "fmt"

// Merge runs the merge command with args (without the program name) and
// returns its exit code.
func Merge(args []string, env Env) int {
	fmt.Fprintln(env.Stderr, "merge: not built yet")
	return ExitInput
}
