package dotnet

import (
	"encoding/xml"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/xshard/xshard/internal/model"
)

// ToJUnit reads a report of format f from r and writes it to w as a JUnit
// XML document, in go-junit-report's encoding: one testsuite per class
// (the cases' Suite, in the order the classes first appear) with the
// run's hostname and timestamp, one testcase per case with its classname,
// name and time, a <failure>, <error> or <skipped> whose message
// attribute is the case's Message and whose text is its Detail, and the
// case's Output as its <system-out>. Times keep the report's precision
// (TRX's 100 ns ticks).
//
// The document holds what was read even when the report is broken; the
// error for it is returned with the report.
func ToJUnit(r io.Reader, w io.Writer, f Format) (*Report, error) {
	rep, perr := Parse(r, f)
	if rep == nil {
		return nil, perr
	}
	if err := WriteJUnit(w, rep); err != nil {
		return rep, err
	}
	return rep, perr
}

// WriteJUnit writes rep as ToJUnit does.
func WriteJUnit(w io.Writer, rep *Report) error {
	var doc junit.Testsuites
	index := map[string]int{}
	var nanos []int64
	for i := range rep.Cases {
		c := &rep.Cases[i]
		k, ok := index[c.Suite]
		if !ok {
			k = len(doc.Suites)
			index[c.Suite] = k
			s := junit.Testsuite{Name: c.Suite, ID: k, Hostname: rep.Hostname}
			if !rep.Timestamp.IsZero() {
				s.Timestamp = rep.Timestamp.UTC().Format(time.RFC3339)
			}
			doc.Suites = append(doc.Suites, s)
			nanos = append(nanos, 0)
		}
		doc.Suites[k].AddTestcase(testcase(c))
		nanos[k] += int64(math.Round(c.Seconds * 1e9))
	}
	var total int64
	for k := range doc.Suites {
		s := &doc.Suites[k]
		s.Time = formatSeconds(float64(nanos[k]) / 1e9)
		total += nanos[k]
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	doc.Time = formatSeconds(float64(total) / 1e9)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "\t")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func testcase(c *model.Case) junit.Testcase {
	tc := junit.Testcase{Name: c.Name, Classname: c.Classname, Time: formatSeconds(c.Seconds)}
	res := &junit.Result{Message: c.Message, Data: xmlSafe(c.Detail)}
	switch c.Outcome {
	case model.Failed:
		tc.Failure = res
	case model.Errored:
		tc.Error = res
	case model.Skipped:
		res.Data = ""
		tc.Skipped = res
	}
	if c.Output != "" {
		tc.SystemOut = &junit.Output{Data: xmlSafe(c.Output)}
	}
	return tc
}

// formatSeconds writes a duration with up to seven decimals, TRX's
// precision, and no trailing zeros: "0.0001254", "12", "0".
func formatSeconds(s float64) string {
	if !(s >= 0) || math.IsInf(s, 0) {
		s = 0
	}
	return strconv.FormatFloat(math.Round(s*1e7)/1e7, 'f', -1, 64)
}

// xmlSafe replaces the characters that XML 1.0 cannot hold: CDATA sections
// are written as they are, so what goes into one must be clean. The
// readers never produce such characters; this guards Reports built
// otherwise.
func xmlSafe(s string) string {
	for _, r := range s {
		if !xmlChar(r) || r == '\uFFFD' {
			return cleanRunes(s)
		}
	}
	return s
}

func cleanRunes(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if !xmlChar(r) {
			r = '\uFFFD'
		}
		out = append(out, r)
	}
	return string(out)
}
