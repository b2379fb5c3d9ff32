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
	var t triple
	t.init(c)
	return t.key(c.Name)
}

// Resolver is Of with a memory: what depends only on a case's classname,
// suite and file is worked out once per distinct triple (consecutive cases
// of a suite share it), leaving per case only the decisions that depend
// on the name and the building of the ID. The last triple is remembered,
// and a few thousand more for reports that interleave suites. The zero
// Resolver is ready to use. Not safe for concurrent use: keep one per
// goroutine.
type Resolver struct {
	last *triple
	seen map[tripleID]*triple
}

// maxTriples bounds the triples a Resolver remembers: past it, it forgets
// them all and starts again.
const maxTriples = 4096

// tripleID is what a triple is looked up by.
type tripleID struct{ classname, suite, file string }

// Of returns the same Key as the package-level Of(c).
func (r *Resolver) Of(c *model.Case) Key {
	t := r.last
	if t == nil || t.classname != c.Classname || t.suite != c.Suite || t.rawFile != c.File {
		t = r.lookup(c)
	}
	return t.key(c.Name)
}

// lookup returns the triple of c, remembering it as the last one.
func (r *Resolver) lookup(c *model.Case) *triple {
	id := tripleID{c.Classname, c.Suite, c.File}
	t := r.seen[id]
	if t == nil {
		if r.seen == nil {
			r.seen = make(map[tripleID]*triple)
		} else if len(r.seen) >= maxTriples {
			clear(r.seen)
		}
		t = new(triple)
		t.init(c)
		r.seen[id] = t
	}
	r.last = t
	return t
}

// A triple holds what a case's key depends on besides its name: its
// classname, suite and file, and what the rules work out from them alone.
// Those are worked out when first needed, once per triple; known tells
// which are.
type triple struct {
	classname, suite, rawFile string // the case's own

	cls  string // the classname, else the suite
	file string // the file, cleaned; "" when none

	known       uint8
	goPackage   bool   // isGoPackage(cls)
	pytestCls   bool   // isPytestClassname(cls)
	fileDir     string // path.Dir(file)
	pyFile      string // pytest's file and scope of file and cls
	pyScope     string
	suiteIsPath bool   // looksLikePath(suite)
	suiteFile   string // the suite as a file, cleaned, and its directory
	suiteDir    string
}

// The bits of triple.known.
const (
	knownGoPackage = 1 << iota
	knownPytestCls
	knownFileDir
	knownPytest
	knownSuitePath
)

func (t *triple) init(c *model.Case) {
	*t = triple{classname: c.Classname, suite: c.Suite, rawFile: c.File, cls: c.Classname}
	if t.cls == "" {
		t.cls = c.Suite
	}
	if c.File != "" {
		t.file = strings.TrimPrefix(path.Clean(strings.ReplaceAll(c.File, "\\", "/")), "./")
	}
}

// key applies the rules to the case of t named name.
func (t *triple) key(name string) Key {
	switch {
	case t.isGoPackage() && isGoTest(name):
		top, _, sub := strings.Cut(name, "/")
		id := t.cls + "." + top
		return Key{Test: id, File: t.file, Scope: t.cls, Sub: sub, Parent: id}
	case strings.HasSuffix(t.file, ".py") || (t.file == "" && isPytestName(name) && t.isPytestClassname()):
		file, scope := t.pytest()
		id := scope + "::" + name
		k := Key{Test: id, File: file, Scope: scope, Parent: id}
		if i := strings.IndexByte(name, '['); i > 0 && strings.HasSuffix(name, "]") {
			// The node ID without its parameters: a prefix of id.
			k.Sub = true
			k.Parent = id[:len(scope)+len("::")+i]
		}
		return k
	case t.file != "":
		return Key{Test: t.file + "::" + name, File: t.file, Scope: t.dir(), Parent: t.file}
	case t.isSuitePath():
		return Key{Test: t.suiteFile + "::" + name, File: t.suiteFile, Scope: t.suiteDir, Parent: t.suiteFile}
	}
	if t.classname == "" {
		// No classname: the name is the ID, scoped by its suite.
		scope := t.suite
		if scope == "" {
			scope = name
		}
		return Key{Test: name, Scope: scope}
	}
	return Key{Test: t.cls + "." + name, Scope: t.cls}
}

func (t *triple) isGoPackage() bool {
	if t.known&knownGoPackage == 0 {
		t.goPackage = isGoPackage(t.cls)
		t.known |= knownGoPackage
	}
	return t.goPackage
}

func (t *triple) isPytestClassname() bool {
	if t.known&knownPytestCls == 0 {
		t.pytestCls = isPytestClassname(t.cls)
		t.known |= knownPytestCls
	}
	return t.pytestCls
}

func (t *triple) dir() string {
	if t.known&knownFileDir == 0 {
		t.fileDir = path.Dir(t.file)
		t.known |= knownFileDir
	}
	return t.fileDir
}

func (t *triple) pytest() (file, scope string) {
	if t.known&knownPytest == 0 {
		t.pyFile, t.pyScope = pytestScope(t.file, t.cls)
		t.known |= knownPytest
	}
	return t.pyFile, t.pyScope
}

func (t *triple) isSuitePath() bool {
	if t.known&knownSuitePath == 0 {
		if t.suiteIsPath = looksLikePath(t.suite); t.suiteIsPath {
			t.suiteFile = strings.TrimPrefix(path.Clean(t.suite), "./")
			t.suiteDir = path.Dir(t.suiteFile)
		}
		t.known |= knownSuitePath
	}
	return t.suiteIsPath
}

// pytestScope returns the file and the scope (the file and its classes)
// of a pytest case with file attribute file ("" when absent) and
// classname cls; the node ID is the scope, "::" and the name.
func pytestScope(file, cls string) (string, string) {
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
	return file, scope
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
