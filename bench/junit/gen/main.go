// Command gen writes a set of synthetic JUnit reports, alternating the
// Maven Surefire and pytest styles, with long stack traces and captured
// output, for benchmarking the junit merger:
//
//	go run ./bench/junit/gen -dir bench/out/junit -files 64 -mb 500 -cases 1100000
//
// With -shape realistic, the reports take the shapes of real runs that
// junitgen.RealisticSet describes (per-class Surefire suites with their
// properties, pytest suites with escaped tracebacks and captured output
// per testcase, non-ASCII text, flaky and rerun failures), from -seed:
//
//	go run ./bench/junit/gen -shape realistic -dir bench/out/junit-real -files 64 -mb 500 -cases 1100000
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/xshard/xshard/internal/junit/junitgen"
)

func main() {
	dir := flag.String("dir", "bench/out/junit", "write the reports into `dir`")
	files := flag.Int("files", 64, "number of `files`")
	mb := flag.Int64("mb", 500, "total size in `MiB`, roughly")
	cases := flag.Int("cases", 1100000, "total number of `testcases`, roughly")
	shape := flag.String("shape", "plain", "`shape` of the reports: plain, or realistic")
	seed := flag.Uint64("seed", 14, "`seed` of the realistic shape")
	flag.Parse()
	var paths []string
	var err error
	switch *shape {
	case "plain":
		paths, err = junitgen.Set(*dir, *files, *mb<<20, *cases)
	case "realistic":
		paths, err = junitgen.RealisticSet(*dir, *files, *mb<<20, *cases, *seed)
	default:
		err = fmt.Errorf("-shape %q: want plain or realistic", *shape)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d files into %s\n", len(paths), *dir)
}
