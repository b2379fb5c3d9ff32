package acttest

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The stand-ins' scripts, run directly with bash as act's composite steps
// run them (inputs in IN_* variables, the runner's files and variables),
// so that each documented behaviour is checked on its own, fast.

// runner is one job's view of the host: its workspace and RUNNER_TEMP,
// and the store every job shares.
type runner struct {
	t     *testing.T
	store string
	ws    string
	temp  string
	runID string
}

func newRunner(t *testing.T, store string) *runner {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	dir := t.TempDir()
	r := &runner{t: t, store: store, ws: filepath.Join(dir, "ws"), temp: filepath.Join(dir, "tmp"), runID: "7001"}
	for _, d := range []string{r.ws, r.temp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// step runs a stand-in script with inputs and returns its outputs, its
// output and whether it succeeded.
func (r *runner) step(script string, args []string, inputs map[string]string) (map[string]string, string, bool) {
	r.t.Helper()
	out := filepath.Join(r.temp, "output")
	os.Remove(out)
	cmd := exec.Command("bash", append([]string{filepath.Join(standInDir, script)}, args...)...)
	cmd.Dir = r.ws
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + r.temp,
		"GITHUB_WORKSPACE=" + r.ws,
		"RUNNER_TEMP=" + r.temp,
		"GITHUB_OUTPUT=" + out,
		"GITHUB_ENV=" + filepath.Join(r.temp, "env"),
		"GITHUB_PATH=" + filepath.Join(r.temp, "path"),
		"GITHUB_RUN_ID=" + r.runID,
		"GITHUB_REPOSITORY=octo/app",
		"ACT_STANDIN_STORE=" + r.store,
		"THIS_REPOSITORY=octo/app",
	}
	for k, v := range inputs {
		cmd.Env = append(cmd.Env, "IN_"+k+"="+v)
	}
	log, err := cmd.CombinedOutput()
	outputs := map[string]string{}
	data, _ := os.ReadFile(out)
	for _, l := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			outputs[k] = v
		}
	}
	return outputs, string(log), err == nil
}

