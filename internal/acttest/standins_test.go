package acttest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// standIns maps each third-party action that the workflows run under act
// pin, at exactly the pinned commit, to its stand-in: a directory under
// testdata/standins that act reads instead of cloning the action
// (--local-repository owner/repo@sha=dir). A sub-action (actions/cache/restore)
// is the subdirectory of that name. actions/checkout needs none: act
// copies the repository being run.
var standIns = map[string]string{
	"actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae":             "cache",
	"actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c": "download-artifact",
	"actions/setup-go@b7ad1dad31e06c5925ef5d2fc7ad053ef454303e":          "setup-go",
	"actions/setup-node@820762786026740c76f36085b0efc47a31fe5020":        "setup-node",
	"actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97":      "setup-python",
	"actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f":   "upload-artifact",
}

var standInDir = func() string {
	p, err := filepath.Abs(filepath.Join("testdata", "standins"))
	if err != nil {
		panic(err)
	}
	return p
}()

// actFiles are the files whose steps run under act: the example
// workflows, the project's ci.yml and the action itself. (release.yml
// runs GoReleaser and attests on a tag push; docs/act.md says why it is
// not run here.)
func actFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "examples", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example workflows: %v", err)
	}
	return append(files, filepath.Join(repoRoot, ".github", "workflows", "ci.yml"), filepath.Join(repoRoot, "action.yml"))
}

// A use is one uses: step: where it is, what it names, the inputs it
// gives, and the job (or action) it belongs to.
type use struct {
	file  string
	line  int
	uses  string
	with  []string
	scope *yaml.Node // the job, or the action's runs
	id    string
}

// usesOf returns the uses: steps of a workflow or an action.
func usesOf(t *testing.T, path string) []use {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	root := doc.Content[0]
	var scopes []*yaml.Node
	if runs := get(root, "runs"); runs != nil {
		scopes = append(scopes, runs)
	}
	if jobs := get(root, "jobs"); jobs != nil {
		for i := 1; i < len(jobs.Content); i += 2 {
			scopes = append(scopes, jobs.Content[i])
		}
	}
	var out []use
	for _, scope := range scopes {
		steps := get(scope, "steps")
		if steps == nil {
			continue
		}
		for _, s := range steps.Content {
			u := get(s, "uses")
			if u == nil {
				continue
			}
			x := use{file: path, line: u.Line, uses: u.Value, scope: scope, id: scalar(get(s, "id"))}
			if with := get(s, "with"); with != nil {
				for i := 0; i < len(with.Content); i += 2 {
					x.with = append(x.with, with.Content[i].Value)
				}
			}
			out = append(out, x)
		}
	}
	return out
}

// splitUses splits owner/repo[/path]@ref.
func splitUses(uses string) (repo, sub, ref string) {
	name, ref, _ := strings.Cut(uses, "@")
	parts := strings.SplitN(name, "/", 3)
	if len(parts) < 2 {
		return name, "", ref
	}
	repo = parts[0] + "/" + parts[1]
	if len(parts) == 3 {
		sub = parts[2]
	}
	return repo, sub, ref
}

// actionDef is what an action.yml declares.
type actionDef struct {
	inputs, outputs map[string]bool
	header          string
}

func readActionDef(path string) (actionDef, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return actionDef{}, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return actionDef{}, fmt.Errorf("%s: %v", path, err)
	}
	d := actionDef{inputs: map[string]bool{}, outputs: map[string]bool{}}
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(l, "#") {
			break
		}
		d.header += l + "\n"
	}
	for key, m := range map[string]map[string]bool{"inputs": d.inputs, "outputs": d.outputs} {
		n := get(doc.Content[0], key)
		if n == nil {
			continue
		}
		for i := 0; i < len(n.Content); i += 2 {
			m[n.Content[i].Value] = true
		}
	}
	return d, nil
}

