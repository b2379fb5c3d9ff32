package acttest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeGH is a stand-in for the gh CLI: it serves what the action asks of
// GitHub's API and releases from files under $FAKE_GH, and logs its calls.
const fakeGH = `#!/usr/bin/env bash
echo "gh $*" >>"$FAKE_GH/calls"
case $1 in
api)
  case $2 in
  repos/*/commits/*) cat "$FAKE_GH/commits/${2##*/}" 2>/dev/null || exit 1 ;;
  repos/*/tags*) cat "$FAKE_GH/tags" 2>/dev/null || exit 1 ;;
  *) exit 1 ;;
  esac
  ;;
release)
  tag=$3
  shift 3
  dir=.
  pats=()
  while [ $# -gt 0 ]; do
    case $1 in
    -p) pats+=("$2"); shift 2 ;;
    -D) dir=$2; shift 2 ;;
    *) shift ;;
    esac
  done
  for p in "${pats[@]}"; do cp "$FAKE_GH/releases/$tag/$p" "$dir/" 2>/dev/null || exit 1; done
  ;;
*) exit 1 ;;
esac
`

const releaseWorkflow = `name: release-download
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
      - uses: xshard/xshard@v1
        id: shard
        with:
          command: shard
          go: ./...
          workers: "2"
          worker: "1"
`

// TestActionDownloadsVerifiedRelease runs the action at the moving tag v1
// with no binary in the cache and no Go source to build from: it resolves
// v1 to the release v1.2.3 through gh, downloads the asset with
// checksums.txt, checks the sha256 and runs that binary. A tampered asset
// fails the step instead.
func TestActionDownloadsVerifiedRelease(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("no release asset for this platform")
	}
	s := seed(t)
	gh := t.TempDir()
	bin := filepath.Join(gh, "bin")
	rel := filepath.Join(gh, "releases", "v1.2.3")
	for _, d := range []string{bin, rel, filepath.Join(gh, "commits")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, content string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(bin, "gh"), fakeGH, 0o755)
	// The moving tag v1 is the commit of v1.2.3.
	write(filepath.Join(gh, "commits", "v1"), "abc123\n", 0o644)
	write(filepath.Join(gh, "tags"), "v1\nv1.2.3\n", 0o644)
	// The asset as GoReleaser makes it: both binaries, the seed's build.
	asset := fmt.Sprintf("xshard_%s_%s.tar.gz", runtime.GOOS, runtime.GOARCH)
	data := tarGz(t, s.bin, "shard", "merge")
	write(filepath.Join(rel, asset), string(data), 0o644)
	sum := sha256.Sum256(data)
	write(filepath.Join(rel, "checksums.txt"), hex.EncodeToString(sum[:])+"  "+asset+"\n"+strings.Repeat("0", 64)+"  xshard_other_arch.tar.gz\n", 0o644)

	// The action without its Go packages: only the release can give the
	// binary.
	action := t.TempDir()
	for _, f := range []string{"action.yml", "go.mod", "go.sum", "cmd/shard/main.go"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(action, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := copyFile(filepath.Join(repoRoot, f), filepath.Join(action, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// act drops empty directories; the action's hash lists internal.
	if err := os.MkdirAll(filepath.Join(action, "internal"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(action, "internal", "README"), "the packages are left out\n", 0o644)
	run := Run{
		Workflow: writeInline(t, releaseWorkflow),
		Source:   "examples/go",
		Action:   action,
		Unseeded: true,
		Path:     []string{bin},
		Env:      map[string]string{"FAKE_GH": gh},
	}

	t.Run("verified", func(t *testing.T) {
		res := run.Run(t)
		j := res.Job("test")
		if res.Code != 0 || j == nil || j.Result != "success" {
			t.Fatalf("act exited %d; job %v", res.Code, j)
		}
		if w := j.Output("shard", "worker"); w != "gw1" {
			t.Errorf("shard worker %q, want gw1", w)
		}
		if !j.Logged("xshard v1.2.3 from xshard/xshard, sha256 " + hex.EncodeToString(sum[:]) + " verified") {
			t.Errorf("the binary did not come from the release")
		}
		if j.Logged("built xshard from") {
			t.Errorf("the action built the binary although the release had it")
		}
		calls, _ := os.ReadFile(filepath.Join(gh, "calls"))
		for _, want := range []string{"gh api repos/xshard/xshard/commits/v1", "gh release download v1.2.3 -R xshard/xshard -p " + asset + " -p checksums.txt"} {
			if !strings.Contains(string(calls), want) {
				t.Errorf("gh was not called with %q; calls:\n%s", want, calls)
			}
		}
		// The downloaded binary is cached for the next jobs.
		if key := j.Output("shard/prep", "bin-key"); !contains(CacheKeys(res.Store), key) {
			t.Errorf("binary not cached under %q: %q", key, CacheKeys(res.Store))
		}
	})

	t.Run("tampered", func(t *testing.T) {
		write(filepath.Join(rel, asset), string(append(append([]byte{}, data...), 0)), 0o644)
		res := run.Run(t)
		j := res.Job("test")
		if res.Code == 0 || j == nil || j.Result != "failure" {
			t.Fatalf("act exited %d with a tampered asset; job %v", res.Code, j)
		}
		if !j.Annotated("error", "checksum mismatch for "+asset+" of release v1.2.3") {
			t.Errorf("no checksum error annotation: %v", j.Annotations)
		}
		if j.Output("shard", "worker") != "" {
			t.Errorf("shard ran with a tampered binary")
		}
	})
}

func tarGz(t *testing.T, dir string, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o755, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
