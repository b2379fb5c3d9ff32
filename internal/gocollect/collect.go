package gocollect

import (
	"bytes"
	"errors"
	"fmt"
	"go/build"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/xshard/xshard/internal/diag"
	"github.com/xshard/xshard/internal/model"
)

// Options says which packages to collect and for which build
// configuration.
type Options struct {
	// Dir is the directory that relative patterns are resolved from and
	// that item files are relative to; it must lie inside a module. ""
	// means ".".
	Dir string
	// Patterns select packages as the go command's do: "./...", "./x/...",
	// "./x", ".", or import paths of the module such as
	// "example.com/m/x/...". Empty means ".".
	Patterns []string
	// Tags are the build tags, as go test's -tags flag gives them.
	Tags []string
	// GOOS and GOARCH are the target; "" means runtime.GOOS and
	// runtime.GOARCH.
	GOOS, GOARCH string
	// CgoEnabled says whether cgo is enabled; nil means go/build's default
	// for the target (the host's setting, false when cross-compiling).
	CgoEnabled *bool
}

// Collect returns the tests, fuzz targets and examples that `go test`
// would run in the packages that opts.Patterns select, sorted by ID. The
// package documentation gives the rules.
func Collect(opts Options) ([]model.Item, error) {
	items, _, err := CollectPackages(opts)
	return items, err
}

// CollectPackages is Collect that also returns the import paths, sorted,
// of the selected packages in which go test runs nothing. An unsharded
// `go test -coverprofile` still reports their statements (as not
// covered), so a sharded run must name them too for its merged profile to
// be the same.
func CollectPackages(opts Options) (items []model.Item, untested []string, err error) {
	c, err := newCollector(opts)
	if err != nil {
		return nil, nil, err
	}
	patterns := opts.Patterns
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	matches := make([]patternMatch, len(patterns))
	for i, p := range patterns {
		if matches[i], err = c.resolve(p); err != nil {
			return nil, nil, err
		}
	}
	if err := c.scan(); err != nil {
		return nil, nil, err
	}
	for _, m := range matches {
		if err := c.check(m); err != nil {
			return nil, nil, err
		}
	}
	return c.items()
}

// collector holds the state of one Collect call.
type collector struct {
	ctx     build.Context
	dir     string // Options.Dir, absolute
	root    string // module root, absolute
	dirRel  string // dir relative to root, slash-separated, "." at the root
	modPath string
	ignore  *ignoreMatcher

	cache map[string]*dirInfo // by slash path relative to root, "" for the root
	cands []*dirInfo          // directories that some pattern matched, in match order
}

// dirInfo is one directory of the module and, once scanned, what it holds.
type dirInfo struct {
	rel      string   // slash path relative to the module root, "" for the root
	goFiles  []string // names ending in ".go", sorted
	subdirs  []string // names of subdirectories, sorted
	hasGoMod bool
	cand     bool // in collector.cands

	// Set by scan.
	isPkg bool         // some Go file survives the build constraints
	tests []*fileState // one per _test.go name in goFiles, in order
}

// fileState is the scan result of one _test.go file.
type fileState struct {
	dir     *dirInfo
	name    string
	matched bool
	tf      testFile
	err     error
}

// patternMatch is what one pattern selected before scanning.
type patternMatch struct {
	pattern string
	literal *dirInfo   // the directory a pattern without "..." names
	dirs    []*dirInfo // the candidate directories of a "..." pattern
}

func newCollector(opts Options) (*collector, error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve directory %q: %w", dir, err)
	}
	root, err := findModuleRoot(abs)
	if err != nil {
		return nil, err
	}
	gomod := filepath.Join(root, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return nil, err
	}
	mf, err := parseModFile(displayRel(abs, gomod), data)
	if err != nil {
		return nil, err
	}
	dirRel, err := filepath.Rel(root, abs)
	if err != nil {
		return nil, err
	}
	c := &collector{
		ctx:     buildContext(opts),
		dir:     abs,
		root:    root,
		dirRel:  filepath.ToSlash(dirRel),
		modPath: mf.Path,
		ignore:  newIgnoreMatcher(mf.Ignore),
		cache:   make(map[string]*dirInfo),
	}
	return c, nil
}

