package dotnet

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

// Format is one of the .NET result formats.
type Format uint8

// The formats this package reads.
const (
	NUnit2 Format = iota + 1 // NUnit 2's test-results
	NUnit3                   // NUnit 3's test-run, and its fragments
	XUnit                    // xUnit.net v2's assemblies (v1's assembly too)
	TRX                      // MSTest and vstest's TestRun
)

var formatNames = [...]string{"", "nunit2", "nunit3", "xunit", "trx"}

// String returns the format's name as messages show it: "nunit2",
// "nunit3", "xunit" or "trx".
func (f Format) String() string {
	if int(f) < len(formatNames) && f > 0 {
		return formatNames[f]
	}
	return "format(" + strconv.Itoa(int(f)) + ")"
}

// Report is what a .NET result file holds, as xshard's model has it.
type Report struct {
	Format Format
	// Cases are the results in document order. Each has Suite equal to
	// Classname (the class's full name), except the pseudo cases for
	// failures outside any test ("[OneTimeSetUp failed]", ...), whose
	// Name starts with "[".
	Cases []model.Case
	// Hostname and Timestamp are the machine and start of the run, when
	// the report says; the JUnit conversion puts them on every suite.
	Hostname  string
	Timestamp time.Time
	// Repaired counts the characters that XML 1.0 cannot hold (bytes
	// that are not UTF-8, control characters, references to them) that
	// the reader replaced with U+FFFD.
	Repaired int
}

// Parse reads a report of format f.
func Parse(r io.Reader, f Format) (*Report, error) {
	switch f {
	case NUnit2:
		return ParseNUnit2(r)
	case NUnit3:
		return ParseNUnit3(r)
	case XUnit:
		return ParseXUnit(r)
	case TRX:
		return ParseTRX(r)
	}
	return nil, fmt.Errorf("unknown .NET format %d", f)
}

// ParseFile reads the named report of format f. Errors for bad input
// are *diag.Error naming the file and line; the Report then holds the
// cases read before the error.
func ParseFile(name string, f Format) (*Report, error) {
	h, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	rep, err := Parse(h, f)
	return rep, diag.WithFile(err, name)
}

// parser is what the four readers share: the decoder and the report
// being built.
type parser struct {
	d   *decoder
	rep *Report
}

func newParser(r io.Reader, f Format) *parser {
	return &parser{d: newDecoder(r), rep: &Report{Format: f}}
}

// add appends a case; Suite is its Classname.
func (p *parser) add(c model.Case) {
	c.Suite = c.Classname
	p.rep.Cases = append(p.rep.Cases, c)
}

// pseudo appends an errored case for a failure outside any test.
func (p *parser) pseudo(scope, name, msg, trace string) {
	if msg == "" {
		msg = strings.Trim(name, "[]")
	}
	p.add(model.Case{Classname: scope, Name: name, Outcome: model.Errored, Message: msg, Detail: trace})
}

// wrongRoot is the error for a document of another kind.
func (p *parser) wrongRoot(got string, want ...string) error {
	q := make([]string, len(want))
	for i, w := range want {
		q[i] = "<" + w + ">"
	}
	return p.d.errorf("root element <%s>: not a %s report (want %s)", got, p.rep.Format, strings.Join(q, " or "))
}

// splitName splits a test's full name into its class and the rest at
// the last '.' outside parentheses, brackets and quotes:
// "Ns.C.M(1.5)" is "Ns.C" and "M(1.5)", "Ns.F(42).M" is "Ns.F(42)" and
// "M". A name without such a '.' is all method.
func splitName(full string) (class, name string) {
	depth := 0
	quote := byte(0)
	last := -1
	for i := 0; i < len(full); i++ {
		c := full[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if depth > 0 {
				quote = c
			}
		case c == '(' || c == '[' || c == '<':
			depth++
		case c == ')' || c == ']' || c == '>':
			if depth > 0 {
				depth--
			}
		case c == '.' && depth == 0:
			last = i
		}
	}
	if last <= 0 || last == len(full)-1 {
		return "", full
	}
	return full[:last], full[last+1:]
}

