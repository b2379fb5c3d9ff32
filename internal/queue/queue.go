// Package queue hands the units of a test suite out to the workers of a
// CI run as they free up (pytest-xdist's load scheduling across jobs), on
// Redis or anything speaking its protocol (Valkey, managed services).
//
// The first worker to arrive seeds the queue with every unit, longest
// predicted first; every worker then claims batches from its head, sized
// by guided scheduling (what remains divided by Divisor × Workers), runs
// them, and acknowledges them. A claimed batch carries a lease that the
// worker renews (Heartbeat) while it runs; the batches whose lease
// expired go back to the head of the queue at the next claim of any
// worker. Execution is therefore at-least-once: a unit may run twice when
// a lease expired, and the acknowledgement counts say so.
//
// Every operation that must be atomic is one Lua script (lua/*.lua) or
// one command. The keys of one queue share the prefix "xshard:{KEY}:",
// where KEY names the run; the braces keep them in one hash slot, as
// Redis Cluster needs for scripts. The layout, the lease rule and the
// batch sizing are documented in docs/queue.md.
//
// The package returns values and errors; it never prints or reads the
// environment.
package queue

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Defaults of Config.
const (
	DefaultTTL      = 24 * time.Hour
	DefaultLease    = 30 * time.Second
	DefaultDivisor  = 2
	DefaultMaxUnits = 1000
	DefaultRetryFor = 10 * time.Second
)

// Config says which queue to use and how.
type Config struct {
	// URL is redis://[user:password@]host:port[/db] or rediss:// for TLS.
	URL string
	// Key names the queue: every worker of one run uses the same key.
	Key string
	// Worker is this worker's name (gw0, gw1, ...), unique in the run.
	Worker string
	// Workers is the number of workers, for batch sizing.
	Workers int
	// TTL is how long the queue's keys live after their last write.
	TTL time.Duration
	// Lease is how long a claimed batch stays this worker's without a
	// heartbeat; see LeaseFor.
	Lease time.Duration
	// Divisor is k in guided scheduling: a batch holds about
	// remaining / (k × Workers) of the predicted time left.
	Divisor float64
	// MaxUnits caps the units of one batch (command lines stay short).
	MaxUnits int
	// MinBatch is the least predicted time of a batch (but one unit
	// may be shorter), so that per-batch start-up stays small.
	MinBatch time.Duration
	// RetryFor is how long an operation retries while Redis cannot be
	// reached before it fails with a Lost error.
	RetryFor time.Duration
	// RootCAs, when set, replaces the system's roots for rediss://.
	RootCAs *x509.CertPool
	// DialTimeout bounds connecting (default 5 s).
	DialTimeout time.Duration
}

func (c *Config) fill() {
	if c.TTL <= 0 {
		c.TTL = DefaultTTL
	}
	if c.Lease <= 0 {
		c.Lease = DefaultLease
	}
	if c.Divisor <= 0 {
		c.Divisor = DefaultDivisor
	}
	if c.MaxUnits <= 0 {
		c.MaxUnits = DefaultMaxUnits
	}
	if c.Workers < 1 {
		c.Workers = 1
	}
	if c.RetryFor <= 0 {
		c.RetryFor = DefaultRetryFor
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 5 * time.Second
	}
}

// LeaseFor returns the lease of a batch predicted to take predicted:
// base when a heartbeat renews it while it runs; without one (shard
// --next, where no process lives between two calls) base plus twice the
// prediction, so that the lease outlasts the batch and its slowest unit.
func LeaseFor(base, predicted time.Duration, heartbeat bool) time.Duration {
	if heartbeat {
		return base
	}
	return base + 2*predicted
}

// Queue is a connection to one run's queue.
type Queue struct {
	cfg  Config
	url  string // redacted
	rdb  *redis.Client
	keys keys
}

type keys struct {
	meta, queue, running, batches, owners, acks, lost, log string
}

// Prefix returns the prefix of every key of the queue named key.
func Prefix(key string) string { return "xshard:{" + key + "}:" }

func newKeys(key, worker string) keys {
	p := Prefix(key)
	return keys{
		meta: p + "meta", queue: p + "queue", running: p + "running", batches: p + "batches",
		owners: p + "owners", acks: p + "acks", lost: p + "lost", log: p + "log:" + worker,
	}
}