var outputRef = regexp.MustCompile(`steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)

// TestEveryPinnedActionHasAStandIn: every third-party action that a
// workflow run under act pins has a stand-in at exactly that commit,
// which takes every input the workflow gives it and declares every
// output the workflow reads; every stand-in is still pinned somewhere.
func TestEveryPinnedActionHasAStandIn(t *testing.T) {
	used := map[string]bool{}
	checked := map[string]bool{}
	for _, f := range actFiles(t) {
		rel, _ := filepath.Rel(repoRoot, f)
		byID := map[*yaml.Node]map[string]actionDef{}
		for _, u := range usesOf(t, f) {
			switch {
			case isXshard(u.uses), strings.HasPrefix(u.uses, "docker://"):
				continue
			case strings.HasPrefix(u.uses, "actions/checkout@"):
				for _, w := range u.with {
					if w == "repository" {
						t.Errorf("%s:%d: checkout of another repository needs the network, which the act runs do not have", rel, u.line)
					}
				}
				continue
			}
			repo, sub, ref := splitUses(u.uses)
			pin := repo + "@" + ref
			dir, ok := standIns[pin]
			if !ok {
				t.Errorf("%s:%d: %s has no stand-in at that commit: add one under internal/acttest/testdata/standins and to standIns (docs/act.md)", rel, u.line, u.uses)
				continue
			}
			used[pin] = true
			def, err := readActionDef(filepath.Join(standInDir, dir, sub, "action.yml"))
			if err != nil {
				t.Errorf("%s:%d: %s: stand-in: %v", rel, u.line, u.uses, err)
				continue
			}
			if !checked[dir+sub] && !strings.Contains(def.header, ref) {
				t.Errorf("stand-in %s: its header does not name the commit it stands for, %s", filepath.Join(dir, sub), ref)
			}
			checked[dir+sub] = true
			for _, w := range u.with {
				if !def.inputs[w] {
					t.Errorf("%s:%d: %s is given input %q, which its stand-in does not take", rel, u.line, u.uses, w)
				}
			}
			if u.id != "" {
				if byID[u.scope] == nil {
					byID[u.scope] = map[string]actionDef{}
				}
				byID[u.scope][u.id] = def
			}
		}
		// Outputs read from a stand-in's step, in the same job.
		for scope, ids := range byID {
			for _, ref := range outputRef.FindAllStringSubmatch(textOf(scope), -1) {
				if def, ok := ids[ref[1]]; ok && !def.outputs[ref[2]] {
					t.Errorf("%s: steps.%s.outputs.%s is read, but the stand-in of that step has no output %q", rel, ref[1], ref[2], ref[2])
				}
			}
		}
	}
	for _, pin := range sortedKeys(standIns) {
		if !used[pin] {
			t.Errorf("stand-in %s: no workflow pins %s any more; move it to the new pin or remove it", standIns[pin], pin)
		}
	}
}

// textOf concatenates the scalars under n.
func textOf(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			b.WriteString(n.Value)
			b.WriteByte('\n')
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// The seed run: the action, run once per test process in a store of its
// own, finds no binary, builds shard and merge from source and saves them
// with actions/cache/save under the key it computes. Every other run's
// store starts with a copy of that entry, so its jobs restore the binary
// as a GitHub job restores what an earlier job saved: built once per test
// run, taken through the product's own cache step, with no path in the
// product for tests.
type seeded struct {
	store string  // the store holding the binary's entry
	bin   string  // the binaries, copied out by the seed workflow
	res   *Result // the seed run
	err   error
}

var (
	seedOnce sync.Once
	theSeed  seeded
)

const seedWorkflow = `name: seed
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: xshard/xshard@v1
        id: xshard
        with:
          command: shard
          tests: seed
          workers: "1"
          worker: "0"
          timings-cache: "false"
      - name: Keep the binaries for the release test
        env:
          BIN: ${{ steps.xshard.outputs.bin-dir }}
        run: cp "$BIN/shard" "$BIN/merge" "$SEED_OUT/"
`

func seed(t *testing.T) seeded {
	t.Helper()
	act := needAct(t)
	seedOnce.Do(func() {
		dir := filepath.Join(scratch, "seed")
		s := seeded{store: filepath.Join(dir, "store"), bin: filepath.Join(dir, "bin")}
		defer func() { theSeed = s }()
		action, err := actionCopyOnce()
		if err != nil {
			s.err = err
			return
		}
		wf := filepath.Join(dir, "seed.yml")
		if err := os.MkdirAll(s.bin, 0o755); err != nil {
			s.err = err
			return
		}
		if err := os.WriteFile(wf, []byte(seedWorkflow), 0o644); err != nil {
			s.err = err
			return
		}
		run := Run{Workflow: wf, Store: s.store, Action: action, Env: map[string]string{"SEED_OUT": s.bin}}
		s.res, s.err = run.execute(context.Background(), act, filepath.Join(dir, "run"), nil)
		if s.err == nil && s.res.Code != 0 {
			s.err = fmt.Errorf("the seed run failed (exit %d):\n%s", s.res.Code, s.res.FailedLog(200))
		}
	})
	if theSeed.err != nil {
		t.Fatalf("seed run: %v", theSeed.err)
	}
	return theSeed
}

// TestSeedBuildsAndCachesTheBinary: in a store without the binary, the
// action builds it from its source and saves it under the key it
// computes; that entry is what the other runs restore.
func TestSeedBuildsAndCachesTheBinary(t *testing.T) {
	s := seed(t)
	t.Logf("seed run %d: exit %d in %v, %v of CPU", s.res.RunID, s.res.Code, s.res.Duration.Round(time.Millisecond), s.res.CPU.Round(time.Millisecond))
	j := s.res.Job("build")
	if j == nil || j.Result != "success" {
		t.Fatalf("seed job: %+v", j)
	}
	key := j.Output("xshard/prep", "bin-key")
	if !strings.HasPrefix(key, "xshard-bin-") {
		t.Fatalf("bin-key %q", key)
	}
	if hit := j.Output("xshard/bin-cache", "cache-hit"); hit == "true" {
		t.Errorf("the seed found a binary in an empty cache (cache-hit %q)", hit)
	}
	if !j.Logged("built xshard from ") || !j.Logged("Cache saved with key: "+key) {
		t.Errorf("the action did not build the binary and save it under %s", key)
	}
	if got := CacheKeys(s.store); len(got) != 1 || got[0] != key {
		t.Errorf("seed store keys %q, want [%s]", got, key)
	}
	for _, b := range []string{"shard", "merge"} {
		if info, err := os.Stat(filepath.Join(s.bin, b)); err != nil || info.Mode()&0o111 == 0 {
			t.Errorf("binary %s: %v", b, err)
		}
	}
}
