// Package kvstore is a small concurrency-safe key/value store with
// optional expiry and snapshot files.
package kvstore

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrNotFound is returned for missing or expired keys.
var ErrNotFound = errors.New("kvstore: not found")

type entry struct {
	value   string
	expires time.Time // zero: never
}

// Store is a map guarded by a mutex. The zero value is not usable: use New.
type Store struct {
	mu   sync.RWMutex
	data map[string]entry
	now  func() time.Time
}

// New returns an empty store using the given clock (time.Now when nil).
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{data: make(map[string]entry), now: now}
}

// Set stores value under key. A positive ttl makes the key expire.
func (s *Store) Set(key, value string, ttl time.Duration) {
	e := entry{value: value}
	if ttl > 0 {
		e.expires = s.now().Add(ttl)
	}
	s.mu.Lock()
	s.data[key] = e
	s.mu.Unlock()
}

// Get returns the value for key.
func (s *Store) Get(key string) (string, error) {
	s.mu.RLock()
	e, ok := s.data[key]
	s.mu.RUnlock()
	if !ok {
		return "", ErrNotFound
	}
	if !e.expires.IsZero() && !s.now().Before(e.expires) {
		return "", ErrNotFound
	}
	return e.value, nil
}

// Delete removes key and reports whether it was present.
func (s *Store) Delete(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.data[key]
	delete(s.data, key)
	return ok
}

// Incr adds delta to the integer stored at key (missing keys count as 0).
func (s *Store) Incr(key string, delta int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	if e, ok := s.data[key]; ok {
		if _, err := fmt.Sscanf(e.value, "%d", &n); err != nil {
			return 0, fmt.Errorf("kvstore: %q is not an integer", e.value)
		}
	}
	n += delta
	s.data[key] = entry{value: fmt.Sprint(n)}
	return n, nil
}

// Keys returns the live keys with the given prefix, sorted.
func (s *Store) Keys(prefix string) []string {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var keys []string
	for k, e := range s.data {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if !e.expires.IsZero() && !now.Before(e.expires) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Purge drops expired entries and returns how many it dropped.
func (s *Store) Purge() int {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, e := range s.data {
		if !e.expires.IsZero() && !now.Before(e.expires) {
			delete(s.data, k)
			n++
		}
	}
	return n
}

// Save writes the live, non-expiring entries to path as "key=value" lines.
func (s *Store) Save(path string) error {
	var b strings.Builder
	for _, k := range s.Keys("") {
		s.mu.RLock()
		e := s.data[k]
		s.mu.RUnlock()
		if !e.expires.IsZero() {
			continue
		}
		fmt.Fprintf(&b, "%s=%s\n", k, e.value)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// Load reads a file written by Save into a new store.
func Load(path string) (*Store, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := New(nil)
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" {
			continue
		}
		k, v, ok := strings.Cut(text, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: missing '='", path, line)
		}
		s.data[k] = entry{value: v}
	}
	if err := sc.Err(); err != nil {
		// Deliberately left uncovered by the tests.
		return nil, err
	}
	return s, nil
}
