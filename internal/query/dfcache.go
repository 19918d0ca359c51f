package query

import (
	"context"
	"sync"
)

// DFCache remembers the document frequencies of tokens for one index
// generation, for the engines of a long-running face (aur serve, aur
// mcp): a token's frequency is read from the FTS5 vocabulary by walking
// its whole doclist, so a common word costs a search as much each time
// it is asked. The cache empties itself when the generation changes (an
// index run that changed something) or when it holds maxDFCache tokens.
// It is safe for concurrent use.
//
// An index run commits its batches before it bumps the generation, so
// for the length of a run the cache may hold frequencies a batch has
// since changed: ranking weights a few percent off, for a few seconds,
// never a missing or extra result.
type DFCache struct {
	mu  sync.Mutex
	gen int64
	m   map[string]int
}

// maxDFCache bounds a DFCache (about 64k tokens, a few MB).
const maxDFCache = 1 << 16

// NewDFCache returns an empty cache.
func NewDFCache() *DFCache { return &DFCache{m: map[string]int{}} }

// docFreq returns the document frequencies of toks at generation gen,
// reading the ones it does not hold with read.
func (c *DFCache) docFreq(ctx context.Context, gen int64, toks []string, read func(context.Context, []string) (map[string]int, error)) (map[string]int, error) {
	out := make(map[string]int, len(toks))
	var missing []string
	c.mu.Lock()
	if c.gen != gen {
		c.gen = gen
		clear(c.m)
	}
	for _, t := range toks {
		if n, ok := c.m[t]; ok {
			out[t] = n
		} else {
			missing = append(missing, t)
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	got, err := read(ctx, missing)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		// The generation moved on while reading: use, do not keep.
		for _, t := range missing {
			out[t] = got[t]
		}
		return out, nil
	}
	if len(c.m)+len(missing) > maxDFCache {
		clear(c.m)
	}
	for _, t := range missing {
		out[t] = got[t]
		c.m[t] = got[t]
	}
	return out, nil
}
