package cli

import "fmt"

// Shard runs the shard command with args (without the program name) and
// returns its exit code.
func Shard(args []string, env Env) int {
	fmt.Fprintln(env.Stderr, "shard: not built yet")
	return ExitInput
}
