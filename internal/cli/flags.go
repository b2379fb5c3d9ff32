package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// optInt is an integer flag that knows whether it was set; unset reads
// as -1 through the pointer it writes to.
type optInt struct{ p *int }

func (o optInt) String() string {
	if o.p == nil || *o.p < 0 {
		return ""
	}
	return strconv.Itoa(*o.p)
}

func (o optInt) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return errors.New("expected a non-negative integer")
	}
	*o.p = n
	return nil
}

// enumFlag is a string flag restricted to a set of values.
type enumFlag struct {
	value   string
	allowed []string
}

func newEnum(def string, allowed ...string) *enumFlag {
	return &enumFlag{value: def, allowed: allowed}
}

func (e *enumFlag) String() string { return e.value }

func (e *enumFlag) Set(v string) error {
	for _, a := range e.allowed {
		if v == a {
			e.value = v
			return nil
		}
	}
	return fmt.Errorf("expected one of %s", quoteAll(e.allowed))
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// durationFlag accepts a Go duration ("90s", "5m") or plain seconds.
type durationFlag struct{ d time.Duration }

func (d *durationFlag) String() string {
	if d.d == 0 {
		return ""
	}
	return d.d.String()
}

func (d *durationFlag) Set(v string) error {
	if p, err := time.ParseDuration(v); err == nil && p >= 0 {
		d.d = p
		return nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || secs < 0 || math.IsInf(secs, 0) || math.IsNaN(secs) {
		return errors.New("expected a duration such as 90s or 5m, or a number of seconds")
	}
	d.d = time.Duration(secs * float64(time.Second))
	return nil
}

// parseInterspersed parses flags and positional arguments in any order,
// stopping at "--". It returns the positional arguments and the arguments
// after "--" (nil when there is no "--").
func parseInterspersed(fs *flag.FlagSet, args []string) (pos, rest []string, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			return nil, nil, err
		}
		// flag stops at the first non-flag or after "--"; tell which.
		consumed := len(args) - fs.NArg()
		if consumed > 0 && args[consumed-1] == "--" {
			return pos, fs.Args(), nil
		}
		left := fs.Args()
		if len(left) == 0 {
			return pos, nil, nil
		}
		pos = append(pos, left[0])
		args = left[1:]
	}
}

// newFlagSet returns a FlagSet that reports errors instead of exiting and
// writes nothing itself: the command prints errors once, its own way.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// printDefaults writes the flag help of fs to w.
func printDefaults(fs *flag.FlagSet, w io.Writer) {
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// parseCommand parses a command's arguments with fs: flags and positional
// arguments in any order, then everything after "--". On -h it prints
// usage and the flags to stdout; on a bad flag it prints the error once,
// prefixed with the command's name. done reports that the command has
// nothing more to do and should exit with code.
func parseCommand(name, usage string, fs *flag.FlagSet, args []string, env Env) (pos, rest []string, code int, done bool) {
	pos, rest, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		io.WriteString(env.Stdout, usage)
		printDefaults(fs, env.Stdout)
		return nil, nil, ExitOK, true
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\nRun '%s -h' for usage.\n", name, err, name)
		return nil, nil, ExitInput, true
	}
	return pos, rest, ExitOK, false
}
