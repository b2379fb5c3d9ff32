package gocover

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// Merger merges profiles. The zero value is ready to use. Inputs may come
// in any order: the merged profile is the same.
type Merger struct {
	mode      string
	modeInput int32 // input whose mode line set mode
	inputs    []string
	files     map[string][]block
	overflows []Overflow
}

// Overflow records a block whose merged count reached MaxCount and was
// clamped there.
type Overflow struct {
	Input string // the input whose count made the sum overflow
	File  string // the source file
	Line  int    // the line of the block in Input
	Block string // the block, "startLine.startCol,endLine.endCol"
}

// String formats o for a warning: "input:line: count of file:block
// overflowed ...".
func (o Overflow) String() string {
	return fmt.Sprintf("%s:%d: count of %s:%s overflowed and was clamped to %d", o.Input, o.Line, o.File, o.Block, int64(MaxCount))
}

func overflowAt(input, file string, b *block) Overflow {
	return Overflow{Input: input, File: file, Line: int(b.line),
		Block: fmt.Sprintf("%d.%d,%d.%d", b.start>>32, uint32(b.start), b.end>>32, uint32(b.end))}
}

// Add merges the profile read from r, naming it name in errors. Input
// errors are *diag.Error. If Add fails, m is unchanged.
func (m *Merger) Add(name string, r io.Reader) error {
	src := m.reserve(name)
	p, err := parse(name, src, r, m.blocks(), nil)
	if err != nil {
		return err
	}
	return m.merge(name, p)
}

// AddFile merges the profile in the named file.
func (m *Merger) AddFile(name string) error {
	return m.AddFiles(name)
}

// AddFiles merges the profiles in the named files, parsing them in
// parallel on up to GOMAXPROCS cores and merging them in order. It stops
// at the first file that fails, after merging the files before it, and
// returns that file's error.
func (m *Merger) AddFiles(names ...string) error {
	if len(names) == 0 {
		return nil
	}
	type result struct {
		p   *parsed
		err error
	}
	base := len(m.inputs)
	for _, n := range names {
		m.reserve(n)
	}
	workers := min(runtime.GOMAXPROCS(0), len(names))
	results := make([]chan result, len(names))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	// tokens bounds the inputs parsed but not yet merged, and so memory.
	tokens := make(chan struct{}, workers+1)
	jobs := make(chan int)
	free := make(chan []block, workers+1) // block slices to parse into again
	var stop atomic.Bool
	go func() {
		for i := range names {
			tokens <- struct{}{}
			jobs <- i
		}
		close(jobs)
	}()
	for range workers {
		go func() {
			// Each worker sizes its block slice from the last input it
			// parsed: profiles of one run list the same blocks.
			hint := 0
			for i := range jobs {
				var reuse []block
				select {
				case reuse = <-free:
				default:
				}
				if stop.Load() {
					results[i] <- result{}
					continue
				}
				p, err := parseFile(names[i], int32(base+i), hint, reuse)
				if err == nil {
					hint = 0
					for _, f := range p.files {
						hint += len(f.blocks)
					}
				}
				results[i] <- result{p, err}
			}
		}()
	}
	var first error
	for i, ch := range results {
		r := <-ch
		<-tokens
		if first != nil {
			continue
		}
		first = r.err
		if first == nil {
			first = m.merge(names[i], r.p)
		}
		if first == nil && !r.p.adopted {
			// Recycle the block slice: fewer page faults and GC cycles.
			select {
			case free <- r.p.arena:
			default:
			}
		}
		if first != nil {
			stop.Store(true)
		}
	}
	return first
}

// blocks returns the number of merged blocks, to size a sequential Add's
// block slice.
func (m *Merger) blocks() int {
	n := 0
	for _, bs := range m.files {
		n += len(bs)
	}
	return n
}

func parseFile(name string, src int32, hint int, reuse []block) (*parsed, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parse(name, src, f, hint, reuse)
}

func (m *Merger) reserve(name string) int32 {
	m.inputs = append(m.inputs, name)
	return int32(len(m.inputs) - 1)
}

func (m *Merger) inputName(src int32) string { return m.inputs[src] }

