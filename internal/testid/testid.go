// Package testid maps a reported test case to the identity that shard
// collected for it, so that results can be checked against a plan and
// durations fed back into the next one.
//
// # Rules, per ecosystem
//
// Go (go test -json, go-junit-report, gotestsum): the classname is the
// package import path and the name a test, perhaps a subtest. The ID is
// "<import path>.<top-level test>": subtests roll up into their test.
//
//	classname "example.com/m/pkg"  name "TestA/sub_1"  ->  example.com/m/pkg.TestA (subtest)
//
// pytest (xunit1 and xunit2): the ID is the node ID. The file comes from
// the "file" attribute when present, else from the classname's module
// part (its leading components up to the first that starts with an upper
// case letter, as pytest classes do), with "/" for "." and ".py" added.
// Without a file attribute a classname counts as pytest's only when its
// module is named test_*, *_test or tests and its classes Test*.
//
//	file "tests/test_a.py"  classname "tests.test_a.TestC"  name "test_x[1]"  ->  tests/test_a.py::TestC::test_x[1]
//
// Jest, mocha and other file-level runners: the file attribute (jest-junit
// with addFileAttribute, or a suite named after a file path). The ID is
// "<file>::<name>"; such suites are planned by file, so the file is what
// verification matches.
//
// JVM and others: "<classname>.<name>", scope the classname. A case
// without a classname is known by its name alone, scoped by its suite.
//
// Key.Scope is the package, module or class used for loadscope rollups.
package testid

import (
	"path"
	"strings"

	"github.com/xshard/xshard/internal/model"
)

// Key is the identity of a reported case.
type Key struct {
	// Test is the ID as shard would have collected it.
	Test string
	// File is the test's file, slash separated, "" when unknown.
	File string
	// Scope is the package, module or class.
	Scope string
	// Sub reports a Go subtest or a pytest parameter instance rolled up
	// into Test's parent: Parent holds that parent's ID. For a Go subtest
	// Test is already the parent; for pytest, Parent is the node ID
	// without its parameters.
	Sub    bool
	Parent string
}

// Of returns the key of c.
func Of(c *model.Case) Key {
	cls := c.Classname
	if cls == "" {
		cls = c.Suite
	}
	name := c.Name
	file := strings.TrimPrefix(path.Clean(strings.ReplaceAll(c.File, "\\", "/")), "./")
	if c.File == "" {
		file = ""
	}
	switch {
	case isGoPackage(cls) && isGoTest(name):
		top, _, sub := strings.Cut(name, "/")
		return Key{Test: cls + "." + top, File: file, Scope: cls, Sub: sub, Parent: cls + "." + top}
	case strings.HasSuffix(file, ".py") || (file == "" && isPytestName(name) && isPytestClassname(cls)):
		return pytestKey(file, cls, name)
	case file != "":
		return Key{Test: file + "::" + name, File: file, Scope: path.Dir(file), Parent: file}
	case looksLikePath(c.Suite):
		f := strings.TrimPrefix(path.Clean(c.Suite), "./")
		return Key{Test: f + "::" + name, File: f, Scope: path.Dir(f), Parent: f}
	}
	if c.Classname == "" {
		// No classname: the name is the ID, scoped by its suite.
		scope := c.Suite
		if scope == "" {
			scope = name
		}
		return Key{Test: name, Scope: scope}
	}
	return Key{Test: cls + "." + name, Scope: cls}
}

func pytestKey(file, cls, name string) Key {
	parts := strings.Split(cls, ".")
	var classes []string
	if file != "" {
		mod := strings.ReplaceAll(strings.TrimSuffix(file, ".py"), "/", ".")
		if strings.HasPrefix(cls, mod) {
			rest := strings.TrimPrefix(strings.TrimPrefix(cls, mod), ".")
			if rest != "" {
				classes = strings.Split(rest, ".")
			}
		} else {
			for i, p := range parts {
				if isClassName(p) {
					classes = parts[i:]
					break
				}
			}
		}
	} else {
		i := 0
		for i < len(parts) && !isClassName(parts[i]) {
			i++
		}
		file = strings.Join(parts[:i], "/") + ".py"
		classes = parts[i:]
	}
	scope := file
	if len(classes) > 0 {
		scope += "::" + strings.Join(classes, "::")
	}
	id := scope + "::" + name
	k := Key{Test: id, File: file, Scope: scope, Parent: id}
	if i := strings.IndexByte(name, '['); i > 0 && strings.HasSuffix(name, "]") {
		k.Sub = true
		k.Parent = scope + "::" + name[:i]
	}
	return k
}

// isPytestClassname reports whether a dotted classname without a file
// attribute is pytest's: its module part ends in a module named as pytest
// collects them by default (test_*.py or *_test.py), and any class parts
// start with "Test". JVM classnames (com.example.FooTest) are not.
func isPytestClassname(cls string) bool {
	parts := strings.Split(cls, ".")
	i := 0
	for i < len(parts) && !isClassName(parts[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	mod := parts[i-1]
	if !strings.HasPrefix(mod, "test_") && !strings.HasSuffix(mod, "_test") && mod != "test" && mod != "tests" {
		return false
	}
	for _, c := range parts[i:] {
		if !strings.HasPrefix(c, "Test") {
			return false
		}
	}
	return true
}

func isClassName(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

func isPytestName(s string) bool { return strings.HasPrefix(s, "test") }

// isGoTest reports whether name's top-level part is a Go test, fuzz test
// or example function name.
func isGoTest(name string) bool {
	top, _, _ := strings.Cut(name, "/")
	for _, p := range [...]string{"Test", "Fuzz", "Example"} {
		if strings.HasPrefix(top, p) && !strings.ContainsAny(top, " .") {
			return true
		}
	}
	return false
}

// isGoPackage reports whether s looks like a Go import path: no spaces,
// and either a path with a slash or a single identifier-like word.
func isGoPackage(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t:\\") || strings.HasSuffix(s, ".py") {
		return false
	}
	if strings.Contains(s, "/") {
		first, _, _ := strings.Cut(s, "/")
		return first != "" && !looksLikePath(s)
	}
	// A single word such as "main" or "mypkg" (go-junit-report with a
	// module-less package); dotted names are JVM classes or pytest modules.
	return !strings.Contains(s, ".")
}

// looksLikePath reports whether s names a test file (a suite named after
// its file, as Jest, mocha and vitest reporters do).
func looksLikePath(s string) bool {
	switch path.Ext(s) {
	case ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".py", ".rb":
		return true
	}
	return false
}
