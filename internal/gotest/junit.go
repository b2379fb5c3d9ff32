package gotest

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/gtr"
	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// Stats counts what a go test -json stream reported.
type Stats struct {
	// Packages counts the packages in the stream, with or without tests.
	Packages int
	// Tests counts the cases, as Read returns them: subtests and the
	// package-level cases included, each rerun test once.
	Tests int
	// Passed, Failed, Errored and Skipped count the cases by outcome.
	Passed, Failed, Errored, Skipped int
	// Flaky counts the passed cases that failed first; they are in
	// Passed too.
	Flaky int
	// Warnings are the problems the reader recovered from without losing
	// a result (a line longer than MaxLine), each naming its line.
	Warnings []*diag.Error `json:",omitempty"`
}

func (s *Stats) add(c *model.Case) {
	s.Tests++
	switch c.Outcome {
	case model.Passed:
		s.Passed++
		if c.Flaky() {
			s.Flaky++
		}
	case model.Failed:
		s.Failed++
	case model.Errored:
		s.Errored++
	case model.Skipped:
		s.Skipped++
	}
}

// ToJUnit reads a go test -json stream from r, as Read does, and writes it
// to w as a JUnit XML document: go-junit-report's junit.CreateFromReport
// (a testsuite per package with its timestamp, duration and coverage, a
// testcase per case, errored cases as <error>) and its encoding, with two
// additions. Failure, error and skip messages are the cases' Message
// rather than go-junit-report's fixed words. Reruns are folded the way
// Maven Surefire writes them, so that JUnit readers see the same
// FailedAttempts as Read: a flaky test is a passed testcase holding a
// <flakyFailure> (or <flakyError>) per failed attempt, and a test that
// failed every time holds its first failure and a <rerunFailure> (or
// <rerunError>) per later attempt. A test that another test ran carries
// the tests that ran it in a <properties> element (RanInProperty).
//
// The document is written even when the stream has malformed lines; the
// error for them is returned with the counts.
func ToJUnit(r io.Reader, w io.Writer, opts Options) (Stats, error) {
	p := newParser(opts)
	if err := p.read(r); err != nil {
		return Stats{}, err
	}
	st := Stats{Packages: len(p.pkgList), Warnings: p.allWarnings()}

	byPkg := p.byPackage()
	var report gtr.Report
	cases := make([][]*model.Case, len(p.pkgList))
	for i, info := range p.pkgList {
		pkg := gtr.Package{
			Name:      info.name,
			Timestamp: info.start,
			Duration:  seconds(info.elapsed),
			Coverage:  info.coverage,
		}
		if s := info.stray.String(); s != "" {
			pkg.Output = strings.Split(s, "\n")
		}
		for id, res := range byPkg[i] {
			c := p.caseOf(res)
			st.add(c)
			cases[i] = append(cases[i], c)
			t := gtr.NewTest(id+1, c.Name)
			t.Duration = seconds(c.Seconds)
			t.Result = map[model.Outcome]gtr.Result{
				model.Passed: gtr.Pass, model.Failed: gtr.Fail,
				model.Errored: gtr.Unknown, model.Skipped: gtr.Skip,
			}[c.Outcome]
			if c.Detail != "" && c.Outcome != model.Passed {
				t.Output = strings.Split(c.Detail, "\n")
			}
			pkg.Tests = append(pkg.Tests, t)
		}
		report.Packages = append(report.Packages, pkg)
	}

	suites := junit.CreateFromReport(report, "")
	doc := xmlSuites{Testsuites: suites}
	doc.Suites = make([]xmlSuite, len(suites.Suites))
	for i, s := range suites.Suites {
		xs := xmlSuite{Testsuite: s, SystemOut: s.SystemOut, SystemErr: s.SystemErr}
		xs.Testsuite.Testcases, xs.Testsuite.SystemOut, xs.Testsuite.SystemErr = nil, nil, nil
		for j, tc := range s.Testcases {
			if res := byPkg[i][j]; res.badTime {
				// As the stream had it, so that a JUnit reader finds it
				// unusable too.
				tc.Time = strconv.FormatFloat(res.seconds, 'g', -1, 64)
			}
			xs.Testcases = append(xs.Testcases, extend(tc, cases[i][j], byPkg[i][j]))
		}
		doc.Suites[i] = xs
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return st, err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "\t")
	if err := enc.Encode(doc); err != nil {
		return st, err
	}
	if err := enc.Close(); err != nil {
		return st, err
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return st, err
	}
	return st, p.inputErr()
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// RanInProperty is the name of the testcase property by which ToJUnit
// writes a case's model.Case.RanIn; package junit reads it back (its
// constant of the same name).
const RanInProperty = "xshard.ran-in"

// extend gives tc the case's message, its Surefire rerun elements, and
// for a test that another test ran, the RanInProperty.
func extend(tc junit.Testcase, c *model.Case, res *result) xmlCase {
	for _, r := range []*junit.Result{tc.Failure, tc.Error, tc.Skipped} {
		if r != nil && c.Message != "" {
			r.Message = c.Message
		}
	}
	xc := xmlCase{Testcase: tc, Skipped: tc.Skipped, Error: tc.Error, Failure: tc.Failure, SystemOut: tc.SystemOut, SystemErr: tc.SystemErr}
	xc.Testcase.Skipped, xc.Testcase.Error, xc.Testcase.Failure, xc.Testcase.SystemOut, xc.Testcase.SystemErr = nil, nil, nil, nil, nil
	if c.RanIn != "" {
		xc.Properties = &xmlProps{Property: []junit.Property{{Name: RanInProperty, Value: c.RanIn}}}
	}
	fails := res.fails
	if c.Outcome != model.Passed && len(fails) > 0 {
		fails = fails[1:] // the first is the <failure> or <error> itself
	}
	for i, f := range fails {
		rr := rerun{Message: f.message}
		if c.Outcome == model.Passed && i == 0 && c.Detail != "" {
			rr.StackTrace = &cdata{Data: xmlSafe(c.Detail)}
		}
		switch {
		case c.Outcome == model.Passed && f.outcome == model.Errored:
			xc.FlakyError = append(xc.FlakyError, rr)
		case c.Outcome == model.Passed:
			xc.FlakyFailure = append(xc.FlakyFailure, rr)
		case f.outcome == model.Errored:
			xc.RerunError = append(xc.RerunError, rr)
		default:
			xc.RerunFailure = append(xc.RerunFailure, rr)
		}
	}
	return xc
}

// xmlSuites and the types below extend go-junit-report's XML with
// Surefire's rerun elements; the shadowing fields keep go-junit-report's
// element order (testcases, then the suite's output).
type xmlSuites struct {
	junit.Testsuites
	Suites []xmlSuite `xml:"testsuite,omitempty"`
}

type xmlSuite struct {
	junit.Testsuite
	Testcases []xmlCase     `xml:"testcase,omitempty"`
	SystemOut *junit.Output `xml:"system-out,omitempty"`
	SystemErr *junit.Output `xml:"system-err,omitempty"`
}

type xmlCase struct {
	junit.Testcase
	Properties   *xmlProps     `xml:"properties,omitempty"`
	Skipped      *junit.Result `xml:"skipped,omitempty"`
	Error        *junit.Result `xml:"error,omitempty"`
	Failure      *junit.Result `xml:"failure,omitempty"`
	FlakyFailure []rerun       `xml:"flakyFailure,omitempty"`
	FlakyError   []rerun       `xml:"flakyError,omitempty"`
	RerunFailure []rerun       `xml:"rerunFailure,omitempty"`
	RerunError   []rerun       `xml:"rerunError,omitempty"`
	SystemOut    *junit.Output `xml:"system-out,omitempty"`
	SystemErr    *junit.Output `xml:"system-err,omitempty"`
}

type xmlProps struct {
	Property []junit.Property `xml:"property"`
}

type rerun struct {
	Message    string `xml:"message,attr"`
	StackTrace *cdata `xml:"stackTrace,omitempty"`
}

type cdata struct {
	Data string `xml:",cdata"`
}

// xmlSafe replaces the characters that XML 1.0 cannot hold, as
// go-junit-report does for its own output.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF {
			return r
		}
		return '\uFFFD'
	}, s)
}
