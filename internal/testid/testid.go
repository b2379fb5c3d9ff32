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
// pytest (xunit1 and xunit2): the ID is the node ID. pytest writes the
// classname as the node ID's path with "." for "/" and without ".py",
// then its classes, all joined by ".": so "a.b.C" is file a/b.py class C,
// or file a/b/C.py. When the collected IDs are known (a Resolver with
// Scopes, from the shard manifests), the reading that names a collected
// file or class is taken, whatever the names look like: unittest classes
// (SomeTests), nested classes, modules with capitals. Otherwise the file
// comes from the "file" attribute when present, else from the classname's
// module part (its leading components up to the first that starts with
// an upper case letter, as classes do), with "/" for "." and ".py" added;
// without a file attribute a classname counts as pytest's only when its
// module is named test_* or *_test (any classes), or test or tests
// (classes Test*). A parametrized test's ID keeps its parameters;
// Parent is the ID without them.
//
//	file "tests/test_a.py"  classname "tests.test_a.TestC"  name "test_x[1]"  ->  tests/test_a.py::TestC::test_x[1]
//	classname "tests.test_a.SomeTests.Inner"  name "test_y"                    ->  tests/test_a.py::SomeTests::Inner::test_y
//
// A directory with a "." in its name (tests/v1.2/) cannot be told from a
// module boundary in a classname: such tests need the file attribute
// (xunit1) to be matched.
//
// Jest, mocha and other file-level runners: the file attribute (jest-junit
// with addFileAttribute, or a suite named after a file path). The ID is
// "<file>::<name>"; such suites are planned by file, so the file is what
// verification matches.
//
// .NET (NUnit 2 and 3, xUnit.net, MSTest TRX, read by internal/dotnet):
// the ID is the test's fully qualified name, the name vstest's
// FullyQualifiedName filter takes: "<Namespace>.<Class>.<Method>", nested
// classes joined with "+" as .NET writes them, and for a parametrised
// instance (NUnit's TestCase, xUnit.net's Theory row, MSTest's DataRow)
// its argument list as the framework writes it. The classname is the
// class's full name and the name the method with its arguments, so this
// is the JVM rule below. An instance's Parent is its method: a planned
// ID matches its instances, so a plan may list methods or instances.
//
//	classname "Shop.Tests.CartTests"  name "AppliesDiscount(10,90.0m)"  ->  Shop.Tests.CartTests.AppliesDiscount(10,90.0m) (parent Shop.Tests.CartTests.AppliesDiscount)
//	classname "Shop.Tests.PriceTests+Rounding"  name "HalfToEven"  ->  Shop.Tests.PriceTests+Rounding.HalfToEven
//
// For shard --tests-from, list these IDs one a line: xUnit.net's
// `dotnet test --list-tests` prints them (indented by four spaces, after
// "The following Tests are available:"); NUnit's adapter does with the
// run setting NUnit.DisplayName=FullName; for MSTest, `vstest.console
// --ListFullyQualifiedTests --ListTestsTargetPath FILE` writes them. List
// methods (the IDs cut at their argument list, duplicates dropped): a
// worker runs its part with `dotnet test --filter` joining
// "FullyQualifiedName=ID" terms with "|", which selects a method with all
// its cases and rows, and their results match the planned method.
//
// JVM and others: "<classname>.<name>", scope the classname. A case
// without a classname is known by its name alone, scoped by its suite. A
// name ending in an argument list (JUnit 5's "add(int, int)", .NET's
// "M(1,2)") has its method as its Parent.
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
	t.init(c, nil)
	return t.key(c.Name)
}

// OfIn returns the key of c as a Resolver with Scopes s (nil for none)
// would: Of that reads pytest classnames against the collected scopes.
func OfIn(c *model.Case, s *Scopes) Key {
	var t triple
	t.init(c, s)
	return t.key(c.Name)
}

// Scopes is the set of pytest files and classes that collected IDs name:
// for "a/b.py::C::D::test_x[1]", "a/b.py", "a/b.py::C" and "a/b.py::C::D".
// A Resolver with Scopes reads a classname the one way that names a
// collected scope. Safe for concurrent reads once built.
type Scopes struct {
	set  map[string]struct{}
	last string // the last ID's innermost scope: the next ID's, likely
}

// NewScopes returns an empty set.
func NewScopes() *Scopes { return &Scopes{set: map[string]struct{}{}} }

// Add adds the scopes of a collected ID. IDs that are not pytest's (no
// .py file) add nothing.
func (s *Scopes) Add(id string) {
	base := id
	if i := strings.IndexByte(base, '['); i > 0 {
		base = base[:i] // parameters may hold anything, "::" included
	}
	i := strings.Index(base, "::")
	if i < 0 {
		if strings.HasSuffix(base, ".py") {
			s.set[base] = struct{}{} // a file, planned whole
		}
		return
	}
	if !strings.HasSuffix(base[:i], ".py") {
		return
	}
	// IDs come class by class: one whose innermost scope is the last
	// one's adds nothing new.
	if j := strings.LastIndex(base, "::"); base[:j] == s.last {
		return
	} else {
		s.last = base[:j]
	}
	// Every prefix that ends before a "::": the file, then each class.
	for j := i; j >= 0; {
		s.set[base[:j]] = struct{}{}
		k := strings.Index(base[j+2:], "::")
		if k < 0 {
			break
		}
		j += 2 + k
	}
}

