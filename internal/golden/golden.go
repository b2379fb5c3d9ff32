// Package golden holds what the format packages' tests share: comparing
// output with a golden file (rewritten with -update), merging fixture
// directories in every order, and checking an expected error. Only tests
// import it.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Compare checks got against the golden file at path, writing got there
// first when update is set.
func Compare(t *testing.T, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// MergeFixtures runs merge on the files matching pattern (such as
// "*.info") in each directory under testdata/merge, compares the result
// with the directory's merged.golden, and checks that every rotation of
// the input order gives the same bytes. check, when not nil, is called for
// each rotation with the golden bytes, for more ways of merging.
func MergeFixtures(t *testing.T, pattern string, update bool, merge func(t *testing.T, names ...string) []byte, check func(t *testing.T, order []string, want []byte)) {
	t.Helper()
	dirs, _ := filepath.Glob("testdata/merge/*")
	if len(dirs) == 0 {
		t.Fatal("no fixtures in testdata/merge")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			inputs, _ := filepath.Glob(filepath.Join(dir, pattern))
			golden := filepath.Join(dir, "merged.golden")
			Compare(t, golden, merge(t, inputs...), update)
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			for r := range len(inputs) {
				order := append(append([]string{}, inputs[r:]...), inputs[:r]...)
				if got := merge(t, order...); !bytes.Equal(got, want) {
					t.Errorf("merging %q gave different bytes:\n%s", order, got)
				}
				if check != nil {
					check(t, order, want)
				}
			}
		})
	}
}

// CheckErr fails t unless err matches expectErr: nil for "", else an error
// containing it.
func CheckErr(t *testing.T, err error, expectErr string) {
	t.Helper()
	switch {
	case expectErr == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case expectErr != "" && err == nil:
		t.Fatalf("no error, want one containing %q", expectErr)
	case expectErr != "" && !strings.Contains(err.Error(), expectErr):
		t.Fatalf("error %q does not contain %q", err, expectErr)
	}
}
