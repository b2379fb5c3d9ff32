// Command merge combines what the workers of a sharded test run uploaded
// into one report and verifies that nothing was lost. See the README for
// usage.
package main

import (
	"os"

	"github.com/xshard/xshard/internal/cli"
)

func main() {
	os.Exit(cli.Merge(os.Args[1:], cli.OSEnv()))
}
