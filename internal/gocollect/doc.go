// Package gocollect discovers the tests that `go test` would run in a set
// of Go packages by parsing their _test.go files, without compiling and
// without running the go command. Its result is what shard plans over, so
// it must name exactly the tests that an unsharded `go test` runs: no more
// (a planned test that does not exist runs nothing) and no fewer (an
// unplanned test is silently skipped).
//
// # Module and import paths
//
// The module root is the nearest directory at or above Options.Dir that
// holds a go.mod file; the module path is read from its module directive
// (quoted or not, comments allowed). Its ignore directives (Go 1.25) are
// honoured as the go command does. A package's import path is the module
// path joined with the package directory relative to the module root.
// Workspaces (go.work) and dependencies are not consulted: patterns must
// name packages of the one module that holds Dir.
//
// # Patterns
//
// Patterns are the go command's: relative ("./...", "./x/...", "./x", ".",
// "../y"), absolute directories, or import paths of the module
// ("example.com/m/x", "example.com/m/x/..."); an empty list means ".".
// "..." matches any string, and "x/..." also matches "x". As in the go
// command, a "..." never matches a path inside a vendor directory, though
// a directory named vendor can itself match.
//
// A walk for a "..." pattern skips directories whose names begin with "."
// or "_", directories named testdata, directories that hold their own
// go.mod (nested modules), and directories named by go.mod ignore
// directives. A directory matches when it holds at least one Go file that
// the build constraints keep; one whose files are all excluded is not a
// package. A pattern that matches no package is an error naming it, as is
// a literal pattern naming a directory that is missing, holds no Go files,
// or lies in another module.
//
// # Files
//
// A file counts when go/build's Context.MatchFile keeps it for the target
// GOOS, GOARCH, build tags and cgo setting: //go:build (and // +build)
// lines, _GOOS, _GOARCH and _GOOS_GOARCH file name suffixes, and the rule
// that names beginning with "_" or "." are ignored. Both the internal test
// package (package x) and the external one (package x_test) count.
//
// # Tests
//
// Each test file is read as cmd/go's test generator reads it. Only
// top-level functions (no receiver) are considered:
//
//   - TestXxx, FuzzXxx: a name that is exactly the prefix, or whose rune
//     after the prefix is not a lower-case letter (Test, Test_x, TestÉ and
//     Test1 are tests; Testing and Testfoo are not).
//   - ExampleXxx, by the same rule, as go/doc.Examples reports them, but only
//     those with an output comment ("// Output:" or "// Unordered output:",
//     even an empty one): examples without one are compiled, never run.
//   - TestMain(m *testing.M) is the package's entry point, not a test; the
//     package's tests are still listed one by one. A TestMain(t *testing.T)
//     is an ordinary test, as the go command treats it.
//   - Benchmarks are never items: go test does not run them by default.
//
// A function with a test prefix but the wrong signature, a test function
// with type parameters, two TestMain functions in one package, and a test
// file that imports "C" make go test fail, and are reported as errors.
//
// # Result
//
// Items have ID "<import path>.<FuncName>", Package the import path, and
// File the slash-separated path of the _test.go file relative to
// Options.Dir. They are sorted by ID without duplicates: a name defined in
// both the internal and the external test package is one item, on the
// first file in directory order.
//
// # Errors
//
// Problems with an input file (a _test.go file that does not parse, a bad
// signature, a malformed go.mod) are *diag.Error values that print as
// "file:line:col: msg", the file relative to Options.Dir. When several
// files are bad, the first in path order is reported.
//
// Files are read and parsed concurrently by at most GOMAXPROCS workers;
// the result does not depend on scheduling.
//
// # Limits
//
// Collect checks what decides which tests run, not everything that makes
// go test fail: type errors, vet findings, packages that mix package
// names, and syntax errors in non-test files are left to go test. A
// directory whose only non-test files use cgo counts as a package even
// with cgo disabled; this affects only whether a pattern matched
// something, never the items. The package's TestOracle checks these rules
// against `go test -list` on the test tree in testdata/mod.
package gocollect
