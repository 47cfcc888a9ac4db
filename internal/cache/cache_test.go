package cache_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/cache"
)

func TestMemoryIsBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := cache.NewMemory(3)
	for i := range 5 {
		if err := m.Set(ctx, fmt.Sprint(i), []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.Len(); got != 3 {
		t.Fatalf("got %d entries, want 3", got)
	}
	// The least recently used go first.
	for key, want := range map[string]bool{"0": false, "1": false, "2": true, "4": true} {
		if _, found, _ := m.Get(ctx, key); found != want {
			t.Errorf("key %s: found %v, want %v", key, found, want)
		}
	}
}

func TestMemorySetNXKeepsTheFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := cache.NewMemory(10)
	v, _ := m.SetNX(ctx, "k", []byte("first"), time.Minute)
	w, _ := m.SetNX(ctx, "k", []byte("second"), time.Minute)
	if string(v) != "first" || string(w) != "first" {
		t.Fatalf("got %q then %q, want first both times", v, w)
	}
}

func TestMemoryExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := cache.NewMemory(10)
	if err := m.Set(ctx, "k", []byte("v"), -time.Second); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := m.Get(ctx, "k"); found {
		t.Fatal("an expired entry was found")
	}
}

func TestChangedInvalidatesOnlyThatUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := cache.New(cache.NewMemory(100), cache.Options{})
	loads := map[string]int{}
	get := func(user string) string {
		b, err := c.Get(ctx, user, "summary:2026-03-15", func(context.Context) ([]byte, error) {
			loads[user]++
			return []byte(fmt.Sprintf("%s#%d", user, loads[user])), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if a, b := get("alice"), get("bob"); a != "alice#1" || b != "bob#1" {
		t.Fatalf("got %q and %q", a, b)
	}
	if a := get("alice"); a != "alice#1" {
		t.Fatalf("second read: got %q, want the cached alice#1", a)
	}
	c.Changed(ctx, "alice")
	if a, b := get("alice"), get("bob"); a != "alice#2" || b != "bob#1" {
		t.Fatalf("after alice's write: got %q and %q, want alice#2 and bob#1", a, b)
	}
}

func TestWriteMarkTravelsWithTheGeneration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := cache.New(cache.NewMemory(100), cache.Options{})
	c.WriteMark = func(context.Context) (string, error) { return "0/16B3748", nil }
	if st := c.State(ctx, "u"); !st.Known() || st.Mark != "" || st.Generation == "" {
		t.Fatalf("before a write: got %+v", st)
	}
	before := c.State(ctx, "u").Generation
	c.Changed(ctx, "u")
	st := c.State(ctx, "u")
	if st.Mark != "0/16B3748" || st.Generation == before {
		t.Fatalf("after a write: got %+v, want mark 0/16B3748 and a new generation", st)
	}
}

// failing is a backend that never answers.
type failing struct{}

var errDown = errors.New("connection refused")

func (failing) Get(context.Context, string) ([]byte, bool, error) { return nil, false, errDown }
func (failing) Set(context.Context, string, []byte, time.Duration) error {
	return errDown
}
func (failing) SetNX(context.Context, string, []byte, time.Duration) ([]byte, error) {
	return nil, errDown
}
func (failing) Fetch(context.Context, cache.FetchKeys) ([]byte, []byte, bool, error) {
	return nil, nil, false, errDown
}
func (failing) Close() error { return nil }

func TestFailingBackendReadsTheDatabaseAndLogsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var logs bytes.Buffer
	c := cache.New(failing{}, cache.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for i := range 50 {
		b, err := c.Get(ctx, "u", "spending:2026-03", func(context.Context) ([]byte, error) { return []byte(fmt.Sprint(i)), nil })
		if err != nil || string(b) != fmt.Sprint(i) {
			t.Fatalf("read %d: got %q, %v; want the database's answer", i, b, err)
		}
		c.Changed(ctx, "u")
	}
	if n := strings.Count(logs.String(), "cache unavailable"); n != 1 {
		t.Fatalf("logged %d times, want once a minute:\n%s", n, logs.String())
	}
	if st := c.State(ctx, "u"); st.Known() {
		t.Fatal("a backend that did not answer gave a known state")
	}
}

func TestMemoryIsBoundedInBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := cache.NewMemory(1000)
	big := make([]byte, cache.MaxMemoryBytes/4)
	for i := range 6 {
		if err := m.Set(ctx, fmt.Sprint(i), big, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.Len(); got != 3 {
		t.Fatalf("got %d quarter-size entries, want 3 under the byte bound", got)
	}
}
