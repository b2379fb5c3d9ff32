package atomicfile

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// deadPID returns the pid of a process that has run and exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestRemoveStale(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("pids and symbolic links differ on Windows")
	}
	dead, live, self := deadPID(t), os.Getppid(), os.Getpid()
	dir := t.TempDir()
	files := map[string]bool{ // name: removed
		fmt.Sprintf(".junit.xml.xshard-tmp-%d-123", dead): true,  // a merge killed outright
		fmt.Sprintf(".report.html.xshard-tmp-%d-9", self): true,  // this pid, but not being written: a process before
		fmt.Sprintf(".summary.md.xshard-tmp-%d-42", live): false, // a merge still running
		"junit.xml":          false,
		".junit.xml.tmp-123": false, // a user's file, or another tool's
		fmt.Sprintf("junit.xml.xshard-tmp-%d-1", dead):   false, // not hidden: not ours
		fmt.Sprintf(".junit.xml.xshard-tmp-%d-1a", dead): false,
		fmt.Sprintf(".junit.xml.xshard-tmp-x%d-1", dead): false,
		fmt.Sprintf(".xshard-tmp-%d-1", dead):            false,
		fmt.Sprintf(".a.xshard-tmp-%d-1.bak", dead):      false,
		fmt.Sprintf(".a.xshard-tmp-99999999999-1"):       false, // no such pid: not a name we make
	}
	for name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	staleDir := fmt.Sprintf(".gotest.xshard-tmp-%d-7", dead)
	if err := os.MkdirAll(filepath.Join(dir, staleDir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, staleDir, "sub", "0001.xml"), []byte("x"), 0o644)
	files[staleDir] = true
	link := fmt.Sprintf(".link.xshard-tmp-%d-5", dead)
	if err := os.Symlink("junit.xml", filepath.Join(dir, link)); err != nil {
		t.Fatal(err)
	}
	files[link] = false // not something Write or TempDir makes
	below := filepath.Join(dir, "sub", fmt.Sprintf(".x.xshard-tmp-%d-1", dead))
	os.MkdirAll(filepath.Dir(below), 0o755)
	os.WriteFile(below, []byte("x"), 0o644)
	files["sub"] = false // nothing below dir is looked at

	removed, err := RemoveStale(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{staleDir, fmt.Sprintf(".junit.xml.xshard-tmp-%d-123", dead), fmt.Sprintf(".report.html.xshard-tmp-%d-9", self)}
	if diff := cmp.Diff(want, removed); diff != "" {
		t.Errorf("RemoveStale (-want +got):\n%s", diff)
	}
	for name, gone := range files {
		_, err := os.Lstat(filepath.Join(dir, name))
		if exists := err == nil; exists == gone {
			t.Errorf("%s: exists %v, want %v", name, exists, !gone)
		}
	}
	if _, err := os.Stat(below); err != nil {
		t.Errorf("a file below the directory was removed: %v", err)
	}
}

// TestRemoveStaleKeepsWhatThisProcessWrites: the temporary file of a Write
// in progress in this process survives a RemoveStale of its directory.
func TestRemoveStaleKeepsWhatThisProcessWrites(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	dir = "."
	var during []string
	err := Write(filepath.Join(dir, "out.txt"), func(w io.Writer) error {
		var err error
		// The directory spelt another way than Write's.
		if during, err = RemoveStale(dir + string(filepath.Separator) + "."); err != nil {
			return err
		}
		_, err = io.WriteString(w, "whole")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(during) != 0 {
		t.Errorf("RemoveStale removed %q, a file being written", during)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "out.txt")); err != nil || string(b) != "whole" {
		t.Errorf("out.txt = %q, %v", b, err)
	}
	tmp, err := TempDir(dir, "work")
	if err != nil {
		t.Fatal(err)
	}
	if removed, _ := RemoveStale(dir); len(removed) != 0 {
		t.Errorf("RemoveStale removed %q, a directory in use", removed)
	}
	if err := RemoveTempDir(tmp); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left in the directory: %v", entries)
	}
}
