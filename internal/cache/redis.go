package cache

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the backend shared by every process: entries and generations
// live in one Redis, so a write in one process invalidates the others'
// reads. Timeouts are short, so a Redis that stops answering costs a
// request a few milliseconds, not seconds.
type Redis struct {
	client *redis.Client

	// Fetches that arrive while one is in flight wait and go together in
	// the next pipeline (see Fetch).
	mu      sync.Mutex
	busy    bool         // a fetch or a pipeline of them is in flight
	pending []*fetchCall // waiting for the next pipeline
	batched atomic.Int64 // fetches sent in a pipeline of several, for tests
	current atomic.Int64 // fetches answered by a GET of a current generation, for tests
	shared  atomic.Int64 // fetches answered by another fetch's GET in the same pipeline, for tests
}

// fetchCall is one Fetch waiting for a pipeline.
type fetchCall struct {
	f          FetchKeys
	gen, entry []byte
	found      bool
	err        error
	done       chan struct{} // closed once answered
}

// maxPipeline bounds the fetches sent in one pipeline.
const maxPipeline = 128

// ParseRedisURL checks a redis:// or rediss:// URL and returns its options.
func ParseRedisURL(rawURL string) (*redis.Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return nil, fmt.Errorf("want redis://[user:password@]host:port[/db]")
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return o, nil
}

// RedactURL hides the password of a Redis URL for messages and logs.
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// NewRedis returns a backend over the Redis at rawURL. It does not connect:
// a Redis that is down at start makes every read a miss until it answers.
func NewRedis(rawURL string) (*Redis, error) {
	o, err := ParseRedisURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("cache: redis URL %q: %w", RedactURL(rawURL), err)
	}
	o.DialTimeout = 200 * time.Millisecond
	o.ReadTimeout = 100 * time.Millisecond
	o.WriteTimeout = 100 * time.Millisecond
	o.PoolTimeout = 200 * time.Millisecond
	o.MaxRetries = 0
	o.DialerRetries = 1
	o.DialerRetryTimeout = 10 * time.Millisecond
	// Tally reports a failing Redis itself, once per interval; the
	// client's own log would print every failed dial.
	quietOnce.Do(func() { redis.SetLogger(quietLogger{}) })
	o.ContextTimeoutEnabled = true
	// RESP2: Tally subscribes to nothing, and RESP3 makes the client look
	// for push messages before every command.
	o.Protocol = 2
	return &Redis{client: redis.NewClient(o)}, nil
}

var quietOnce sync.Once

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

// Ping checks that Redis answers.
func (r *Redis) Ping(ctx context.Context) error { return r.client.Ping(ctx).Err() }

// Get returns the value of key.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.client.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// Set stores value under key for ttl.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return r.client.Set(ctx, key, value, ttl).Err()
}

// SetNX stores value under key unless it holds one, and returns the value
// it holds.
func (r *Redis) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) ([]byte, error) {
	v, err := r.client.SetArgs(ctx, key, value, redis.SetArgs{Mode: "NX", Get: true, TTL: ttl}).Bytes()
	if errors.Is(err, redis.Nil) {
		return value, nil // it was missing and now holds value
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// fetchScript is Backend.Fetch inside Redis: the user's generation (made
// when missing) and the entry filed under it, in one round trip; only the
// generation when it is the one whose entry the caller holds (ARGV[5]).
// A caller that holds an entry asks with a plain GET first (see
// answerGen), and runs the script only when that entry is stale. It is sent
// by digest (EVALSHA) and in full only when Redis does not hold it yet
// (NOSCRIPT), as after a restart. The entry's key depends on the
// generation, so it cannot be named in KEYS: this needs one Redis, not a
// cluster.
var fetchScript = redis.NewScript(`
local g = redis.call('GET', KEYS[1])
if not g then
	redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
	g = ARGV[3]
end
local gen = string.match(g, '^[^/]*')
if gen == ARGV[5] then
	return {g}
end
return {g, redis.call('GET', ARGV[1] .. gen .. ARGV[2])}
`)

// Fetch reads the generation and the entry under it (see Backend).
//
// Under load Fetch batches: a fetch that finds none in flight is sent at
// once, on its own; those that arrive while one is in flight wait and are
// sent together, as one pipeline (one write and one read for the lot),
// when it returns. A lone request waits for nothing; a busy process makes
// fewer system calls per request, and Redis fewer reads and writes.
//
// A fetch whose caller holds an entry is a GET of the generation, in the
// same pipelines; only when that entry turns out stale does the script
// follow, a second round trip right after the user's write.
func (r *Redis) Fetch(ctx context.Context, f FetchKeys) ([]byte, []byte, bool, error) {
	r.mu.Lock()
	if !r.busy || len(r.pending) >= maxPipeline {
		// None in flight: this one goes now, and leads the next batch.
		// A full queue (Redis slow to answer): this one goes on its
		// own connection, as without batching, rather than wait behind
		// several pipelines.
		lead := !r.busy
		r.busy = true
		r.mu.Unlock()
		c := fetchCall{f: f}
		r.fetchOne(ctx, &c)
		if lead {
			r.next()
		}
		return c.gen, c.entry, c.found, c.err
	}
	c := &fetchCall{f: f, done: make(chan struct{})}
	r.pending = append(r.pending, c)
	r.mu.Unlock()
	select {
	case <-c.done:
		return c.gen, c.entry, c.found, c.err
	case <-ctx.Done():
		return nil, nil, false, ctx.Err() // the pipeline still answers c, to no one
	}
}

// next sends the fetches that queued during the one in flight, or marks
// none in flight.
func (r *Redis) next() {
	batch := r.takePending()
	if batch == nil {
		return
	}
	go func() {
		for ; batch != nil; batch = r.takePending() {
			r.fetchMany(batch)
		}
	}()
}

// takePending returns up to maxPipeline waiting fetches, or nil (and no
// longer busy) when none wait.
func (r *Redis) takePending() []*fetchCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pending) == 0 {
		r.busy = false
		r.pending = nil
		return nil
	}
	n := min(len(r.pending), maxPipeline)
	batch := r.pending[:n:n]
	r.pending = r.pending[n:]
	return batch
}