// merge folds p into m, or returns an error and leaves m as it was.
func (m *Merger) merge(name string, p *parsed) error {
	if p.mode == "" { // an empty input
		return nil
	}
	if m.mode != "" && p.mode != m.mode {
		return &diag.Error{File: name, Line: 1, Col: 1, Msg: fmt.Sprintf(
			"mode %q does not match mode %q of %q: profiles of different modes cannot be merged",
			p.mode, m.mode, m.inputName(m.modeInput))}
	}
	// Check and build first, then commit, so that a failure changes nothing.
	type change struct {
		name    string
		blocks  []block // replacement, or nil to add p's counts in place
		inplace []block
	}
	changes := make([]change, 0, len(p.files))
	adopted := false
	var overflows []Overflow
	for _, f := range p.files {
		acc, ok := m.files[f.name]
		if !ok {
			changes = append(changes, change{name: f.name, blocks: f.blocks})
			adopted = true
			continue
		}
		if i := sameBlocks(acc, f.blocks); i == len(acc) {
			changes = append(changes, change{name: f.name, inplace: f.blocks})
			continue
		} else if i >= 0 {
			return sameBlock(f.name, &acc[i], &f.blocks[i], m.inputName(acc[i].src), name)
		}
		merged, err := m.mergeBlocks(f.name, acc, f.blocks, name, p.mode, &overflows)
		if err != nil {
			return err
		}
		changes = append(changes, change{name: f.name, blocks: merged})
	}
	if m.files == nil {
		m.files = make(map[string][]block)
	}
	if m.mode == "" {
		m.mode, m.modeInput = p.mode, p.src
	}
	for _, c := range changes {
		if c.inplace == nil {
			m.files[c.name] = c.blocks
			continue
		}
		acc := m.files[c.name]
		if p.mode == ModeSet {
			for i, b := range c.inplace {
				acc[i].count |= b.count
			}
			continue
		}
		for i, b := range c.inplace {
			s := acc[i].count + b.count
			if s > MaxCount {
				if acc[i].count < MaxCount && b.count < MaxCount {
					overflows = append(overflows, overflowAt(name, c.name, &c.inplace[i]))
				}
				s = MaxCount
			}
			acc[i].count = s
		}
	}
	p.adopted = adopted
	m.overflows = append(m.overflows, p.overflows...)
	m.overflows = append(m.overflows, overflows...)
	return nil
}

// sameBlocks compares a and b, which are sorted by start, for the common
// case of profiles of the same source: it returns len(a) when they hold
// the same blocks, the index of the first block that starts where its
// counterpart starts but differs otherwise, or -1 when the starts differ.
func sameBlocks(a, b []block) int {
	if len(a) != len(b) {
		return -1
	}
	bad := -1
	for i := range a {
		x, y := &a[i], &b[i]
		if x.start != y.start {
			return -1
		}
		if bad < 0 && (x.end != y.end || x.stmts != y.stmts) {
			bad = i
		}
	}
	if bad >= 0 {
		return bad
	}
	return len(a)
}

// mergeBlocks merges b, from input name, into a copy of acc. Both are
// sorted by start without duplicates. A block of b that starts where no
// block of acc starts must not overlap its neighbours in acc.
func (m *Merger) mergeBlocks(file string, acc, b []block, name, mode string, overflows *[]Overflow) ([]block, error) {
	out := make([]block, 0, len(acc)+len(b))
	overlap := func(x, y *block) error {
		return &diag.Error{File: name, Line: int(y.line), Col: 1, Err: ErrSourceMismatch,
			Msg: fmt.Sprintf("block %q overlaps block %q from %s: %v", blockString(file, y),
				blockString(file, x), where(m.inputName(x.src), x.line), ErrSourceMismatch)}
	}
	i, j := 0, 0
	for j < len(b) {
		y := &b[j]
		if i < len(acc) && acc[i].start < y.start {
			out = append(out, acc[i])
			i++
			continue
		}
		if i < len(acc) && acc[i].start == y.start {
			x := acc[i]
			if err := sameBlock(file, &x, y, m.inputName(x.src), name); err != nil {
				return nil, err
			}
			x.count = combine(mode, x.count, y.count, func() {
				*overflows = append(*overflows, overflowAt(name, file, y))
			})
			out = append(out, x)
			i++
			j++
			continue
		}
		if i > 0 && acc[i-1].end > y.start {
			return nil, overlap(&acc[i-1], y)
		}
		if i < len(acc) && y.end > acc[i].start {
			return nil, overlap(&acc[i], y)
		}
		out = append(out, *y)
		j++
	}
	return append(out, acc[i:]...), nil
}

// Mode returns the mode of the merged profiles, "" before any non-empty
// input.
func (m *Merger) Mode() string { return m.mode }

// Overflows returns the blocks whose counts saturated at MaxCount, in the
// order the merge met them.
func (m *Merger) Overflows() []Overflow { return slices.Clone(m.overflows) }

// names returns the source files, sorted.
func (m *Merger) names() []string {
	names := make([]string, 0, len(m.files))
	for n := range m.files {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Files returns, for every source file sorted by name, its statements and
// how many of them ran, as go tool cover -func counts them.
func (m *Merger) Files() []model.FileCoverage {
	out := make([]model.FileCoverage, 0, len(m.files))
	for _, n := range m.names() {
		fc := model.FileCoverage{File: n}
		for _, b := range m.files[n] {
			fc.Total += int64(b.stmts)
			if b.count > 0 {
				fc.Covered += int64(b.stmts)
			}
		}
		out = append(out, fc)
	}
	return out
}

// Profile returns the merged profile.
func (m *Merger) Profile() *Profile {
	p := &Profile{Mode: m.mode, Files: make([]File, 0, len(m.files))}
	for _, n := range m.names() {
		bs := m.files[n]
		f := File{Name: n, Blocks: make([]Block, len(bs))}
		for i, b := range bs {
			f.Blocks[i] = Block{
				StartLine: int(b.start >> 32), StartCol: int(uint32(b.start)),
				EndLine: int(b.end >> 32), EndCol: int(uint32(b.end)),
				NumStmt: int(b.stmts), Count: int64(b.count),
			}
		}
		p.Files = append(p.Files, f)
	}
	return p
}
