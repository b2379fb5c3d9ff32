// Command gen writes synthetic Go coverage profiles for the merge
// benchmark: n count-mode profiles of the same source tree, as n CI jobs
// running go test -coverpkg=./... would write them, each about 30 MB with
// the default flags. Output is deterministic for the same flags.
//
//	go run ./bench/cover/gen -n 64 -blocks 400000 -out bench/out/cover/profiles
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	n := flag.Int("n", 64, "number of profiles")
	blocks := flag.Int("blocks", 400000, "blocks per profile")
	perFile := flag.Int("per-file", 160, "blocks per source file")
	out := flag.String("out", "bench/out/cover/profiles", "output `dir`")
	flag.Parse()
	if err := run(*n, *blocks, *perFile, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

type srcBlock struct{ sl, sc, el, ec, stmts int }

func run(n, blocks, perFile int, out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// One source tree shared by every profile.
	tree := rand.New(rand.NewPCG(1, 2))
	files := (blocks + perFile - 1) / perFile
	names := make([]string, files)
	src := make([][]srcBlock, files)
	left := blocks
	for f := range files {
		names[f] = fmt.Sprintf("github.com/acme/platform/svc%02d/internal/pkg%02d/file%02d.go", f/400, f/8%50, f%8)
		k := min(perFile, left)
		left -= k
		line := 1 + tree.IntN(20)
		for range k {
			sl, sc := line, 2+tree.IntN(30)
			el := sl + tree.IntN(6)
			ec := 2 + tree.IntN(60)
			if el == sl && ec <= sc {
				ec = sc + 1 + tree.IntN(20)
			}
			src[f] = append(src[f], srcBlock{sl, sc, el, ec, 1 + tree.IntN(8)})
			line = el + 1 + tree.IntN(3)
		}
	}
	for p := range n {
		if err := write(filepath.Join(out, fmt.Sprintf("cover-%03d.out", p)), uint64(p), names, src); err != nil {
			return err
		}
	}
	return nil
}

func write(path string, seed uint64, names []string, src [][]srcBlock) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(seed, 99))
	w.WriteString("mode: count\n")
	var buf []byte
	for i, name := range names {
		for _, b := range src[i] {
			var count uint64
			if r.IntN(100) >= 55 {
				count = 1 + uint64(r.ExpFloat64()*float64(uint64(1)<<r.IntN(20)))
			}
			buf = append(buf[:0], name...)
			buf = append(buf, ':')
			buf = strconv.AppendInt(buf, int64(b.sl), 10)
			buf = append(buf, '.')
			buf = strconv.AppendInt(buf, int64(b.sc), 10)
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, int64(b.el), 10)
			buf = append(buf, '.')
			buf = strconv.AppendInt(buf, int64(b.ec), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(b.stmts), 10)
			buf = append(buf, ' ')
			buf = strconv.AppendUint(buf, count, 10)
			buf = append(buf, '\n')
			w.Write(buf)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
