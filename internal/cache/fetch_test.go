package cache_test

import (
	"context"
	"fmt"
	"net"
	"os"
	gosync "sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/cache"
)

// backends are the backends Fetch is tested on: the in-process LRU, and
// the Redis at TALLY_TEST_REDIS_URL when it is set.
func backends(t *testing.T) map[string]cache.Backend {
	t.Helper()
	out := map[string]cache.Backend{"memory": cache.NewMemory(100)}
	if url := os.Getenv("TALLY_TEST_REDIS_URL"); url != "" {
		r, err := cache.NewRedis(url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		out["redis"] = r
	}
	return out
}

// TestFetchReadsTheEntryUnderTheCurrentGeneration: Fetch makes a
// generation when there is none, finds an entry filed under the current
// one (whatever write mark follows it), and never one filed under an older
// one.
func TestFetchReadsTheEntryUnderTheCurrentGeneration(t *testing.T) {
	t.Parallel()
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p := "tally-test:fetch:" + tally.NewID() + ":"
			keys := func(newGen string) cache.FetchKeys {
				return cache.FetchKeys{GenKey: p + "gen:u", NewGen: []byte(newGen), GenTTL: time.Minute, EntryPrefix: p + "v:u:", EntrySuffix: ":summary"}
			}
			gen, _, found, err := b.Fetch(ctx, keys("g1"))
			if err != nil || string(gen) != "g1" || found {
				t.Fatalf("first fetch: got %q, found %v, %v; want the new generation g1 and no entry", gen, found, err)
			}
			if gen, _, _, _ = b.Fetch(ctx, keys("other")); string(gen) != "g1" {
				t.Fatalf("second fetch: got generation %q, want g1 kept", gen)
			}
			if err := b.Set(ctx, p+"v:u:g1:summary", []byte("old"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if _, v, found, _ := b.Fetch(ctx, keys("x")); !found || string(v) != "old" {
				t.Fatalf("got %q, %v; want the entry under g1", v, found)
			}
			// A write: a new generation with the write's mark.
			if err := b.Set(ctx, p+"gen:u", []byte("g2/0/16B3748"), time.Minute); err != nil {
				t.Fatal(err)
			}
			gen, v, found, err := b.Fetch(ctx, keys("x"))
			if err != nil || string(gen) != "g2/0/16B3748" || found {
				t.Fatalf("after the write: got %q, %q, found %v, %v; want g2 with its mark and no entry", gen, v, found, err)
			}
			if err := b.Set(ctx, p+"v:u:g2:summary", []byte("new"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if _, v, found, _ := b.Fetch(ctx, keys("x")); !found || string(v) != "new" {
				t.Fatalf("got %q, %v; want the entry under g2", v, found)
			}
			// A caller holding g2's entry gets the generation alone; one
			// holding g1's gets g2's entry.
			k := keys("x")
			k.HaveGen = "g2"
			if gen, v, found, err := b.Fetch(ctx, k); err != nil || string(gen) != "g2/0/16B3748" || found || v != nil {
				t.Fatalf("holding g2: got %q, %q, found %v, %v; want the generation alone", gen, v, found, err)
			}
			k.HaveGen = "g1"
			if _, v, found, _ := b.Fetch(ctx, k); !found || string(v) != "new" {
				t.Fatalf("holding g1: got %q, %v; want the entry under g2", v, found)
			}
			// A caller holding a copy of a user whose generation has
			// expired gets a new generation, not its copy.
			gone := cache.FetchKeys{GenKey: p + "gen:w", NewGen: []byte("w1"), GenTTL: time.Minute, EntryPrefix: p + "v:w:", EntrySuffix: ":summary", HaveGen: "w0"}
			if gen, v, found, err := b.Fetch(ctx, gone); err != nil || string(gen) != "w1" || found || len(v) != 0 {
				t.Fatalf("holding a copy of an expired generation: got %q, %q, found %v, %v; want the new generation w1 alone", gen, v, found, err)
			}
		})
	}
}

// TestFetchAfterRedisForgetsTheScript: Redis drops its scripts on a
// restart (or SCRIPT FLUSH); Fetch sends the script again and answers.
func TestFetchAfterRedisForgetsTheScript(t *testing.T) {
	url := os.Getenv("TALLY_TEST_REDIS_URL")
	if url == "" {
		t.Skip("set TALLY_TEST_REDIS_URL")
	}
	ctx := context.Background()
	r, err := cache.NewRedis(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := cache.New(r, cache.Options{Prefix: "tally-test:noscript:" + tally.NewID() + ":"})
	loads := 0
	get := func() string {
		b, err := c.Get(ctx, "u", "summary:2026-03-15", func(context.Context) ([]byte, error) {
			loads++
			return []byte("answer"), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	get()
	o, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	admin := redis.NewClient(o)
	defer admin.Close()
	if err := admin.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if got := get(); got != "answer" || loads != 1 {
		t.Fatalf("after SCRIPT FLUSH: got %q after %d loads, want the cached answer after 1", got, loads)
	}
}

// shared stands for a backend several processes share (it is not a
// *cache.Memory, so each Cache over it keeps copies in the process) and
// counts the bytes of entries it sends.
type shared struct {
	cache.Backend
	sent int
}

func (s *shared) Fetch(ctx context.Context, f cache.FetchKeys) ([]byte, []byte, bool, error) {
	gen, v, found, err := s.Backend.Fetch(ctx, f)
	s.sent += len(v)
	return gen, v, found, err
}

// TestCopiesInTheProcessFollowTheGeneration: a process's copy of an entry
// is served while the user's generation stands (and the backend then sends
// no entry), and never after another process's write.
func TestCopiesInTheProcessFollowTheGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := &shared{Backend: cache.NewMemory(100)}
	one, two := cache.New(b, cache.Options{}), cache.New(b, cache.Options{})
	loads := 0
	get := func(c *cache.Cache) string {
		v, err := c.Get(ctx, "u", "summary:2026-03-15", func(context.Context) ([]byte, error) {
			loads++
			return []byte(fmt.Sprintf("answer %d", loads)), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return string(v)
	}
	if got := get(one); got != "answer 1" {
		t.Fatalf("got %q", got)
	}
	if got := get(two); got != "answer 1" || b.sent != len("answer 1") {
		t.Fatalf("second process: got %q with %d bytes sent, want answer 1 from the backend", got, b.sent)
	}
	sent := b.sent
	for range 3 {
		if got := get(two); got != "answer 1" || b.sent != sent {
			t.Fatalf("again: got %q with %d more bytes sent, want answer 1 from the process's copy", got, b.sent-sent)
		}
	}
	one.Changed(ctx, "u")
	if got := get(two); got != "answer 2" {
		t.Fatalf("after a write in the other process: got %q, want answer 2", got)
	}
	if got := get(one); got != "answer 2" || loads != 2 {
		t.Fatalf("first process: got %q after %d loads, want answer 2 after 2", got, loads)
	}
}

// TestConcurrentFetchesGetTheirOwnAnswers: fetches for many users at once
// (which Redis sends together, in pipelines) each get their own user's
// generation and entry, also right after Redis forgot the script.
func TestConcurrentFetchesGetTheirOwnAnswers(t *testing.T) {
	t.Parallel()
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			p := "tally-test:concurrent:" + tally.NewID() + ":"
			const users = 40 // 80 keys: the memory backend holds 100
			keys := func(u int) cache.FetchKeys {
				return cache.FetchKeys{GenKey: fmt.Sprintf("%sgen:u%d", p, u), NewGen: []byte(fmt.Sprintf("g%d", u)), GenTTL: time.Minute,
					EntryPrefix: fmt.Sprintf("%sv:u%d:", p, u), EntrySuffix: ":summary"}
			}
			for u := range users {
				if err := b.Set(ctx, fmt.Sprintf("%sv:u%d:g%d:summary", p, u, u), []byte(fmt.Sprintf("entry of u%d", u)), time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			r, isRedis := b.(*cache.Redis)
			for round := 0; round < 50; round++ {
				if isRedis && round == 1 {
					flushScripts(t)
				}
				errs := atOnce(users, func(u int) error {
					k := keys(u)
					switch u % 3 {
					case 0:
						k.HaveGen = fmt.Sprintf("g%d", u) // holds the entry already
					case 1:
						k.HaveGen = "stale" // holds an entry of an older generation
					}
					gen, v, found, err := b.Fetch(ctx, k)
					want := fmt.Sprintf("entry of u%d", u)
					switch {
					case err != nil:
						return fmt.Errorf("u%d: %v", u, err)
					case string(gen) != fmt.Sprintf("g%d", u):
						return fmt.Errorf("u%d: generation %q", u, gen)
					case u%3 == 0 && (found || v != nil):
						return fmt.Errorf("u%d holding its entry: sent %q", u, v)
					case u%3 != 0 && (!found || string(v) != want):
						return fmt.Errorf("u%d: entry %q, found %v; want %q", u, v, found, want)
					}
					return nil
				})
				for _, err := range errs {
					t.Error(err)
				}
				if t.Failed() || !isRedis || (round >= 1 && r.Batched() > 0) {
					break
				}
			}
			if isRedis && r.Batched() == 0 {
				t.Fatal("40 concurrent fetches, 50 times: none went in a pipeline")
			}
			if isRedis && r.Current() == 0 {
				t.Fatal("no fetch of a current copy was answered by a GET of the generation alone")
			}
		})
	}
}

// atOnce runs f(0) to f(n-1) on n goroutines released together, so that
// their fetches overlap, and returns the errors they report.
func atOnce(n int, f func(i int) error) []error {
	start := make(chan struct{})
	errs := make(chan error, n)
	var wg gosync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if err := f(i); err != nil {
				errs <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	var out []error
	for err := range errs {
		out = append(out, err)
	}
	return out
}

func flushScripts(t *testing.T) {
	t.Helper()
	o, err := redis.ParseURL(os.Getenv("TALLY_TEST_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	admin := redis.NewClient(o)
	defer admin.Close()
	if err := admin.ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentFetchesFromARedisThatIsDown: every fetch, whether it went
// alone, in a pipeline or past a full queue, returns Redis's error; none
// is left waiting.
func TestConcurrentFetchesFromARedisThatIsDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every dial is refused
	r, err := cache.NewRedis("redis://" + addr + "/0")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	const n = 300
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		go func() {
			<-start
			_, _, found, err := r.Fetch(context.Background(), cache.FetchKeys{GenKey: fmt.Sprintf("gen:u%d", i), NewGen: []byte("g"), GenTTL: time.Minute, EntryPrefix: "v:", EntrySuffix: ":s"})
			if found {
				err = fmt.Errorf("u%d: found an entry in a Redis that is down", i)
			}
			errs <- err
		}()
	}
	close(start)
	for range n {
		if err := <-errs; err == nil {
			t.Fatal("a fetch from a Redis that is down returned no error")
		}
	}
}

// TestParallelFetchesOfOneUserShareTheirGET: a user's requests that arrive
// together (a page's or an app's parallel reads) wait for one GET of the
// generation between them, yet each sees every write made before it
// began: after a write, the next fetches never return the old generation.
func TestParallelFetchesOfOneUserShareTheirGET(t *testing.T) {
	t.Parallel()
	url := os.Getenv("TALLY_TEST_REDIS_URL")
	if url == "" {
		t.Skip("TALLY_TEST_REDIS_URL is not set: no Redis to test against")
	}
	r, err := cache.NewRedis(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	p := "tally-test:shared:" + tally.NewID() + ":"
	keys := cache.FetchKeys{GenKey: p + "gen:u", GenTTL: time.Minute, EntryPrefix: p + "v:u:", EntrySuffix: ":summary"}
	const parallel = 32
	for round := 0; round < 200; round++ {
		gen := fmt.Sprintf("g%d", round)
		if err := r.Set(ctx, keys.GenKey, []byte(gen+"/0/1"), time.Minute); err != nil {
			t.Fatal(err)
		}
		// Every fetch starts after the write and holds the copy filed
		// under the generation before it, or under the current one.
		for _, err := range atOnce(parallel, func(i int) error {
			k := keys
			k.HaveGen = gen
			if i%2 == 0 && round > 0 {
				k.HaveGen = fmt.Sprintf("g%d", round-1)
			}
			got, _, _, err := r.Fetch(ctx, k)
			if err != nil || string(got) != gen+"/0/1" {
				return fmt.Errorf("round %d, fetch %d: generation %q, %v; want %s/0/1", round, i, got, err, gen)
			}
			return nil
		}) {
			t.Fatal(err)
		}
		if round >= 1 && r.Shared() > 0 {
			return
		}
	}
	t.Fatalf("%d parallel fetches of one user, 200 times: no GET served two of them", parallel)
}

// TestStateGoesInTheFetchPipelines: the generation alone (what a token
// check on an uncached read needs) is made when missing, kept, moved by
// another process's write at once, and on Redis read in the same pipelines
// as the cached answers, each caller getting the current value.
func TestStateGoesInTheFetchPipelines(t *testing.T) {
	t.Parallel()
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			prefix := "tally-test:state:" + tally.NewID() + ":"
			one := cache.New(b, cache.Options{Prefix: prefix})
			two := cache.New(b, cache.Options{Prefix: prefix}) // another process
			first := one.State(ctx, "u")
			if !first.Known() || first.Generation == "" {
				t.Fatalf("first state: %+v, want a new generation", first)
			}
			if again := two.State(ctx, "u"); again.Generation != first.Generation {
				t.Fatalf("second process: generation %q, want %q kept", again.Generation, first.Generation)
			}
			r, isRedis := b.(*cache.Redis)
			for round := 0; round < 50; round++ {
				two.Changed(ctx, "u")
				want := two.State(ctx, "u").Generation
				if want == first.Generation {
					t.Fatal("a write did not move the generation")
				}
				for _, err := range atOnce(32, func(int) error {
					if got := one.State(ctx, "u"); got.Generation != want {
						return fmt.Errorf("round %d: generation %q after the write, want %q", round, got.Generation, want)
					}
					return nil
				}) {
					t.Fatal(err)
				}
				if !isRedis || r.Batched() > 0 {
					break
				}
			}
			if isRedis && r.Batched() == 0 {
				t.Fatal("32 concurrent state reads, 50 times: none went in a pipeline")
			}
		})
	}
}
