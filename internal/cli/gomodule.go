package cli

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/xshard/xshard/internal/gocollect"
	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/merge"
	"github.com/xshard/xshard/internal/report"
)

// goModuleOf returns the Go module that holds dir, for the manifest: its
// path and its directory relative to the repository root, which is
// $GITHUB_WORKSPACE when that holds the module, else the nearest
// directory at or above the module with a .git; the directory is left
// empty when neither is found. It returns nil when dir is in no module.
func goModuleOf(dir string, env Env) *manifest.GoModule {
	modPath, root, err := gocollect.FindModule(dir)
	if err != nil {
		return nil
	}
	g := &manifest.GoModule{Path: modPath}
	if ws := env.Getenv("GITHUB_WORKSPACE"); ws != "" {
		if rel, ok := inside(ws, root); ok {
			g.Dir = rel
			return g
		}
	}
	for d := root; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			g.Dir, _ = inside(d, root)
			return g
		}
		if filepath.Dir(d) == d {
			return g
		}
	}
}

// inside returns p relative to base, slash-separated ("." for base
// itself), when p is base or below it; symbolic links are resolved when
// the plain paths do not say.
func inside(base, p string) (string, bool) {
	rel := func(base, p string) (string, bool) {
		r, err := filepath.Rel(base, p)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
			return "", false
		}
		return filepath.ToSlash(r), true
	}
	if r, ok := rel(base, p); ok {
		return r, true
	}
	rb, err1 := filepath.EvalSymlinks(base)
	rp, err2 := filepath.EvalSymlinks(p)
	if err1 != nil || err2 != nil {
		return "", false
	}
	return rel(rb, rp)
}

// goModuleOptions sets the Go module that maps import paths to the
// repository's files in the report: the one the workers' manifests
// record, when they say where it is in the repository (they ran it; the
// merge job may have no checkout, or another module at hand); else the
// go.mod that holds the working directory, placed against
// $GITHUB_WORKSPACE (or the working directory), when the manifests name
// no module or this one; else the manifests' module path alone, taken to
// be at the root.
func goModuleOptions(opts *report.Options, res *merge.Result) {
	var recPath, recDir string
	if res != nil && res.Plan != nil {
		recPath, recDir = res.Plan.GoModule, res.Plan.GoModuleDir
	}
	if recPath != "" && recDir != "" {
		opts.ModulePath = recPath
		if recDir != "." {
			opts.ModuleDir = recDir
		}
		return
	}
	if modPath, root, err := gocollect.FindModule("."); err == nil && (recPath == "" || recPath == modPath) {
		opts.ModulePath = modPath
		base := opts.RepoRoot
		if base == "" {
			base, _ = filepath.Abs(".")
		}
		if rel, ok := inside(base, root); ok && rel != "." {
			opts.ModuleDir = rel
		}
		return
	}
	opts.ModulePath = recPath
}
