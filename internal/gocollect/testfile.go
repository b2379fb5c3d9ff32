package gocollect

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/scanner"
	"go/token"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xshard/xshard/internal/diag"
)

// testFile is what one _test.go file contributes to its package's test
// binary.
type testFile struct {
	// Names lists the tests, fuzz targets and examples with output that
	// go test runs, in source order (examples last, in go/doc order).
	Names []string
	// TestMain is the position of a TestMain(m *testing.M); not valid
	// when the file has none.
	TestMain token.Position
}

// parseTestFile reads the test functions of the _test.go file named name
// (used in positions and errors) with contents src, following
// cmd/go/internal/load's testFuncs.load.
func parseTestFile(name string, src []byte) (testFile, error) {
	fset := token.NewFileSet()
	mode := parser.SkipObjectResolution
	if bytes.Contains(src, []byte("Example")) {
		// Only examples need comments, for their output; every example's
		// name spells "Example", and skipping comments saves much garbage.
		mode |= parser.ParseComments
	}
	f, err := parser.ParseFile(fset, name, src, mode)
	if err != nil {
		var list scanner.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			e := list[0]
			return testFile{}, &diag.Error{File: name, Line: e.Pos.Line, Col: e.Pos.Column, Msg: e.Msg, Err: err}
		}
		return testFile{}, &diag.Error{File: name, Msg: err.Error(), Err: err}
	}
	posErr := func(pos token.Pos, msg string) *diag.Error {
		p := fset.Position(pos)
		return &diag.Error{File: name, Line: p.Line, Col: p.Column, Msg: msg}
	}
	for _, imp := range f.Imports {
		if p, err := strconv.Unquote(imp.Path.Value); err == nil && p == "C" {
			return testFile{}, posErr(imp.Pos(), "use of cgo in test file not supported")
		}
	}
	var tf testFile
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil {
			continue
		}
		fname := fn.Name.Name
		switch {
		case fname == "TestMain":
			if isTestFunc(fn, "T") {
				tf.Names = append(tf.Names, fname)
				continue
			}
			if why := checkTestFunc(fn, "M"); why != "" {
				return testFile{}, posErr(fn.Pos(), why)
			}
			if tf.TestMain.IsValid() {
				return testFile{}, posErr(fn.Pos(), "multiple definitions of TestMain")
			}
			tf.TestMain = fset.Position(fn.Pos())
		case isTest(fname, "Test"):
			if why := checkTestFunc(fn, "T"); why != "" {
				return testFile{}, posErr(fn.Pos(), why)
			}
			tf.Names = append(tf.Names, fname)
		case isTest(fname, "Benchmark"):
			// Not run by go test without -bench, but a bad one fails the build.
			if why := checkTestFunc(fn, "B"); why != "" {
				return testFile{}, posErr(fn.Pos(), why)
			}
		case isTest(fname, "Fuzz"):
			if why := checkTestFunc(fn, "F"); why != "" {
				return testFile{}, posErr(fn.Pos(), why)
			}
			tf.Names = append(tf.Names, fname)
		}
	}
	for _, ex := range doc.Examples(f) {
		if ex.Output == "" && !ex.EmptyOutput {
			continue // compiled, never run
		}
		tf.Names = append(tf.Names, "Example"+ex.Name)
	}
	return tf, nil
}

// isTest reports whether name looks like a test (or benchmark, fuzz
// target, example, according to prefix): it is exactly prefix, or the rune
// after prefix is not a lower-case letter. TesticularCancer is not a test.
func isTest(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	if len(name) == len(prefix) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(name[len(prefix):])
	return !unicode.IsLower(r)
}

// isTestFunc reports whether fn has the signature func(x *testing.<arg>):
// one unnamed-or-named parameter of type *<arg> or *pkg.<arg>, no results.
// Like the go command, it cannot check which package "testing" is.
func isTestFunc(fn *ast.FuncDecl, arg string) bool {
	if fn.Type.Results != nil && len(fn.Type.Results.List) > 0 ||
		fn.Type.Params.List == nil ||
		len(fn.Type.Params.List) != 1 ||
		len(fn.Type.Params.List[0].Names) > 1 {
		return false
	}
	ptr, ok := fn.Type.Params.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	if id, ok := ptr.X.(*ast.Ident); ok && id.Name == arg {
		return true
	}
	if sel, ok := ptr.X.(*ast.SelectorExpr); ok && sel.Sel.Name == arg {
		return true
	}
	return false
}

// checkTestFunc returns why fn is not a valid test function taking
// *testing.<arg>, or "" when it is.
func checkTestFunc(fn *ast.FuncDecl, arg string) string {
	var why string
	if !isTestFunc(fn, arg) {
		why = fmt.Sprintf("must be: func %s(%s *testing.%s)", fn.Name.Name, strings.ToLower(arg), arg)
	}
	if fn.Type.TypeParams.NumFields() > 0 {
		why = "test functions cannot have type parameters"
	}
	if why == "" {
		return ""
	}
	return fmt.Sprintf("wrong signature for %s, %s", fn.Name.Name, why)
}