// kinds of the keys, for the check that a key holds what it should.
func (k keys) kinds() [][2]string {
	return [][2]string{{k.meta, "hash"}, {k.queue, "list"}, {k.running, "zset"}, {k.batches, "hash"},
		{k.owners, "hash"}, {k.acks, "hash"}, {k.lost, "hash"}, {k.log, "list"}}
}

var silence sync.Once

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// Open connects to the queue's Redis and checks that it answers. The
// errors are *Error: unreachable, refused credentials, TLS, or a URL
// that is not one.
func Open(ctx context.Context, cfg Config) (*Queue, error) {
	cfg.fill()
	silence.Do(func() { redis.SetLogger(quiet{}) }) // errors come back as values
	red := Redact(cfg.URL)
	if cfg.Key == "" || cfg.Worker == "" {
		return nil, &Error{URL: red, Kind: KindConfig, Err: errors.New("a queue needs a key and a worker name")}
	}
	if strings.ContainsAny(cfg.Key, "{}") {
		return nil, &Error{URL: red, Kind: KindConfig, Err: fmt.Errorf("queue key %q must not contain braces", cfg.Key)}
	}
	opts, err := redis.ParseURL(cfg.URL)
	if err != nil {
		return nil, &Error{URL: red, Kind: KindConfig, Err: fmt.Errorf("not a Redis URL (expected redis://[:password@]host:port[/db] or rediss:// for TLS): %v", stripURL(err, cfg.URL))}
	}
	if opts.TLSConfig != nil && cfg.RootCAs != nil {
		opts.TLSConfig.RootCAs = cfg.RootCAs
	}
	if opts.TLSConfig != nil && opts.TLSConfig.MinVersion == 0 {
		opts.TLSConfig.MinVersion = tls.VersionTLS12
	}
	opts.DialTimeout = cfg.DialTimeout
	opts.ReadTimeout = 10 * time.Second
	opts.WriteTimeout = 10 * time.Second
	opts.MaxRetries = 1
	opts.DialerRetries = 1 // Queue.retry retries, for Config.RetryFor
	opts.PoolSize = 4
	opts.DisableIdentity = true
	opts.Protocol = 2 // RESP2: what every Redis 6+ and its look-alikes speak
	opts.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	q := &Queue{cfg: cfg, url: red, rdb: redis.NewClient(opts), keys: newKeys(cfg.Key, cfg.Worker)}
	if err := q.rdb.Ping(ctx).Err(); err != nil {
		q.rdb.Close()
		if opts.TLSConfig != nil && isNetwork(err) && plainAnswers(opts.Addr, cfg.DialTimeout) {
			return nil, &Error{URL: red, Kind: KindTLS, Op: "connect", Err: fmt.Errorf("the TLS handshake did not complete although the port accepts connections (%v): is it a plain port? then use redis://", stripURL(err, cfg.URL))}
		}
		return nil, q.wrap("connect", err, true)
	}
	return q, nil
}

