package cache

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// DefaultMemoryEntries bounds the in-process cache.
const DefaultMemoryEntries = 10_000

// Memory is a bounded in-process LRU backend: the default for one process.
type Memory struct {
	mu    sync.Mutex
	max   int
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
// (DefaultMemoryEntries when maxEntries <= 0).
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
		m.ll.Remove(el)
		delete(m.items, key)
		return nil, false
	}
	m.ll.MoveToFront(el)
	return e.value, true
}

func (m *Memory) set(key string, value []byte, ttl time.Duration) {
	exp := m.now().Add(ttl)
	if el, ok := m.items[key]; ok {
		e := el.Value.(*memEntry)
		e.value, e.expires = value, exp
		m.ll.MoveToFront(el)
		return
	}
	m.items[key] = m.ll.PushFront(&memEntry{key: key, value: value, expires: exp})
	for m.ll.Len() > m.max {
		last := m.ll.Back()
		m.ll.Remove(last)
		delete(m.items, last.Value.(*memEntry).key)
	}
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

// Close does nothing.
func (m *Memory) Close() error { return nil }