func (r *runner) write(rel, content string) {
	r.t.Helper()
	p := filepath.Join(r.ws, rel)
	if strings.HasPrefix(rel, "/") {
		p = rel
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *runner) read(rel string) string {
	p := filepath.Join(r.ws, rel)
	if strings.HasPrefix(rel, "/") {
		p = rel
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(data)
}

// cache runs the cache stand-in: restore or save.
func (r *runner) cache(mode, path, key string, more map[string]string) (map[string]string, string, bool) {
	r.t.Helper()
	in := map[string]string{"PATH": path, "KEY": key, "RESTORE_KEYS": "", "FAIL_ON_CACHE_MISS": "false", "LOOKUP_ONLY": "false", "CROSS_OS": "false"}
	for k, v := range more {
		in[k] = v
	}
	return r.step("cache/cache.sh", []string{mode}, in)
}

func TestCacheStandIn(t *testing.T) {
	store := t.TempDir()
	save := func(key, content string) {
		t.Helper()
		r := newRunner(t, store)
		r.write("out/a.txt", content)
		if _, log, ok := r.cache("save", "out", key, nil); !ok || !strings.Contains(log, "Cache saved with key: "+key) {
			t.Fatalf("save %s: %s", key, log)
		}
	}
	save("k-1", "one")
	save("k-2", "two")
	save("other-1", "other")

	tests := []struct {
		name        string
		key         string
		restoreKeys string
		path        string
		hit         string // "" when the output is not set
		matched     string
		content     string
	}{
		{name: "the exact key is a hit", key: "k-1", hit: "true", matched: "k-1", content: "one"},
		{name: "the key as a prefix matches the newest entry", key: "k-", hit: "false", matched: "k-2", content: "two"},
		{name: "restore keys are tried in order, before newer matches of later ones", key: "x", restoreKeys: "k-1\nk-", hit: "false", matched: "k-1", content: "one"},
		{name: "a restore key matches the newest entry with its prefix", key: "x", restoreKeys: "nope-\nk", hit: "false", matched: "k-2", content: "two"},
		{name: "other paths are another version: a miss", key: "k-1", path: "out\nmore", content: "<open"},
		{name: "no match is a miss", key: "x", restoreKeys: "y-", content: "<open"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t, store)
			path := tc.path
			if path == "" {
				path = "out"
			}
			out, log, ok := r.cache("restore", path, tc.key, map[string]string{"RESTORE_KEYS": tc.restoreKeys})
			if !ok {
				t.Fatalf("restore failed: %s", log)
			}
			hit, hasHit := out["cache-hit"]
			if hit != tc.hit || hasHit != (tc.hit != "") || out["cache-matched-key"] != tc.matched || out["cache-primary-key"] != tc.key {
				t.Errorf("outputs %v, want cache-hit %q, cache-matched-key %q, cache-primary-key %q\n%s", out, tc.hit, tc.matched, tc.key, log)
			}
			if got := r.read("out/a.txt"); !strings.HasPrefix(got, tc.content) {
				t.Errorf("out/a.txt = %q, want %q", got, tc.content)
			}
			if tc.matched == "" && !strings.Contains(log, "Cache not found for input keys: "+tc.key) {
				t.Errorf("a miss does not say so:\n%s", log)
			}
		})
	}

	t.Run("an existing entry is never replaced", func(t *testing.T) {
		r := newRunner(t, store)
		r.write("out/a.txt", "changed")
		if _, log, ok := r.cache("save", "out", "k-1", nil); !ok || !strings.Contains(log, "::warning::") {
			t.Errorf("saving an existing key: ok %v\n%s", ok, log)
		}
		r = newRunner(t, store)
		r.cache("restore", "out", "k-1", nil)
		if got := r.read("out/a.txt"); got != "one" {
			t.Errorf("k-1 holds %q, want the first save's", got)
		}
	})
	t.Run("fail-on-cache-miss fails the step", func(t *testing.T) {
		r := newRunner(t, store)
		_, log, ok := r.cache("restore", "out", "x", map[string]string{"FAIL_ON_CACHE_MISS": "true"})
		if ok || !strings.Contains(log, "fail-on-cache-miss is set") {
			t.Errorf("ok %v\n%s", ok, log)
		}
	})
	t.Run("lookup-only restores nothing", func(t *testing.T) {
		r := newRunner(t, store)
		out, log, ok := r.cache("restore", "out", "k-1", map[string]string{"LOOKUP_ONLY": "true"})
		if !ok || out["cache-hit"] != "true" || r.read("out/a.txt") == "one" {
			t.Errorf("ok %v, outputs %v, file %q\n%s", ok, out, r.read("out/a.txt"), log)
		}
	})
	t.Run("a path under RUNNER_TEMP matches another job's RUNNER_TEMP", func(t *testing.T) {
		a := newRunner(t, store)
		a.write(filepath.Join(a.temp, "bin", "tool"), "binary")
		if _, log, ok := a.cache("save", filepath.Join(a.temp, "bin"), "bin-1", nil); !ok {
			t.Fatal(log)
		}
		b := newRunner(t, store)
		out, log, _ := b.cache("restore", filepath.Join(b.temp, "bin"), "bin-1", nil)
		if out["cache-hit"] != "true" || b.read(filepath.Join(b.temp, "bin", "tool")) != "binary" {
			t.Errorf("outputs %v\n%s", out, log)
		}
	})
	t.Run("keys with commas are refused", func(t *testing.T) {
		r := newRunner(t, store)
		if _, log, ok := r.cache("restore", "out", "a,b", nil); ok || !strings.Contains(log, "cannot contain commas") {
			t.Errorf("ok %v\n%s", ok, log)
		}
	})
	t.Run("saving paths that do not exist saves nothing", func(t *testing.T) {
		r := newRunner(t, store)
		if _, log, ok := r.cache("save", "missing", "m-1", nil); !ok || !strings.Contains(log, "Path Validation Error") {
			t.Errorf("ok %v\n%s", ok, log)
		}
		if contains(CacheKeys(store), "m-1") {
			t.Error("an entry was saved for no files")
		}
	})
}