// plainAnswers reports whether a TCP connection to addr succeeds.
func plainAnswers(addr string, timeout time.Duration) bool {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// Close closes the connections.
func (q *Queue) Close() error { return q.rdb.Close() }

// URL is the queue's URL without its password.
func (q *Queue) URL() string { return q.url }

// Key is the queue's key prefix.
func (q *Queue) Key() string { return Prefix(q.cfg.Key) }

// Unit is a unit to seed: its ID and predicted duration.
type Unit struct {
	ID      string
	Seconds float64
}

// Seeded is what Seed found or did.
type Seeded struct {
	// Seeder is true when this worker created the queue.
	Seeder bool
	// By is the worker that seeded it, Fingerprint its plan's
	// fingerprint, Units how many units it holds.
	By          string
	Fingerprint string
	Units       int
}

// Seed creates the queue with units in order (the head first), unless it
// exists: then it returns who seeded it, and a *FingerprintError when it
// was seeded with another fingerprint.
func (q *Queue) Seed(ctx context.Context, fingerprint string, units []Unit) (Seeded, error) {
	if err := q.checkTypes(ctx); err != nil {
		return Seeded{}, err
	}
	args := make([]any, 0, 6+len(units))
	var total int64
	for _, u := range units {
		total += ms(u.Seconds)
	}
	args = append(args, fingerprint, q.cfg.Worker, q.cfg.TTL.Milliseconds(), total, q.cfg.Workers, q.cfg.Lease.Milliseconds())
	for _, u := range units {
		if u.ID == "" || strings.ContainsAny(u.ID, "\n\r") {
			return Seeded{}, &Error{URL: q.url, Kind: KindConfig, Err: fmt.Errorf("unit id %q cannot be queued: ids must be non-empty single lines", u.ID)}
		}
		args = append(args, entry(ms(u.Seconds), 0, u.ID))
	}
	var res []any
	err := q.retry(ctx, "seed", func() error {
		var err error
		res, err = scripts.seed.Run(ctx, q.rdb, []string{q.keys.meta, q.keys.queue}, args...).Slice()
		return err
	})
	if err != nil {
		return Seeded{}, err
	}
	if len(res) < 4 {
		return Seeded{}, &Error{URL: q.url, Kind: KindProtocol, Op: "seed", Err: fmt.Errorf("unexpected reply %v", res)}
	}
	s := Seeded{Seeder: toInt(res[0]) == 1, Fingerprint: toString(res[1]), By: toString(res[2]), Units: int(toInt(res[3]))}
	if s.Fingerprint != fingerprint {
		return s, &FingerprintError{URL: q.url, Key: q.Key(), Queue: s.Fingerprint, Mine: fingerprint, SeededBy: s.By}
	}
	return s, nil
}

// checkTypes fails with a KindWrongType error when one of the queue's
// keys holds something else: another program uses the name.
func (q *Queue) checkTypes(ctx context.Context) error {
	kinds := q.keys.kinds()
	cmds := make([]*redis.StatusCmd, len(kinds))
	err := q.retry(ctx, "check keys", func() error {
		_, err := q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, k := range kinds {
				cmds[i] = p.Type(ctx, k[0])
			}
			return nil
		})
		return err
	})
	if err != nil {
		return err
	}
	for i, k := range kinds {
		if t := cmds[i].Val(); t != "none" && t != k[1] {
			return &Error{URL: q.url, Kind: KindWrongType, Op: "check keys",
				Err: fmt.Errorf("key %q holds a %s where the queue keeps a %s: another program uses this name; choose another --queue-key or delete the key", k[0], t, k[1])}
		}
	}
	return nil
}

// Batch is a claimed batch.
type Batch struct {
	// ID is unique in the queue ("b17").
	ID string
	// Units are the unit IDs, in queue order; Requeued those of them
	// that had gone back to the queue (a lost lease) before this claim.
	Units    []string
	Requeued []string
	// Predicted sums the units' predicted seconds.
	Predicted float64
	// ClaimedAt is the server's time of the claim; Deadline the end of
	// the lease.
	ClaimedAt time.Time
	Deadline  time.Time
}

// Claim is the outcome of Next.
type Claim struct {
	// Batch is the claimed batch, nil when there was none.
	Batch *Batch
	// Drained: nothing left to claim and nothing running anywhere.
	Drained bool
	// Wait, when neither: the queue is empty but batches still run on
	// other workers; one may come back when its lease expires, which is
	// at the latest after Wait.
	Wait time.Duration
}

// Next claims the next batch, after giving back the expired ones, with a
// lease of lease (0 means Config.Lease).
func (q *Queue) Next(ctx context.Context, lease time.Duration) (Claim, error) {
	if lease <= 0 {
		lease = q.cfg.Lease
	}
	k := q.keys
	div := q.cfg.Divisor * float64(q.cfg.Workers)
	var res []any
	err := q.retry(ctx, "claim", func() error {
		var err error
		res, err = scripts.claim.Run(ctx, q.rdb, []string{k.meta, k.queue, k.running, k.batches, k.owners, k.log, k.lost},
			q.cfg.Worker, lease.Milliseconds(), strconv.FormatFloat(div, 'f', 6, 64), q.cfg.TTL.Milliseconds(), q.cfg.MaxUnits, q.cfg.MinBatch.Milliseconds()).Slice()
		return err
	})
	if err != nil {
		return Claim{}, err
	}
	switch toString(res[0]) {
	case "gone":
		return Claim{}, &Error{URL: q.url, Kind: KindGone, Op: "claim", Err: fmt.Errorf("the queue %q no longer exists (its keys expired or were deleted)", q.Key())}
	case "drained":
		return Claim{Drained: true}, nil
	case "wait":
		return Claim{Wait: time.Duration(toInt(res[1])) * time.Millisecond}, nil
	case "batch":
		b := &Batch{ID: toString(res[1]), ClaimedAt: msTime(toInt(res[2])), Deadline: msTime(toInt(res[3]))}
		var sum int64
		for _, x := range res[4:] {
			m, n, id, ok := parseEntry(toString(x))
			if !ok {
				return Claim{}, &Error{URL: q.url, Kind: KindProtocol, Op: "claim", Err: fmt.Errorf("malformed queue entry %q", toString(x))}
			}
			sum += m
			b.Units = append(b.Units, id)
			if n > 0 {
				b.Requeued = append(b.Requeued, id)
			}
		}
		b.Predicted = float64(sum) / 1000
		return Claim{Batch: b}, nil
	}
	return Claim{}, &Error{URL: q.url, Kind: KindProtocol, Op: "claim", Err: fmt.Errorf("unexpected reply %v", res)}
}

