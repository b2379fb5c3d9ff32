package junit

import (
	"io"

	"github.com/xshard/xshard/internal/diag"

	"github.com/xshard/xshard/internal/model"
)

// Default bounds on Case.Message and Case.Detail.
const (
	DefaultMaxMessage = 4 << 10
	DefaultMaxDetail  = 64 << 10
)

// ReadOptions configures Read.
type ReadOptions struct {
	// MaxMessage and MaxDetail bound Case.Message and Case.Detail in
	// bytes; longer ones are cut on a UTF-8 boundary and end with
	// "…[truncated]". 0 means DefaultMaxMessage and DefaultMaxDetail.
	MaxMessage, MaxDetail int
	// Source names the input: it becomes Case.Source and the File of
	// errors.
	Source string
	// Worker is Case.Worker for cases without an xshard.worker property.
	Worker string
}

func (o ReadOptions) withDefaults() ReadOptions {
	if o.MaxMessage <= 0 {
		o.MaxMessage = DefaultMaxMessage
	}
	if o.MaxDetail <= 0 {
		o.MaxDetail = DefaultMaxDetail
	}
	return o
}

// Stats counts what a reader saw besides the cases themselves, so that
// nothing is dropped unnoticed.
type Stats struct {
	// Suites counts testsuite elements, nested ones included.
	Suites int
	// Cases counts testcase elements.
	Cases int
	// Unknown counts elements directly inside a testcase that the reader
	// does not interpret (anything but failure, error, skipped,
	// flakyFailure, flakyError, rerunFailure, rerunError, properties,
	// system-out and system-err). Merge copies them through.
	Unknown int
	// Dropped counts elements directly inside a testsuites element other
	// than testsuite, testsuites and testcase. Merge does not copy them.
	Dropped int
	// Truncated counts messages and details cut to their bound.
	Truncated int
	// Warnings describe what the reader recovered from without losing a
	// case, each naming its file, line and column: unusable times (the
	// first of each input, counting the others).
	Warnings []*diag.Error `json:",omitempty"`
}

func (s *Stats) add(o Stats) {
	s.Suites += o.Suites
	s.Cases += o.Cases
	s.Unknown += o.Unknown
	s.Dropped += o.Dropped
	s.Truncated += o.Truncated
	s.Warnings = append(s.Warnings, o.Warnings...)
}

// Read reads one JUnit XML report from r and calls fn with each testcase,
// in document order, as soon as its end tag is read. The *model.Case is
// reused between calls: fn must copy what it keeps. An error from fn stops
// the reading and is returned as it is.
//
// Bad input gives a *diag.Error with the line and column (a column counts
// bytes) of the problem; every case read before it has been delivered.
func Read(r io.Reader, opts ReadOptions, fn func(*model.Case) error) (Stats, error) {
	p := &parser{
		s:      newScanner(r, nil),
		opts:   opts.withDefaults(),
		full:   true,
		worker: opts.Worker,
		onCase: func(c *caseState) error { return fn(&c.Case) },
	}
	err := p.run()
	return p.stats, err
}
