package ask

import (
	"context"
	"encoding/json"

	"github.com/aurora-dev/aur/internal/buildinfo"
	"github.com/aurora-dev/aur/internal/cache"
	"github.com/aurora-dev/aur/internal/query"
)

// cacheVersion changes whenever what is cached, or how it is scored,
// changes shape; old entries then simply stop matching.
const cacheVersion = "2"

// DecodedCache is a Cache that also keeps decoded values in the process,
// so that a hit in a long-running server costs no decoding (decoding a
// cached retrieval, chunk texts included, was most of a cache hit's
// time). Values it returns are shared: nobody may change them.
type DecodedCache interface {
	Cache
	GetDecoded(key string) (any, bool)
	PutDecoded(key string, v any)
}

// cachedRetrieval returns the retrieval cached under key, decoded.
func cachedRetrieval(ctx context.Context, o Options, key string) (*query.Retrieval, bool) {
	if key == "" || o.Cache == nil {
		return nil, false
	}
	dc, _ := o.Cache.(DecodedCache)
	if dc != nil {
		if v, ok := dc.GetDecoded(key); ok {
			if r, ok := v.(*query.Retrieval); ok {
				return r, true
			}
		}
	}
	var r query.Retrieval
	if !getCache(ctx, o, key, &r) {
		return nil, false
	}
	if dc != nil {
		dc.PutDecoded(key, &r)
	}
	return &r, true
}

// putRetrieval caches a retrieval, encoded and, where the cache keeps
// them, decoded.
func putRetrieval(ctx context.Context, o Options, key string, r *query.Retrieval) {
	putCache(ctx, o, key, r)
	if dc, ok := o.Cache.(DecodedCache); ok && key != "" {
		dc.PutDecoded(key, r)
	}
}

// buildStamp names the running build in retrieval keys (a variable so
// that tests can play an upgrade).
var buildStamp = buildinfo.Stamp

// retrievalKey identifies a retrieval: the build of aur that ranked it
// (buildinfo.Stamp: an upgrade changes rankings without changing any
// setting), the database and what it holds (its stamp: id and
// generation), the validated query and everything that changes its
// result. The database path is in the key
// because one cache file may serve several databases (AURORA_CACHE_PATH,
// or two --db files in one directory).
func retrievalKey(dbPath, q, stamp string, o Options) string {
	// Every setting that changes a retrieval, the ranking constants
	// included (a tuned build never serves old scores), as one JSON text.
	settings, _ := json.Marshal(struct {
		Limit      int
		Kinds      []string
		Languages  []string
		NoTests    bool
		Paths      query.PathFilter
		Tests      bool
		Fixed      bool
		IgnoreCase bool
		Files      bool
		Threshold  float64
		Ranking    query.Ranking
		Semantic   query.Semantic
		Model      string
	}{o.Limit, o.Filter.Kinds, o.Filter.Languages, o.Filter.ExcludeTests, o.Paths, o.Tests, o.Fixed,
		o.IgnoreCase, o.Files, o.Thresholds.Activation, o.Ranking, o.Semantic, o.Semantic.Model()})
	return cache.Key("retrieval", cacheVersion, buildStamp(), dbPath, q, string(settings), stamp)
}

// answerKey identifies an answer: its retrieval, the grade and the
// thresholds it was graded against (the retrieval key holds only the
// activation threshold, which decides the results; the groundedness and
// high-quality thresholds decide the tier, which changes what the
// answerer is asked and what the context report prints), the user's
// choice and the answerer. Answerers without a cache identity are not
// cached.
func answerKey(r *Round, o Options) string {
	id, ok := o.Answerer.(CacheIdentity)
	if o.Cache == nil || r.cacheKey == "" || !ok {
		return ""
	}
	th, _ := json.Marshal(o.Thresholds)
	return cache.Key("answer", r.cacheKey, string(r.Grade.Tier), string(th), string(r.Choice), id.CacheID())
}

func getCache(ctx context.Context, o Options, key string, v any) bool {
	if key == "" || o.Cache == nil {
		return false
	}
	b, ok, err := o.Cache.Get(ctx, key)
	if err != nil {
		o.Log.Warn().Err(err).Msg("query cache read failed; continuing without it")
		return false
	}
	if !ok {
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		o.Log.Warn().Err(err).Msg("query cache entry unreadable; ignoring it")
		return false
	}
	return true
}

func putCache(ctx context.Context, o Options, key string, v any) {
	if key == "" || o.Cache == nil {
		return
	}
	b, err := json.Marshal(v)
	if err == nil {
		err = o.Cache.Put(ctx, key, b)
	}
	if err != nil {
		o.Log.Warn().Err(err).Msg("query cache write failed")
	}
}

func cachedAnswer(ctx context.Context, o Options, key string) (*Answer, bool) {
	var a Answer
	if !getCache(ctx, o, key, &a) {
		return nil, false
	}
	return &a, true
}
