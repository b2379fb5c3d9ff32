// Package atomicfile writes files so that readers see either the old
// content or the new, never a half-written file: data goes to a temporary
// file in the same directory, which is synced and then renamed over the
// destination.
//
// A process killed outright (SIGKILL, a runner shut down) cannot remove
// its temporary files, so their names say whose they are:
// ".<name>.xshard-tmp-<pid>-<random>", and RemoveStale removes those of
// processes that no longer run. Nothing else is ever removed: not a
// user's file, whatever its name, nor the temporary files of a merge
// still running in the same directory.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"syscall"
)

// tempPattern is the os.CreateTemp pattern of the temporary file or
// directory for name: CreateTemp puts digits for the "*".
func tempPattern(name string) string {
	return "." + name + ".xshard-tmp-" + strconv.Itoa(os.Getpid()) + "-*"
}

// staleRE matches the names tempPattern makes; the group is the pid.
var staleRE = regexp.MustCompile(`^\..+\.xshard-tmp-([0-9]{1,10})-[0-9]+$`)

// WriteFile writes data to path atomically with permissions 0o644.
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write calls fn with a buffered writer on a temporary file beside path
// and, if fn and every write succeed, renames the file to path. Missing
// parent directories are created. On any error the temporary file is
// removed and path is left untouched.
func Write(path string, fn func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %q: %w", path, err)
	}
	var f *os.File
	err = track(func() (string, error) {
		var err error
		f, err = os.CreateTemp(dir, tempPattern(filepath.Base(path)))
		if err != nil {
			return "", err
		}
		return f.Name(), nil
	})
	if err != nil {
		return fmt.Errorf("create %q: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		untrack(tmp)
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 256<<10)
	if err = fn(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}

// The temporary files and directories being written, so that a signal
// handler can remove them (RemoveTemps) before the process exits.
var temps = struct {
	sync.Mutex
	paths   map[string]bool
	stopped bool
}{paths: map[string]bool{}}

var errStopped = errors.New("stopping: no new temporary files")

// track creates a temporary file or directory with create and records
// it, under the lock that RemoveTemps takes: a signal cannot come between
// the creation and the record.
func track(create func() (string, error)) error {
	temps.Lock()
	defer temps.Unlock()
	if temps.stopped {
		return errStopped
	}
	path, err := create()
	if err != nil {
		return err
	}
	temps.paths[path] = true
	return nil
}

func untrack(path string) {
	temps.Lock()
	delete(temps.paths, path)
	temps.Unlock()
}

// TempDir creates a temporary directory in dir for intermediate files,
// named after name and tracked like the temporary files of Write; remove
// it with RemoveTempDir.
func TempDir(dir, name string) (string, error) {
	var tmp string
	err := track(func() (string, error) {
		var err error
		tmp, err = os.MkdirTemp(dir, tempPattern(name))
		return tmp, err
	})
	return tmp, err
}

// RemoveTempDir removes a directory made by TempDir.
func RemoveTempDir(path string) error {
	untrack(path)
	return os.RemoveAll(path)
}

// RemoveTemps removes every temporary file and directory being written
// and makes later Write and TempDir calls fail, so that a process
// stopped by a signal leaves no half-written file behind: call it from
// the signal handler, then exit. Files already renamed into place are
// complete and stay.
func RemoveTemps() {
	temps.Lock()
	defer temps.Unlock()
	temps.stopped = true
	for p := range temps.paths {
		os.RemoveAll(p)
	}
	temps.paths = map[string]bool{}
}

// RemoveStale removes from dir (not below it) the temporary files and
// directories that Write and TempDir of a process no longer running left
// there, killed before it could remove them, and returns their names,
// sorted. The temporary files of running processes stay, and so does
// every other file: only names of the form Write and TempDir make are
// considered. A process whose pid was taken by a new one keeps its files
// until a later call.
func RemoveStale(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		m := staleRE.FindStringSubmatch(e.Name())
		if m == nil || !(e.IsDir() || e.Type().IsRegular()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		pid, err := strconv.Atoi(m[1])
		if err != nil || running(pid, path) {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			return removed, err
		}
		removed = append(removed, e.Name())
	}
	slices.Sort(removed)
	return removed, nil
}

// running reports whether the process pid, which made the temporary
// file path, may still be writing it.
func running(pid int, path string) bool {
	if pid == os.Getpid() {
		// This process: its own only while it is being written (a
		// process that had this pid before cannot be writing).
		// The names are unique (random), and the directory may be
		// spelt differently ("./out", "out"): compare names.
		temps.Lock()
		defer temps.Unlock()
		for p := range temps.paths {
			if filepath.Base(p) == filepath.Base(path) {
				return true
			}
		}
		return false
	}
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false // Windows: no such process
	}
	defer p.Release()
	if runtime.GOOS == "windows" {
		return true
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
