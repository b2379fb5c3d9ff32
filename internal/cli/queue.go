package cli

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/xshard/xshard/internal/atomicfile"
	"github.com/xshard/xshard/internal/ghaction"
	"github.com/xshard/xshard/internal/manifest"
	"github.com/xshard/xshard/internal/model"
	"github.com/xshard/xshard/internal/plan"
	"github.com/xshard/xshard/internal/queue"
)

// queueFlags are shard's queue flags (docs/queue.md).
type queueFlags struct {
	url      string
	key      string
	fallback *enumFlag
	ttl      durationFlag
	lease    durationFlag
	minBatch durationFlag
	next     bool
}

func (q *queueFlags) register(fs *flag.FlagSet) {
	q.fallback = newEnum("static", "static", "fail")
	fs.StringVar(&q.url, "queue", "", "hand the units out from the Redis queue at `url` (redis:// or rediss://) as workers free up; default $XSHARD_QUEUE_URL (docs/queue.md)")
	fs.StringVar(&q.url, "queue-url", "", "alias of --queue, as the action's input is named (`url`)")
	fs.StringVar(&q.key, "queue-key", "", "with --queue: the `name` every worker of the run shares; default $XSHARD_QUEUE_KEY, else the CI's repository and run id")
	fs.Var(q.fallback, "queue-fallback", "with --queue: `static` runs this worker's share of the plan when the queue cannot be reached at the start; fail exits 2")
	fs.Var(&q.ttl, "queue-ttl", "with --queue: how long the queue's keys live (`duration`, default 24h)")
	fs.Var(&q.lease, "queue-lease", "with --queue: how long a claimed batch stays this worker's without a heartbeat (`duration`, default 30s)")
	fs.Var(&q.minBatch, "queue-min-batch", "with --queue: the least predicted time of a batch (`duration`), so that per-batch start-up stays small")
	fs.BoolVar(&q.next, "next", false, "with --queue: acknowledge the batch the previous call printed, then print the next one (nothing once the queue is drained); needs --manifest")
}

// queueFingerprint identifies what a queue holds: the universe of items
// and how they are grouped into units. Timings only order the queue, so
// workers whose timings differ may share it.
func queueFingerprint(p *plan.Plan, groupPattern string) string {
	var b [8]byte
	h := xxhash.Sum64String(string(p.By) + "\x00" + groupPattern)
	for i := range b {
		b[i] = byte(h >> (56 - 8*i))
	}
	return "q1-" + p.UniverseFingerprint + "-" + hex.EncodeToString(b[:])
}

// queueKey names the run's queue: --queue-key, else the CI's repository
// and run id (every attempt of a run shares it, so that a re-run job
// replays its batches), else an explicit $XSHARD_TESTRUN_UID.
func queueKey(flag string, ri runInfo, getenv func(string) string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if ri.runID != "" {
		for _, n := range []string{"GITHUB_REPOSITORY", "CI_PROJECT_PATH", "CIRCLE_PROJECT_REPONAME", "BUILDKITE_PIPELINE_SLUG", "SEMAPHORE_PROJECT_NAME", "BUILD_REPOSITORY_NAME"} {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return v + "/" + ri.runID, nil
			}
		}
		return ri.runID, nil
	}
	if v := strings.TrimSpace(getenv("XSHARD_TESTRUN_UID")); v != "" {
		return v, nil
	}
	return "", errors.New("--queue needs a name that every worker of the run shares: pass --queue-key (or set $XSHARD_QUEUE_KEY or $XSHARD_TESTRUN_UID); in CI the repository and run id name it")
}

