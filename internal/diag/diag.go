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
	Err error
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
