// Command shard computes this worker's part of a deterministic test plan
// and prints, runs or records it. See the README for usage.
package main

import (
	"os"

	"github.com/xshard/xshard/internal/cli"
)

func main() {
	os.Exit(cli.Shard(os.Args[1:], cli.OSEnv()))
}