func fetchArgs(f FetchKeys) ([]string, []any) {
	return []string{f.GenKey}, []any{f.EntryPrefix, f.EntrySuffix, f.newGen(), f.GenTTL.Milliseconds(), f.HaveGen}
}

// fetchOne answers c alone: by a GET of the generation when c holds an
// entry or wants the generation alone (see answerGen), else, or when that entry is no longer current, by
// the script.
func (r *Redis) fetchOne(ctx context.Context, c *fetchCall) {
	if (c.f.HaveGen != "" || c.f.GenOnly) && r.answerGen(c, r.client.Get(ctx, c.f.GenKey)) {
		return
	}
	r.runScript(ctx, c)
}

// runScript answers c with the script.
func (r *Redis) runScript(ctx context.Context, c *fetchCall) {
	keys, args := fetchArgs(c.f)
	c.answer(fetchScript.Run(ctx, r.client, keys, args...))
}

// answerGen answers c from a GET of its generation key when that shows
// the generation whose entry c holds, which is the script's answer too: the
// caller's copy is current. A fetch of the generation alone (GenOnly) takes
// whatever generation the key holds. It reports false, answering nothing, when the
// key is missing, the generation has moved or the GET failed; the script
// then makes the generation or reads the entry under the new one. A plain
// GET costs Redis a fraction of a script's run, and it is what almost every
// read of a busy user's cached answer needs.
func (r *Redis) answerGen(c *fetchCall, cmd *redis.StringCmd) bool {
	v, err := cmd.Bytes()
	if err != nil || (!c.f.GenOnly && string(generationOf(v)) != c.f.HaveGen) {
		return false
	}
	c.gen = v
	r.current.Add(1)
	return true
}

// fetchMany runs the script for each call in one pipeline and answers
// them. The pipeline serves many requests, so no one request's
// cancellation stops it; the client's timeouts bound it.
func (r *Redis) fetchMany(calls []*fetchCall) {
	ctx := context.Background()
	if len(calls) == 1 {
		r.fetchOne(ctx, calls[0])
		close(calls[0].done)
		return
	}
	pipe := r.client.Pipeline()
	gets := make([]*redis.StringCmd, len(calls))
	scripts := make([]*redis.Cmd, len(calls))
	for i, c := range calls {
		if c.f.HaveGen != "" || c.f.GenOnly {
			gets[i] = sameGet(calls[:i], gets[:i], c.f.GenKey)
			if gets[i] != nil {
				r.shared.Add(1)
			} else {
				gets[i] = pipe.Get(ctx, c.f.GenKey)
			}
			continue
		}
		keys, args := fetchArgs(c.f)
		scripts[i] = pipe.EvalSha(ctx, fetchScript.Hash(), keys, args...)
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	r.batched.Add(int64(len(calls)))
	var again []*fetchCall // their copies are stale: the script answers them
	for i, c := range calls {
		switch {
		case gets[i] != nil:
			if !r.answerGen(c, gets[i]) {
				again = append(again, c)
				continue
			}
		case redis.HasErrorPrefix(scripts[i].Err(), "NOSCRIPT"):
			// Redis has not held the script since it started: send it
			// in full (Run loads it for the next pipeline).
			r.runScript(ctx, c)
		default:
			c.answer(scripts[i])
		}
		close(c.done)
	}
	for _, c := range again {
		r.runScript(ctx, c)
		close(c.done)
	}
}

// sameGet returns the GET of key already in the pipeline, or nil. One GET
// of a user's generation serves every fetch of theirs in the pipeline:
// each of them was asked for before the pipeline is sent, so the value
// Redis returns counts every write acknowledged before any of them began
// (a client's parallel requests for one page, or one app's). The batch is
// at most maxPipeline long.
func sameGet(calls []*fetchCall, gets []*redis.StringCmd, key string) *redis.StringCmd {
	for i, c := range calls {
		if gets[i] != nil && c.f.GenKey == key {
			return gets[i]
		}
	}
	return nil
}

// answer reads the script's reply into c.
func (c *fetchCall) answer(cmd *redis.Cmd) {
	res, err := cmd.Slice()
	if err != nil {
		c.err = err
		return
	}
	if len(res) != 1 && len(res) != 2 {
		c.err = fmt.Errorf("cache: fetch script answered %d values, want 1 or 2", len(res))
		return
	}
	gen, ok := res[0].(string)
	if !ok {
		c.err = fmt.Errorf("cache: fetch script answered generation %T", res[0])
		return
	}
	c.gen = []byte(gen)
	if len(res) == 1 {
		return // the caller's copy is current
	}
	entry, found := res[1].(string)
	c.entry, c.found = []byte(entry), found
}

// Close closes the connections.
func (r *Redis) Close() error { return r.client.Close() }
