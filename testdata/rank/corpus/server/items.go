package main

import (
	"sort"
	"strconv"
	"sync"
	"time"
)

// Item is one catalogue entry.
type Item struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	PriceCents int64     `json:"price_cents"`
	CreatedAt  time.Time `json:"created_at"`
}

// ItemStore keeps items in memory behind a read-write mutex.
type ItemStore struct {
	mu     sync.RWMutex
	items  map[string]Item
	nextID int
}

// NewItemStore returns an empty store.
func NewItemStore() *ItemStore {
	return &ItemStore{items: map[string]Item{}}
}

// Add assigns the next sequential id and a creation time to it and stores
// it.
func (s *ItemStore) Add(it Item) Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	it.ID = strconv.Itoa(s.nextID)
	it.CreatedAt = time.Now().UTC()
	s.items[it.ID] = it
	return it
}

// Get looks an item up by id.
func (s *ItemStore) Get(id string) (Item, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, ok := s.items[id]
	return it, ok
}

// List returns up to limit items ordered by id, skipping the first
// offset ones.
func (s *ItemStore) List(offset, limit int) []Item {
	s.mu.RLock()
	out := make([]Item, 0, len(s.items))
	for _, it := range s.items {
		out = append(out, it)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i].ID)
		b, _ := strconv.Atoi(out[j].ID)
		return a < b
	})
	if offset >= len(out) {
		return nil
	}
	out = out[offset:]
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