// upload runs the upload-artifact stand-in.
func (r *runner) upload(name, path string, more map[string]string) (map[string]string, string, bool) {
	r.t.Helper()
	in := map[string]string{"NAME": name, "PATH": path, "IF_NO_FILES_FOUND": "warn", "OVERWRITE": "false", "INCLUDE_HIDDEN_FILES": "false", "ARCHIVE": "true"}
	for k, v := range more {
		in[k] = v
	}
	return r.step("upload-artifact/upload.sh", nil, in)
}

// download runs the download-artifact stand-in.
func (r *runner) download(more map[string]string) (map[string]string, string, bool) {
	r.t.Helper()
	in := map[string]string{"NAME": "", "ARTIFACT_IDS": "", "PATH": "", "PATTERN": "", "MERGE_MULTIPLE": "false", "GITHUB_TOKEN": "", "REPOSITORY": "octo/app", "RUN_ID": r.runID, "SKIP_DECOMPRESS": "false"}
	for k, v := range more {
		in[k] = v
	}
	return r.step("download-artifact/download.sh", nil, in)
}

// files lists the files under dir, relative, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func TestUploadArtifactStandIn(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		hidden string
		want   string
	}{
		{name: "a directory is the root; hidden files are left out", path: "out/", want: "a.txt sub/b.txt"},
		{name: "include-hidden-files keeps them", path: "out", hidden: "true", want: ".dir/c.txt .hidden a.txt sub/b.txt"},
		{name: "a single file is stored by its name", path: "out/sub/b.txt", want: "b.txt"},
		{name: "several paths keep their common ancestor", path: "out/a.txt\nother/d.txt", want: "other/d.txt out/a.txt"},
		{name: "a wildcard's search path is the root", path: "out/**/*.txt", want: "a.txt sub/b.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := t.TempDir()
			r := newRunner(t, store)
			for _, f := range []string{"out/a.txt", "out/sub/b.txt", "out/.hidden", "out/.dir/c.txt", "other/d.txt"} {
				r.write(f, f)
			}
			hidden := tc.hidden
			if hidden == "" {
				hidden = "false"
			}
			out, log, ok := r.upload("art", tc.path, map[string]string{"INCLUDE_HIDDEN_FILES": hidden})
			if !ok {
				t.Fatal(log)
			}
			got := strings.Join(files(t, filepath.Join(store, "artifacts", r.runID, "art", "files")), " ")
			if got != tc.want {
				t.Errorf("stored %q, want %q", got, tc.want)
			}
			if out["artifact-id"] == "" || len(out["artifact-digest"]) != 64 || !strings.HasSuffix(out["artifact-url"], "/actions/runs/7001/artifacts/"+out["artifact-id"]) {
				t.Errorf("outputs %v", out)
			}
		})
	}

	t.Run("a name already uploaded fails unless overwrite", func(t *testing.T) {
		r := newRunner(t, t.TempDir())
		r.write("a.txt", "1")
		if _, log, ok := r.upload("art", "a.txt", nil); !ok {
			t.Fatal(log)
		}
		if _, log, ok := r.upload("art", "a.txt", nil); ok || !strings.Contains(log, "already exists") {
			t.Errorf("second upload: ok %v\n%s", ok, log)
		}
		if _, log, ok := r.upload("art", "a.txt", map[string]string{"OVERWRITE": "true"}); !ok {
			t.Errorf("overwrite: %s", log)
		}
	})
	t.Run("no files: a warning, an error or nothing", func(t *testing.T) {
		r := newRunner(t, t.TempDir())
		for mode, wantOK := range map[string]bool{"warn": true, "error": false, "ignore": true} {
			_, log, ok := r.upload("art-"+mode, "missing/", map[string]string{"IF_NO_FILES_FOUND": mode})
			if ok != wantOK || !strings.Contains(log, "No files were found") || strings.Contains(log, "::warning::") != (mode == "warn") {
				t.Errorf("%s: ok %v\n%s", mode, ok, log)
			}
		}
	})
	t.Run("archive false uploads one file under its own name", func(t *testing.T) {
		store := t.TempDir()
		r := newRunner(t, store)
		r.write("dist/tool.tar.gz", "x")
		if _, log, ok := r.upload("ignored", "dist/tool.tar.gz", map[string]string{"ARCHIVE": "false"}); !ok {
			t.Fatal(log)
		}
		if got := files(t, filepath.Join(store, "artifacts", r.runID)); strings.Join(got, " ") != "tool.tar.gz/files/tool.tar.gz tool.tar.gz/id" {
			t.Errorf("store %q", got)
		}
	})
	t.Run("exclude patterns are refused", func(t *testing.T) {
		r := newRunner(t, t.TempDir())
		r.write("a.txt", "1")
		if _, log, ok := r.upload("art", "a.txt\n!b.txt", nil); ok || !strings.Contains(log, "exclude patterns") {
			t.Errorf("ok %v\n%s", ok, log)
		}
	})
}

