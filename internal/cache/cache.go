// Package cache is Tally's read cache: cache-aside entries kept per user and
// invalidated by a per-user generation that every committed write bumps.
//
// The entries and the generations live in a Backend: a bounded in-process
// LRU by default, Redis when several processes share one database. Keys
// always carry the user's id. A generation is a random token, so an entry
// written under an older generation (or under one an eviction forgot) is
// never read again; entries also expire after a TTL, which bounds what a
// day's change of date can leave stale. A backend that fails (Redis down)
// is a miss: the reader loads from the database and the failure is logged
// at most once per interval, never returned.
package cache

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/tallyhq/tally/internal/metrics"
)

// Backend stores bytes under keys. Implementations are safe for concurrent
// use. Get reports a missing key as found == false and a nil error.
type Backend interface {
	Get(ctx context.Context, key string) (value []byte, found bool, err error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX sets key only when it is missing and returns the value the key
	// holds afterwards.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) ([]byte, error)
	// Fetch reads a user's generation and one of their entries in one
	// step: the value at genKey (set to newGen for genTTL when missing),
	// then the entry at entryPrefix + generation + entrySuffix, where the
	// generation is that value up to its first "/". Reading both together
	// means one round trip, and an entry filed under an older generation
	// is never returned. When the generation is HaveGen (the caller holds
	// that entry already) the entry is not read: found is false.
	Fetch(ctx context.Context, f FetchKeys) (gen, entry []byte, found bool, err error)
	Close() error
}

// FetchKeys names what Backend.Fetch reads.
type FetchKeys struct {
	GenKey      string
	NewGen      []byte // the generation set when the user has none; a new random one when nil
	GenTTL      time.Duration
	EntryPrefix string
	EntrySuffix string
	HaveGen     string // "" when the caller holds no copy
	// GenOnly asks for the generation alone: no entry is read, and a
	// GET answers it whenever the user has a generation.
	GenOnly bool
}

// newGen is the generation to set when the user has none. A fetch that
// finds one, nearly every fetch, makes none.
func (f FetchKeys) newGen() []byte {
	if f.NewGen != nil {
		return f.NewGen
	}
	return []byte(newToken())
}

// generationOf is the generation part of a stored generation value.
func generationOf(v []byte) []byte {
	if i := bytes.IndexByte(v, '/'); i >= 0 {
		return v[:i]
	}
	return v
}

// Invalidator learns about committed writes. Changed is called after the
// write's transaction commits, with every user whose data it changed; it
// never fails (a cache that cannot be reached is logged and skipped).
type Invalidator interface {
	Changed(ctx context.Context, userIDs ...string)
}

// Nop is an Invalidator that does nothing, for commands that run without a
// cache (migrate, reconcile, import from the command line).
type Nop struct{}

// Changed does nothing.
func (Nop) Changed(context.Context, ...string) {}

// Default lifetimes.
const (
	// DefaultTTL bounds how long an entry lives without a write.
	DefaultTTL = 5 * time.Minute
	// GenerationTTL is how long a user's generation outlives their last
	// write; longer than any entry, so an entry never outlives it.
	GenerationTTL = 24 * time.Hour
	// logEvery is how often a failing backend is reported.
	logEvery = time.Minute
)

// Cache is the per-user read cache over a Backend.
type Cache struct {
	backend Backend
	// near keeps copies of a shared backend's entries in the process,
	// under the generation they were filed with: a read still asks the
	// backend for the user's generation, but the answer comes back
	// without the entry when the copy is current.
	near   *Memory
	ttl    time.Duration
	logger *slog.Logger
	prefix string

	// WriteMark, when set, returns a mark of the database's write position
	// after a commit (PostgreSQL's WAL LSN); Changed stores it with the
	// user's generation so reads can tell whether a replica has caught up.
	WriteMark func(ctx context.Context) (string, error)

	mu       sync.Mutex
	lastLog  time.Time
	failures int
}

// Options configure a Cache.
type Options struct {
	TTL    time.Duration // DefaultTTL when 0
	Logger *slog.Logger  // slog.Default when nil
	// Prefix starts every key, so tests and deployments can share one
	// Redis; "tally:" when empty.
	Prefix string
}

// New returns a cache over b.
func New(b Backend, o Options) *Cache {
	c := &Cache{backend: b, ttl: o.TTL, logger: o.Logger, prefix: o.Prefix}
	if c.ttl <= 0 {
		c.ttl = DefaultTTL
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.prefix == "" {
		c.prefix = "tally:"
	}
	if _, local := b.(*Memory); !local {
		c.near = NewMemory(0)
	}
	return c
}

// Close closes the backend.
func (c *Cache) Close() error { return c.backend.Close() }

// failed logs a backend error at most once per interval.
func (c *Cache) failed(op string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	c.mu.Lock()
	c.failures++
	now := time.Now()
	if now.Sub(c.lastLog) < logEvery {
		c.mu.Unlock()
		return
	}
	n := c.failures
	c.failures, c.lastLog = 0, now
	c.mu.Unlock()
	c.logger.Warn("cache unavailable, reading from the database", "op", op, "error", err.Error(), "failures", n)
	metrics.CacheErrors.Inc()
}

func (c *Cache) genKey(userID string) string { return c.prefix + "gen:" + userID }

func newToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// State is what the cache knows of a user's writes: the generation their
// entries are filed under and the write mark of their last write ("" when
// unknown).
type State struct {
	Generation string
	Mark       string
	ok         bool // the backend answered
}

// State returns the user's current generation, creating one when there is
// none. On Redis it goes in the same pipelines as the cached answers'
// reads (see Redis.Fetch).
func (c *Cache) State(ctx context.Context, userID string) State {
	v, _, _, err := c.backend.Fetch(ctx, FetchKeys{
		GenKey: c.genKey(userID), GenTTL: GenerationTTL, GenOnly: true,
		EntryPrefix: c.entryPrefix(userID), EntrySuffix: ":",
	})
	if err != nil {
		c.failed("get generation", err)
		return State{}
	}
	return parseState(v)
}

func parseState(v []byte) State {
	gen, mark, _ := strings.Cut(string(v), "/")
	return State{Generation: gen, Mark: mark, ok: true}
}

func (c *Cache) entryPrefix(userID string) string { return c.prefix + "v:" + userID + ":" }

// fetch reads the user's state and their entry name in one round trip.
func (c *Cache) fetch(ctx context.Context, userID, name string) (State, []byte, bool) {
	haveGen, have := c.nearGet(userID, name)
	v, entry, found, err := c.backend.Fetch(ctx, FetchKeys{
		GenKey: c.genKey(userID), GenTTL: GenerationTTL,
		EntryPrefix: c.entryPrefix(userID), EntrySuffix: ":" + name, HaveGen: haveGen,
	})
	if err != nil {
		c.failed("fetch", err)
		return State{}, nil, false
	}
	st := parseState(v)
	if haveGen != "" && st.Generation == haveGen {
		return st, have, true
	}
	if found {
		c.nearSet(st, userID, name, entry)
	}
	return st, entry, found
}

// nearGet returns the process's copy of the user's entry name and the
// generation it was filed under ("" when there is none).
func (c *Cache) nearGet(userID, name string) (string, []byte) {
	if c.near == nil {
		return "", nil
	}
	v, ok, _ := c.near.Get(context.Background(), userID+":"+name)
	if !ok {
		return "", nil
	}
	gen, entry, _ := bytes.Cut(v, []byte{'\n'})
	return string(gen), entry
}

// nearSet keeps a copy of the user's entry name, filed under st.
func (c *Cache) nearSet(st State, userID, name string, entry []byte) {
	if c.near == nil {
		return
	}
	v := make([]byte, 0, len(st.Generation)+1+len(entry))
	v = append(append(append(v, st.Generation...), '\n'), entry...)
	_ = c.near.Set(context.Background(), userID+":"+name, v, c.ttl)
}

// Changed gives each user a new generation, so their entries are read
// again from the database by every process sharing the backend.
func (c *Cache) Changed(ctx context.Context, userIDs ...string) {
	if len(userIDs) == 0 {
		return
	}
	// The write has committed; a cancelled request must still invalidate.
	ctx = context.WithoutCancel(ctx)
	mark := ""
	if c.WriteMark != nil {
		m, err := c.WriteMark(ctx)
		if err != nil {
			c.logger.Warn("cache: read the write position", "error", err.Error())
		}
		mark = m
	}
	for _, u := range userIDs {
		v := newToken()
		if mark != "" {
			v += "/" + mark
		}
		if err := c.backend.Set(ctx, c.genKey(u), []byte(v), GenerationTTL); err != nil {
			c.failed("bump generation", err)
		}
	}
}

// Load returns the user's entry name under the state's generation, calling
// load and storing its answer on a miss. name must be the same for the same
// question (include the month, the date or the parameters it depends on).
// A backend error is a miss; only load's error is returned.
func (c *Cache) Load(ctx context.Context, st State, userID, name string, load func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	e, err := c.load(ctx, st, userID, name, load)
	return e.Body, err
}

func (c *Cache) load(ctx context.Context, st State, userID, name string, load func(ctx context.Context) ([]byte, error)) (Entry, error) {
	if !st.ok {
		return c.serve(ctx, st, userID, name, nil, false, load)
	}
	if gen, v := c.nearGet(userID, name); gen != "" && gen == st.Generation {
		return c.serve(ctx, st, userID, name, v, true, load)
	}
	v, found, err := c.backend.Get(ctx, c.entryPrefix(userID)+st.Generation+":"+name)
	if err != nil {
		c.failed("get", err)
	}
	if found {
		c.nearSet(st, userID, name, v)
	}
	return c.serve(ctx, st, userID, name, v, found, load)
}

// Entry is one answer of the cache: the bytes, and the generation of the
// user's they belong to ("" when the backend did not answer and they were
// loaded from the database without one). While the user's generation stays
// the same, so does the entry: the pair (user, name, generation) names it,
// which is what an HTTP validator (ETag) needs.
type Entry struct {
	Body       []byte
	Generation string
}

// serve answers with the entry read under st (v, when found), or loads
// and stores it.
func (c *Cache) serve(ctx context.Context, st State, userID, name string, v []byte, found bool, load func(ctx context.Context) ([]byte, error)) (Entry, error) {
	kind, _, _ := strings.Cut(name, ":")
	if !st.ok {
		countersOf(kind).bypass.Inc()
		v, err := load(ctx)
		return Entry{Body: v}, err
	}
	if found {
		countersOf(kind).hit.Inc()
		return Entry{Body: v, Generation: st.Generation}, nil
	}
	countersOf(kind).miss.Inc()
	v, err := load(ctx)
	if err != nil {
		return Entry{}, err
	}
	// Loaded after the generation was read, v holds every write that
	// generation counts (and maybe later ones, whose own generation
	// supersedes it).
	e := Entry{Body: v, Generation: st.Generation}
	if err := c.backend.Set(ctx, c.entryPrefix(userID)+st.Generation+":"+name, v, c.ttl); err != nil {
		c.failed("set", err)
		return e, nil
	}
	c.nearSet(st, userID, name, v)
	return e, nil
}

// kindCounters are the request counters of one entry kind.
type kindCounters struct{ hit, miss, bypass prometheus.Counter }

// counters holds a *kindCounters by kind, found once per kind rather than
// by label values on every read. The kinds are the code's entry names, a
// handful.
var counters sync.Map

func countersOf(kind string) *kindCounters {
	if k, ok := counters.Load(kind); ok {
		return k.(*kindCounters)
	}
	k := &kindCounters{
		hit:    metrics.CacheRequests.WithLabelValues(kind, "hit"),
		miss:   metrics.CacheRequests.WithLabelValues(kind, "miss"),
		bypass: metrics.CacheRequests.WithLabelValues(kind, "bypass"),
	}
	v, _ := counters.LoadOrStore(kind, k)
	return v.(*kindCounters)
}

// Known reports whether the backend answered: only then are Generation
// and Mark the user's.
func (s State) Known() bool { return s.ok }

// Check decides, once Get has read the user's state together with the
// entry, whether the request may go on: it returns the context to load
// with on a miss (one that reads a replica, say), or an error that Get
// returns without serving anything.
type Check func(ctx context.Context, st State) (context.Context, error)

type stateKey struct{}

type ctxState struct {
	userID string
	state  State
	check  Check // nil: state is the user's, read already
}

// WithState returns a context carrying the user's state, read once per
// request; Get uses it instead of asking the backend again.
func WithState(ctx context.Context, userID string, st State) context.Context {
	return context.WithValue(ctx, stateKey{}, ctxState{userID: userID, state: st})
}

// WithCheck returns a context in which Get reads the user's state together
// with the entry, in one round trip, and passes it to check before it
// serves or loads anything. It lets a request that has not read the state
// yet (one authenticated by a remembered token, say) decide on it then.
func WithCheck(ctx context.Context, userID string, check Check) context.Context {
	return context.WithValue(ctx, stateKey{}, ctxState{userID: userID, check: check})
}

// Get returns the user's entry name, loading and storing it on a miss. It
// reads the entry under the state WithState put in ctx, or else reads the
// state and the entry together (see WithCheck).
func (c *Cache) Get(ctx context.Context, userID, name string, load func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	e, err := c.GetEntry(ctx, userID, name, load)
	return e.Body, err
}

// GetEntry is Get, with the generation the answer belongs to.
func (c *Cache) GetEntry(ctx context.Context, userID, name string, load func(ctx context.Context) ([]byte, error)) (Entry, error) {
	cs, ok := ctx.Value(stateKey{}).(ctxState)
	if ok && cs.userID == userID && cs.check == nil {
		return c.load(ctx, cs.state, userID, name, load)
	}
	st, v, found := c.fetch(ctx, userID, name)
	if ok && cs.userID == userID {
		var err error
		if ctx, err = cs.check(ctx, st); err != nil {
			return Entry{}, err
		}
	}
	return c.serve(ctx, st, userID, name, v, found, load)
}
