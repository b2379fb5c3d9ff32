package kvstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fixtureDir is created once for the package by TestMain, the way real
// suites start a database or write shared fixtures.
var fixtureDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kvstore-fixture-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(2)
	}
	fixtureDir = dir
	if err := os.WriteFile(filepath.Join(dir, "seed.kv"), []byte("alpha=1\nbeta=2\n\ngamma=3\n"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fakeClock is a manually advanced clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func TestSetGet(t *testing.T) {
	t.Parallel()
	s := New(nil)
	s.Set("k", "v", 0)
	if got, err := s.Get("k"); err != nil || got != "v" {
		t.Fatalf("Get = %q, %v", got, err)
	}
}

func TestGetMissing(t *testing.T) {
	t.Parallel()
	if _, err := New(nil).Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := New(clock.Now)
	s.Set("session", "abc", time.Minute)
	clock.Advance(59 * time.Second)
	if _, err := s.Get("session"); err != nil {
		t.Fatalf("expired too early: %v", err)
	}
	clock.Advance(time.Second)
	if _, err := s.Get("session"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound after ttl", err)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	s := New(nil)
	s.Set("k", "v", 0)
	if !s.Delete("k") {
		t.Error("Delete of present key returned false")
	}
	if s.Delete("k") {
		t.Error("Delete of absent key returned true")
	}
}

func TestIncr(t *testing.T) {
	t.Parallel()
	s := New(nil)
	for i := 1; i <= 3; i++ {
		if n, err := s.Incr("hits", 2); err != nil || n != 2*i {
			t.Fatalf("Incr #%d = %d, %v", i, n, err)
		}
	}
	s.Set("name", "bob", 0)
	if _, err := s.Incr("name", 1); err == nil {
		t.Error("Incr on non-integer should fail")
	}
}

// TestConcurrentIncr hammers the store from many goroutines (run with -race
// to make it meaningful); it sleeps briefly to overlap with other parallel
// tests.
func TestConcurrentIncr(t *testing.T) {
	t.Parallel()
	s := New(nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if _, err := s.Incr("counter", 1); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	time.Sleep(150 * time.Millisecond)
	if got, _ := s.Get("counter"); got != "4000" {
		t.Fatalf("counter = %s, want 4000", got)
	}
}

func TestKeysPrefix(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := New(clock.Now)
	s.Set("user:2", "b", 0)
	s.Set("user:1", "a", 0)
	s.Set("user:3", "c", time.Second)
	s.Set("group:1", "g", 0)
	clock.Advance(2 * time.Second)
	got := fmt.Sprint(s.Keys("user:"))
	if got != "[user:1 user:2]" {
		t.Fatalf("Keys = %s", got)
	}
}

func TestPurge(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := New(clock.Now)
	s.Set("a", "1", time.Second)
	s.Set("b", "2", time.Hour)
	s.Set("c", "3", 0)
	clock.Advance(time.Minute)
	if n := s.Purge(); n != 1 {
		t.Fatalf("Purge = %d, want 1", n)
	}
}

func TestSaveLoad(t *testing.T) {
	t.Parallel()
	s := New(nil)
	s.Set("x", "1", 0)
	s.Set("y", "2", 0)
	s.Set("tmp", "3", time.Hour) // expiring entries are not saved
	path := filepath.Join(t.TempDir(), "snap.kv")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(loaded.Keys("")); got != "[x y]" {
		t.Fatalf("loaded keys = %s", got)
	}
}

func TestLoadFixture(t *testing.T) {
	s, err := Load(filepath.Join(fixtureDir, "seed.kv"))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get("gamma"); v != "3" {
		t.Fatalf("gamma = %q, want 3", v)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Run("missing file", func(t *testing.T) {
		if _, err := Load(filepath.Join(fixtureDir, "absent.kv")); err == nil {
			t.Fatal("expected error")
		}
	})
	t.Run("bad line", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.kv")
		os.WriteFile(path, []byte("ok=1\nbroken\n"), 0o644)
		if _, err := Load(path); err == nil {
			t.Fatal("expected error")
		}
	})
}
