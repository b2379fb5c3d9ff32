package gocollect

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/xshard/xshard/internal/diag"
)

// modFile is what Collect needs from a go.mod file.
//
// The format (https://go.dev/ref/mod#go-mod-file) is line oriented: a verb
// and its arguments, "//" comments to the end of the line, arguments bare
// or quoted with "..." or `...`, and blocks that factor out a verb:
//
//	module example.com/m // comment
//	ignore (
//		./node_modules
//		"tmp"
//	)
//
// Only the module and ignore directives are read; the others are skipped
// without being checked, since the go command is not run on the result.
type modFile struct {
	// Path is the module path.
	Path string
	// Ignore lists the paths of the ignore directives, unquoted.
	Ignore []string
}

// parseModFile parses the go.mod file named file (used in errors) with
// contents data.
func parseModFile(file string, data []byte) (modFile, error) {
	var mf modFile
	block := ""  // verb of the open block, "" outside one
	modLine := 0 // line of the module directive, 0 before one
	for lineNo, line := range strings.Split(string(data), "\n") {
		lineNo++
		text, err := stripComment(line)
		if err != nil {
			return modFile{}, &diag.Error{File: file, Line: lineNo, Col: err.col + 1, Msg: err.msg}
		}
		col := len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace)) + 1
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		verb, arg := block, text
		if block != "" {
			if text == ")" {
				block = ""
				continue
			}
		} else {
			i := strings.IndexFunc(text, func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == '"' || r == '`' })
			if i < 0 {
				i = len(text)
			}
			verb = text[:i]
			rest := strings.TrimLeftFunc(text[i:], unicode.IsSpace)
			col += len(text) - len(rest)
			arg = rest
			if arg == "(" {
				block = verb
				continue
			}
		}
		if verb != "module" && verb != "ignore" {
			continue
		}
		val, ok := unquoteArg(arg)
		if !ok {
			return modFile{}, &diag.Error{File: file, Line: lineNo, Col: col, Msg: fmt.Sprintf("malformed %s argument %q", verb, arg)}
		}
		switch verb {
		case "module":
			if modLine != 0 {
				return modFile{}, &diag.Error{File: file, Line: lineNo, Col: col, Msg: fmt.Sprintf("repeated module directive (first on line %d)", modLine)}
			}
			modLine = lineNo
			mf.Path = val
		case "ignore":
			mf.Ignore = append(mf.Ignore, val)
		}
	}
	if modLine == 0 {
		return modFile{}, &diag.Error{File: file, Msg: "missing module directive"}
	}
	return mf, nil
}

// lexError is a problem found by stripComment at byte col of the line.
type lexError struct {
	col int
	msg string
}

// stripComment returns line without its "//" comment, ignoring "//" inside
// quoted strings.
func stripComment(line string) (string, *lexError) {
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '/':
			if i+1 < len(line) && line[i+1] == '/' {
				return line[:i], nil
			}
		case '"', '`':
			start := i
			for i++; i < len(line) && line[i] != c; i++ {
				if c == '"' && line[i] == '\\' {
					i++
				}
			}
			if i >= len(line) {
				return "", &lexError{col: start, msg: "unterminated quoted string"}
			}
		}
	}
	return line, nil
}

// unquoteArg returns the single argument in s, unquoted, and whether s is
// exactly one non-empty argument.
func unquoteArg(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	if s[0] == '"' || s[0] == '`' {
		v, err := strconv.Unquote(s)
		return v, err == nil && v != ""
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '"' || r == '`' || r == '(' || r == ')' }) {
		return "", false
	}
	return s, true
}

// FindModule returns the path and the root directory of the module that
// holds dir, by the go.mod in dir or its nearest parent.
func FindModule(dir string) (path, root string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	root, err = findModuleRoot(abs)
	if err != nil {
		return "", "", err
	}
	name := filepath.Join(root, "go.mod")
	data, err := os.ReadFile(name)
	if err != nil {
		return "", "", err
	}
	mf, err := parseModFile(name, data)
	if err != nil {
		return "", "", err
	}
	return mf.Path, root, nil
}
