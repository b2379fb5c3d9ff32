package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGoRunSelectsExactlyTheShard proves the promise of --format go-run:
// for every worker count, running `go test` with each worker's lines
// selects exactly that worker's tests, and all workers together select
// exactly what an unsharded `go test` runs, each test once. The oracle is
// the go command itself (`go test -list`, which matches -run's regex the
// same way), on a module whose packages share test names so that packages
// must not always share a -run regex. Running the go command for every
// line of every combination takes minutes, so it runs for three workers;
// the other combinations apply -run's rule (regexp.MatchString on the
// top-level name) to the go command's own unsharded listing.
func TestGoRunSelectsExactlyTheShard(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	if testing.Short() {
		t.Skip("runs the go command")
	}
	dir, _ := filepath.Abs("testdata/gomod")
	for _, tags := range []string{"", "integration"} {
		unsharded := goList(t, gobin, dir, tags, ".*", []string{"./..."})
		byPkg := map[string][]string{}
		for _, id := range unsharded {
			dot := strings.LastIndexByte(id, '.')
			byPkg[id[:dot]] = append(byPkg[id[:dot]], id[dot+1:])
		}
		list := func(re string, pkgs []string, real bool) []string {
			if real {
				return goList(t, gobin, dir, tags, re, pkgs)
			}
			rx := regexp.MustCompile(re)
			var ids []string
			for _, p := range pkgs {
				for _, n := range byPkg[p] {
					if rx.MatchString(n) {
						ids = append(ids, p+"."+n)
					}
				}
			}
			return ids
		}
		for _, total := range []int{1, 2, 3, 5, 8} {
			for _, by := range []string{"test", "file", "package"} {
				name := "tags=" + tags + "/total=" + strconv.Itoa(total) + "/by=" + by
				t.Run(name, func(t *testing.T) {
					var union []string
					for i := 0; i < total; i++ {
						args := []string{"--go", "./...", "-C", dir, "--by", by, "--index", strconv.Itoa(i), "--total", strconv.Itoa(total)}
						if tags != "" {
							args = append(args, "--tags", tags)
						}
						items := runShard(t, append(args, "--format", "lines"))
						var got []string
						untested := 0
						for _, line := range runShard(t, append(args, "--format", "go-run")) {
							f := strings.Fields(line)
							if len(f) < 3 || f[0] != "-run" {
								t.Fatalf("malformed go-run line %q", line)
							}
							for _, p := range f[2:] {
								if p == "example.com/gomod/f" {
									untested++
								}
							}
							got = append(got, list(f[1], f[2:], total == 3 && by != "file")...)
						}
						if want := map[bool]int{true: 1, false: 0}[i == 0]; untested != want {
							t.Errorf("worker %d names the package without tests %d times, want %d (worker 0 names it, for coverage)", i, untested, want)
						}
						sort.Strings(got)
						if diff := cmp.Diff(items, got); diff != "" {
							t.Errorf("worker %d: go test with the go-run lines selects other tests than the shard's (-shard +go test):\n%s", i, diff)
						}
						union = append(union, got...)
					}
					sort.Strings(union)
					if diff := cmp.Diff(unsharded, union); diff != "" {
						t.Errorf("all workers together differ from an unsharded go test (-unsharded +sharded):\n%s", diff)
					}
				})
			}
		}
	}
}

// goList returns the "importpath.Name" of every test, fuzz test and
// example that `go test -list re pkgs` reports, benchmarks left out.
func goList(t *testing.T, gobin, dir, tags, re string, pkgs []string) []string {
	t.Helper()
	args := []string{"test", "-list", re}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	args = append(args, "-json")
	args = append(args, pkgs...)
	cmd := exec.Command(gobin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var ids []string
	for _, line := range bytes.Split(out, []byte("\n")) {
		var ev struct{ Action, Package, Output string }
		if len(line) == 0 || jsonUnmarshal(line, &ev) != nil || ev.Action != "output" {
			continue
		}
		name := strings.TrimSpace(ev.Output)
		if strings.HasPrefix(name, "Test") || strings.HasPrefix(name, "Fuzz") || strings.HasPrefix(name, "Example") {
			ids = append(ids, ev.Package+"."+name)
		}
	}
	sort.Strings(ids)
	return ids
}

func runShard(t *testing.T, args []string) []string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := OSEnv()
	env.Stdout, env.Stderr = &stdout, &stderr
	env.Getenv = func(string) string { return "" }
	if code := Shard(args, env); code != ExitOK {
		t.Fatalf("shard %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}
