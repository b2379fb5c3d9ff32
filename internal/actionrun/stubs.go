package actionrun

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Cache is a local stand-in for the Actions cache: entries are immutable,
// a key is saved once, restore tries the key exactly and then each
// restore-keys prefix, newest entry first, and an entry is visible from its
// own ref and from the default branch's, as GitHub scopes caches.
type Cache struct {
	Dir           string
	DefaultBranch string // ref of the default branch, "refs/heads/main"

	mu      sync.Mutex
	entries []cacheEntry
}

type cacheEntry struct {
	key, ref, dir string
	paths         []string
}

// Keys lists the saved keys, oldest first.
func (c *Cache) Keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, e := range c.entries {
		out = append(out, e.key)
	}
	return out
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (c *Cache) find(key string, prefixes []string, ref string) (cacheEntry, bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range []string{ref, c.DefaultBranch} {
		for i := len(c.entries) - 1; i >= 0; i-- {
			if e := c.entries[i]; e.ref == r && e.key == key {
				return e, true, true
			}
		}
	}
	for _, p := range prefixes {
		for _, r := range []string{ref, c.DefaultBranch} {
			for i := len(c.entries) - 1; i >= 0; i-- {
				if e := c.entries[i]; e.ref == r && strings.HasPrefix(e.key, p) {
					return e, false, true
				}
			}
		}
	}
	return cacheEntry{}, false, false
}

func (c *Cache) restore(s *StepEnv, with map[string]string) (map[string]string, error) {
	key := s.Input("key")
	if key == "" || s.Input("path") == "" {
		return nil, errors.New("input required and not supplied: key and path")
	}
	ref := s.Env["GITHUB_REF"]
	e, exact, ok := c.find(key, lines(with["restore-keys"]), ref)
	outs := map[string]string{"cache-primary-key": key, "cache-hit": "false", "cache-matched-key": ""}
	if !ok {
		return outs, nil
	}
	for i, p := range lines(with["path"]) {
		dst := s.Abs(p)
		if err := os.RemoveAll(dst); err != nil {
			return nil, err
		}
		if err := copyTree(filepath.Join(e.dir, fmt.Sprint(i)), dst, true); err != nil {
			return nil, err
		}
	}
	outs["cache-matched-key"] = e.key
	outs["cache-hit"] = fmt.Sprint(exact)
	return outs, nil
}

func (c *Cache) save(s *StepEnv, with map[string]string) (map[string]string, error) {
	key := s.Input("key")
	if key == "" || s.Input("path") == "" {
		return nil, errors.New("input required and not supplied: key and path")
	}
	ref := s.Env["GITHUB_REF"]
	c.mu.Lock()
	for _, e := range c.entries {
		if e.key == key && e.ref == ref {
			c.mu.Unlock()
			// actions/cache/save warns that it cannot reserve the key
			// and succeeds.
			return nil, nil
		}
	}
	dir := filepath.Join(c.Dir, fmt.Sprintf("entry%d", len(c.entries)))
	c.entries = append(c.entries, cacheEntry{key: key, ref: ref, dir: dir, paths: lines(with["path"])})
	c.mu.Unlock()
	for i, p := range lines(with["path"]) {
		if err := copyTree(s.Abs(p), filepath.Join(dir, fmt.Sprint(i)), true); err != nil {
			return nil, fmt.Errorf("path %q: %w", p, err)
		}
	}
	return nil, nil
}

// Artifacts is a local stand-in for a run's artifact storage.
type Artifacts struct {
	Dir string

	mu    sync.Mutex
	names []string
}

// Names lists the uploaded artifacts, sorted.
func (a *Artifacts) Names() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := append([]string(nil), a.names...)
	sort.Strings(out)
	return out
}