// seedOrder returns every unit of p in queue order: longest predicted
// first (ties by ID) when timings cover any unit, else by the hash of its
// ID mixed with seed.
func seedOrder(p *plan.Plan) []queue.Unit {
	var us []queue.Unit
	for _, sh := range p.Shards {
		for _, u := range sh.Units {
			us = append(us, queue.Unit{ID: u.ID, Seconds: u.Seconds})
		}
	}
	if p.KnownShare > 0 {
		sort.Slice(us, func(i, j int) bool {
			if us[i].Seconds != us[j].Seconds {
				return us[i].Seconds > us[j].Seconds
			}
			return us[i].ID < us[j].ID
		})
		return us
	}
	var seed [8]byte
	for i := range seed {
		seed[i] = byte(p.Seed >> (8 * i))
	}
	key := func(id string) uint64 {
		d := xxhash.New()
		d.Write(seed[:])
		d.WriteString(id)
		return d.Sum64()
	}
	keys := make(map[string]uint64, len(us))
	for _, u := range us {
		keys[u.ID] = key(u.ID)
	}
	sort.Slice(us, func(i, j int) bool {
		a, b := keys[us[i].ID], keys[us[j].ID]
		if a != b {
			return a < b
		}
		return us[i].ID < us[j].ID
	})
	return us
}

// queueRun is one worker's part in a queue run.
type queueRun struct {
	s        *shardRun
	p        *plan.Plan
	id       identity
	worker   string
	m        *manifest.Manifest
	units    map[string][]string // unit ID → items
	q        *queue.Queue
	lease    time.Duration
	vars     []string // XSHARD_* identity variables
	ri       runInfo
	untested bool   // the untested Go packages still have to be named
	seq      int    // batches run by this process
	lastEnd  string // when the last batch ended
	code     int    // the first failing command's exit code
}

