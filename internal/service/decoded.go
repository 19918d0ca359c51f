package service

import (
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/aurora-dev/aur/internal/ask"
)

// decodedCache adds an in-process layer of decoded values to a query
// cache (ask.DecodedCache), for the long-running faces: a repeated
// question then costs neither a read nor a JSON decode of the retrieval.
// Entries live as long as the cache's TTL; keys carry the index stamp, so
// a re-index makes old entries unreachable, as in the cache itself.
type decodedCache struct {
	ask.Cache
	lru *expirable.LRU[string, any]
}

// NewDecodedCache wraps c with size decoded entries living ttl. With c nil
// or size < 1 it returns c.
func NewDecodedCache(c ask.Cache, size int, ttl time.Duration) ask.Cache {
	if c == nil || size < 1 {
		return c
	}
	return &decodedCache{Cache: c, lru: expirable.NewLRU[string, any](size, nil, ttl)}
}

func (d *decodedCache) GetDecoded(key string) (any, bool) { return d.lru.Get(key) }
func (d *decodedCache) PutDecoded(key string, v any)      { d.lru.Add(key, v) }
