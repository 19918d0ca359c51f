package service

import (
	"context"
	"encoding/binary"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/cache"
	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/store"
)

// Embedder is the embeddings endpoint of the semantic layer
// (llm.ResilientEmbedder: every call retried, rate limited, behind a
// breaker and observed like the LLM's).
type Embedder interface {
	Model() string
	// Dimensions is the length asked for; 0 for the model's own.
	Dimensions() int
	// Endpoint is the API root, part of the question vectors' cache key.
	Endpoint() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// SemanticSettings configure the semantic layer when Deps.Embedder is
// set (AURORA_EMBED_*; README "Semantic retrieval").
type SemanticSettings struct {
	// Floor and Ceil calibrate cosine similarity to [0,1] (query.Semantic);
	// Ceil <= Floor means the defaults.
	Floor, Ceil float64
	// Batch is how many chunks go in one embeddings request of an index
	// run; 0 means index.DefaultEmbedBatch.
	Batch int
}

// semantic is the semantic layer of one request: off (the zero value)
// without an embedder, or for a fixed-string search, which ranks no
// meaning. When the index has no vectors of the embedder's model, or the
// endpoint cannot be reached, the engine answers by words and says why
// in the retrieval's SemanticError (Response.Warnings).
func (s *Service) semantic(req SearchRequest, c ask.Cache) query.Semantic {
	if s.d.Embedder == nil || req.Fixed {
		return query.Semantic{}
	}
	return query.Semantic{
		Embedder: &questionEmbedder{e: s.d.Embedder, cache: c, log: s.d.Log},
		K:        query.DefaultSemanticK,
		Floor:    s.set.Semantic.Floor,
		Ceil:     s.set.Semantic.Ceil,
		Weight:   query.DefaultSemanticWeight,
	}
}

// questionEmbedder embeds questions through the query cache (a repeated
// question costs no request).
type questionEmbedder struct {
	e     Embedder
	cache ask.Cache // nil: no caching (--no-cache)
	log   zerolog.Logger
}

func (q *questionEmbedder) Model() string { return q.e.Model() }

func (q *questionEmbedder) EmbedQuestion(ctx context.Context, question string) ([]float32, error) {
	key := cache.Key("embedding", q.e.Model(), strconv.Itoa(q.e.Dimensions()), q.e.Endpoint(), question)
	if q.cache != nil {
		if b, ok, err := q.cache.Get(ctx, key); err == nil && ok && len(b) > 0 && len(b)%4 == 0 {
			return decodeVector(b), nil
		}
	}
	vecs, err := q.e.Embed(ctx, []string{question})
	if err != nil {
		// Debug: the service warns once per reason (semanticLog).
		q.log.Debug().Str("error", llm.Redact(err.Error())).Msg("question not embedded")
		return nil, err
	}
	if q.cache != nil {
		if err := q.cache.Put(ctx, key, encodeVector(vecs[0])); err != nil {
			q.log.Warn().Err(err).Msg("question vector not cached")
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

// semanticWarning is what a face tells its user when the semantic layer
// was asked for and the search went on by words only; "" when it took
// part or was not asked for.
func semanticWarning(r *query.Retrieval) string {
	if r == nil || r.SemanticError == "" {
		return ""
	}
	return llm.Redact(r.SemanticError) + "; answered by words only"
}

// semanticLog logs a fallback to words once per distinct reason, so a
// server under an endpoint outage logs it once, not per request.
type semanticLog struct {
	mu   sync.Mutex
	last string
}

func (l *semanticLog) note(log zerolog.Logger, warning string) {
	l.mu.Lock()
	changed := warning != l.last
	l.last = warning
	l.mu.Unlock()
	switch {
	case changed && warning != "":
		log.Warn().Str("reason", warning).Msg("semantic retrieval unavailable")
	case changed:
		log.Info().Msg("semantic retrieval available again")
	}
}

// EmbedOptions configure EmbedPass.
type EmbedOptions struct {
	Batch int
	// Progress, if set, hears after each batch (index.EmbedOptions).
	Progress func(done, total int)
	Now      func() time.Time
	Log      zerolog.Logger
}

// EmbedPass gives the chunks of a complete index run their vectors
// (index.Embed) and logs what it did. A provider failure is not an error:
// the summary's Error says it (redacted) and the next run embeds the
// rest. Only an interruption or a store failure is returned.
func EmbedPass(ctx context.Context, db *store.DB, e Embedder, o EmbedOptions) (*index.EmbedSummary, error) {
	o.Log.Info().Str("model", e.Model()).Str("endpoint", e.Endpoint()).Msg("embedding started")
	es, err := index.Embed(ctx, db, index.EmbedOptions{Embedder: e, Batch: o.Batch, Progress: o.Progress, Now: o.Now, Log: o.Log})
	if es != nil {
		es.Error = llm.Redact(es.Error)
		if es.Dropped > 0 {
			o.Log.Warn().Str("previous", es.PreviousModel).Str("model", es.Model).Int("dropped", es.Dropped).
				Msg("embedding model changed: stored vectors dropped")
		}
		o.Log.Info().Int("embedded", es.Embedded).Int("reused", es.Reused).Int("requests", es.Requests).
			Int("with_vector", es.WithVector).Int("chunks", es.Chunks).Float64("duration_ms", es.DurationMS).
			Str("error", es.Error).Msg("embedding finished")
	}
	return es, err
}

// embedAfterIndex runs the embedding pass after a Reindex that completed.
func (s *Service) embedAfterIndex(ctx context.Context, sum *index.Summary) error {
	sdb := s.DB() // vectors live in the SQLite store only
	if s.d.Embedder == nil || sdb == nil || sum == nil || sum.Error != nil || sum.Interrupted {
		return nil
	}
	es, err := EmbedPass(ctx, sdb, s.d.Embedder, EmbedOptions{Batch: s.set.Semantic.Batch, Now: s.d.Now, Log: s.d.Log})
	sum.Embeddings = es
	return err
}
