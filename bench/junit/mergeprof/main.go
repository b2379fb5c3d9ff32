// Command mergeprof runs the merge command, as cmd/merge does (GOGC 25
// unless the environment sets GOGC), and writes the heap profile taken
// at the largest live heap it saw, polling every few milliseconds, so
// that `go tool pprof` shows what the memory at the peak goes to:
//
//	go run ./bench/junit/mergeprof -heap heap.pprof -- --out /tmp/m --fail-on never bench/out/junit-real
//	go tool pprof -sample_index=inuse_space -top heap.pprof
//
// For benchmarks only (bench/junit/run.sh, docs/benchmarks.md).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"time"

	"github.com/xshard/xshard/internal/cli"
)

func main() {
	heap := flag.String("heap", "heap.pprof", "write the heap profile at the peak to `file`")
	every := flag.Duration("every", 20*time.Millisecond, "poll the live heap this often")
	timeline := flag.Bool("timeline", false, "print the live heap and the heap in use every 250ms")
	cpu := flag.String("cpu", "", "write a CPU profile of the whole merge to `file`")
	byMapped := flag.Bool("mapped", false, "take the profile at the most memory mapped for the heap, not the largest live heap")
	flag.Parse()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(25)
	}
	runtime.MemProfileRate = 64 << 10
	done := make(chan struct{})
	var peak uint64
	var prof bytes.Buffer
	go func() {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
		t := time.NewTicker(*every)
		defer t.Stop()
		start := time.Now()
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case <-t.C:
			}
			metrics.Read(s)
			if *timeline && n%int(250*time.Millisecond / *every) == 0 {
				fmt.Fprintf(os.Stderr, "mergeprof: %5.2fs live %4d MB, mapped %4d MB\n", time.Since(start).Seconds(), s[0].Value.Uint64()>>20, (s[1].Value.Uint64()-s[2].Value.Uint64())>>20)
			}
			v := s[0].Value.Uint64()
			if *byMapped {
				v = s[1].Value.Uint64() - s[2].Value.Uint64()
			}
			if v > peak {
				peak = v
				prof.Reset()
				pprof.Lookup("heap").WriteTo(&prof, 0)
			}
		}
	}()
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "mergeprof:", err)
			os.Exit(1)
		}
	}
	code := cli.Merge(flag.Args(), cli.OSEnv())
	pprof.StopCPUProfile()
	close(done)
	time.Sleep(min(2**every, time.Second))
	if err := os.WriteFile(*heap, prof.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "mergeprof:", err)
		os.Exit(1)
	}
	what := "live heap"
	if *byMapped {
		what = "memory mapped"
	}
	fmt.Fprintf(os.Stderr, "mergeprof: peak %s %d MB, profile in %s\n", what, peak>>20, *heap)
	os.Exit(code)
}
