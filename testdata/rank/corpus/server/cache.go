package main

import (
	"container/list"
	"sync"
)

// LRUCache is a fixed-size cache that evicts the least recently used entry
// when it is full. Get and Put are O(1): a map finds the list element, the
// list keeps recency order (front = most recent).
type LRUCache struct {
	mu       sync.Mutex
	capacity int
	ll       *list.List
	index    map[string]*list.Element
	hits     int64
	misses   int64
}

type lruEntry struct {
	key   string
	value any
}

// NewLRUCache returns an empty cache holding at most capacity entries. A
// capacity of zero disables caching.
func NewLRUCache(capacity int) *LRUCache {
	return &LRUCache{capacity: capacity, ll: list.New(), index: map[string]*list.Element{}}
}

// Get returns the cached value for key and marks it most recently used.
func (c *LRUCache) Get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.index[key]
	if !ok {
		c.misses++
		return nil, false
	}
	c.hits++
	c.ll.MoveToFront(el)
	return el.Value.(*lruEntry).value, true
}

// Put stores value under key, replacing any previous value, and evicts the
// oldest entry if the cache grows past its capacity.
func (c *LRUCache) Put(key string, value any) {
	if c.capacity == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.index[key]; ok {
		el.Value.(*lruEntry).value = value
		c.ll.MoveToFront(el)
		return
	}
	c.index[key] = c.ll.PushFront(&lruEntry{key: key, value: value})
	if c.ll.Len() > c.capacity {
		c.evictOldest()
	}
}

// evictOldest drops the least recently used entry. The caller holds mu.
func (c *LRUCache) evictOldest() {
	el := c.ll.Back()
	if el == nil {
		return
	}
	c.ll.Remove(el)
	delete(c.index, el.Value.(*lruEntry).key)
}

// Remove deletes key from the cache if it is there.
func (c *LRUCache) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.index[key]; ok {
		c.ll.Remove(el)
		delete(c.index, key)
	}
}

// Stats returns the hit and miss counts since the cache was created.
func (c *LRUCache) Stats() (hits, misses int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}
