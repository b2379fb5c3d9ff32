// Package testenv is for the tests that need a real component (Chromium,
// pytest, redis-server, ...). Without it they skip, so that `make test`
// works on a bare machine, unless the component is required: .ci/run sets
// XSHARD_REQUIRE_BROWSER=1 and the like, and then a missing component
// fails the test. Each skip is also written to the file that
// $XSHARD_SKIPPED_LOG names, which `make test` sets, so that it can say in
// its last line what was skipped: go test prints skip messages only with
// -v.
package testenv

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// LogVar names the environment variable that holds the skip log's path.
const LogVar = "XSHARD_SKIPPED_LOG"

// Marker starts every skip message of Missing, so that the skips for a
// missing component can be found in `go test -v` output too.
const Marker = "missing component:"

// Missing stops t because component is not installed: it fails t when the
// environment variable require is "1", and otherwise records the skip
// (Record) and skips t, saying how to install the component (install,
// e.g. "apt-get install chromium").
func Missing(t testing.TB, component, require, install string) {
	t.Helper()
	if os.Getenv(require) == "1" {
		t.Fatalf("%s %s is required here (%s=1); install it: %s", Marker, component, require, install)
	}
	Record(component, t.Name())
	t.Skipf("%s %s is not installed (%s); set %s=1 to fail instead", Marker, component, install, require)
}

// Record appends a line "component<TAB>test" to the skip log, when
// $XSHARD_SKIPPED_LOG names one, for a skip that Missing cannot make (a
// testscript condition, say). Errors are ignored: the log only informs.
func Record(component, test string) {
	path := os.Getenv(LogVar)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	clean := func(s string) string { return strings.NewReplacer("\t", " ", "\n", " ").Replace(s) }
	fmt.Fprintf(f, "%s\t%s\n", clean(component), clean(test))
}