func TestDownloadArtifactStandIn(t *testing.T) {
	store := t.TempDir()
	up := newRunner(t, store)
	ids := map[string]string{}
	for _, w := range []string{"w-1", "w-2", "report"} {
		dir := filepath.Join(up.temp, w)
		up.write(filepath.Join(dir, "junit.xml"), w)
		up.write(filepath.Join(dir, w+".txt"), w)
		out, log, ok := up.upload(w, dir, nil)
		if !ok {
			t.Fatal(log)
		}
		ids[w] = out["artifact-id"]
	}
	tests := []struct {
		name   string
		inputs map[string]string
		want   string
		fails  string
	}{
		{name: "a name downloads into path itself", inputs: map[string]string{"NAME": "w-1", "PATH": "got"}, want: "junit.xml w-1.txt"},
		{name: "a pattern downloads each artifact into its own directory", inputs: map[string]string{"PATTERN": "w-*", "PATH": "got"}, want: "w-1/junit.xml w-1/w-1.txt w-2/junit.xml w-2/w-2.txt"},
		{name: "merge-multiple lets same-named files overwrite each other", inputs: map[string]string{"PATTERN": "w-*", "PATH": "got", "MERGE_MULTIPLE": "true"}, want: "junit.xml w-1.txt w-2.txt"},
		{name: "no name and no pattern downloads them all", inputs: map[string]string{"PATH": "got"}, want: "report/junit.xml report/report.txt w-1/junit.xml w-1/w-1.txt w-2/junit.xml w-2/w-2.txt"},
		{name: "artifact ids select", inputs: map[string]string{"ARTIFACT_IDS": "", "PATH": "got"}, want: "w-2/junit.xml w-2/w-2.txt"},
		{name: "a missing name fails", inputs: map[string]string{"NAME": "nope", "PATH": "got"}, fails: "Artifact 'nope' not found"},
		{name: "another run needs a token", inputs: map[string]string{"RUN_ID": "6000", "PATH": "got"}, fails: "needs github-token"},
		{name: "another repository is refused", inputs: map[string]string{"GITHUB_TOKEN": "t", "REPOSITORY": "other/repo", "PATH": "got"}, fails: "not other/repo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t, store)
			if _, ok := tc.inputs["ARTIFACT_IDS"]; ok {
				tc.inputs["ARTIFACT_IDS"] = ids["w-2"]
			}
			out, log, ok := r.download(tc.inputs)
			if tc.fails != "" {
				if ok || !strings.Contains(log, tc.fails) {
					t.Errorf("ok %v, want a failure %q:\n%s", ok, tc.fails, log)
				}
				return
			}
			if !ok {
				t.Fatal(log)
			}
			got := files(t, filepath.Join(r.ws, "got"))
			if strings.Join(got, " ") != tc.want {
				t.Errorf("downloaded %q, want %q", got, tc.want)
			}
			if out["download-path"] != filepath.Join(r.ws, "got") {
				t.Errorf("download-path %q", out["download-path"])
			}
			if tc.inputs["MERGE_MULTIPLE"] == "true" {
				if c := r.read("got/junit.xml"); c != "w-1" && c != "w-2" {
					t.Errorf("junit.xml holds %q", c)
				}
			}
		})
	}
	t.Run("with a token, run-id reads another run of this repository", func(t *testing.T) {
		r := newRunner(t, store)
		r.runID = "7002"
		if _, log, ok := r.download(map[string]string{"GITHUB_TOKEN": "t", "RUN_ID": "7001", "NAME": "report", "PATH": "got"}); !ok {
			t.Fatal(log)
		}
		if r.read("got/report.txt") != "report" {
			t.Errorf("got %q", files(t, filepath.Join(r.ws, "got")))
		}
	})
}