// runQueue is shard --queue: seed or join the run's queue, then claim and
// run batches until it is drained, or print one batch (--next).
func (s *shardRun) runQueue(p *plan.Plan, id identity, groups string) (int, error) {
	c := s.cfg
	if !c.exec && !c.queue.next {
		return ExitInput, errors.New("--queue hands out batches as workers free up: use --exec -- CMD to run them, or --next to print the next one")
	}
	if c.queue.next && c.manifestPath == "" {
		return ExitInput, errors.New("--next needs --manifest FILE: it records the batches between calls")
	}
	ri := detectRun(s.env.Getenv)
	key, err := queueKey(c.queue.key, ri, s.env.Getenv)
	if err != nil {
		return ExitInput, err
	}
	if ri.runID == "" && s.env.Getenv("XSHARD_TESTRUN_UID") == "" {
		ri.testrunUID = key // shared by every worker of the queue, as it should be
		ri.randomUID = false
	}
	r := &queueRun{s: s, p: p, id: id, ri: ri, worker: model.WorkerID(id.index), units: map[string][]string{},
		lease: c.queue.lease.d, untested: id.index == 0 && len(s.untested) > 0}
	if r.lease == 0 {
		r.lease = queue.DefaultLease
	}
	for _, sh := range p.Shards {
		for _, u := range sh.Units {
			r.units[u.ID] = u.Items
		}
	}
	r.m = buildManifest(p, id, ri, s, groups)
	r.m.Queue = &manifest.Queue{URL: queue.Redact(c.queue.url), Key: queue.Prefix(key), Fingerprint: queueFingerprint(p, groups),
		Mode: manifest.ModeQueue, Batches: []manifest.Batch{}}
	r.vars = []string{"XSHARD_WORKER=" + r.worker, "XSHARD_WORKER_INDEX=" + strconv.Itoa(id.index),
		"XSHARD_WORKER_COUNT=" + strconv.Itoa(id.total), "XSHARD_TESTRUN_UID=" + ri.testrunUID}
	if c.queue.next {
		return r.next(key)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logged, err := r.open(ctx, key)
	if err != nil {
		return r.fallback(err)
	}
	defer r.q.Close()
	if err := r.setOutputs(); err != nil {
		return ExitInput, err
	}
	r.m.TestStartedAt = r.now()
	r.save()
	for _, l := range logged {
		b := manifest.Batch{ID: l.ID, Units: l.Units, Replay: true, PredictedSeconds: r.predicted(l.Units)}
		if code, err := r.runBatch(ctx, b, l.Running); err != nil || ctx.Err() != nil {
			return code, err
		}
	}
	if len(logged) > 0 {
		fmt.Fprintf(s.env.Stderr, "shard: %s replayed the %d batch(es) it claimed in an earlier attempt of this run\n", r.worker, len(logged))
	}
	wait := 50 * time.Millisecond
	for {
		cl, err := r.q.Next(ctx, r.lease)
		if err != nil {
			return r.stopped(err)
		}
		if cl.Drained {
			r.m.Queue.Drained = true
			break
		}
		if cl.Batch == nil {
			// Batches still run elsewhere: one may come back when its
			// lease expires, so stay until the queue is drained.
			select {
			case <-ctx.Done():
				return r.interrupted()
			case <-time.After(min(cl.Wait+10*time.Millisecond, wait)):
			}
			wait = min(2*wait, time.Second)
			continue
		}
		wait = 50 * time.Millisecond
		b := cl.Batch
		mb := manifest.Batch{ID: b.ID, Units: b.Units, Requeued: b.Requeued, PredictedSeconds: r.predictedOf(b.Predicted),
			ClaimedAt: b.ClaimedAt.Format(manifest.TimeFormat)}
		if code, err := r.runBatch(ctx, mb, true); err != nil || ctx.Err() != nil {
			return code, err
		}
	}
	if r.untested {
		r.runUntested()
		r.lastEnd = r.now()
	}
	// The test phase ends with the last batch: the wait for other
	// workers' batches after it is idle time, which merge reports.
	r.m.TestFinishedAt = r.lastEnd
	if r.lastEnd == "" {
		r.m.TestFinishedAt = r.m.TestStartedAt
	}
	if err := r.save(); err != nil {
		return ExitInput, err
	}
	if len(r.m.Queue.Batches) == 0 {
		fmt.Fprintf(s.env.Stderr, "shard: %s: the queue %s was drained before this worker joined; nothing left to run\n", r.worker, r.m.Queue.Key)
	}
	return r.code, nil
}

// open connects, seeds or joins, and reads this worker's log.
func (r *queueRun) open(ctx context.Context, key string) ([]queue.Logged, error) {
	c := r.s.cfg
	q, err := queue.Open(ctx, queue.Config{
		URL: c.queue.url, Key: key, Worker: r.worker, Workers: r.id.total,
		TTL: c.queue.ttl.d, Lease: r.lease, MinBatch: c.queue.minBatch.d,
	})
	if err != nil {
		return nil, err
	}
	seeded, err := q.Seed(ctx, r.m.Queue.Fingerprint, seedOrder(r.p))
	if err != nil {
		q.Close()
		return nil, err
	}
	r.m.Queue.Seeder, r.m.Queue.SeededBy = seeded.Seeder, seeded.By
	logged, err := q.Log(ctx)
	if err != nil {
		q.Close()
		return nil, err
	}
	r.q = q
	if seeded.Seeder {
		fmt.Fprintf(r.s.env.Stderr, "shard: %s seeded the queue %s with %d units\n", r.worker, q.Key(), seeded.Units)
	}
	return logged, nil
}

// fallback handles a queue that could not be used at the start:
// a misconfiguration fails; an outage runs the static plan's share when
// --queue-fallback is static.
func (r *queueRun) fallback(err error) (int, error) {
	var fe *queue.FingerprintError
	var qe *queue.Error
	if errors.As(err, &fe) || (errors.As(err, &qe) && (qe.Kind == queue.KindWrongType || qe.Kind == queue.KindConfig || qe.Kind == queue.KindProtocol)) {
		return ExitInput, err
	}
	if r.s.cfg.queue.fallback.value != "static" {
		return ExitInput, fmt.Errorf("%v (--queue-fallback %s)", err, r.s.cfg.queue.fallback.value)
	}
	r.s.warnf("%v; running this worker's share of the static plan instead (--queue-fallback static)", err)
	r.m.Queue.Mode = manifest.ModeStaticFallback
	r.m.Queue.Fallback = err.Error()
	r.s.queueManifest = r.m.Queue
	return r.s.runWorker(r.p, r.id, nil)
}

// runBatch runs one batch, keeping its lease while it runs when held,
// and records it. It returns an error (and the code to exit with) when
// the worker must stop.
func (r *queueRun) runBatch(ctx context.Context, b manifest.Batch, held bool) (int, error) {
	if b.ClaimedAt == "" {
		b.ClaimedAt = r.now()
	}
	qm := r.m.Queue
	qm.Batches = append(qm.Batches, b)
	mb := &qm.Batches[len(qm.Batches)-1]
	if err := r.save(); err != nil {
		return ExitInput, err
	}
	r.seq++
	var items []string
	for _, u := range b.Units {
		items = append(items, r.unitItems(u)...)
	}
	slices.Sort(items)
	var keeper *queue.Keeper
	if held {
		keeper = r.q.Keep(b.ID, r.lease)
	}
	code, err := r.exec(items, b.ID)
	lost := false
	if keeper != nil {
		lost, _ = keeper.Stop()
	}
	if err != nil || ctx.Err() != nil {
		// The command did not run, or was stopped: give the batch back.
		if held {
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			r.q.Release(rctx, b.ID)
			cancel()
		}
		if err != nil {
			qm.Error = err.Error()
			r.save()
			return ExitInput, err
		}
		return r.interrupted()
	}
	mb.FinishedAt = r.now()
	r.lastEnd = mb.FinishedAt
	mb.ExitCode = code
	if code != 0 && r.code == 0 {
		r.code = code
	}
	if held {
		a, err := r.q.Ack(ctx, b.ID)
		if err != nil {
			return r.stopped(err)
		}
		mb.Acked = a.Held
		mb.LeaseLost = lost || !a.Held
		if mb.LeaseLost {
			r.s.warnf("%s: the lease of batch %s expired while it ran (%d unit(s) went back to the queue; another worker may run them too: merge marks them)", r.worker, b.ID, len(b.Units))
		}
	}
	return ExitOK, r.save()
}

// exec runs the command on items: once per go-run line for --go.
func (r *queueRun) exec(items []string, batchID string) (int, error) {
	s := r.s
	env := append(s.env.Environ(), r.vars...)
	env = append(env, "XSHARD_BATCH="+strconv.Itoa(r.seq), "XSHARD_BATCH_ID="+batchID)
	cmd := withBatch(s.cfg.command, r.seq)
	if len(s.cfg.gos) == 0 {
		return runCommand(s.env, substitute(cmd, items), env, s.cfg.dir)
	}
	lines := goRunLines(items, s.items)
	if r.untested {
		lines = withUntested(lines, s.untested)
		r.untested = false
	}
	code := ExitOK
	for _, l := range lines {
		rc, err := runCommand(s.env, substitute(cmd, strings.Fields(l)), env, s.cfg.dir)
		if err != nil {
			return rc, err
		}
		if rc != 0 && code == ExitOK {
			code = rc
		}
	}
	return code, nil
}

// runUntested names the Go packages without tests when worker 0 ran no
// batch, so that coverage still reports their statements.
func (r *queueRun) runUntested() {
	r.seq++
	code, err := r.exec(nil, "untested")
	if err == nil && code != 0 && r.code == 0 {
		r.code = code
	}
}

// withBatch puts the batch number in place of "{batch}" in every
// argument, so that each batch can write its own report file.
func withBatch(cmd []string, seq int) []string {
	out := make([]string, len(cmd))
	for i, a := range cmd {
		out[i] = strings.ReplaceAll(a, "{batch}", strconv.Itoa(seq))
	}
	return out
}

func (r *queueRun) unitItems(u string) []string {
	if items, ok := r.units[u]; ok && len(items) > 0 {
		return items
	}
	return []string{u}
}

// predictedOf is a queue prediction in seconds, 0 when the plan had no
// timings (its "seconds" then count units).
func (r *queueRun) predictedOf(secs float64) float64 { return round3(predicted(r.p, secs)) }

func (r *queueRun) predicted(units []string) float64 {
	sec := map[string]float64{}
	for _, sh := range r.p.Shards {
		for _, u := range sh.Units {
			sec[u.ID] = u.Seconds
		}
	}
	t := 0.0
	for _, u := range units {
		t += sec[u]
	}
	return r.predictedOf(t)
}

// stopped records that the queue failed mid-run and returns the error.
func (r *queueRun) stopped(err error) (int, error) {
	r.m.Queue.Error = err.Error()
	r.m.TestFinishedAt = r.now()
	r.save()
	return ExitInput, fmt.Errorf("%w; %s stopped after %d batch(es); the tests it did not claim are named by merge: re-run this job once the queue is back, it replays its batches and goes on", err, r.worker, len(r.m.Queue.Batches))
}

// interrupted records a stop by SIGINT or SIGTERM.
func (r *queueRun) interrupted() (int, error) {
	r.m.Queue.Error = "stopped by a signal"
	r.m.TestFinishedAt = r.now()
	r.save()
	return 128 + int(syscall.SIGTERM), errors.New("stopped by a signal; the batch that was running went back to the queue")
}

func (r *queueRun) now() string { return r.s.env.Now().UTC().Format(manifest.TimeFormat) }

// save writes the manifest (atomically), when --manifest is given. The
// manifest is rewritten after every claim and every end of a batch, so
// that a killed worker leaves its record: atomically (a temporary file
// renamed), but without the fsync of atomicfile.Write, whose cost on a
// busy disk would be paid twice a batch; a kill does not lose what the
// page cache holds, and the last save (the end of the test phase) syncs.
func (r *queueRun) save() error {
	path := r.s.cfg.manifestPath
	if path == "" {
		return nil
	}
	var err error
	if r.m.TestFinishedAt != "" {
		err = atomicfile.Write(path, func(w io.Writer) error { return manifest.Write(w, r.m) })
	} else {
		err = renameInto(path, r.m)
	}
	if err != nil {
		return fmt.Errorf("--manifest: %w", err)
	}
	return nil
}

// renameInto writes m to a temporary file beside path and renames it.
func renameInto(path string, m *manifest.Manifest) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".xshard-tmp-"+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	bw := bufio.NewWriter(f)
	err = manifest.Write(bw, m)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// setOutputs exports the worker's identity in GitHub Actions, as the
// static mode does; the tests come batch by batch, so there is no list.
func (r *queueRun) setOutputs() error {
	if !ghaction.Active(r.s.env.Getenv) {
		return nil
	}
	gh := ghaction.New(r.s.env.Stderr, r.s.env.Getenv)
	for _, kv := range r.vars {
		k, v, _ := strings.Cut(kv, "=")
		if err := gh.SetEnv(k, v); err != nil {
			return err
		}
	}
	outs := [][2]string{{"worker", r.worker}, {"index", strconv.Itoa(r.id.index)}, {"total", strconv.Itoa(r.id.total)},
		{"testrun-uid", r.ri.testrunUID}, {"strategy", "queue"}, {"fingerprint", r.m.Queue.Fingerprint}, {"manifest", r.s.cfg.manifestPath}}
	for _, o := range outs {
		if err := gh.SetOutput(o[0], o[1]); err != nil {
			return err
		}
	}
	return nil
}

// next is shard --queue --next: it acknowledges the batch that the
// previous call printed (the script ran it), claims the next one, records
// it in the manifest and prints it; once the queue is drained it prints
// nothing. The lease of a batch outlasts twice its prediction, since no
// process renews it while the script runs it.
func (r *queueRun) next(key string) (int, error) {
	s := r.s
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var prev *manifest.Queue
	if old, err := manifest.ReadFile(s.cfg.manifestPath); err == nil && old.Queue != nil && old.Queue.Key == r.m.Queue.Key && old.Worker == r.worker {
		prev = old.Queue
		r.m.Queue = prev
		r.m.TestStartedAt = old.TestStartedAt
		r.m.StartedAt = old.StartedAt
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return ExitInput, fmt.Errorf("--manifest: %w", err)
	}
	if prev != nil && (prev.Mode == manifest.ModeStaticFallback || prev.Drained) {
		if r.m.TestFinishedAt == "" {
			r.m.TestFinishedAt = r.now()
		}
		return ExitOK, r.save()
	}
	logged, err := r.open(ctx, key)
	if err != nil {
		if prev != nil {
			return r.stopped(err)
		}
		r.s.cfg.exec = false
		r.m.TestStartedAt = r.now()
		code, ferr := r.fallback(err)
		return code, ferr
	}
	defer r.q.Close()
	qm := r.m.Queue
	if n := len(qm.Batches); n > 0 && !qm.Batches[n-1].Finished() {
		last := &qm.Batches[n-1]
		last.FinishedAt = r.now()
		if !last.Replay {
			a, err := r.q.Ack(ctx, last.ID)
			if err != nil {
				return r.stopped(err)
			}
			last.Acked, last.LeaseLost = a.Held, !a.Held
		}
	}
	if prev == nil {
		r.m.TestStartedAt = r.now()
		if len(logged) > 0 {
			// A re-run: everything this worker claimed before, at once.
			b := manifest.Batch{ID: "replay", Replay: true, ClaimedAt: r.now()}
			for _, l := range logged {
				b.Units = append(b.Units, l.Units...)
			}
			b.PredictedSeconds = r.predicted(b.Units)
			return r.print(b)
		}
	}
	wait := 50 * time.Millisecond
	for {
		cl, err := r.q.Next(ctx, r.lease)
		if err != nil {
			return r.stopped(err)
		}
		if cl.Drained {
			qm.Drained = true
			r.m.TestFinishedAt = r.now()
			if len(qm.Batches) == 0 {
				fmt.Fprintf(s.env.Stderr, "shard: %s: the queue %s was drained before this worker joined; nothing left to run\n", r.worker, qm.Key)
			}
			return ExitOK, r.save()
		}
		if b := cl.Batch; b != nil {
			lease := queue.LeaseFor(r.lease, time.Duration(b.Predicted*float64(time.Second)), false)
			if _, err := r.q.Heartbeat(ctx, b.ID, lease); err != nil {
				return r.stopped(err)
			}
			return r.print(manifest.Batch{ID: b.ID, Units: b.Units, Requeued: b.Requeued, PredictedSeconds: r.predictedOf(b.Predicted),
				ClaimedAt: b.ClaimedAt.Format(manifest.TimeFormat)})
		}
		select {
		case <-ctx.Done():
			return r.interrupted()
		case <-time.After(min(cl.Wait+10*time.Millisecond, wait)):
		}
		wait = min(2*wait, time.Second)
	}
}

// print records batch b and prints its tests in --format.
func (r *queueRun) print(b manifest.Batch) (int, error) {
	s := r.s
	r.m.Queue.Batches = append(r.m.Queue.Batches, b)
	if err := r.save(); err != nil {
		return ExitInput, err
	}
	var items []string
	for _, u := range b.Units {
		items = append(items, r.unitItems(u)...)
	}
	slices.Sort(items)
	w := s.env.Stdout
	switch s.cfg.format.value {
	case "space":
		fmt.Fprintln(w, strings.Join(items, " "))
	case "go-run":
		lines := goRunLines(items, s.items)
		if r.untested && len(r.m.Queue.Batches) == 1 {
			lines = withUntested(lines, s.untested)
		}
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	case "json":
		return ExitOK, writeJSON(w, struct {
			Worker           string   `json:"worker"`
			Batch            string   `json:"batch"`
			Items            []string `json:"items"`
			PredictedSeconds float64  `json:"predicted_seconds"`
		}{r.worker, b.ID, nonNil(items), b.PredictedSeconds})
	default:
		for _, it := range items {
			fmt.Fprintln(w, it)
		}
	}
	return ExitOK, nil
}
