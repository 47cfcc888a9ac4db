package cache

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// DefaultMemoryEntries and MaxMemoryBytes bound the in-process cache.
const (
	DefaultMemoryEntries = 10_000
	MaxMemoryBytes       = 64 << 20
)

// Memory is a bounded in-process LRU backend: the default for one process.
type Memory struct {
	mu    sync.Mutex
	max   int
	bytes int        // keys and values held
	ll    *list.List // front: most recently used
	items map[string]*list.Element
	now   func() time.Time
}

type memEntry struct {
	key     string
	value   []byte
	expires time.Time
}

// NewMemory returns an LRU backend holding at most maxEntries keys
// (DefaultMemoryEntries when maxEntries <= 0) and MaxMemoryBytes of keys
// and values.
func NewMemory(maxEntries int) *Memory {
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryEntries
	}
	return &Memory{max: maxEntries, ll: list.New(), items: map[string]*list.Element{}, now: time.Now}
}

// Len is how many keys the cache holds.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ll.Len()
}

func (m *Memory) get(key string) ([]byte, bool) {
	el, ok := m.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*memEntry)
	if !e.expires.After(m.now()) {
		m.remove(el)
		return nil, false
	}
	m.ll.MoveToFront(el)
	return e.value, true
}

func (m *Memory) set(key string, value []byte, ttl time.Duration) {
	exp := m.now().Add(ttl)
	if el, ok := m.items[key]; ok {
		e := el.Value.(*memEntry)
		m.bytes += len(value) - len(e.value)
		e.value, e.expires = value, exp
		m.ll.MoveToFront(el)
	} else {
		m.items[key] = m.ll.PushFront(&memEntry{key: key, value: value, expires: exp})
		m.bytes += len(key) + len(value)
	}
	for m.ll.Len() > m.max || m.bytes > MaxMemoryBytes && m.ll.Len() > 1 {
		m.remove(m.ll.Back())
	}
}

func (m *Memory) remove(el *list.Element) {
	e := el.Value.(*memEntry)
	m.ll.Remove(el)
	delete(m.items, e.key)
	m.bytes -= len(e.key) + len(e.value)
}

// Get returns the value of key.
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.get(key)
	return v, ok, nil
}

// Set stores value under key for ttl.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.set(key, value, ttl)
	return nil
}

// SetNX stores value under key unless it holds one, and returns the value
// it holds.
func (m *Memory) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.get(key); ok {
		return v, nil
	}
	m.set(key, value, ttl)
	return value, nil
}

// Fetch reads the generation and the entry under it (see Backend).
func (m *Memory) Fetch(_ context.Context, f FetchKeys) ([]byte, []byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	gen, ok := m.get(f.GenKey)
	if !ok {
		gen = f.newGen()
		m.set(f.GenKey, gen, f.GenTTL)
	}
	g := string(generationOf(gen))
	if f.GenOnly || g == f.HaveGen {
		return gen, nil, false, nil
	}
	v, found := m.get(f.EntryPrefix + g + f.EntrySuffix)
	return gen, v, found, nil
}

// Close does nothing.
func (m *Memory) Close() error { return nil }
