// Package collect turns what a user names on the command line into the
// items that shard plans: explicit test IDs (arguments or a file of IDs,
// one a line) and test files matched by glob patterns with "**".
//
// Go packages are collected by package gocollect, which parses test files.
//
// # ID files
//
// One ID a line. Leading and trailing white space is trimmed; blank lines
// and lines whose first non-blank character is '#' are ignored.
//
// # Inferring file and scope
//
// Explicit IDs carry no metadata, so Infer derives the file and the scope
// (xdist's loadscope) from the ID's shape:
//
//	tests/test_a.py::TestC::test_x[1]   file tests/test_a.py, scope tests/test_a.py::TestC
//	tests/test_a.py::test_y             file tests/test_a.py, scope tests/test_a.py
//	example.com/m/pkg.TestA             file "",              scope example.com/m/pkg
//	com.example.FooTest#testBar         file "",              scope com.example.FooTest
//	com.example.FooTest.testBar         file "",              scope com.example.FooTest
//	Shop.Tests.CartTests.Adds(1, "a/b") file "",              scope Shop.Tests.CartTests
//	src/app/a.test.js                   file src/app/a.test.js, scope src/app
package collect

import (
	"bufio"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/testid"
)

// ReadIDs reads test IDs from r, one a line. name is used in errors.
func ReadIDs(r io.Reader, name string) ([]string, error) {
	var ids []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		if strings.ContainsRune(s, 0) {
			return ids, &diag.Error{File: name, Line: line, Msg: "test id contains a NUL byte; is this a text file of ids?"}
		}
		ids = append(ids, s)
	}
	if err := sc.Err(); err != nil {
		return ids, &diag.Error{File: name, Line: line + 1, Msg: "read ids: " + err.Error() + " (ids are limited to 1 MiB a line)", Err: err}
	}
	return ids, nil
}

// ReadIDsFile reads IDs from the file at name, or from stdin when name is
// "-".
func ReadIDsFile(name string, stdin io.Reader) ([]string, error) {
	if name == "-" {
		return ReadIDs(stdin, "<stdin>")
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadIDs(f, name)
}

// Infer returns the item for an explicit ID, with File and Package derived
// from its shape as the package documentation describes.
func Infer(id string) model.Item {
	it := model.Item{ID: id}
	base := id
	if m, ok := testid.WithoutArgs(base); ok {
		base = m // a .NET argument list may contain anything
	}
	if i := strings.IndexByte(base, '['); i > 0 {
		base = base[:i] // pytest parameters may contain anything
	}
	switch {
	case strings.Contains(base, "::"):
		it.File = base[:strings.Index(base, "::")]
		it.Package = base[:strings.LastIndex(base, "::")]
	case strings.Contains(base, "#"):
		it.Package = base[:strings.IndexByte(base, '#')]
	default:
		slash := strings.LastIndexByte(base, '/')
		last := base[slash+1:]
		dot := strings.LastIndexByte(last, '.')
		switch {
		case dot > 0 && isGoTestName(last[dot+1:]):
			it.Package = base[:slash+1+dot]
		case slash >= 0 || looksLikeFile(last):
			it.File = id
			it.Package = path.Dir(id)
		case dot > 0:
			it.Package = base[:slash+1+dot]
		}
	}
	if it.Package == "" {
		it.Package = id
	}
	if it.Package == "" {
		it.Package = "." // an empty id: callers skip them, but never an empty scope
	}
	return it
}

func isGoTestName(s string) bool {
	for _, p := range []string{"Test", "Fuzz", "Example", "Benchmark"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// looksLikeFile reports whether a slash-free name ends in an extension of
// a test file rather than in a method name.
func looksLikeFile(name string) bool {
	switch path.Ext(name) {
	case ".py", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".rb", ".go", ".java", ".kt", ".scala", ".php", ".rs", ".feature", ".spec", ".exs", ".ex":
		return true
	}
	return false
}

// Dedup returns items without repeated IDs, keeping the first of each,
// and the IDs that were repeated, sorted.
func Dedup(items []model.Item) ([]model.Item, []string) {
	seen := make(map[string]bool, len(items))
	out := items[:0:0]
	var dups []string
	for _, it := range items {
		if seen[it.ID] {
			dups = append(dups, it.ID)
			continue
		}
		seen[it.ID] = true
		out = append(out, it)
	}
	sort.Strings(dups)
	return out, compact(dups)
}

func compact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
