// Command junitmerge merges JUnit reports with junit.Merge, for the
// benchmark in bench/junit/run.sh only (the merge command will replace
// it). The i-th file, in the order given, is worker gw<i>:
//
//	junitmerge -o merged.xml a.xml b.xml ...
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/model"
)

func main() {
	out := flag.String("o", "merged.xml", "write the merged report to `file`")
	cases := flag.Bool("cases", true, "pass every case to OnCase, as the merge command will")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	flag.Parse()
	if *cpuprofile != "" {
		pf, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(pf)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "junitmerge:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var inputs []junit.Input
	for i, p := range flag.Args() {
		inputs = append(inputs, junit.Input{Path: p, Worker: model.WorkerID(i)})
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "junitmerge:", err)
		os.Exit(1)
	}
	var opts junit.MergeOptions
	var failed int
	if *cases {
		opts.OnCase = func(c *model.Case) {
			if c.Outcome == model.Failed {
				failed++
			}
		}
	}
	st, errs := junit.Merge(f, inputs, opts)
	if err := f.Close(); err != nil {
		errs = append(errs, err)
	}
	for _, err := range errs {
		fmt.Fprintln(os.Stderr, "junitmerge:", err)
	}
	fmt.Fprintf(os.Stderr, "junitmerge: %d inputs, %d suites, %d cases (%d failed, %d errors, %d skipped, %d flaky)\n",
		st.Inputs, st.Suites, st.Cases, st.Failed, st.Errored, st.Skipped, st.Flaky)
	if len(errs) > 0 {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}
