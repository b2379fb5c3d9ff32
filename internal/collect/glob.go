package collect

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/xshard/xshard/internal/model"
)

// Glob returns the files under root that match any of patterns, as items
// whose ID and File are the slash-separated path relative to root and
// whose Package is its directory.
//
// Patterns are slash-separated and relative to root. Each segment is
// matched with path.Match; a segment "**" matches any number of
// directories, none included. Directories named ".git" are never entered,
// nor "node_modules" unless a pattern names it literally. A pattern that
// matches no file is an error, so that a typo does not shard an empty
// suite.
func Glob(root string, patterns []string) ([]model.Item, error) {
	type pat struct {
		raw  string
		segs []string
		hit  bool
	}
	pats := make([]*pat, 0, len(patterns))
	allowNodeModules := false
	for _, p := range patterns {
		clean := strings.TrimPrefix(path.Clean(filepath.ToSlash(p)), "./")
		if strings.HasPrefix(clean, "../") || clean == ".." || path.IsAbs(clean) {
			return nil, fmt.Errorf("--glob %q: patterns must stay inside the working directory", p)
		}
		segs := strings.Split(clean, "/")
		for _, s := range segs {
			if _, err := path.Match(s, ""); err != nil {
				return nil, fmt.Errorf("--glob %q: %v", p, err)
			}
			if s == "node_modules" {
				allowNodeModules = true
			}
		}
		pats = append(pats, &pat{raw: p, segs: segs})
	}
	var items []model.Item
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (d.Name() == ".git" || (d.Name() == "node_modules" && !allowNodeModules)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		segs := strings.Split(rel, "/")
		matched := false
		for _, pt := range pats {
			if matchSegs(pt.segs, segs) {
				pt.hit = true
				matched = true
			}
		}
		if matched {
			items = append(items, model.Item{ID: rel, File: rel, Package: path.Dir(rel)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, pt := range pats {
		if !pt.hit {
			return nil, fmt.Errorf("--glob %q matches no file under %q", pt.raw, root)
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	return items, nil
}

// Match reports whether the slash-separated path name matches pattern,
// whose "**" segments match any number of directories, none included.
func Match(pattern, name string) bool {
	return matchSegs(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

// matchSegs matches path segments against pattern segments, where "**"
// stands for zero or more segments.
func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			for i := 0; i <= len(name); i++ {
				if matchSegs(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}
