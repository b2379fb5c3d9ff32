package actionrules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// goreleaser is the part of .goreleaser.yaml that action.yml and
// release.yml rely on.
type goreleaser struct {
	Version int `yaml:"version"`
	Builds  []struct {
		ID     string   `yaml:"id"`
		Main   string   `yaml:"main"`
		Binary string   `yaml:"binary"`
		Env    []string `yaml:"env"`
		Goos   []string `yaml:"goos"`
		Goarch []string `yaml:"goarch"`
	} `yaml:"builds"`
	Archives []struct {
		IDs             []string `yaml:"ids"`
		Formats         []string `yaml:"formats"`
		NameTemplate    string   `yaml:"name_template"`
		FormatOverrides any      `yaml:"format_overrides"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
		Algorithm    string `yaml:"algorithm"`
	} `yaml:"checksum"`
}

// TestGoreleaserConfig checks what action.yml and release.yml rely on in
// .goreleaser.yaml: version 2, both commands for linux, darwin and windows
// on amd64 and arm64 without cgo, one archive per platform named
// xshard_<os>_<arch>.tar.gz holding both, and a sha256 checksums.txt.
// (goreleaser check validates the rest; it cannot run offline.)
func TestGoreleaserConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := yaml.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	known := []string{"version", "project_name", "before", "builds", "archives", "checksum", "changelog", "release"}
	for k := range top {
		if !slices.Contains(known, k) {
			t.Errorf("unexpected top-level key %q", k)
		}
	}
	var g goreleaser
	if err := yaml.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	if g.Version != 2 {
		t.Errorf("version %d, want 2", g.Version)
	}
	var ids []string
	for _, b := range g.Builds {
		ids = append(ids, b.ID)
		if b.Main != "./cmd/"+b.ID || b.Binary != b.ID {
			t.Errorf("build %q: main %q, binary %q", b.ID, b.Main, b.Binary)
		}
		if !slices.Equal(b.Goos, []string{"linux", "darwin", "windows"}) {
			t.Errorf("build %q: goos %q", b.ID, b.Goos)
		}
		if !slices.Equal(b.Goarch, []string{"amd64", "arm64"}) {
			t.Errorf("build %q: goarch %q", b.ID, b.Goarch)
		}
		if !slices.Contains(b.Env, "CGO_ENABLED=0") {
			t.Errorf("build %q: cgo is not disabled", b.ID)
		}
		if _, err := os.Stat(filepath.Join(repoRoot, "cmd", b.ID)); err != nil {
			t.Errorf("build %q: %v", b.ID, err)
		}
	}
	if !slices.Equal(ids, []string{"shard", "merge"}) {
		t.Errorf("builds %q, want shard and merge", ids)
	}
	if len(g.Archives) != 1 {
		t.Fatalf("%d archives, want exactly one", len(g.Archives))
	}
	a := g.Archives[0]
	if !slices.Equal(a.IDs, []string{"shard", "merge"}) {
		t.Errorf("archive ids %q", a.IDs)
	}
	if !slices.Equal(a.Formats, []string{"tar.gz"}) {
		t.Errorf("archive formats %q, want [tar.gz] (the action extracts with tar -xzf)", a.Formats)
	}
	if a.NameTemplate != "xshard_{{ .Os }}_{{ .Arch }}" {
		t.Errorf("archive name_template %q: action.yml downloads xshard_<os>_<arch>.tar.gz", a.NameTemplate)
	}
	if a.FormatOverrides != nil {
		t.Error("format_overrides would give Windows another asset name than the action expects")
	}
	if g.Checksum.NameTemplate != "checksums.txt" || g.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum %q %q, want checksums.txt with sha256", g.Checksum.NameTemplate, g.Checksum.Algorithm)
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
