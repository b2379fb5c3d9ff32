package junit

import (
	"bufio"
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xshard/xshard/internal/model"
)

// WriteAttempts writes tests as one JUnit document in Maven Surefire's
// rerun style, each test given as its attempts, first to last (a test
// that ran once has one): the final attempt's outcome is the testcase's;
// a test that failed and then passed is a passed testcase with a
// <flakyFailure> (or <flakyError>) per failed attempt; one that failed
// every time holds its first failure and a <rerunFailure> (or
// <rerunError>) per later attempt. Read gives back each test's final
// outcome with FailedAttempts counting the failed attempts before it, so
// that merge reports a test that passed on a retry as flaky, neither as
// passed nor as two results.
//
// Testcases keep their suite (one testsuite each, in order of first
// appearance), classname, name, file, line and time (the final
// attempt's), and the messages and traces of their failures and skips;
// output (system-out, properties) is not kept.
func WriteAttempts(w io.Writer, tests [][]model.Case) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(xml.Header + "<testsuites>\n")
	var order []string
	bySuite := map[string][][]model.Case{}
	for _, t := range tests {
		if len(t) == 0 {
			continue
		}
		s := t[0].Suite
		if _, ok := bySuite[s]; !ok {
			order = append(order, s)
		}
		bySuite[s] = append(bySuite[s], t)
	}
	for _, s := range order {
		ts := bySuite[s]
		var st struct{ tests, failures, errors, skipped int }
		var secs float64
		for _, t := range ts {
			last := t[len(t)-1]
			st.tests++
			secs += last.Seconds
			switch last.Outcome {
			case model.Failed:
				st.failures++
			case model.Errored:
				st.errors++
			case model.Skipped:
				st.skipped++
			}
		}
		bw.WriteString("  <testsuite")
		attr(bw, "name", s)
		attr(bw, "tests", strconv.Itoa(st.tests))
		attr(bw, "failures", strconv.Itoa(st.failures))
		attr(bw, "errors", strconv.Itoa(st.errors))
		attr(bw, "skipped", strconv.Itoa(st.skipped))
		attr(bw, "time", seconds(secs))
		bw.WriteString(">\n")
		for _, t := range ts {
			writeAttempts(bw, t)
		}
		bw.WriteString("  </testsuite>\n")
	}
	bw.WriteString("</testsuites>\n")
	return bw.Flush()
}

func writeAttempts(bw *bufio.Writer, t []model.Case) {
	last := t[len(t)-1]
	bw.WriteString("    <testcase")
	attr(bw, "classname", last.Classname)
	attr(bw, "name", last.Name)
	if last.File != "" {
		attr(bw, "file", last.File)
	}
	if last.Line > 0 {
		attr(bw, "line", strconv.Itoa(last.Line))
	}
	attr(bw, "time", seconds(last.Seconds))
	bw.WriteString(">\n")
	failing := func(c model.Case) bool { return c.Outcome == model.Failed || c.Outcome == model.Errored }
	switch {
	case last.Outcome == model.Skipped:
		element(bw, "skipped", last.Message, last.Detail, false)
	case failing(last):
		// The first failure as the failure, the later ones as reruns.
		first := slices.IndexFunc(t, failing)
		elem := map[bool]string{true: "error", false: "failure"}[t[first].Outcome == model.Errored]
		element(bw, elem, t[first].Message, t[first].Detail, false)
		for _, c := range t[first+1:] {
			if failing(c) {
				element(bw, map[bool]string{true: "rerunError", false: "rerunFailure"}[c.Outcome == model.Errored], c.Message, c.Detail, true)
			}
		}
	default:
		// Passed: the failed attempts before it made it flaky. A case
		// that already counted failed attempts (a rerun within one
		// attempt) keeps them.
		for _, c := range t[:len(t)-1] {
			if failing(c) {
				element(bw, map[bool]string{true: "flakyError", false: "flakyFailure"}[c.Outcome == model.Errored], c.Message, c.Detail, true)
			}
		}
		for range last.FailedAttempts {
			element(bw, "flakyFailure", "failed attempt", "", true)
		}
	}
	bw.WriteString("    </testcase>\n")
}

// element writes a result element with its message and body; Surefire's
// rerun elements carry the body in a stackTrace child.
func element(bw *bufio.Writer, name, msg, body string, stackTrace bool) {
	bw.WriteString("      <" + name)
	if msg != "" {
		attr(bw, "message", msg)
	}
	if body == "" {
		bw.WriteString("/>\n")
		return
	}
	bw.WriteString(">")
	if stackTrace {
		bw.WriteString("<stackTrace>")
	}
	text(bw, body)
	if stackTrace {
		bw.WriteString("</stackTrace>")
	}
	bw.WriteString("</" + name + ">\n")
}

// attr writes ` name="value"`, escaped for an attribute (newlines and
// tabs as character references, so that they survive).
func attr(bw *bufio.Writer, name, value string) {
	bw.WriteString(" " + name + `="`)
	xml.EscapeText(bw, []byte(strings.ToValidUTF8(value, "\uFFFD")))
	bw.WriteString(`"`)
}

// text writes s as escaped character data.
func text(bw *bufio.Writer, s string) {
	xml.EscapeText(bw, []byte(strings.ToValidUTF8(s, "\uFFFD")))
}

func seconds(s float64) string {
	if !(s >= 0) {
		s = 0
	}
	return strconv.FormatFloat(s, 'f', 3, 64)
}
