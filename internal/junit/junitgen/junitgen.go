// Package junitgen writes synthetic JUnit XML reports in the styles of
// Maven Surefire and pytest, with long stack traces and captured output,
// for benchmarks and tests of the junit package. The output depends only
// on the configuration, so generated sets are reproducible.
package junitgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Style is the dialect of a generated report.
type Style int

// The styles.
const (
	Surefire Style = iota // flakyFailure and rerunFailure; a bare testsuite root for one suite
	Pytest                // a testsuites root, file and line attributes
)

// Config describes one generated report.
type Config struct {
	Seed  uint64
	Style Style
	// Suites is the number of testsuite elements, CasesPerSuite the
	// number of testcases in each.
	Suites, CasesPerSuite int
	// Every FailEvery-th case fails with a stack trace of about
	// TraceBytes bytes; every OutEvery-th case has a system-out of about
	// OutBytes bytes. 0 disables either.
	FailEvery, TraceBytes int
	OutEvery, OutBytes    int
	// SuiteNames, when > 0, draws suite names from that many names, so
	// that files share suites as workers of one run do.
	SuiteNames int
}

// Write writes one report to w.
func Write(w io.Writer, c Config) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	r := rand.New(rand.NewPCG(c.Seed, 0x5eed))
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	// Surefire writes one bare testsuite per file; a file of several
	// suites gets a testsuites root, as aggregated reports have.
	wrap := c.Style == Pytest || c.Suites > 1
	if c.Style == Pytest {
		p("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
	} else {
		p("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	}
	if wrap {
		p("<testsuites>\n")
	}
	for s := range c.Suites {
		id := int(c.Seed)*c.Suites + s
		if c.SuiteNames > 0 {
			id = r.IntN(c.SuiteNames)
		}
		suite := fmt.Sprintf("com.example.module%d.Service%dTest", id%17, id)
		if c.Style == Pytest {
			suite = fmt.Sprintf("tests.module%d.test_service%d", id%17, id)
		}
		p("<testsuite name=%q time=\"%d.%03d\" tests=\"%d\" errors=\"0\" skipped=\"0\" failures=\"0\" hostname=\"runner\">\n", suite, r.IntN(60), r.IntN(1000), c.CasesPerSuite)
		if c.Style == Surefire {
			p("  <properties>\n    <property name=\"java.version\" value=\"17.0.9\"/>\n    <property name=\"seed\" value=\"%d\"/>\n  </properties>\n", c.Seed)
		}
		for i := range c.CasesPerSuite {
			n := s*c.CasesPerSuite + i + 1
			name := fmt.Sprintf("test%dHandlesCase%d", n, r.IntN(1000))
			attrs := fmt.Sprintf("name=%q classname=%q time=\"0.%03d\"", name, suite, r.IntN(1000))
			if c.Style == Pytest {
				attrs += fmt.Sprintf(" file=\"tests/module%d/test_service.py\" line=\"%d\"", id%17, 10+i*7)
			}
			fail := c.FailEvery > 0 && n%c.FailEvery == 0
			out := c.OutEvery > 0 && n%c.OutEvery == 0
			if !fail && !out {
				if n%97 == 0 {
					p("  <testcase %s>\n    <skipped message=\"disabled on CI\"/>\n  </testcase>\n", attrs)
				} else {
					p("  <testcase %s/>\n", attrs)
				}
				continue
			}
			p("  <testcase %s>\n", attrs)
			if fail {
				elem := "failure"
				switch {
				case c.Style == Surefire && n%(3*c.FailEvery) == 0:
					elem = "flakyFailure"
				case n%(7*c.FailEvery) == 0:
					elem = "error"
				}
				p("    <%s message=\"expected: &lt;%d&gt; but was: &lt;%d&gt;\" type=\"org.opentest4j.AssertionFailedError\">", elem, n, n+1)
				if c.Style == Surefire && elem == "flakyFailure" {
					p("<stackTrace><![CDATA[")
					trace(bw, r, c.TraceBytes)
					p("]]></stackTrace>")
				} else {
					trace(bw, r, c.TraceBytes)
				}
				p("</%s>\n", elem)
				if c.Style == Surefire && elem == "failure" && n%(2*c.FailEvery) == 0 {
					p("    <rerunFailure message=\"still failing\" type=\"org.opentest4j.AssertionFailedError\"><stackTrace>")
					trace(bw, r, c.TraceBytes/4)
					p("</stackTrace></rerunFailure>\n")
				}
			}
			if out {
				p("    <system-out><![CDATA[")
				output(bw, r, c.OutBytes)
				p("]]></system-out>\n")
			}
			p("  </testcase>\n")
		}
		p("  <system-out><![CDATA[")
		output(bw, r, c.OutBytes)
		p("]]></system-out>\n</testsuite>\n")
	}
	if wrap {
		p("</testsuites>\n")
	}
	return bw.Flush()
}

var frames = []string{
	"org.junit.jupiter.api.AssertionUtils.fail(AssertionUtils.java:55)",
	"org.junit.jupiter.api.AssertEquals.failNotEqual(AssertEquals.java:197)",
	"com.example.service.OrderService.&lt;init&gt;(OrderService.java:42)",
	"java.base/java.util.ArrayList.forEach(ArrayList.java:1596)",
	"org.junit.platform.engine.support.hierarchical.NodeTestTask.executeRecursively(NodeTestTask.java:151)",
	"java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
}

func trace(w *bufio.Writer, r *rand.Rand, n int) {
	w.WriteString("org.opentest4j.AssertionFailedError: expected: &lt;1&gt; but was: &lt;2&gt;\n")
	for written := 0; written < n; {
		f := frames[r.IntN(len(frames))]
		w.WriteString("\tat ")
		w.WriteString(f)
		w.WriteByte('\n')
		written += len(f) + 5
	}
}

var logLines = []string{
	"[main] INFO  com.example.service.OrderService - processing order 12345 for customer 678",
	"[pool-1-thread-3] DEBUG org.hibernate.SQL - select o.id, o.total from orders o where o.customer_id=?",
	"[main] WARN  com.example.cache.Cache - cache miss for key user:42 & region eu-west-1",
	"2024-05-02 10:11:12,345 ERROR [worker] retrying request after 503 (attempt 2 of 5)",
}

func output(w *bufio.Writer, r *rand.Rand, n int) {
	for written := 0; written < n; {
		l := logLines[r.IntN(len(logLines))]
		w.WriteString(l)
		w.WriteByte('\n')
		written += len(l) + 1
	}
}

// Set writes files reports named report-NNN.xml into dir, alternating the
// Surefire and pytest styles, about totalBytes bytes and totalCases
// testcases in all, and returns their paths.
func Set(dir string, files int, totalBytes int64, totalCases int) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	perFile := max(totalCases/files, 1)
	suites := max(perFile/50, 1)
	cases := max(perFile/suites, 1)
	// A plain case is about 170 bytes; the rest of the budget goes to
	// traces (every 20th case, 70%) and output (every 10th, 30%).
	budget := max(totalBytes/int64(files)-int64(suites*cases*170), 0)
	fails, outs := max(suites*cases/20, 1), max(suites*cases/10, 1)
	var paths []string
	for i := range files {
		path := filepath.Join(dir, fmt.Sprintf("report-%03d.xml", i))
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		err = Write(f, Config{
			Seed: uint64(i), Style: Style(i % 2),
			Suites: suites, CasesPerSuite: cases,
			FailEvery: 20, TraceBytes: int(budget * 7 / 10 / int64(fails)),
			OutEvery: 10, OutBytes: int(budget * 3 / 10 / int64(outs+suites)),
			SuiteNames: suites * 4,
		})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
