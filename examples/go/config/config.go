// Package config parses a small INI-like configuration format:
//
//	# comment
//	[section]
//	key = value
//
// Keys are addressed as "section.key"; keys before any section have no
// prefix.
package config

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is a parsed configuration.
type Config struct {
	values map[string]string
}

// SyntaxError reports a malformed line.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("config: line %d: %s", e.Line, e.Msg)
}

// Parse reads a configuration from r.
func Parse(r io.Reader) (*Config, error) {
	c := &Config{values: make(map[string]string)}
	sc := bufio.NewScanner(r)
	section := ""
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "", strings.HasPrefix(line, "#"), strings.HasPrefix(line, ";"):
			continue
		case strings.HasPrefix(line, "["):
			if !strings.HasSuffix(line, "]") || len(line) < 3 {
				return nil, &SyntaxError{n, "bad section header"}
			}
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, &SyntaxError{n, "expected key = value"}
		}
		k = strings.TrimSpace(k)
		if k == "" {
			return nil, &SyntaxError{n, "empty key"}
		}
		if section != "" {
			k = section + "." + k
		}
		c.values[k] = unquote(strings.TrimSpace(v))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// ParseFile parses the file at path.
func ParseFile(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}

func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		if s, err := strconv.Unquote(v); err == nil {
			return s
		}
	}
	return v
}

// String returns the value of key, or def when absent.
func (c *Config) String(key, def string) string {
	if v, ok := c.values[key]; ok {
		return v
	}
	return def
}

// Int returns key as an int.
func (c *Config) Int(key string, def int) (int, error) {
	v, ok := c.values[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def, fmt.Errorf("config: %s: %q is not an integer", key, v)
	}
	return n, nil
}

// Bool returns key as a bool; yes/no and on/off are accepted too.
func (c *Config) Bool(key string, def bool) (bool, error) {
	v, ok := c.values[key]
	if !ok {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return def, fmt.Errorf("config: %s: %q is not a boolean", key, v)
}

// Duration returns key as a time.Duration ("1m30s"); a bare number means
// seconds.
func (c *Config) Duration(key string, def time.Duration) (time.Duration, error) {
	v, ok := c.values[key]
	if !ok {
		return def, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return def, fmt.Errorf("config: %s: %w", key, err)
	}
	return d, nil
}

// Expand replaces ${VAR} in every value using lookup (os.LookupEnv when nil).
// Unknown variables are left as they are.
func (c *Config) Expand(lookup func(string) (string, bool)) {
	if lookup == nil {
		// Left uncovered unless built with -tags integration.
		lookup = os.LookupEnv
	}
	for k, v := range c.values {
		c.values[k] = os.Expand(v, func(name string) string {
			if s, ok := lookup(name); ok {
				return s
			}
			return "${" + name + "}"
		})
	}
}

// Len returns the number of keys.
func (c *Config) Len() int { return len(c.values) }
