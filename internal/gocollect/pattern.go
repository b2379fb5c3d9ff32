package gocollect

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// The functions in this file follow cmd/internal/pkgpattern and the
// go command's ignore directive handling, so that patterns select the
// same packages here as there.

// matchPattern returns a predicate reporting whether an import path
// matches pattern. "..." matches any string, a trailing "/..." also
// matches the empty string ("x/..." matches "x"), and "..." never matches
// a path element named vendor that is followed by more elements, so
// vendored packages are left out unless the pattern spells "vendor".
func matchPattern(pattern string) func(name string) bool {
	const vendorChar = "\x00"
	if strings.Contains(pattern, vendorChar) || !utf8.ValidString(pattern) {
		return func(string) bool { return false }
	}
	re := regexp.QuoteMeta(pattern)
	re = replaceVendor(re, vendorChar)
	switch {
	case strings.HasSuffix(re, `/`+vendorChar+`/\.\.\.`):
		re = strings.TrimSuffix(re, `/`+vendorChar+`/\.\.\.`) + `(/vendor|/` + vendorChar + `/\.\.\.)`
	case re == vendorChar+`/\.\.\.`:
		re = `(/vendor|/` + vendorChar + `/\.\.\.)`
	}
	if strings.HasSuffix(re, `/\.\.\.`) {
		re = strings.TrimSuffix(re, `/\.\.\.`) + `(/\.\.\.)?`
	}
	re = strings.ReplaceAll(re, `\.\.\.`, `[^`+vendorChar+`]*`)
	reg := regexp.MustCompile(`^` + re + `$`)
	return func(name string) bool {
		if strings.Contains(name, vendorChar) {
			return false
		}
		return reg.MatchString(replaceVendor(name, vendorChar))
	}
}

// treeCanMatchPattern returns a predicate reporting whether a path or any
// path below it could match pattern, to prune walks.
func treeCanMatchPattern(pattern string) func(name string) bool {
	wildcard := false
	if i := strings.Index(pattern, "..."); i >= 0 {
		wildcard = true
		pattern = pattern[:i]
	}
	return func(name string) bool {
		return len(name) <= len(pattern) && hasPathPrefix(pattern, name) ||
			wildcard && strings.HasPrefix(name, pattern)
	}
}

// hasPathPrefix reports whether the slash path s begins with the elements
// of prefix.
func hasPathPrefix(s, prefix string) bool {
	switch {
	default:
		return false
	case len(s) == len(prefix):
		return s == prefix
	case len(s) > len(prefix):
		if prefix != "" && prefix[len(prefix)-1] == '/' {
			return strings.HasPrefix(s, prefix)
		}
		return s[len(prefix)] == '/' && s[:len(prefix)] == prefix
	}
}

// replaceVendor replaces every element of x named vendor, except the last,
// with repl.
func replaceVendor(x, repl string) string {
	if !strings.Contains(x, "vendor") {
		return x
	}
	elem := strings.Split(x, "/")
	for i := 0; i < len(elem)-1; i++ {
		if elem[i] == "vendor" {
			elem[i] = repl
		}
	}
	return strings.Join(elem, "/")
}

// ignoreMatcher applies go.mod ignore directives: "./x" ignores the
// directory x at the module root and everything below it; "x" ignores
// every directory named x (or path ending in x/y for "x/y") anywhere in
// the module.
type ignoreMatcher struct {
	relative, anywhere []string
}

func newIgnoreMatcher(patterns []string) *ignoreMatcher {
	m := new(ignoreMatcher)
	for _, p := range patterns {
		p, rel := strings.CutPrefix(p, "./")
		if rel {
			m.relative = append(m.relative, slashWrap(p))
		} else {
			m.anywhere = append(m.anywhere, slashWrap(p))
		}
	}
	return m
}

// ignored reports whether dir, a slash path relative to the module root,
// is ignored. The root ("") never is.
func (m *ignoreMatcher) ignored(dir string) bool {
	if dir == "" || m == nil {
		return false
	}
	dir = slashWrap(dir)
	for _, p := range m.relative {
		if strings.HasPrefix(dir, p) {
			return true
		}
	}
	for _, p := range m.anywhere {
		if strings.Contains(dir, p) {
			return true
		}
	}
	return false
}

// slashWrap returns p with exactly one leading and one trailing slash added
// where missing.
func slashWrap(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}
