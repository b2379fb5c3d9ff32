package gocollect

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOracle checks Collect against the go command itself: for each case,
// `go test -list '.*'` runs in the test tree and the names it prints for
// each package, less benchmarks, must be exactly the items Collect finds.
// This is the property shard relies on: the union of the shards runs the
// set that one unsharded go test runs, no more and no fewer.
//
// Vet is off because names/ deliberately holds functions such as Testfoo
// that vet rejects as malformed test names; vet does not change which
// tests run.
func TestOracle(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	tests := []struct {
		name     string
		dir      string // relative to testdata/mod
		patterns []string
		tags     []string
	}{
		{name: "./... without tags", patterns: []string{"./..."}},
		{name: "./... with the integration tag", patterns: []string{"./..."}, tags: []string{"integration"}},
		{name: "literal directories that ... would skip, and import paths", patterns: []string{".", "./_x", "./testdata", "example.com/m/names"}},
		{name: "a ... inside an element", patterns: []string{"./...i..."}},
		{name: "patterns relative to a subdirectory", dir: "sub", patterns: []string{"./...", "../mainpkg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(modDir, tt.dir)
			args := []string{"test", "-vet=off", "-list", ".*"}
			if len(tt.tags) > 0 {
				args = append(args, "-tags", strings.Join(tt.tags, ","))
			}
			args = append(args, tt.patterns...)
			cmd := exec.Command(goCmd, args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOWORK=off")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
			}
			want := parseList(t, out)

			items, err := Collect(Options{Dir: dir, Patterns: tt.patterns, Tags: tt.tags})
			if err != nil {
				t.Fatalf("Collect() error: %v", err)
			}
			got := make(map[string][]string)
			for _, it := range items {
				got[it.Package] = append(got[it.Package], strings.TrimPrefix(it.ID, it.Package+"."))
			}
			for _, names := range got {
				slices.Sort(names)
			}
			if len(want) == 0 {
				t.Fatal("go test -list listed no tests; the oracle proves nothing")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("tests by package, go test -list vs Collect (-want +got):\n%s", diff)
			}
		})
	}
}

// parseList reads the output of go test -list for several packages: the
// names a package's test binary prints, then its "ok  \tpkg\t0.01s" line;
// "?   \tpkg\t[no test files]" for packages without tests. It returns the
// sorted names per package, benchmarks left out, packages without names
// left out.
func parseList(t *testing.T, out []byte) map[string][]string {
	t.Helper()
	sets := make(map[string][]string)
	var pending []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
		case fields[0] == "ok" && len(fields) >= 2:
			if len(pending) > 0 {
				slices.Sort(pending)
				sets[fields[1]] = append(sets[fields[1]], pending...)
			}
			pending = nil
		case fields[0] == "?":
			if len(pending) > 0 {
				t.Fatalf("names %q before %q", pending, line)
			}
		case len(fields) == 1:
			if !isTest(fields[0], "Benchmark") {
				pending = append(pending, fields[0])
			}
		default:
			t.Fatalf("unexpected go test -list line %q", line)
		}
	}
	if len(pending) > 0 {
		t.Fatalf("names %q after the last package", pending)
	}
	return sets
}