// Heartbeat extends the lease of batch id by lease (0: Config.Lease). It
// returns false when the lease was lost: the batch went back to the
// queue (another worker may run it too).
func (q *Queue) Heartbeat(ctx context.Context, id string, lease time.Duration) (bool, error) {
	if lease <= 0 {
		lease = q.cfg.Lease
	}
	var n int64
	err := q.retry(ctx, "heartbeat", func() error {
		var err error
		n, err = scripts.heartbeat.Run(ctx, q.rdb, []string{q.keys.running, q.keys.owners}, q.cfg.Worker, id, lease.Milliseconds()).Int64()
		return err
	})
	return n == 1, err
}

// Acked is what Ack found.
type Acked struct {
	// Held: the lease was still this worker's.
	Held bool
	// First counts the units acknowledged for the first time, Again
	// those some worker had acknowledged before (a lost lease, a replay).
	First, Again int
	// TakenBack counts the units of a lost lease that were back in the
	// queue, unclaimed, and were taken out since they ran here.
	TakenBack int
	// Unknown: the queue does not know the batch (expired keys).
	Unknown bool
}

// Ack records that batch id ran to its end.
func (q *Queue) Ack(ctx context.Context, id string) (Acked, error) {
	k := q.keys
	var res []any
	err := q.retry(ctx, "acknowledge", func() error {
		var err error
		res, err = scripts.ack.Run(ctx, q.rdb, []string{k.meta, k.queue, k.running, k.batches, k.owners, k.acks}, q.cfg.Worker, id, q.cfg.TTL.Milliseconds()).Slice()
		return err
	})
	if err != nil {
		return Acked{}, err
	}
	if len(res) < 4 {
		return Acked{}, &Error{URL: q.url, Kind: KindProtocol, Op: "acknowledge", Err: fmt.Errorf("unexpected reply %v", res)}
	}
	h := toInt(res[0])
	return Acked{Held: h == 1, Unknown: h == -1, First: int(toInt(res[1])), Again: int(toInt(res[2])), TakenBack: int(toInt(res[3]))}, nil
}

// Release gives batch id back to the queue at once; false when it was
// not held.
func (q *Queue) Release(ctx context.Context, id string) (bool, error) {
	k := q.keys
	var n int64
	err := q.retry(ctx, "release", func() error {
		var err error
		n, err = scripts.release.Run(ctx, q.rdb, []string{k.meta, k.queue, k.running, k.batches, k.owners, k.lost}, q.cfg.Worker, id, q.cfg.TTL.Milliseconds()).Int64()
		return err
	})
	return n == 1, err
}

// Logged is a batch this worker claimed, as the queue recorded it.
type Logged struct {
	ID    string
	Units []string
	// Running: its lease is still this worker's (the batch did not end).
	Running bool
}

