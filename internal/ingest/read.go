package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/dotnet"
	"github.com/xshard/xshard/internal/gotest"
	"github.com/xshard/xshard/internal/junit"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
	"github.com/xshard/xshard/internal/timings"
)

// ReadTimings reads historical durations from path, whatever its kind:
// xshard's timings file, a flat {"id": seconds} object, JUnit XML, a
// go test -json stream or a .NET result file (whose case durations are
// rolled up, groups by the optional pattern). The cases of a report are keyed as package testid
// has it, reading pytest classnames against scopes when not nil: the
// collected IDs' files and classes, so that the durations are keyed by
// the IDs shard plans.
func ReadTimings(path string, groups *regexp.Regexp, scopes *testid.Scopes) (*model.Timings, error) {
	f, err := ReadTimingsFile(path, groups, scopes)
	if err != nil {
		return nil, err
	}
	return &f.Timings, nil
}

// ReadTimingsFile is ReadTimings that also returns how many runs the
// durations blend: the file's own count for xshard's timings file, 0 for
// the other kinds.
func ReadTimingsFile(path string, groups *regexp.Regexp, scopes *testid.Scopes) (*timings.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, SniffLen)
	head, err := br.Peek(SniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read %q: %w", path, err)
	}
	kind := Sniff(head)
	var in io.Reader = br
	if _, dn := kind.DotNet(); kind == JUnit || dn {
		e, err := EncodingOf(head)
		if err != nil {
			return nil, diag.WithFile(err, path)
		}
		if e != nil {
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(ToUTF8(pw, br, e)) }()
			defer pr.Close()
			in = pr
		}
	}
	if f, ok := kind.DotNet(); ok {
		rep, err := dotnet.Parse(in, f)
		if err != nil {
			return nil, diag.WithFile(err, path)
		}
		r := NewRollup(groups)
		r.resolver.Scopes = scopes
		for i := range rep.Cases {
			if c := &rep.Cases[i]; !strings.HasPrefix(c.Name, "[") { // not a failed fixture
				r.Add(c)
			}
		}
		return rollupFile(r, path, kind)
	}
	switch kind {
	case Timings:
		return timings.Read(br, path)
	case JUnit, GoTestJSON:
		r := NewRollup(groups)
		r.resolver.Scopes = scopes
		add := func(c *model.Case) error { r.Add(c); return nil }
		if kind == JUnit {
			_, err = junit.Read(in, junit.ReadOptions{Source: path, MaxMessage: 1, MaxDetail: 1}, add)
		} else {
			_, err = gotest.Read(br, gotest.Options{Source: path, MaxDetail: 1}, add)
		}
		if err != nil {
			return nil, diag.WithFile(err, path)
		}
		return rollupFile(r, path, kind)
	}
	return nil, &diag.Error{File: path, Msg: "not a timings file: expected xshard's timings.json, a {\"test id\": seconds} object, JUnit XML, go test -json output or a .NET result file (NUnit, xUnit.net, TRX)"}
}

// rollupFile returns the durations r summed, an error when there are
// none.
func rollupFile(r *Rollup, path string, kind Kind) (*timings.File, error) {
	t := r.Timings()
	if len(t.Tests) == 0 {
		return nil, &diag.Error{File: path, Msg: fmt.Sprintf("no test durations found in this %s file", kind)}
	}
	return &timings.File{Timings: *t}, nil
}
