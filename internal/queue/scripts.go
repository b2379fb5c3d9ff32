package queue

import (
	_ "embed"

	"github.com/redis/go-redis/v9"
)

var (
	//go:embed lua/common.lua
	commonLua string
	//go:embed lua/seed.lua
	seedLua string
	//go:embed lua/claim.lua
	claimLua string
	//go:embed lua/heartbeat.lua
	heartbeatLua string
	//go:embed lua/ack.lua
	ackLua string
	//go:embed lua/release.lua
	releaseLua string
)

// scripts are the queue's atomic operations, each common.lua's helpers
// followed by its own body. go-redis runs them by SHA and loads them when
// the server does not know them (a new or restarted Redis).
var scripts = struct {
	seed, claim, heartbeat, ack, release *redis.Script
}{
	seed:      redis.NewScript(commonLua + seedLua),
	claim:     redis.NewScript(commonLua + claimLua),
	heartbeat: redis.NewScript(commonLua + heartbeatLua),
	ack:       redis.NewScript(commonLua + ackLua),
	release:   redis.NewScript(commonLua + releaseLua),
}