func TestSetupStandIns(t *testing.T) {
	r := newRunner(t, t.TempDir())
	t.Run("setup-go reads go-version-file and reports the host's Go", func(t *testing.T) {
		if _, err := exec.LookPath("go"); err != nil {
			t.Skip("go is not installed")
		}
		r.write("go.mod", "module x\n\ngo 1.22\n\ntoolchain go1.22.5\n")
		out, log, ok := r.step("setup-go/setup-go.sh", nil, map[string]string{"GO_VERSION": "", "GO_VERSION_FILE": "go.mod", "ARCHITECTURE": ""})
		host, _ := exec.Command("go", "env", "GOVERSION").Output()
		if !ok || out["go-version"] != strings.TrimPrefix(strings.TrimSpace(string(host)), "go") || !strings.Contains(log, "asks for 1.22.5") {
			t.Errorf("ok %v, outputs %v\n%s", ok, out, log)
		}
		if _, log, ok := r.step("setup-go/setup-go.sh", nil, map[string]string{"GO_VERSION": "", "GO_VERSION_FILE": "nope/go.mod", "ARCHITECTURE": ""}); ok || !strings.Contains(log, "does not exist") {
			t.Errorf("a missing go-version-file: ok %v\n%s", ok, log)
		}
	})
	t.Run("setup-python puts python and pip of the host's site-packages on PATH", func(t *testing.T) {
		if _, err := exec.LookPath("python3"); err != nil {
			t.Skip("python3 is not installed")
		}
		out, log, ok := r.step("setup-python/setup-python.sh", nil, map[string]string{"PYTHON_VERSION": "3.13", "PYTHON_VERSION_FILE": "", "CACHE": "", "UPDATE_ENVIRONMENT": "false", "FREETHREADED": "false"})
		if !ok {
			if strings.Contains(log, "no pip module") {
				t.Skip(log)
			}
			t.Fatal(log)
		}
		py := out["python-path"]
		if path, _ := os.ReadFile(filepath.Join(r.temp, "path")); strings.TrimSpace(string(path)) != filepath.Dir(py) {
			t.Errorf("$GITHUB_PATH %q, want %s", path, filepath.Dir(py))
		}
		if v, err := exec.Command(py, "-c", "import sys; print(sys.prefix != sys.base_prefix)").Output(); err != nil || strings.TrimSpace(string(v)) != "True" {
			t.Errorf("python-path %q is not a virtual environment: %v", py, err)
		}
		if v, err := exec.Command(filepath.Join(filepath.Dir(py), "pip"), "--version").CombinedOutput(); err != nil {
			t.Errorf("pip: %v\n%s", err, v)
		}
		if _, log, ok := r.step("setup-python/setup-python.sh", nil, map[string]string{"PYTHON_VERSION": "", "PYTHON_VERSION_FILE": "", "CACHE": "pip", "UPDATE_ENVIRONMENT": "true", "FREETHREADED": "false"}); ok || !strings.Contains(log, "does not emulate") {
			t.Errorf("cache: pip: ok %v\n%s", ok, log)
		}
	})
}