// buildContext returns the go/build context for opts.
func buildContext(opts Options) build.Context {
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH = runtime.GOOS, runtime.GOARCH
	if opts.GOOS != "" {
		ctx.GOOS = opts.GOOS
	}
	if opts.GOARCH != "" {
		ctx.GOARCH = opts.GOARCH
	}
	if opts.CgoEnabled != nil {
		ctx.CgoEnabled = *opts.CgoEnabled
	} else if ctx.GOOS != build.Default.GOOS || ctx.GOARCH != build.Default.GOARCH {
		ctx.CgoEnabled = false // as the go command when cross-compiling
	}
	ctx.BuildTags = slices.Clone(opts.Tags)
	ctx.UseAllFiles = false
	return ctx
}

// findModuleRoot returns the nearest directory at or above dir that holds
// a go.mod file.
func findModuleRoot(dir string) (string, error) {
	for d := dir; ; {
		if fi, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !fi.IsDir() {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod file in %q or any parent directory", dir)
		}
		d = parent
	}
}

// displayRel returns target relative to base, slash-separated, or target
// itself when no relative path exists.
func displayRel(base, target string) string {
	if r, err := filepath.Rel(base, target); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(target)
}

// importPath returns the import path of the directory rel.
func (c *collector) importPath(rel string) string {
	if rel == "" {
		return c.modPath
	}
	return c.modPath + "/" + rel
}

// display returns the path of rel (and name, if not "") relative to
// Options.Dir, as items and errors show it.
func (c *collector) display(rel, name string) string {
	return displayRel(c.dir, filepath.Join(c.root, filepath.FromSlash(rel), name))
}

// readDir returns the directory rel, reading it on first use.
func (c *collector) readDir(rel string) (*dirInfo, error) {
	if d, ok := c.cache[rel]; ok {
		return d, nil
	}
	abs := filepath.Join(c.root, filepath.FromSlash(rel))
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	d := &dirInfo{rel: rel}
	for _, e := range entries {
		name := e.Name()
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(filepath.Join(abs, name))
			if err != nil {
				continue
			}
			if fi.IsDir() {
				continue // the go command does not follow symlinked directories
			}
		}
		switch {
		case isDir:
			d.subdirs = append(d.subdirs, name)
		case name == "go.mod":
			d.hasGoMod = true
		case strings.HasSuffix(name, ".go"):
			d.goFiles = append(d.goFiles, name)
		}
	}
	c.cache[rel] = d
	return d, nil
}

// addCand records d as matched by some pattern.
func (c *collector) addCand(d *dirInfo) {
	if !d.cand {
		d.cand = true
		c.cands = append(c.cands, d)
	}
}

// isMetaPattern reports whether p is one of the go command's meta-packages,
// which name packages outside the module or need the module graph.
func isMetaPattern(p string) bool {
	switch p {
	case "all", "std", "cmd", "tool", "work":
		return true
	}
	return false
}

