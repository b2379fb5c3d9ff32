// Package ingest recognises xshard's inputs by their content, not their
// names, and reads them through the format packages: it is the one place
// that knows every format, so that the formats need not know each other.
package ingest

import (
	"bytes"
	"regexp"

	"github.com/xshard/xshard/internal/dotnet"
	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
	"github.com/xshard/xshard/internal/timings"
)

// Kind is the format of an input file.
type Kind int

// The kinds Sniff recognises.
const (
	Unknown Kind = iota
	JUnit
	GoTestJSON
	GoCover
	LCOV
	Cobertura
	Manifest
	Timings
	NUnit2 // NUnit 2's test-results
	NUnit3 // NUnit 3's test-run, or a bare test-suite or test-case of it
	XUnit  // xUnit.net's assemblies (or a bare assembly)
	TRX    // MSTest and vstest's TestRun
)

// Last is the last Kind.
const Last = TRX

var kindNames = [...]string{"unknown", "junit", "go-test-json", "go-cover", "lcov", "cobertura", "manifest", "timings", "nunit2", "nunit3", "xunit", "trx"}

// String returns the kind's name as messages show it.
func (k Kind) String() string { return kindNames[k] }

// SniffLen is how many leading bytes Sniff needs to decide.
const SniffLen = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Sniff returns the kind of a file from its first bytes (up to SniffLen).
func Sniff(head []byte) Kind {
	head = head[:min(len(head), SniffLen)]
	b := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	switch {
	case len(b) == 0:
		return Unknown
	case b[0] == '<':
		switch xmlRoot(b) {
		case "testsuites", "testsuite", "testcase", "testrun":
			return JUnit
		case "coverage":
			return Cobertura
		case "test-results":
			return NUnit2
		case "test-run", "test-suite", "test-case":
			return NUnit3
		case "assemblies", "assembly":
			return XUnit
		case "TestRun":
			return TRX
		}
		return Unknown
	case bytes.HasPrefix(b, []byte("mode:")):
		return GoCover
	case bytes.HasPrefix(b, []byte("TN:")) || bytes.HasPrefix(b, []byte("SF:")):
		return LCOV
	case b[0] == '{':
		if manifest.IsManifest(b) {
			return Manifest
		}
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i]
		}
		if bytes.Contains(line, []byte(`"Action"`)) {
			return GoTestJSON
		}
		if timings.IsTimings(b) {
			return Timings
		}
	}
	if hasTestEvent(b) {
		return GoTestJSON
	}
	return Unknown
}

// hasTestEvent reports whether a line of b is a go test -json event: go
// test -json 2>&1, a tee of the build's output or a wrapper script put
// plain text before (and between) the events, and readers of the stream
// take it as output.
func hasTestEvent(b []byte) bool {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if bytes.HasPrefix(line, []byte(`{"`)) && bytes.Contains(line, []byte(`"Action":"`)) &&
			(bytes.Contains(line, []byte(`"Package":"`)) || bytes.Contains(line, []byte(`"ImportPath":"`))) {
			return true
		}
	}
	return false
}

// DotNet returns the .NET format of a kind, and whether it is one.
func (k Kind) DotNet() (dotnet.Format, bool) {
	switch k {
	case NUnit2:
		return dotnet.NUnit2, true
	case NUnit3:
		return dotnet.NUnit3, true
	case XUnit:
		return dotnet.XUnit, true
	case TRX:
		return dotnet.TRX, true
	}
	return 0, false
}

// xmlRoot returns the name of the first element of an XML document,
// skipping the declaration, comments, processing instructions and a
// DOCTYPE.
func xmlRoot(b []byte) string {
	for len(b) > 0 {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			i := bytes.Index(b, []byte("?>"))
			if i < 0 {
				return ""
			}
			b = b[i+2:]
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b, []byte("-->"))
			if i < 0 {
				return ""
			}
			b = b[i+3:]
		case bytes.HasPrefix(b, []byte("<!")):
			// DOCTYPE, possibly with an internal subset in brackets.
			depth := 0
			i := 2
			for ; i < len(b); i++ {
				if b[i] == '[' {
					depth++
				} else if b[i] == ']' {
					depth--
				} else if b[i] == '>' && depth <= 0 {
					break
				}
			}
			if i >= len(b) {
				return ""
			}
			b = b[i+1:]
		case bytes.HasPrefix(b, []byte("<")):
			end := bytes.IndexAny(b[1:], " \t\r\n/>")
			if end < 0 {
				return ""
			}
			name := string(b[1 : 1+end])
			if i := bytes.IndexByte([]byte(name), ':'); i >= 0 {
				name = name[i+1:]
			}
			return name
		default:
			return ""
		}
	}
	return ""
}

// Rollup sums the durations of reported cases into timings at every
// level: tests, files, scopes (packages) and, with a group pattern,
// groups. Go subtests, and tests that a test ran (model.Case.RanIn), are
// left out, since the duration of the test they are in includes them.
type Rollup struct {
	groups   *regexp.Regexp
	resolver testid.Resolver
	t        model.Timings
}

// NewRollup returns an empty Rollup; groups may be nil.
func NewRollup(groups *regexp.Regexp) *Rollup { return NewRollupSized(groups, 0) }

// NewRollupSized is NewRollup with room for about n tests.
func NewRollupSized(groups *regexp.Regexp, n int) *Rollup {
	return &Rollup{groups: groups, t: model.Timings{
		Tests:    make(map[string]float64, n),
		Files:    map[string]float64{},
		Packages: map[string]float64{},
		Groups:   map[string]float64{},
	}}
}

// Add counts one case. Skipped cases count too: their (usually tiny)
// duration is still what they will take next time. A case whose duration
// was not usable (BadTime) is left out: no timing beats a wrong one.
func (r *Rollup) Add(c *model.Case) {
	k := r.resolver.Of(c)
	if k.Sub && k.Test == k.Parent || c.RanIn != "" {
		return // inside its test, whose duration has it
	}
	if c.BadTime {
		return
	}
	r.AddKey(k, c.Seconds)
}

// AddKey counts a case whose key the caller has already computed; it is
// Add for callers that need the key themselves. Go subtests must be left
// out by the caller.
func (r *Rollup) AddKey(k testid.Key, s float64) {
	if !model.UsableSeconds(s) {
		s = 0
	}
	r.t.Tests[k.Test] += s
	if k.File != "" {
		r.t.Files[k.File] += s
	}
	r.t.Packages[k.Scope] += s
	if r.groups != nil {
		if m := r.groups.FindStringSubmatch(k.Test); len(m) > 1 {
			r.t.Groups[m[1]] += s
		}
	}
}

// Timings returns the sums so far.
func (r *Rollup) Timings() *model.Timings { return &r.t }