// upload follows actions/upload-artifact v4+: paths (and globs) are
// stored relative to their least common ancestor; hidden files are left
// out unless include-hidden-files; a name already used is an error.
func (a *Artifacts) upload(s *StepEnv, with map[string]string) (map[string]string, error) {
	name := s.Input("name")
	if name == "" {
		name = "artifact"
	}
	hidden := s.Input("include-hidden-files") == "true"
	var files []string
	var roots []string
	for _, p := range lines(with["path"]) {
		if strings.HasPrefix(p, "!") {
			return nil, fmt.Errorf("exclusion patterns are not supported by the harness: %q", p)
		}
		matches, err := filepath.Glob(s.Abs(p))
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			fi, err := os.Stat(m)
			if err != nil {
				continue
			}
			if fi.IsDir() {
				roots = append(roots, m)
				filepath.WalkDir(m, func(q string, d fs.DirEntry, err error) error {
					if err == nil && !d.IsDir() {
						files = append(files, q)
					}
					return nil
				})
			} else {
				roots = append(roots, filepath.Dir(m))
				files = append(files, m)
			}
		}
	}
	base := commonDir(roots)
	var kept []string
	for _, f := range files {
		rel, _ := filepath.Rel(base, f)
		isHidden := false
		for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
			if strings.HasPrefix(part, ".") {
				isHidden = true
			}
		}
		if isHidden && !hidden {
			continue
		}
		kept = append(kept, rel)
	}
	if len(kept) == 0 {
		switch s.Input("if-no-files-found") {
		case "error":
			return nil, fmt.Errorf("no files were found with the provided path: %s", with["path"])
		}
		return nil, nil // warn (the default) and ignore both succeed
	}
	a.mu.Lock()
	for _, n := range a.names {
		if n == name {
			a.mu.Unlock()
			return nil, fmt.Errorf("an artifact with the name %q already exists in this run", name)
		}
	}
	a.names = append(a.names, name)
	a.mu.Unlock()
	for _, rel := range kept {
		if err := copyFile(filepath.Join(base, rel), filepath.Join(a.Dir, name, rel)); err != nil {
			return nil, err
		}
	}
	return map[string]string{"artifact-id": name}, nil
}

// download follows actions/download-artifact v4+: by name, by pattern or
// all; one directory per artifact unless merge-multiple.
func (a *Artifacts) download(s *StepEnv, with map[string]string) (map[string]string, error) {
	dst := s.Abs(with["path"])
	if with["path"] == "" {
		dst = s.Workspace
	}
	names := a.Names()
	var pick []string
	switch {
	case s.Input("name") != "":
		for _, n := range names {
			if n == s.Input("name") {
				pick = []string{n}
			}
		}
		if pick == nil {
			return nil, fmt.Errorf("artifact %q not found", s.Input("name"))
		}
		return map[string]string{"download-path": dst}, copyTree(filepath.Join(a.Dir, pick[0]), dst, false)
	case s.Input("pattern") != "":
		for _, n := range names {
			if ok, _ := path.Match(s.Input("pattern"), n); ok {
				pick = append(pick, n)
			}
		}
	default:
		pick = names
	}
	merge := s.Input("merge-multiple") == "true"
	for _, n := range pick {
		to := filepath.Join(dst, n)
		if merge {
			to = dst
		}
		if err := copyTree(filepath.Join(a.Dir, n), to, false); err != nil {
			return nil, err
		}
	}
	return map[string]string{"download-path": dst}, nil
}

// DefaultStubs returns local equivalents of the actions the workflows
// use: checkout copies r.Source, setup-go and friends check that the tool
// is on PATH, cache and artifacts use r.Cache and r.Artifacts.
func (r *Runner) DefaultStubs() map[string]UsesFunc {
	need := func(tool string) UsesFunc {
		return func(s *StepEnv, with map[string]string) (map[string]string, error) {
			p, err := exec.LookPath(tool)
			if err != nil {
				return nil, fmt.Errorf("%s is not installed on this machine", tool)
			}
			s.AddPath(filepath.Dir(p))
			return nil, nil
		}
	}
	return map[string]UsesFunc{
		"actions/checkout": func(s *StepEnv, with map[string]string) (map[string]string, error) {
			if r.Source == "" {
				return nil, errors.New("Runner.Source is not set")
			}
			return nil, copyTree(r.Source, s.Workspace, true)
		},
		"actions/setup-go":          need("go"),
		"actions/setup-python":      need("python3"),
		"actions/setup-node":        need("node"),
		"actions/cache/restore":     r.Cache.restore,
		"actions/cache/save":        r.Cache.save,
		"actions/upload-artifact":   r.Artifacts.upload,
		"actions/download-artifact": r.Artifacts.download,
	}
}

func commonDir(dirs []string) string {
	if len(dirs) == 0 {
		return ""
	}
	c := filepath.Clean(dirs[0])
	for _, d := range dirs[1:] {
		d = filepath.Clean(d)
		for c != d && !strings.HasPrefix(d, c+string(filepath.Separator)) {
			c = filepath.Dir(c)
		}
	}
	return c
}

// copyTree copies the file or directory src to dst; with keepMode the
// file modes are kept (the cache keeps them, artifacts do not: a
// downloaded file is 0644).
func copyTree(src, dst string, keepMode bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == ".git" && p != src {
				return filepath.SkipDir
			}
			return os.MkdirAll(to, 0o755)
		}
		if err := copyFile(p, to); err != nil {
			return err
		}
		if keepMode {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Chmod(to, fi.Mode().Perm())
		}
		return nil
	})
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