// isLocalPattern reports whether p is a directory rather than an import
// path, by the go command's rule.
func isLocalPattern(p string) bool {
	return p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") ||
		filepath.IsAbs(p) || os.PathSeparator == '\\' && (strings.HasPrefix(p, `.\`) || strings.HasPrefix(p, `..\`))
}

// resolve finds the directories that pattern p may select.
func (c *collector) resolve(p string) (patternMatch, error) {
	m := patternMatch{pattern: p}
	switch {
	case p == "":
		return m, errors.New("empty package pattern")
	case isMetaPattern(p) || strings.Contains(p, "@"):
		return m, fmt.Errorf("pattern %q: only directories and import paths of module %q are supported", p, c.modPath)
	}
	var rel string    // the pattern relative to the module root, "" for the root
	checkTop := false // whether the walk's first directory is subject to the skip rules
	if isLocalPattern(p) {
		if filepath.IsAbs(p) {
			r, err := filepath.Rel(c.root, filepath.Clean(p))
			if err != nil {
				return m, fmt.Errorf("pattern %q: %w", p, err)
			}
			rel = filepath.ToSlash(r)
		} else {
			rel = path.Join(c.dirRel, filepath.ToSlash(p))
		}
		if rel == ".." || strings.HasPrefix(rel, "../") {
			return m, fmt.Errorf("pattern %q: directory is outside module root %q", p, displayRel(c.dir, c.root))
		}
		if rel == "." {
			rel = ""
		}
		// As the go command, a walk from "." or ".." does not skip its start
		// even inside a testdata or _x directory; a walk from "x" does.
		lc := path.Clean(filepath.ToSlash(p))
		if i := strings.Index(lc, "..."); i >= 0 {
			top := path.Clean(lc[:strings.LastIndex(lc[:i], "/")+1] + ".")
			checkTop = path.Base(top) != "." && path.Base(top) != ".."
		}
	} else {
		switch {
		case strings.Contains(p, "..."):
			if !treeCanMatchPattern(p)(c.modPath) {
				return m, fmt.Errorf("pattern %q: not in module %q", p, c.modPath)
			}
			return m, c.walkPattern(&m, p, "", false)
		case p == c.modPath:
			rel = ""
		case strings.HasPrefix(p, c.modPath+"/"):
			rel = p[len(c.modPath)+1:]
			if path.Clean(rel) != rel || strings.HasPrefix(rel, "../") {
				return m, fmt.Errorf("pattern %q: malformed import path", p)
			}
		default:
			return m, fmt.Errorf("pattern %q: not in module %q", p, c.modPath)
		}
	}

	if i := strings.Index(rel, "..."); i >= 0 {
		top := strings.TrimSuffix(rel[:strings.LastIndex(rel[:i], "/")+1], "/")
		if err := c.checkSameModule(p, top); err != nil {
			return m, err
		}
		if checkTop && skipDirName(path.Base(top)) {
			return m, nil
		}
		return m, c.walkPattern(&m, c.importPath(rel), top, true)
	}

	// A literal directory.
	fi, err := os.Stat(filepath.Join(c.root, filepath.FromSlash(rel)))
	if err != nil || !fi.IsDir() {
		return m, fmt.Errorf("pattern %q: directory %q does not exist", p, c.display(rel, ""))
	}
	if err := c.checkSameModule(p, rel); err != nil {
		return m, err
	}
	d, err := c.readDir(rel)
	if err != nil {
		return m, fmt.Errorf("pattern %q: %w", p, err)
	}
	m.literal = d
	c.addCand(d)
	return m, nil
}

// checkSameModule returns an error when a directory from below the module
// root down to rel holds a go.mod, so belongs to another module.
func (c *collector) checkSameModule(p, rel string) error {
	if rel == "" {
		return nil
	}
	for i := 0; i <= len(rel); i++ {
		if i < len(rel) && rel[i] != '/' {
			continue
		}
		sub := rel[:i]
		if fi, err := os.Stat(filepath.Join(c.root, filepath.FromSlash(sub), "go.mod")); err == nil && !fi.IsDir() {
			return fmt.Errorf("pattern %q: directory %q is in another module", p, c.display(sub, ""))
		}
	}
	return nil
}

// skipDirName reports whether a "..." walk skips directories named elem.
func skipDirName(elem string) bool {
	return strings.HasPrefix(elem, ".") || strings.HasPrefix(elem, "_") || elem == "testdata"
}

// walkPattern adds to m the directories at or below top (relative to the
// module root) whose import paths match the import path pattern pat.
// When top is not the root, it is checked against the ignore directives;
// checkTopIgnore is false only for the root.
func (c *collector) walkPattern(m *patternMatch, pat, top string, checkTopIgnore bool) error {
	match := matchPattern(pat)
	canMatch := treeCanMatchPattern(pat)
	// A "..." does not reach into vendor directories; only a pattern that
	// spells "vendor" needs to look inside one.
	descendVendor := strings.Contains(pat, "vendor")
	if checkTopIgnore && c.ignore.ignored(top) {
		return nil
	}
	if !canMatch(c.importPath(top)) {
		return nil
	}
	var walk func(rel string) error
	walk = func(rel string) error {
		d, err := c.readDir(rel)
		if err != nil {
			if rel == top && errors.Is(err, fs.ErrNotExist) {
				return nil // matches nothing
			}
			return fmt.Errorf("read directory %q: %w", c.display(rel, ""), err)
		}
		if rel != top && d.hasGoMod {
			return nil // a nested module
		}
		if len(d.goFiles) > 0 && match(c.importPath(rel)) {
			m.dirs = append(m.dirs, d)
			c.addCand(d)
		}
		if rel != "" && path.Base(rel) == "vendor" && !descendVendor {
			return nil
		}
		for _, sub := range d.subdirs {
			child := path.Join(rel, sub)
			if skipDirName(sub) || c.ignore.ignored(child) || !canMatch(c.importPath(child)) {
				continue
			}
			if err := walk(child); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(top)
}

// scan reads every candidate directory's test files, and for directories
// without a surviving test file, checks whether any Go file survives the
// build constraints.
func (c *collector) scan() error {
	slices.SortFunc(c.cands, func(a, b *dirInfo) int { return strings.Compare(a.rel, b.rel) })
	var files []*fileState
	for _, d := range c.cands {
		for _, name := range d.goFiles {
			if strings.HasSuffix(name, "_test.go") {
				fs := &fileState{dir: d, name: name}
				d.tests = append(d.tests, fs)
				files = append(files, fs)
			}
		}
	}
	parallel(len(files), func(i int) { c.scanTestFile(files[i]) })
	for _, f := range files {
		if f.err != nil {
			return f.err
		}
		if f.matched {
			f.dir.isPkg = true
		}
	}

	var rest []*dirInfo
	for _, d := range c.cands {
		if !d.isPkg && len(d.goFiles) > len(d.tests) {
			rest = append(rest, d)
		}
	}
	parallel(len(rest), func(i int) {
		d := rest[i]
		abs := filepath.Join(c.root, filepath.FromSlash(d.rel))
		for _, name := range d.goFiles {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			// A file whose header is malformed still makes a package, one that
			// fails to build, as with the go command.
			if ok, err := c.ctx.MatchFile(abs, name); ok || err != nil {
				d.isPkg = true
				return
			}
		}
	})
	return nil
}

// scanTestFile reads f, applies the build constraints and, if it survives,
// parses it.
func (c *collector) scanTestFile(f *fileState) {
	abs := filepath.Join(c.root, filepath.FromSlash(f.dir.rel))
	var src []byte
	ctx := c.ctx
	// MatchFile decides on the name first and opens the file only when it
	// must; reading the whole file here lets the parser reuse it.
	ctx.OpenFile = func(p string) (io.ReadCloser, error) {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		src = data
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	ok, err := ctx.MatchFile(abs, f.name)
	name := c.display(f.dir.rel, f.name)
	if err != nil {
		if src == nil {
			f.err = fmt.Errorf("read %q: %w", name, err)
			return
		}
		// Prefer the parser's positioned error for a malformed header.
		if _, perr := parseTestFile(name, src); perr != nil {
			f.err = perr
			return
		}
		msg := strings.TrimPrefix(err.Error(), "read "+filepath.Join(abs, f.name)+": ")
		f.err = &diag.Error{File: name, Msg: strings.TrimPrefix(msg, f.name+": "), Err: err}
		return
	}
	if !ok {
		return
	}
	f.matched = true
	f.tf, f.err = parseTestFile(name, src)
}

// parallel calls fn(0) ... fn(n-1) on at most GOMAXPROCS goroutines.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

// check returns an error if m selected no package.
func (c *collector) check(m patternMatch) error {
	if d := m.literal; d != nil {
		switch {
		case d.isPkg:
			return nil
		case len(d.goFiles) == 0:
			return fmt.Errorf("pattern %q: no Go files in %q", m.pattern, c.display(d.rel, ""))
		default:
			return fmt.Errorf("pattern %q: build constraints exclude all Go files in %q", m.pattern, c.display(d.rel, ""))
		}
	}
	for _, d := range m.dirs {
		if d.isPkg {
			return nil
		}
	}
	return fmt.Errorf("pattern %q matched no packages", m.pattern)
}

// items returns the items of every candidate package, and the packages
// without any.
func (c *collector) items() ([]model.Item, []string, error) {
	n := 0
	for _, d := range c.cands {
		for _, f := range d.tests {
			n += len(f.tf.Names)
		}
	}
	items := make([]model.Item, 0, n)
	var untested []string
	for _, d := range c.cands {
		if !d.isPkg {
			continue
		}
		pkg := c.importPath(d.rel)
		before := len(items)
		var main *fileState
		for _, f := range d.tests {
			if !f.matched {
				continue
			}
			if f.tf.TestMain.IsValid() {
				if main != nil {
					p := f.tf.TestMain
					return nil, nil, &diag.Error{File: p.Filename, Line: p.Line, Col: p.Column,
						Msg: fmt.Sprintf("multiple definitions of TestMain (also in %q)", main.tf.TestMain.Filename)}
				}
				main = f
			}
			file := c.display(d.rel, f.name)
			for _, name := range f.tf.Names {
				items = append(items, model.Item{ID: pkg + "." + name, File: file, Package: pkg})
			}
		}
		if len(items) == before {
			untested = append(untested, pkg)
		}
	}
	// Function names hold no ".", so equal IDs mean the same package and
	// name: one defined in both test packages. The stable sort keeps the
	// first file in directory order.
	slices.SortStableFunc(items, func(a, b model.Item) int { return strings.Compare(a.ID, b.ID) })
	items = slices.CompactFunc(items, func(a, b model.Item) bool { return a.ID == b.ID })
	slices.Sort(untested)
	untested = slices.Compact(untested)
	return items, untested, nil
}
