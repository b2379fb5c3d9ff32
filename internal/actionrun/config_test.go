package actionrun

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestGoreleaserConfig checks what action.yml and release.yml rely on in
// .goreleaser.yaml: version 2, both commands for linux, darwin and windows
// on amd64 and arm64 without cgo, one archive per platform named
// xshard_<os>_<arch>.tar.gz holding both, and a sha256 checksums.txt.
// (goreleaser check validates the rest; the harness cannot run it.)
func TestGoreleaserConfig(t *testing.T) {
	path := filepath.Join(repoRoot, ".goreleaser.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := ParseYAML(path, data)
	if err != nil {
		t.Fatal(err)
	}
	if v := root.Get("version").String(); v != "2" {
		t.Errorf("version %q, want 2", v)
	}
	known := map[string]bool{"version": true, "project_name": true, "before": true, "builds": true, "archives": true, "checksum": true, "changelog": true, "release": true}
	for _, k := range root.Keys {
		if !known[k] {
			t.Errorf("unexpected top-level key %q", k)
		}
	}
	list := func(n *Node) []string {
		var out []string
		for _, it := range n.Items {
			out = append(out, it.String())
		}
		return out
	}
	var ids []string
	for _, b := range root.Get("builds").Items {
		id := b.Get("id").String()
		ids = append(ids, id)
		if main := b.Get("main").String(); main != "./cmd/"+id || b.Get("binary").String() != id {
			t.Errorf("build %q: main %q, binary %q", id, main, b.Get("binary").String())
		}
		if got := list(b.Get("goos")); !reflect.DeepEqual(got, []string{"linux", "darwin", "windows"}) {
			t.Errorf("build %q: goos %q", id, got)
		}
		if got := list(b.Get("goarch")); !reflect.DeepEqual(got, []string{"amd64", "arm64"}) {
			t.Errorf("build %q: goarch %q", id, got)
		}
		if !strings.Contains(strings.Join(list(b.Get("env")), " "), "CGO_ENABLED=0") {
			t.Errorf("build %q: cgo is not disabled", id)
		}
		if _, err := os.Stat(filepath.Join(repoRoot, "cmd", id)); err != nil {
			t.Errorf("build %q: %v", id, err)
		}
	}
	if !reflect.DeepEqual(ids, []string{"shard", "merge"}) {
		t.Errorf("builds %q, want shard and merge", ids)
	}
	arch := root.Get("archives")
	if arch == nil || len(arch.Items) != 1 {
		t.Fatal("want exactly one archive")
	}
	a := arch.Items[0]
	if got := list(a.Get("ids")); !reflect.DeepEqual(got, []string{"shard", "merge"}) {
		t.Errorf("archive ids %q", got)
	}
	if got := list(a.Get("formats")); !reflect.DeepEqual(got, []string{"tar.gz"}) {
		t.Errorf("archive formats %q, want [tar.gz] (the action extracts with tar -xzf)", got)
	}
	if got := a.Get("name_template").String(); got != "xshard_{{ .Os }}_{{ .Arch }}" {
		t.Errorf("archive name_template %q: action.yml downloads xshard_<os>_<arch>.tar.gz", got)
	}
	if a.Get("format_overrides") != nil {
		t.Error("format_overrides would give Windows another asset name than the action expects")
	}
	c := root.Get("checksum")
	if c.Get("name_template").String() != "checksums.txt" || c.Get("algorithm").String() != "sha256" {
		t.Errorf("checksum %q %q, want checksums.txt with sha256", c.Get("name_template").String(), c.Get("algorithm").String())
	}
	// The action asks for exactly these names.
	act, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"xshard_${{ steps.prep.outputs.goos }}_${{ steps.prep.outputs.goarch }}.tar.gz", "-p checksums.txt"} {
		if !strings.Contains(string(act), s) {
			t.Errorf("action.yml does not ask for %q", s)
		}
	}
}

