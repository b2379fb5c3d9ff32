// Package atomicfile writes files so that readers see either the old
// content or the new, never a half-written file: data goes to a temporary
// file in the same directory, which is synced and then renamed over the
// destination.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

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
		f, err = os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
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
// tracked like the temporary files of Write; remove it with
// RemoveTempDir.
func TempDir(dir, pattern string) (string, error) {
	var tmp string
	err := track(func() (string, error) {
		var err error
		tmp, err = os.MkdirTemp(dir, pattern)
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