// Log returns the batches this worker claimed, in order: a re-run of the
// worker replays them.
func (q *Queue) Log(ctx context.Context) ([]Logged, error) {
	var ids []string
	err := q.retry(ctx, "read log", func() error {
		var err error
		ids, err = q.rdb.LRange(ctx, q.keys.log, 0, -1).Result()
		return err
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var entries []any
	var owners []any
	scores := make([]*redis.FloatCmd, len(ids))
	err = q.retry(ctx, "read log", func() error {
		var err error
		if entries, err = q.rdb.HMGet(ctx, q.keys.batches, ids...).Result(); err != nil {
			return err
		}
		if owners, err = q.rdb.HMGet(ctx, q.keys.owners, ids...).Result(); err != nil {
			return err
		}
		_, err = q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, id := range ids {
				scores[i] = p.ZScore(ctx, q.keys.running, id)
			}
			return nil
		})
		if errors.Is(err, redis.Nil) {
			err = nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]Logged, 0, len(ids))
	for i, id := range ids {
		l := Logged{ID: id}
		s, _ := entries[i].(string)
		for _, e := range strings.Split(s, "\n") {
			if _, _, u, ok := parseEntry(e); ok {
				l.Units = append(l.Units, u)
			}
		}
		owner, _ := owners[i].(string)
		l.Running = owner == q.cfg.Worker && scores[i].Err() == nil
		out = append(out, l)
	}
	return out, nil
}

// Status is the state of the queue.
type Status struct {
	Exists      bool
	Fingerprint string
	SeededBy    string
	Units       int // seeded
	Done        int // acknowledged at least once
	Requeued    int // times a unit went back after a lost lease or a release
	Pending     int // units in the queue
	Running     int // batches leased
	Batches     int // claimed so far
}

// Status reads the queue's counters.
func (q *Queue) Status(ctx context.Context) (Status, error) {
	var meta map[string]string
	var pending, running int64
	err := q.retry(ctx, "status", func() error {
		var err error
		if meta, err = q.rdb.HGetAll(ctx, q.keys.meta).Result(); err != nil {
			return err
		}
		if pending, err = q.rdb.LLen(ctx, q.keys.queue).Result(); err != nil {
			return err
		}
		running, err = q.rdb.ZCard(ctx, q.keys.running).Result()
		return err
	})
	if err != nil {
		return Status{}, err
	}
	atoi := func(k string) int { n, _ := strconv.Atoi(meta[k]); return n }
	return Status{
		Exists: len(meta) > 0, Fingerprint: meta["fingerprint"], SeededBy: meta["seeded_by"],
		Units: atoi("units"), Done: atoi("done"), Requeued: atoi("requeued"), Batches: atoi("seq"),
		Pending: int(pending), Running: int(running),
	}, nil
}

// Acks returns how many times each unit was acknowledged.
func (q *Queue) Acks(ctx context.Context) (map[string]int, error) {
	var m map[string]string
	err := q.retry(ctx, "read acknowledgements", func() error {
		var err error
		m, err = q.rdb.HGetAll(ctx, q.keys.acks).Result()
		return err
	})
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k], _ = strconv.Atoi(v)
	}
	return out, err
}

// retry runs op until it succeeds, fails for a reason other than the
// network, or Config.RetryFor has passed (or ctx is done).
func (q *Queue) retry(ctx context.Context, what string, op func() error) error {
	deadline := time.Now().Add(q.cfg.RetryFor)
	wait := 50 * time.Millisecond
	for {
		err := op()
		if err == nil || errors.Is(err, redis.Nil) {
			return nil
		}
		if !isNetwork(err) || time.Now().Add(wait).After(deadline) || ctx.Err() != nil {
			return q.wrap(what, err, false)
		}
		select {
		case <-ctx.Done():
			return q.wrap(what, ctx.Err(), false)
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

func ms(s float64) int64 {
	if !(s > 0) || math.IsInf(s, 0) {
		return 0
	}
	return int64(math.Round(min(s, 1e9) * 1000))
}

func entry(ms int64, n int, id string) string {
	return strconv.FormatInt(ms, 10) + ":" + strconv.Itoa(n) + ":" + id
}

func parseEntry(e string) (ms int64, n int, id string, ok bool) {
	a, rest, ok1 := strings.Cut(e, ":")
	b, id, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || id == "" {
		return 0, 0, "", false
	}
	m, err1 := strconv.ParseInt(a, 10, 64)
	k, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return 0, 0, "", false
	}
	return m, k, id, true
}

func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return ""
}

// Redact returns u with its password replaced by "xxxxx", for messages
// and manifests; a string that is not a URL is reduced to its scheme.
func Redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		if i := strings.Index(u, "://"); i > 0 {
			return u[:i] + "://(unparsable URL)"
		}
		return "(unparsable URL)"
	}
	if p.User != nil {
		if _, has := p.User.Password(); has {
			p.User = url.UserPassword(p.User.Username(), "xxxxx")
		}
	}
	return p.String()
}

// stripURL removes a URL (with its password) from an error's text.
func stripURL(err error, u string) string {
	s := err.Error()
	if u != "" {
		s = strings.ReplaceAll(s, u, Redact(u))
	}
	if p, perr := url.Parse(u); perr == nil && p.User != nil {
		if pw, ok := p.User.Password(); ok && pw != "" {
			s = strings.ReplaceAll(s, pw, "xxxxx")
		}
	}
	return s
}
