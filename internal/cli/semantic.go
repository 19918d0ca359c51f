package cli

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aurora-dev/aur/internal/cache"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/store"
)

// Embedder returns the configured embeddings endpoint behind the
// resilience policy (retries, breaker, rate limit as for the LLM, with
// its own budget, AURORA_EMBED_RATE_LIMIT_RPM), or nil when
// AURORA_EMBED_BASE_URL is unset. A misconfiguration is a usage error.
func (f *Factory) Embedder() (*llm.ResilientEmbedder, error) {
	cfg := f.Config()
	getenv := func(k string) string {
		// Everything but the key itself may come from a config file.
		switch k {
		case llm.EnvEmbedBaseURL:
			return cfg.String(config.KeyEmbedBaseURL)
		case llm.EnvEmbedModel:
			return cfg.String(config.KeyEmbedModel)
		case llm.EnvEmbedKeyFile:
			return cfg.String(config.KeyEmbedAPIKeyFile)
		case llm.EnvEmbedDimensions:
			return strconv.Itoa(cfg.Int(config.KeyEmbedDimensions))
		}
		return os.Getenv(k)
	}
	opts := llm.Options{
		RPM:          cfg.Int(config.KeyEmbedRateLimitRPM),
		MaxWait:      cfg.Seconds(config.KeyRateLimitMaxWait),
		MaxRetries:   cfg.Int(config.KeyMaxRetries),
		BaseDelay:    time.Duration(cfg.Int(config.KeyRetryBaseDelayMS)) * time.Millisecond,
		MaxDelay:     time.Duration(cfg.Int(config.KeyRetryMaxDelayMS)) * time.Millisecond,
		BreakerStore: resilience.FileBreakerStore{Dir: filepath.Join(cfg.Home, "state")},
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1
	}
	e, err := llm.EmbedderFromEnv(getenv, opts)
	if err != nil {
		return nil, &codedError{Code: ExitUsage, Err: fmt.Errorf("embeddings configuration: %w", err)}
	}
	return e, nil
}

// semanticOptions is the semantic layer of a search: off (the zero
// value) without an endpoint, or when the index holds no vectors of the
// configured model, which is said once on stderr.
func semanticOptions(ctx context.Context, f *Factory, db *store.DB) query.Semantic {
	e, err := f.Embedder()
	if err != nil {
		f.warnOnce("semantic", "semantic retrieval is off: %s", llm.Redact(err.Error()))
		return query.Semantic{}
	}
	if e == nil {
		return query.Semantic{}
	}
	m, err := db.EmbedModel(ctx)
	switch {
	case err != nil:
		f.warnOnce("semantic", "semantic retrieval is off: %v", err)
		return query.Semantic{}
	case m.Name == "":
		f.warnOnce("semantic", "semantic retrieval is off: the index has no vectors yet; run aur mem index")
		return query.Semantic{}
	case m.Name != e.Model():
		f.warnOnce("semantic", "semantic retrieval is off: the index's vectors were made by %s, not %s; run aur mem index", m.Name, e.Model())
		return query.Semantic{}
	}
	cfg := f.Config()
	return query.Semantic{
		Embedder: &questionEmbedder{f: f, e: e},
		K:        query.DefaultSemanticK,
		Floor:    cfg.Float(config.KeyEmbedMinSimilarity),
		Ceil:     cfg.Float(config.KeyEmbedMaxSimilarity),
		Weight:   query.DefaultSemanticWeight,
	}
}

// questionEmbedder embeds questions through the query cache, and says
// once when the endpoint cannot be reached (the search then goes on by
// words only).
type questionEmbedder struct {
	f *Factory
	e *llm.ResilientEmbedder
}

func (q *questionEmbedder) Model() string { return q.e.Model() }

func (q *questionEmbedder) EmbedQuestion(ctx context.Context, question string) ([]float32, error) {
	c := q.f.Cache(ctx)
	key := cache.Key("embedding", q.e.Model(), strconv.Itoa(q.e.Dimensions()), q.e.Endpoint(), question)
	if c != nil {
		if b, ok, err := c.Get(ctx, key); err == nil && ok && len(b) > 0 && len(b)%4 == 0 {
			return decodeVector(b), nil
		}
	}
	vecs, err := q.e.Embed(ctx, []string{question})
	if err != nil {
		q.f.warnOnce("semantic", "semantic retrieval unavailable (%s); answering by words only", llm.Redact(err.Error()))
		q.f.Log().Warn().Err(err).Msg("question not embedded; lexical retrieval only")
		return nil, err
	}
	if c != nil {
		if err := c.Put(ctx, key, encodeVector(vecs[0])); err != nil {
			q.f.Log().Warn().Err(err).Msg("question vector not cached")
		}
	}
	return vecs[0], nil
}

func encodeVector(v []float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
