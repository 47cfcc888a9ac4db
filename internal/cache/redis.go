package cache

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the backend shared by every process: entries and generations
// live in one Redis, so a write in one process invalidates the others'
// reads. Timeouts are short, so a Redis that stops answering costs a
// request a few milliseconds, not seconds.
type Redis struct {
	client *redis.Client
}

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
// generation when it is the one whose entry the caller holds (ARGV[5]). It is sent
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
func (r *Redis) Fetch(ctx context.Context, f FetchKeys) ([]byte, []byte, bool, error) {
	res, err := fetchScript.Run(ctx, r.client, []string{f.GenKey},
		f.EntryPrefix, f.EntrySuffix, f.NewGen, f.GenTTL.Milliseconds(), f.HaveGen).Slice()
	if err != nil {
		return nil, nil, false, err
	}
	if len(res) != 1 && len(res) != 2 {
		return nil, nil, false, fmt.Errorf("cache: fetch script answered %d values, want 1 or 2", len(res))
	}
	gen, ok := res[0].(string)
	if !ok {
		return nil, nil, false, fmt.Errorf("cache: fetch script answered generation %T", res[0])
	}
	if len(res) == 1 {
		return []byte(gen), nil, false, nil // the caller's copy is current
	}
	entry, found := res[1].(string)
	return []byte(gen), []byte(entry), found, nil
}

// Close closes the connections.
func (r *Redis) Close() error { return r.client.Close() }
