package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/redis/go-redis/v9"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/xshard/xshard/internal/redistest"
	"github.com/xshard/xshard/internal/testenv"
)

// redisCondition answers [redis]: whether redis-server is installed. With
// XSHARD_REQUIRE_REDIS=1 a missing server is an error, not a skip.
func redisCondition(cond string) (bool, error) {
	if cond != "redis" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if redistest.Binary() != "" {
		return true, nil
	}
	if os.Getenv("XSHARD_REQUIRE_REDIS") == "1" {
		return false, fmt.Errorf("redis-server is required (apt-get install redis-server) and XSHARD_REQUIRE_REDIS=1")
	}
	testenv.Record("redis-server", "a script of internal/cli")
	return false, nil
}

// redisCmd drives a real redis-server from a script:
//
//	redis start [NAME] [password PW] [tls]  start one; $NAME_URL, $NAME_ADDR (NAME defaults to REDIS)
//	redis kill [NAME]                        SIGKILL it
//	redis set NAME KEY VALUE                 store a string (plain servers)
//	redis keys NAME PATTERN                  print the matching keys, one a line
func redisCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! redis")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: redis start|kill|set|keys ...")
	}
	name := "REDIS"
	if len(args) > 1 {
		name = args[1]
	}
	switch args[0] {
	case "start":
		var opts redistest.Options
		for i := 2; i < len(args); i++ {
			switch args[i] {
			case "password":
				i++
				opts.Password = args[i]
			case "tls":
				opts.TLS = true
			}
		}
		dir, err := os.MkdirTemp("", "xshard-redis-")
		ts.Check(err)
		s, err := redistest.Launch(redistest.Binary(), dir, opts)
		ts.Check(err)
		serversMu.Lock()
		servers[ts] = append(servers[ts], named{name, s})
		serversMu.Unlock()
		ts.Defer(func() { s.Stop(); os.RemoveAll(dir) })
		ts.Setenv(name+"_URL", s.URL())
		ts.Setenv(name+"_ADDR", s.Addr())
		ts.Setenv(name+"_PORT", strconv.Itoa(s.Port))
	case "kill":
		server(ts, name).Kill()
	case "set", "keys":
		if len(args) < 3 {
			ts.Fatalf("usage: redis %s NAME ...", args[0])
		}
		// Through its URL: with its password, when it has one.
		opt, err := redis.ParseURL(server(ts, name).URL())
		ts.Check(err)
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		ctx := context.Background()
		if args[0] == "set" {
			ts.Check(rdb.Set(ctx, args[2], args[3], 0).Err())
			return
		}
		keys, err := rdb.Keys(ctx, args[2]).Result()
		ts.Check(err)
		for _, k := range sortedStrings(keys) {
			fmt.Fprintln(ts.Stdout(), k)
		}
	default:
		ts.Fatalf("unknown redis subcommand %q", args[0])
	}
}

type named struct {
	name string
	s    *redistest.Server
}

// servers holds each script's servers (scripts run in parallel).
var (
	serversMu sync.Mutex
	servers   = map[*testscript.TestScript][]named{}
)

func server(ts *testscript.TestScript, name string) *redistest.Server {
	serversMu.Lock()
	defer serversMu.Unlock()
	for _, n := range servers[ts] {
		if n.name == name {
			return n.s
		}
	}
	ts.Fatalf("no redis server %q started", name)
	return nil
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sortStrings(out)
	return out
}