// Has reports whether scope is a collected file or class.
func (s *Scopes) Has(scope string) bool {
	_, ok := s.set[scope]
	return ok
}

// Len returns the number of scopes.
func (s *Scopes) Len() int { return len(s.set) }

// Resolver is Of with a memory: what depends only on a case's classname,
// suite and file is worked out once per distinct triple (consecutive cases
// of a suite share it), leaving per case only the decisions that depend
// on the name and the building of the ID. The last triple is remembered,
// and a few thousand more for reports that interleave suites. The zero
// Resolver is ready to use. Not safe for concurrent use: keep one per
// goroutine.
//
// With Scopes set, a pytest classname is read against the collected IDs
// (see the package doc); the lookups are per triple, not per case.
type Resolver struct {
	Scopes *Scopes

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
		t.init(c, r.Scopes)
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

	scopes    *Scopes // the collected scopes, nil when unknown
	collected bool    // a reading of cls names a collected scope:
	colFile   string  // its file
	colScope  string  // and scope
}

// The bits of triple.known.
const (
	knownGoPackage = 1 << iota
	knownPytestCls
	knownFileDir
	knownPytest
	knownSuitePath
	knownCollected
)

func (t *triple) init(c *model.Case, scopes *Scopes) {
	*t = triple{classname: c.Classname, suite: c.Suite, rawFile: c.File, cls: c.Classname, scopes: scopes}
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
	case t.isCollected():
		return pytestKey(t.colFile, t.colScope, name)
	case strings.HasSuffix(t.file, ".py") || (t.file == "" && isPytestName(name) && t.isPytestClassname()):
		file, scope := t.pytest()
		return pytestKey(file, scope, name)
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
	id := t.cls + "." + name
	k := Key{Test: id, Scope: t.cls}
	if m, ok := WithoutArgs(id); ok && len(m) > len(t.cls)+1 {
		k.Sub, k.Parent = true, m
	}
	return k
}

// WithoutArgs returns the ID of a parametrised instance without its
// argument list, the trailing parenthesised group ("Ns.C.M(1, \"a)\")"
// is "Ns.C.M"), and whether it had one.
func WithoutArgs(id string) (string, bool) {
	if !strings.HasSuffix(id, ")") {
		return id, false
	}
	depth, start := 0, -1
	quote := byte(0)
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && depth > 0:
			quote = c
		case c == '(':
			if depth == 0 {
				start = i
			}
			depth++
		case c == ')' && depth > 0:
			depth--
			if depth == 0 && i == len(id)-1 && start > 0 {
				return id[:start], true
			}
		}
	}
	return id, false
}

// pytestKey is the key of the pytest test name in file and scope (the
// file and its classes).
func pytestKey(file, scope, name string) Key {
	id := scope + "::" + name
	k := Key{Test: id, File: file, Scope: scope, Parent: id}
	if i := strings.IndexByte(name, '['); i > 0 && strings.HasSuffix(name, "]") {
		// The node ID without its parameters: a prefix of id.
		k.Sub = true
		k.Parent = id[:len(scope)+len("::")+i]
	}
	return k
}

// isCollected reports whether the scopes name a file or class that the
// classname can be read as, setting colFile and colScope.
func (t *triple) isCollected() bool {
	if t.known&knownCollected == 0 {
		t.colFile, t.colScope, t.collected = t.readCollected()
		t.known |= knownCollected
	}
	return t.collected
}

// readCollected reads the classname against the collected scopes: first
// as the file attribute has it, then every way of splitting the dotted
// name into a file and classes, longest file first, that names a
// collected class (or module), then one that names a collected file.
func (t *triple) readCollected() (file, scope string, ok bool) {
	if t.scopes == nil || t.scopes.Len() == 0 || t.classname == "" || strings.ContainsAny(t.classname, " /\\:[") {
		return "", "", false
	}
	if strings.HasSuffix(t.file, ".py") {
		if file, scope := t.pytest(); t.scopes.Has(scope) {
			return file, scope, true
		}
	}
	parts := strings.Split(t.classname, ".")
	// A collected file and classes; else a collected file (a class that
	// no collected ID names, or a plan by file).
	for _, whole := range []bool{true, false} {
		for k := len(parts); k >= 1; k-- {
			file := strings.Join(parts[:k], "/") + ".py"
			if !whole && !t.scopes.Has(file) {
				continue
			}
			scope := file
			if k < len(parts) {
				scope += "::" + strings.Join(parts[k:], "::")
			}
			if !whole || t.scopes.Has(scope) {
				return file, scope, true
			}
		}
	}
	return "", "", false
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
// collects them by default (test_*.py or *_test.py), with any classes
// (pytest's Test*, unittest's SomeTests); or in a module or package named
// test or tests, with classes that start with "Test" (so that a JVM
// com.example.tests.FooTest is not taken for pytest's).
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
	if strings.HasPrefix(mod, "test_") || strings.HasSuffix(mod, "_test") {
		return true
	}
	if mod != "test" && mod != "tests" {
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
