package history

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Quarantine is a list of tests whose failures are reported but do not
// fail the run: known-flaky tests a team means to fix, kept visible
// without breaking every build.
//
// # Format
//
// One test a line: its ID as shard collects it, or a pattern in which
// each * stands for any run of characters (every other character is
// itself, so the brackets of pytest parameters need no escaping), with an
// optional reason after " #":
//
//	# quarantine.txt
//	example.com/m/pkg.TestFlaky      # races with the cache, issue 123
//	tests/test_net.py::test_retry[*]
//	tests/e2e/*
//
// Blank lines and lines that start with # are comments. A line's
// leading and trailing spaces are not part of its ID.
type Quarantine struct {
	// Rules lists the lines in file order.
	Rules []Rule
	exact map[string]int // ID to index in Rules, for the lines without *
	globs []int          // indexes in Rules of the patterns
}

// Rule is one line of a quarantine file.
type Rule struct {
	Pattern string
	Reason  string
	// File and Line say where the rule is.
	File string
	Line int
}

func (r Rule) String() string {
	if r.Reason == "" {
		return r.Pattern
	}
	return r.Pattern + " # " + r.Reason
}

// ParseQuarantine reads a quarantine file from r; name is the file's name
// for the rules.
func ParseQuarantine(r io.Reader, name string) (*Quarantine, error) {
	q := &Quarantine{exact: map[string]int{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimSuffix(sc.Text(), "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pattern, reason := line, ""
		if i := strings.Index(line, " #"); i >= 0 {
			pattern, reason = strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+2:])
		}
		q.add(Rule{Pattern: pattern, Reason: reason, File: name, Line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %q: %w", name, err)
	}
	return q, nil
}

// ReadQuarantine reads the quarantine file at path.
func ReadQuarantine(path string) (*Quarantine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseQuarantine(f, path)
}

func (q *Quarantine) add(r Rule) {
	if q.exact == nil {
		q.exact = map[string]int{}
	}
	i := len(q.Rules)
	q.Rules = append(q.Rules, r)
	if strings.Contains(r.Pattern, "*") {
		q.globs = append(q.globs, i)
	} else if _, dup := q.exact[r.Pattern]; !dup {
		q.exact[r.Pattern] = i
	}
}

// Match returns the first rule (in file order) that matches id.
func (q *Quarantine) Match(id string) (Rule, bool) {
	if q == nil {
		return Rule{}, false
	}
	best := -1
	if i, ok := q.exact[id]; ok {
		best = i
	}
	for _, i := range q.globs {
		if best >= 0 && i > best {
			break
		}
		if globMatch(q.Rules[i].Pattern, id) {
			best = i
			break
		}
	}
	if best < 0 {
		return Rule{}, false
	}
	return q.Rules[best], true
}

// Len returns the number of rules.
func (q *Quarantine) Len() int {
	if q == nil {
		return 0
	}
	return len(q.Rules)
}

// globMatch reports whether s matches pattern, where each * matches any
// run of characters and every other byte matches itself.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// WriteSuggestions writes a quarantine file of the tests in ranked (the
// flakiest first), each with its flip record as the reason, for a person
// to review: merge never applies it. header is written first as comment
// lines.
func WriteSuggestions(w io.Writer, header string, ranked []Flakiness) error {
	bw := bufio.NewWriter(w)
	for line := range strings.Lines(header) {
		bw.WriteString("# " + strings.TrimRight(line, "\n") + "\n")
	}
	for _, f := range ranked {
		id := f.ID
		if strings.ContainsAny(id, "\n\r") || strings.Contains(id, " #") || strings.HasPrefix(id, "#") || strings.TrimSpace(id) != id {
			// A line could not hold it as it is: leave it out rather
			// than write a rule that matches something else.
			continue
		}
		bw.WriteString(id + "  # flip rate " + strconv.Itoa(int(f.Rate*100+0.5)) + "% (" +
			strconv.Itoa(f.Flips) + " flips in " + strconv.Itoa(f.Runs) + " runs: " + f.Marks + ")\n")
	}
	return bw.Flush()
}
