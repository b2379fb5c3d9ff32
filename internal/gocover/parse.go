package gocover

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/xshard/xshard/internal/diag"
)

// block is the packed form of a Block that the parser and the merger use:
// positions as line<<32|col so that one comparison orders two blocks.
type block struct {
	start, end uint64
	count      uint64 // at most MaxCount
	stmts      uint32
	line       uint32 // 1-based line in the input that contributed it
	src        int32  // index of that input in Merger.inputs
}

// pfile holds the blocks of one source file in one input.
type pfile struct {
	name   string
	blocks []block
	sorted bool // starts strictly increasing in input order
	runs   []run
}

// parsed is one input after parsing and normalising: every file's blocks
// sorted by start with duplicates merged.
type parsed struct {
	arena     []block // backs the files' blocks
	adopted   bool    // the merger kept slices of arena
	src       int32
	mode      string
	files     []*pfile // in order of first appearance
	overflows []Overflow
}

// MaxLine bounds one line of a profile, and so the reader's memory: a
// block line is a file name and six numbers.
const MaxLine = 1 << 20

const (
	readSize   = 1 << 20 // largest read buffer, unless a line is longer
	maxLineNum = 1<<32 - 1
	modePrefix = "mode: "
)

// parse reads the input named name (for errors; "" when unknown) with
// index src. hint is the number of blocks expected, 0 if unknown.
//
// Blocks go into one slice in input order, and each file's blocks are a
// subslice of it when they come in one run, as they do unless go test
// -coverpkg wrote the file more than once.
//
// reuse, when its capacity is not 0, is a block slice to parse into.
func parse(name string, src int32, r io.Reader, hint int, reuse []block) (*parsed, error) {
	p := &parsed{src: src}
	byName := make(map[string]*pfile)
	arena := reuse[:0]
	if cap(arena) == 0 {
		arena = make([]block, 0, hint)
	}
	var cur *pfile
	from := 0                   // where cur's current run starts in arena
	buf := make([]byte, 64<<10) // grows to readSize for large inputs
	n, lineNo := 0, 0
	eof := false
	for !eof {
		if n == len(buf) { // a line longer than the buffer
			if n >= MaxLine {
				return nil, &diag.Error{File: name, Line: lineNo + 1, Col: 1,
					Msg: fmt.Sprintf("line longer than %d MiB: not a Go cover profile line (binary data, or a broken file?)", MaxLine>>20)}
			}
			buf = slices.Grow(buf, len(buf))[:2*len(buf)]
		}
		k, err := io.ReadFull(r, buf[n:])
		n += k
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			eof = true
		} else if err != nil {
			return nil, err
		}
		data := buf[:n]
		for {
			i := bytes.IndexByte(data, '\n')
			var l []byte
			if i >= 0 {
				l = data[:i]
				data = data[i+1:]
			} else if eof && len(data) > 0 {
				l, data = data, nil
			} else {
				break
			}
			lineNo++
			if len(l) > 0 && l[len(l)-1] == '\r' {
				l = l[:len(l)-1]
			}
			if p.mode == "" {
				mode, err := parseMode(l)
				if err != nil {
					return nil, &diag.Error{File: name, Line: lineNo, Col: 1, Msg: err.Error()}
				}
				p.mode = mode
				continue
			}
			var b block
			at := parseFast(l, &b)
			if at <= 0 {
				var col int
				var msg string
				if at, b, col, msg = parseLine(l); msg != "" {
					return nil, &diag.Error{File: name, Line: lineNo, Col: col,
						Msg: fmt.Sprintf("malformed block %q: %s", quoteLine(l), msg)}
				}
			}
			if lineNo > maxLineNum {
				return nil, &diag.Error{File: name, Line: lineNo, Msg: "too many lines"}
			}
			b.line = uint32(lineNo)
			b.src = src
			if fn := l[:at]; cur == nil || string(fn) != cur.name {
				if cur != nil {
					cur.runs = append(cur.runs, run{from, len(arena)})
				}
				from = len(arena)
				cur = byName[string(fn)]
				if cur == nil {
					cur = &pfile{name: string(fn), sorted: true}
					byName[cur.name] = cur
					p.files = append(p.files, cur)
				} else {
					cur.sorted = false
				}
			}
			if k := len(arena); k > from && b.start <= arena[k-1].start {
				cur.sorted = false
			}
			arena = append(arena, b)
		}
		n = copy(buf, data)
		if !eof && len(buf) < readSize {
			buf = slices.Grow(buf[:n], 2*len(buf)-n)[:2*len(buf)]
		}
	}
	if cur != nil {
		cur.runs = append(cur.runs, run{from, len(arena)})
	}
	p.arena = arena
	for _, f := range p.files {
		if len(f.runs) == 1 {
			f.blocks = arena[f.runs[0].from:f.runs[0].to:f.runs[0].to]
		} else {
			for _, r := range f.runs {
				f.blocks = append(f.blocks, arena[r.from:r.to]...)
			}
		}
		f.runs = nil
		if err := p.normalize(name, f); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// run is a stretch of one file's blocks in the order of the input.
type run struct{ from, to int }

// parseFast parses a block line whose numbers are unsigned and at most
// nine digits long, as the runtime writes them, in one pass from the end.
// It returns the end of the file name, or 0 when the line needs
// parseLine.
func parseFast(l []byte, b *block) int {
	i := len(l) - 1
	var v [6]uint64
	for k := range 6 {
		var x, mul uint64 = 0, 1
		end := i
		for ; i >= 0; i-- {
			c := l[i] - '0'
			if c >= 10 {
				break
			}
			x += uint64(c) * mul
			mul *= 10
		}
		if i <= 0 || l[i] != "  .,.:"[k] || i == end || end-i > 9 {
			return 0
		}
		v[k] = x
		i--
	}
	b.count = v[0]
	b.stmts = uint32(v[1])
	b.end = v[3]<<32 | v[2]
	b.start = v[5]<<32 | v[4]
	return i + 1
}

// parseMode reads the first line.
func parseMode(l []byte) (string, error) {
	if !bytes.HasPrefix(l, []byte(modePrefix)) || len(l) == len(modePrefix) {
		return "", fmt.Errorf("bad mode line %q: want %q, %q or %q", quoteLine(l),
			modePrefix+ModeSet, modePrefix+ModeCount, modePrefix+ModeAtomic)
	}
	switch m := string(l[len(modePrefix):]); m {
	case ModeSet, ModeCount, ModeAtomic:
		return m, nil
	default:
		return "", fmt.Errorf("unsupported mode %q: want %q, %q or %q", m, ModeSet, ModeCount, ModeAtomic)
	}
}

// parseLine parses one block line. It returns the end of the file name,
// or the 1-based column and a description of what is wrong.
func parseLine(l []byte) (at int, b block, col int, msg string) {
	const seps = "  .,.:"
	end := len(l)
	var v [6]uint64
	for k := range 6 {
		i := end
		for i > 0 && l[i-1]-'0' < 10 {
			i--
		}
		if n := end - i; n > 0 && n <= 9 && i > 0 && l[i-1] == seps[k] {
			// The common case: nine digits or fewer cannot overflow.
			var x uint64
			for _, c := range l[i:end] {
				x = x*10 + uint64(c-'0')
			}
			v[k] = x
			end = i - 1
			continue
		}
		maxes := [6]uint64{MaxCount, maxLineNum, maxLineNum, maxLineNum, maxLineNum, maxLineNum}
		digits := l[i:end]
		neg := false
		if i > 0 && (l[i-1] == '+' || l[i-1] == '-') {
			neg = l[i-1] == '-'
			i--
		}
		if i == 0 || l[i-1] != seps[k] {
			return 0, b, max(i, 1), fmt.Sprintf("want %q before %s", seps[k], fieldNames[k])
		}
		if len(digits) == 0 {
			return 0, b, i + 1, fieldNames[k] + " is not a number"
		}
		var x uint64
		for _, c := range digits {
			d := uint64(c - '0')
			if x > (maxes[k]-d)/10 {
				return 0, b, i + 1, fieldNames[k] + " is out of range"
			}
			x = x*10 + d
		}
		if neg && x != 0 {
			return 0, b, i + 1, fieldNames[k] + " is negative"
		}
		v[k] = x
		end = i - 1
	}
	if end == 0 {
		return 0, b, 1, "file name is empty"
	}
	b.count = v[0]
	b.stmts = uint32(v[1])
	b.end = v[3]<<32 | v[2]
	b.start = v[5]<<32 | v[4]
	return end, b, 0, ""
}

var fieldNames = [6]string{"count", "statement count", "end column", "end line", "start column", "start line"}

// quoteLine shortens l for an error message.
func quoteLine(l []byte) string {
	const max = 200
	if len(l) > max {
		return string(l[:max]) + "..."
	}
	return string(l)
}

// normalize sorts f's blocks by start and merges duplicates.
func (p *parsed) normalize(name string, f *pfile) error {
	if f.sorted {
		return nil
	}
	slices.SortFunc(f.blocks, func(a, b block) int {
		switch {
		case a.start != b.start:
			return cmpU64(a.start, b.start)
		case a.end != b.end:
			return cmpU64(a.end, b.end)
		default:
			return int(a.line) - int(b.line)
		}
	})
	bs := f.blocks
	j := 0
	for i := 1; i < len(bs); i++ {
		last := &bs[j]
		b := bs[i]
		if b.start != last.start {
			j++
			bs[j] = b
			continue
		}
		if err := sameBlock(f.name, last, &b, name, name); err != nil {
			return err
		}
		last.count = combine(p.mode, last.count, b.count, func() {
			p.overflows = append(p.overflows, overflowAt(name, f.name, &b))
		})
	}
	f.blocks = bs[:j+1]
	return nil
}

func cmpU64(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// combine merges two counts of the same block: bitwise or in set mode, as
// gocovmerge does (covered if either is), and a sum saturating at
// MaxCount otherwise, calling overflow when it saturates.
func combine(mode string, a, b uint64, overflow func()) uint64 {
	if mode == ModeSet {
		return a | b
	}
	s := a + b // both at most MaxCount: no wrap-around in uint64
	if s > MaxCount {
		if a < MaxCount && b < MaxCount {
			overflow()
		}
		return MaxCount
	}
	return s
}

// sameBlock reports an error unless b, from input bName, has the same
// extent and statement count as a, from input aName, which starts where
// b starts.
func sameBlock(file string, a, b *block, aName, bName string) error {
	var what string
	switch {
	case a.end != b.end:
		what = "starts where block %q from %s ends elsewhere"
	case a.stmts != b.stmts:
		what = "has a different statement count from block %q from %s"
	default:
		return nil
	}
	return &diag.Error{File: bName, Line: int(b.line), Col: 1, Err: ErrSourceMismatch,
		Msg: fmt.Sprintf("block %q "+what+": %v", blockString(file, b), blockString(file, a),
			where(aName, a.line), ErrSourceMismatch)}
}

// ErrSourceMismatch is wrapped by errors about blocks that cannot come from
// the same version of a source file.
var ErrSourceMismatch = errors.New("profiles of different versions of the source")

func where(input string, line uint32) string {
	if input == "" {
		input = "<input>"
	}
	return fmt.Sprintf("%q line %d", input, line)
}

func blockString(file string, b *block) string {
	return fmt.Sprintf("%s:%d.%d,%d.%d %d", file, b.start>>32, uint32(b.start), b.end>>32, uint32(b.end), b.stmts)
}
