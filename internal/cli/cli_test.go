package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite golden files and scripts' cmp files")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"shard": func() { os.Exit(Shard(os.Args[1:], OSEnv())) },
		"merge": func() { os.Exit(Merge(os.Args[1:], OSEnv())) },
		// showenv prints its arguments and the XSHARD_ variables it was
		// given, one a line, then exits with $SHOWENV_EXIT (default 0):
		// a stand-in for the test runner that --exec starts.
		"showenv": func() {
			for _, a := range os.Args[1:] {
				fmt.Println("arg:", a)
			}
			var vars []string
			for _, kv := range os.Environ() {
				if strings.HasPrefix(kv, "XSHARD_WORKER") || strings.HasPrefix(kv, "XSHARD_TESTRUN_UID") {
					vars = append(vars, kv)
				}
			}
			sort.Strings(vars)
			for _, v := range vars {
				fmt.Println("env:", v)
			}
			code := 0
			fmt.Sscan(os.Getenv("SHOWENV_EXIT"), &code)
			os.Exit(code)
		},
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each is
// named after the command it exercises (shard_*.txtar, merge_*.txtar).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"ghfake": ghfakeCmd, "redis": redisCmd},
		Condition:           redisCondition,
		Setup: func(env *testscript.Env) error {
			// The CI variables of the machine running the tests must not
			// leak into the scripts' worker detection.
			for _, ci := range ciIndexes {
				env.Setenv(ci.index, "")
				env.Setenv(ci.total, "")
			}
			for _, k := range []string{"GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY", "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_SHA", "GITHUB_REPOSITORY", "XSHARD_TESTRUN_UID", "XSHARD_COMMIT", "XSHARD_RUN_ID", "XSHARD_RUN_ATTEMPT", "XSHARD_QUEUE_URL", "XSHARD_QUEUE_KEY"} {
				env.Setenv(k, "")
			}
			// The timings.json of the release before the outcome history
			// (internal/merge/testdata/previous-release), which the
			// scripts plan with as a file restored from an old cache.
			prev, err := filepath.Abs(filepath.Join("..", "merge", "testdata", "previous-release"))
			if err != nil {
				return err
			}
			env.Setenv("PREVIOUS_RELEASE", prev)
			// Go for the scripts that build or list real tests.
			env.Setenv("GOROOT", runtime.GOROOT())
			env.Setenv("PATH", filepath.Join(runtime.GOROOT(), "bin")+string(os.PathListSeparator)+env.Getenv("PATH"))
			for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "HOME"} {
				if v := os.Getenv(k); v != "" {
					env.Setenv(k, v)
				}
			}
			if env.Getenv("GOCACHE") == "" {
				if dir, err := os.UserCacheDir(); err == nil {
					env.Setenv("GOCACHE", filepath.Join(dir, "go-build"))
				}
			}
			env.Setenv("GOFLAGS", "-mod=mod")
			env.Setenv("GOTOOLCHAIN", "local")
			env.Setenv("GOWORK", "off")
			env.Setenv("GOPROXY", "off")
			return nil
		},
	})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
