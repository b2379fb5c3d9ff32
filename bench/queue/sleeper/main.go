// Command sleeper is a stand-in test runner for the queue's benchmarks and
// end-to-end tests: it "runs" the Go tests named by its arguments
// (pkg.TestName), each sleeping for its duration in the JSON object of
// seconds by id in the file $XSHARD_SLEEPER, and passing. It appends
// go test -json events to
// $XSHARD_SLEEPER_OUT/test-$XSHARD_WORKER-$XSHARD_BATCH.json as it goes,
// each test's elapsed time as measured (a busy machine oversleeps),
// so that a runner killed in the middle leaves what it had done. It is
// small so that its start-up, paid once per batch, is a real runner's
// least.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(ids []string) int {
	var secs map[string]float64
	data, err := os.ReadFile(os.Getenv("XSHARD_SLEEPER"))
	if err == nil {
		err = json.Unmarshal(data, &secs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sleeper:", err)
		return 3
	}
	out := filepath.Join(os.Getenv("XSHARD_SLEEPER_OUT"), "test-"+os.Getenv("XSHARD_WORKER")+"-"+os.Getenv("XSHARD_BATCH")+".json")
	f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "sleeper:", err)
		return 3
	}
	defer f.Close()
	emit := func(action, pkg, test string, elapsed float64) {
		ev := map[string]any{"Time": time.Now().Format(time.RFC3339Nano), "Action": action, "Package": pkg}
		if test != "" {
			ev["Test"] = test
		}
		if action != "run" {
			ev["Elapsed"] = elapsed
		}
		b, _ := json.Marshal(ev)
		f.Write(append(b, '\n'))
	}
	pkgs := map[string]float64{}
	var order []string
	for _, id := range ids {
		i := strings.LastIndexByte(id, '.')
		if i < 0 {
			fmt.Fprintf(os.Stderr, "sleeper: %q is not pkg.TestName\n", id)
			return 3
		}
		pkg, test := id[:i], id[i+1:]
		if _, ok := pkgs[pkg]; !ok {
			order = append(order, pkg)
		}
		emit("run", pkg, test, 0)
		start := time.Now()
		time.Sleep(time.Duration(secs[id] * float64(time.Second)))
		d := time.Since(start).Seconds() // what it took, oversleeping included
		emit("pass", pkg, test, d)
		pkgs[pkg] += d
	}
	for _, pkg := range order {
		emit("pass", pkg, "", pkgs[pkg])
	}
	return 0
}