// hasPrefixDot reports whether full starts with class and a '.'.
func hasPrefixDot(full, class string) bool {
	return class != "" && len(full) > len(class)+1 && strings.HasPrefix(full, class) && full[len(class)] == '.'
}

// prefixed returns msg after "word: ", or word alone for an empty msg.
func prefixed(word, msg string) string {
	if msg == "" {
		return word
	}
	return word + ": " + msg
}

// nameIn returns the name of a test whose full name is full within class:
// full without "class." when it starts so, else what splitName finds.
func nameIn(full, class string) (string, string) {
	if hasPrefixDot(full, class) {
		return class, full[len(class)+1:]
	}
	c, n := splitName(full)
	if c == "" {
		c = class
	}
	return c, n
}

// withArgs returns method followed by the argument list that the display
// name gives it: "M(a: 1)" for xUnit's "Ns.C.M(a: 1)", "M(1,2)" for
// MSTest's "M (1,2)", "M(x: 1)" for a custom "Adds numbers(x: 1)"; the
// method alone when the display name ends in no argument list.
func withArgs(method, display string) string {
	if method == "" {
		return display
	}
	if !strings.HasSuffix(display, ")") {
		return method
	}
	for _, sep := range []string{"(", " ("} {
		key := method + sep
		for off := 0; ; {
			i := strings.Index(display[off:], key)
			if i < 0 {
				break
			}
			i += off
			if i == 0 || display[i-1] == '.' || display[i-1] == ' ' {
				return method + display[i+len(key)-1:]
			}
			off = i + 1
		}
	}
	// A custom display name: xUnit.net still appends the arguments.
	if m, ok := testid.WithoutArgs(display); ok {
		return method + display[len(m):]
	}
	return method
}

// seconds reads a duration in seconds as the .NET writers format it:
// "0.0123456", or with a decimal comma from a localised writer ("0,25").
// A value that is not a finite, non-negative number reads as 0: it says
// nothing about the test.
func seconds(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if strings.Contains(s, ",") {
		if strings.Contains(s, ".") {
			s = strings.ReplaceAll(s, ",", "")
		} else {
			s = strings.Replace(s, ",", ".", 1)
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v >= 0) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// timeSpan reads a .NET TimeSpan in its invariant form,
// "[-][d.]hh:mm:ss[.fffffff]", as TRX writes durations; ok is false for
// anything else.
func timeSpan(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] == '-' {
		return 0, false
	}
	days := 0.0
	hms := s
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		d, err := strconv.ParseUint(s[:i], 10, 32)
		if err != nil {
			return 0, false
		}
		days, hms = float64(d), s[i+1:]
	}
	parts := strings.Split(hms, ":")
	if len(parts) != 3 {
		return 0, false
	}
	h, err1 := strconv.ParseUint(parts[0], 10, 32)
	m, err2 := strconv.ParseUint(parts[1], 10, 32)
	sec, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil || m > 59 || !(sec >= 0 && sec < 60) || strings.ContainsAny(parts[2], "eE+-") {
		return 0, false
	}
	return days*86400 + float64(h)*3600 + float64(m)*60 + sec, true
}

// timestamp reads the date and time formats .NET reports use: RFC 3339
// with up to seven fractional digits ("2024-05-02T10:00:00.1234567Z",
// "...+02:00"), NUnit 3's "2024-05-02 10:00:00Z", and a date and a time
// given apart (NUnit 2, xUnit.net: "2024-05-02", "10:00:00"), taken as
// UTC. ok is false for anything else.
func timestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// dateAndTime reads a date and a time given in two attributes.
func dateAndTime(date, clock string) (time.Time, bool) {
	if date == "" {
		return time.Time{}, false
	}
	if clock == "" {
		clock = "00:00:00"
	}
	return timestamp(strings.TrimSpace(date) + " " + strings.TrimSpace(clock))
}

// baseName returns the last element of a Windows or slash path.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
