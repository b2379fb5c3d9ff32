package actionrules

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// repoRoot is the repository's root, where action.yml lives.
var repoRoot = func() string {
	p, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return p
}()

// A file is a parsed workflow or action.
type file struct {
	rel  string // relative to the repository root
	root *yaml.Node
}

func load(t *testing.T, rel string) file {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, rel))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("%s: not a mapping", rel)
	}
	return file{rel: rel, root: doc.Content[0]}
}

func glob(t *testing.T, patterns ...string) []file {
	t.Helper()
	var out []file
	for _, p := range patterns {
		m, err := filepath.Glob(filepath.Join(repoRoot, p))
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(m)
		for _, f := range m {
			rel, _ := filepath.Rel(repoRoot, f)
			out = append(out, load(t, rel))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no files match %q", patterns)
	}
	return out
}

func workflows(t *testing.T) []file {
	return glob(t, ".github/workflows/*.yml", "examples/workflows/*.yml")
}

func action(t *testing.T) file { return load(t, "action.yml") }

// get returns the value of key in mapping m, or nil.
func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// keys returns the keys of mapping m, in order.
func keys(m *yaml.Node) []*yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i])
	}
	return out
}

// A step is one step of a job or of an action.
type step struct {
	node *yaml.Node
	job  string // the job's id; "" in an action
}

func (s step) get(key string) string {
	if v := get(s.node, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// label names the step in messages.
func (s step) label() string {
	for _, k := range []string{"name", "id", "uses"} {
		if v := s.get(k); v != "" {
			return v
		}
	}
	return "line " + fmt.Sprint(s.node.Line)
}

// steps returns the steps of a workflow's jobs or of an action's runs.
func (f file) steps() []step {
	var out []step
	add := func(job string, steps *yaml.Node) {
		if steps == nil {
			return
		}
		for _, s := range steps.Content {
			out = append(out, step{node: s, job: job})
		}
	}
	add("", get(get(f.root, "runs"), "steps"))
	jobs := get(f.root, "jobs")
	for i, k := range keys(jobs) {
		add(k.Value, get(jobs.Content[2*i+1], "steps"))
	}
	return out
}

// TestNoExpressionInRunScripts: every value reaches a run: script through
// env:, never spliced into its text, where an input, a test name or a
// branch name could inject shell code.
func TestNoExpressionInRunScripts(t *testing.T) {
	files := append(append([]file{action(t)}, workflows(t)...), glob(t, "internal/acttest/testdata/standins/*/action.yml", "internal/acttest/testdata/standins/*/*/action.yml")...)
	runs := 0
	for _, f := range files {
		for _, s := range f.steps() {
			run := get(s.node, "run")
			if run == nil {
				continue
			}
			runs++
			if strings.Contains(run.Value, "${{") {
				t.Errorf("%s:%d: step %q has ${{ in its run: script; pass the value through env:", f.rel, run.Line, s.label())
			}
		}
	}
	if runs == 0 {
		t.Fatal("no run: steps found")
	}
}

var pinned = regexp.MustCompile(`^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$`)
var versionComment = regexp.MustCompile(`^# v\d+\.\d+\.\d+$`)

// TestActionsPinnedBySHA: every third-party action in action.yml and the
// workflows is pinned by full commit SHA (a tag can be moved), with its
// version in a comment; the action itself (./, xshard/xshard@) is what
// users pin.
func TestActionsPinnedBySHA(t *testing.T) {
	for _, f := range append([]file{action(t)}, workflows(t)...) {
		for _, s := range f.steps() {
			u := get(s.node, "uses")
			if u == nil || strings.HasPrefix(u.Value, "./") || strings.HasPrefix(u.Value, "xshard/xshard@") {
				continue
			}
			if !pinned.MatchString(u.Value) || !versionComment.MatchString(u.LineComment) {
				t.Errorf("%s:%d: %q %q is not pinned as owner/repo@<40-hex SHA> # vX.Y.Z", f.rel, u.Line, u.Value, u.LineComment)
			}
		}
	}
}

// section returns the text of docs/action.md under the heading "## name",
// up to the next heading of that level.
func section(t *testing.T, doc, name string) string {
	t.Helper()
	start := strings.Index(doc, "\n## "+name+"\n")
	if start < 0 {
		t.Fatalf("docs/action.md has no section %q", name)
	}
	rest := doc[start+1:]
	if end := strings.Index(rest[3:], "\n## "); end >= 0 {
		rest = rest[:end+3]
	}
	return rest
}

// TestActionInputsAndOutputsDocumented: every input of action.yml is in
// docs/action.md's Inputs section and every output in its Outputs
// section, as `name`.
func TestActionInputsAndOutputsDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "docs", "action.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	a := action(t)
	for _, kind := range []string{"inputs", "outputs"} {
		text := section(t, doc, strings.ToUpper(kind[:1])+kind[1:])
		names := keys(get(a.root, kind))
		if len(names) == 0 {
			t.Fatalf("action.yml has no %s", kind)
		}
		for _, k := range names {
			if !strings.Contains(text, "`"+k.Value+"`") {
				t.Errorf("action.yml:%d: %s %q is not documented in docs/action.md's %s section", k.Line, kind[:len(kind)-1], k.Value, kind)
			}
		}
	}
}

// TestWorkflowsUseExistingInputs: every with: given to this action in a
// workflow or example names an input of action.yml (GitHub only warns).
func TestWorkflowsUseExistingInputs(t *testing.T) {
	inputs := map[string]bool{}
	for _, k := range keys(get(action(t).root, "inputs")) {
		inputs[k.Value] = true
	}
	seen := 0
	for _, f := range workflows(t) {
		for _, s := range f.steps() {
			u := s.get("uses")
			if u != "./" && !strings.HasPrefix(u, "xshard/xshard@") {
				continue
			}
			seen++
			for _, k := range keys(get(s.node, "with")) {
				if !inputs[k.Value] {
					t.Errorf("%s:%d: input %q is not in action.yml", f.rel, k.Line, k.Value)
				}
			}
		}
	}
	if seen == 0 {
		t.Error("no workflow uses the action")
	}
}

// TestShellcheckActionScripts runs shellcheck on every run: script of
// action.yml. Skipped without shellcheck unless XSHARD_REQUIRE_SHELLCHECK=1
// (scripts/lint-actions.sh sets it).
func TestShellcheckActionScripts(t *testing.T) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		if os.Getenv("XSHARD_REQUIRE_SHELLCHECK") == "1" {
			t.Fatal("shellcheck is not installed")
		}
		t.Skip("shellcheck is not installed")
	}
	a := action(t)
	for _, s := range a.steps() {
		run := get(s.node, "run")
		if run == nil {
			continue
		}
		cmd := exec.Command("shellcheck", "--shell=bash", "--format=gcc", "-")
		cmd.Stdin = strings.NewReader(run.Value)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("action.yml:%d: step %q: shellcheck:\n%s", run.Line, s.label(), out)
		}
	}
}

// TestActionHeaderRules: action.yml's header states the rules these tests
// enforce, and no rule of a parser that is gone.
func TestActionHeaderRules(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	header := ""
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(l, "#") {
			break
		}
		header += l + "\n"
	}
	if strings.Contains(header, "subset") || strings.Contains(header, "actionrun") {
		t.Errorf("action.yml's header still limits the file to a YAML subset:\n%s", header)
	}
	if !strings.Contains(header, "internal/actionrules") {
		t.Errorf("action.yml's header does not say which tests enforce its rules:\n%s", header)
	}
}
