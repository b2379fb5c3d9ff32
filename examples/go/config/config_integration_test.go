//go:build integration

// These tests exist only with `go test -tags integration`: the set of tests
// depends on build flags, so a shard plan must be made with the same tags
// the jobs run with.

package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestIntegrationRoundTripFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "round.conf")
	if err := os.WriteFile(path, []byte("[db]\nurl = \"postgres://localhost/demo\"\npool = 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.String("db.url", ""); got != "postgres://localhost/demo" {
		t.Errorf("db.url = %q", got)
	}
}

func TestIntegrationEnvExpansion(t *testing.T) {
	t.Setenv("XSHARD_DEMO_DATA", "/srv/demo")
	c, err := ParseFile("testdata/app.conf")
	if err != nil {
		t.Fatal(err)
	}
	c.values["data"] = "${XSHARD_DEMO_DATA}/cache"
	c.Expand(nil)
	if got := c.String("data", ""); got != "/srv/demo/cache" {
		t.Errorf("data = %q", got)
	}
	time.Sleep(300 * time.Millisecond) // an integration test is slower
}
