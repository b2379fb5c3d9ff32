// Command covermerge is a bench-only front end to internal/gocover, the
// counterpart of gocovmerge in bench/cover/run.sh, until the merge
// command takes its place:
//
//	covermerge [-o file] profile...
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/xshard/xshard/internal/gocover"
)

func main() {
	out := flag.String("o", "", "write the merged profile to `file` instead of stdout")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to `file`")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "covermerge:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*out, flag.Args()); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "covermerge:", err)
		os.Exit(1)
	}
}

func run(out string, files []string) error {
	var m gocover.Merger
	if err := m.AddFiles(files...); err != nil {
		return err
	}
	for _, o := range m.Overflows() {
		fmt.Fprintln(os.Stderr, "covermerge: warning:", o)
	}
	var w io.Writer = os.Stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	return m.Write(w) // Write buffers itself
}
