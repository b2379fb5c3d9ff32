// Package gocover merges Go coverage profiles, the files that
// `go test -coverprofile` writes, the way pytest-cov's combine step merges
// the data of its workers. Its output is byte for byte what gocovmerge
// (github.com/wadey/gocovmerge) writes for the same valid inputs, but it
// refuses inputs that gocovmerge would merge into nonsense: mixed modes
// and blocks from different versions of the source.
//
// The format, as golang.org/x/tools/cover reads it:
//
//	mode: count
//	example.com/m/pkg/file.go:10.2,12.16 3 1
//
// The first line names the mode: "set" (did the block run), "count" (how
// often) or "atomic" (how often, counted atomically). Every other line is
// one block, fileName:startLine.startCol,endLine.endCol numStmt count, with
// the fields found by seeking back from the end of the line, so that a
// file name may itself hold ':' or spaces. Numbers are decimal, optionally
// signed as strconv.Atoi takes them, and never negative. A line ending in
// "\r\n" is read as if it ended in "\n". An empty input is an empty
// profile. The same block may appear more than once in one profile (go
// test -coverpkg writes a covered package once per test binary); those
// lines merge like lines of different profiles.
package gocover

import (
	"io"
	"os"

	"github.com/xshard/xshard/internal/diag"
)

// The modes of a Go coverage profile.
const (
	ModeSet    = "set"
	ModeCount  = "count"
	ModeAtomic = "atomic"
)

// MaxCount is the count at which merged counts saturate. The runtime
// counts in uint32 and x/tools/cover, go tool cover and gocovmerge read
// and sum counts as int, so a sum of uint32 counts from many profiles can
// exceed uint32 and still be read by every consumer: saturating at the
// uint32 maximum would lose information and break byte-identity with
// gocovmerge. MaxCount is therefore the largest int64, the largest count
// those readers accept on 64-bit platforms; gocovmerge would wrap around
// to a negative count there, which its own parser then rejects.
const MaxCount = 1<<63 - 1

// Block is one block of a profile, as x/tools/cover's ProfileBlock.
type Block struct {
	StartLine, StartCol int
	EndLine, EndCol     int
	NumStmt             int
	Count               int64
}

// File is the coverage of one source file: its blocks sorted by start.
type File struct {
	Name   string
	Blocks []Block
}

// Profile is a parsed or merged profile: its files sorted by name. Mode is
// "" for an empty input.
type Profile struct {
	Mode  string
	Files []File
}

// Parse reads one profile from r. Blocks that appear more than once are
// merged. Errors for bad input are *diag.Error without a file name.
func Parse(r io.Reader) (*Profile, error) {
	var m Merger
	if err := m.Add("", r); err != nil {
		return nil, err
	}
	return m.Profile(), nil
}

// ParseFile reads the profile in the named file.
func ParseFile(name string) (*Profile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := Parse(f)
	return p, diag.WithFile(err, name)
}