func TestParseYAML(t *testing.T) {
	src := `# comment
name: x # trailing
list: [a, 'b c', "d"]
map: {k: v, q: 'r'}
steps:
  - id: one
    run: |
      echo "a: b"  # kept

      echo done
  - uses: o/r@sha # v1
    with:
      key: 'it''s'
top:
- plain
- "esc\n"
strip: |-
  no newline
`
	root, err := ParseYAML("t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	steps := root.Get("steps").Items
	for _, c := range []struct{ name, got, want string }{
		{"a plain scalar drops its comment", root.Get("name").String(), "x"},
		{"flow sequences hold scalars", root.Get("list").Items[1].String(), "b c"},
		{"flow mappings hold scalars", root.Get("map").Get("q").String(), "r"},
		{"a literal block keeps its text and one final newline", steps[0].Get("run").String(), "echo \"a: b\"  # kept\n\necho done\n"},
		{"a uses line drops the version comment", steps[1].Get("uses").String(), "o/r@sha"},
		{"'' is a quote in single quotes", steps[1].Get("with").Get("key").String(), "it's"},
		{"a sequence may sit at its key's indentation", root.Get("top").Items[0].String(), "plain"},
		{"double quotes escape", root.Get("top").Items[1].String(), "esc\n"},
		{"|- strips the final newline", root.Get("strip").String(), "no newline"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	for _, c := range []struct{ name, src, err string }{
		{"duplicate keys are an error", "a: 1\na: 2\n", `t.yml:2: duplicate key "a"`},
		{"folded scalars are outside the subset", "a: >\n  x\n", "t.yml:1: folded scalars"},
		{"anchors are outside the subset", "a: &x 1\n", "t.yml:1: anchors"},
		{"a plain scalar with a colon must be quoted", "a: b: c\n", `t.yml:1: plain scalar "b: c"`},
		{"bad indentation is an error", "a:\n    b: 1\n  c: 2\n", "t.yml:3:"},
	} {
		_, err := ParseYAML("t.yml", []byte(c.src))
		if err == nil || !strings.HasPrefix(err.Error(), c.err) {
			t.Errorf("%s: err %v, want prefix %q", c.name, err, c.err)
		}
	}
}

func TestExpressions(t *testing.T) {
	ctx := &Context{Values: map[string]any{
		"inputs":   map[string]any{"command": "shard", "empty": ""},
		"steps":    map[string]any{"a": map[string]any{"outputs": map[string]any{"hit": "true", "n": "0"}}},
		"strategy": map[string]any{"job-index": float64(2), "job-total": float64(4)},
		"github":   map[string]any{"run_id": "9"},
	}}
	for _, c := range []struct{ expr, want string }{
		{"inputs.command == 'shard'", "true"},
		{"inputs.command == 'SHARD'", "true"}, // strings compare ignoring case
		{"inputs.empty || 'default'", "default"},
		{"steps.a.outputs.hit != 'true'", "false"},
		{"steps.missing.outputs.x", ""},
		{"steps.a.outputs.n == 0", "true"}, // '0' converts to a number
		{"strategy.job-total", "4"},
		{"github['run_id']", "9"},
		{"!inputs.empty && startsWith(inputs.command, 'sh')", "true"},
		{"format('{0}-{1}', github.run_id, strategy.job-index)", "9-2"},
	} {
		v, err := ctx.Eval(c.expr)
		if err != nil || toString(v) != c.want {
			t.Errorf("%s = %q, %v; want %q", c.expr, toString(v), err, c.want)
		}
	}
	for _, c := range []struct {
		cond   string
		failed bool
		want   bool
	}{
		{"", false, true},
		{"", true, false},
		{"inputs.command == 'shard'", true, false}, // implicit success() &&
		{"always()", true, true},
		{"${{ failure() }}", true, true},
	} {
		ctx.Failed = c.failed
		got, err := ctx.Condition(c.cond)
		if err != nil || got != c.want {
			t.Errorf("if %q (failed %v) = %v, %v; want %v", c.cond, c.failed, got, err, c.want)
		}
	}
	s, err := ctx.Interpolate("key-${{ github.run_id }}-${{ strategy.job-index }}")
	if err != nil || s != "key-9-2" {
		t.Errorf("Interpolate = %q, %v", s, err)
	}
}
