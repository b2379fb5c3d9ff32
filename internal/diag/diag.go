// Package diag defines the error that every xshard reader returns for bad
// input: one that names the file, the line and column, and what is wrong,
// printed as "file:line:col: msg" in the manner of compilers and linters.
package diag

import (
	"errors"
	"strconv"
)

// Error is a problem with one input file. Line and Col are 1-based; 0
// means unknown and is left out of the message.
type Error struct {
	File string
	Line int
	Col  int
	Msg  string
	// Err is the underlying error, if any, for errors.Is and errors.As.
	Err error `json:"-"`
}

// Error formats e as "file:line:col: msg".
func (e *Error) Error() string {
	s := e.File
	if s == "" {
		s = "<input>"
	}
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
		if e.Col > 0 {
			s += ":" + strconv.Itoa(e.Col)
		}
	}
	return s + ": " + e.Msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// WithFile returns err with its File set to file when err is an *Error
// without one (readers that take an io.Reader do not know the name), and
// err wrapped as an *Error on file otherwise.
func WithFile(err error, file string) error {
	if err == nil {
		return nil
	}
	var d *Error
	if errors.As(err, &d) {
		if d.File == "" {
			c := *d
			c.File = file
			return &c
		}
		return err
	}
	return &Error{File: file, Msg: err.Error(), Err: err}
}

// Position converts a byte offset in data to a 1-based line and column
// (the column counts bytes). Offsets past the end point after the last
// byte.
func Position(data []byte, off int64) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = 1
	last := -1
	for i, b := range before {
		if b == '\n' {
			line++
			last = i
		}
	}
	return line, int(off) - last
}

// At returns an Error at byte offset off of data, the content of file.
func At(file string, data []byte, off int64, msg string) *Error {
	line, col := Position(data, off)
	return &Error{File: file, Line: line, Col: col, Msg: msg}
}
