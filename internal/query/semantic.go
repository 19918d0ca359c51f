package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/aurora-dev/aur/internal/store"
)

// QuestionEmbedder embeds a question with the model of the stored
// vectors. The CLI's implementation caches vectors and reports an
// unreachable endpoint once.
type QuestionEmbedder interface {
	Model() string
	EmbedQuestion(ctx context.Context, q string) ([]float32, error)
}

// Semantic configures the semantic layer of a search. The zero value
// (no Embedder) searches by words only, exactly as without it.
//
// Fusion. A candidate's cosine similarity s to the question is
// calibrated to [0,1] as
//
//	semantic = clamp((s − Floor) / (Ceil − Floor), 0, 1)
//
// and combined with the lexical score as independent evidence, the
// noisy-or already used for activation's two sources:
//
//	fused = 1 − (1 − lexical) · (1 − Weight · semantic)
//
// then activation and the test factor apply to fused as they did to
// lexical. Why this blend rather than reciprocal-rank fusion: RRF gives
// ranks, not scores, and grading needs the absolute [0,1] scale (the
// activation threshold, the distinctness margin). Why not max(lexical,
// semantic): with max, a chunk that both names the identifier and means
// the question scores no better than one that only means it; the
// noisy-or keeps the exact lexical match ahead, because it has both.
// A chunk found only by meaning scores Weight · semantic, at most
// Weight (0.8 by default): it can be high-quality (above the 0.3
// threshold from semantic 0.375 up) but never reaches a score a strong
// lexical match with any similarity has.
type Semantic struct {
	Embedder QuestionEmbedder `json:"-"`
	// K is how many chunks the vector search adds to the candidates;
	// default 50.
	K int `json:"k"`
	// Floor is the similarity that counts as nothing (unrelated texts of
	// the model sit below it), Ceil the one that counts fully.
	Floor float64 `json:"floor"`
	Ceil  float64 `json:"ceil"`
	// Weight is the largest score similarity alone gives.
	Weight float64 `json:"weight"`
}

// Defaults of the semantic layer, for nomic-embed-text without task
// prefixes (see README "Semantic retrieval": other models put unrelated
// texts at other similarities; AURORA_EMBED_MIN_SIMILARITY and
// AURORA_EMBED_MAX_SIMILARITY move the scale).
const (
	DefaultSemanticK      = 50
	DefaultSemanticFloor  = 0.45
	DefaultSemanticCeil   = 0.85
	DefaultSemanticWeight = 0.8
)

// Model names the semantic layer's model, "" when it is off (cache keys).
func (s Semantic) Model() string {
	if s.Embedder == nil {
		return ""
	}
	return s.Embedder.Model()
}

func (s Semantic) withDefaults() Semantic {
	if s.K <= 0 {
		s.K = DefaultSemanticK
	}
	if s.Ceil <= s.Floor {
		s.Floor, s.Ceil = DefaultSemanticFloor, DefaultSemanticCeil
	}
	if s.Weight <= 0 || s.Weight > 1 {
		s.Weight = DefaultSemanticWeight
	}
	return s
}

// Calibrate maps a cosine similarity to the [0,1] semantic score.
func (s Semantic) Calibrate(sim float64) float64 {
	return max(0, min(1, (sim-s.Floor)/(s.Ceil-s.Floor)))
}

// Fuse combines a lexical score with a semantic one (see Semantic).
func (s Semantic) Fuse(lex, sem float64) float64 {
	if sem <= 0 {
		return lex
	}
	return 1 - (1-lex)*(1-s.Weight*sem)
}

// semanticState is the semantic side of one search: the question's
// vector and the similarities known so far.
type semanticState struct {
	cfg  Semantic
	vec  []float32
	sims map[int64]float64
	// hits are the chunks the vector search found, most similar first.
	hits []int64
}

// ErrSemanticUnavailable wraps why a search fell back to words only.
var ErrSemanticUnavailable = errors.New("semantic retrieval unavailable")

// semantic embeds the question and runs the vector search. It never
// fails the search: any problem is noted in r.SemanticError and the
// search goes on by words only.
func (e *Engine) semantic(ctx context.Context, q string, opts Options, r *Retrieval) *semanticState {
	cfg := opts.Semantic.withDefaults()
	if cfg.Embedder == nil {
		return nil
	}
	fail := func(err error) *semanticState {
		r.SemanticError = fmt.Errorf("%w: %w", ErrSemanticUnavailable, err).Error()
		return nil
	}
	vs, ok := e.db.(VectorStore)
	if !ok {
		return fail(errors.New("this store holds no vectors (semantic retrieval needs the SQLite store)"))
	}
	m, err := vs.EmbedModel(ctx)
	switch {
	case err != nil:
		return fail(err)
	case m.Name == "":
		return fail(errors.New("no vectors stored yet; run aur mem index"))
	case m.Name != cfg.Embedder.Model():
		return fail(fmt.Errorf("the stored vectors were made by %s, not %s; run aur mem index", m.Name, cfg.Embedder.Model()))
	}
	vec, err := cfg.Embedder.EmbedQuestion(ctx, q)
	if err != nil {
		return fail(err)
	}
	if m.Dims > 0 && len(vec) != m.Dims {
		return fail(fmt.Errorf("the question's vector has %d dimensions, the stored ones %d; run aur mem index", len(vec), m.Dims))
	}
	hits, err := vs.NearestChunks(ctx, vec, cfg.K)
	if errors.Is(err, store.ErrNoVectors) {
		return fail(errors.New("no vectors stored yet; run aur mem index"))
	}
	if err != nil {
		return fail(err)
	}
	s := &semanticState{cfg: cfg, vec: vec, sims: make(map[int64]float64, len(hits))}
	for _, h := range hits {
		s.sims[h.ID] = h.Similarity
		s.hits = append(s.hits, h.ID)
	}
	r.Semantic = true
	return s
}

// addCandidates appends the vector search's chunks to the lexical
// candidates.
func (s *semanticState) addCandidates(ids []int64) []int64 {
	have := make(map[int64]bool, len(ids))
	for _, id := range ids {
		have[id] = true
	}
	for _, id := range s.hits {
		// A hit below the calibration's floor adds nothing to a score.
		if !have[id] && s.cfg.Calibrate(s.sims[id]) > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// complete filters the chunks the vector search added (it knows nothing
// of --type, --lang, paths or --exclude-tests) and looks up the
// similarity of the lexical candidates it did not find.
func (s *semanticState) complete(ctx context.Context, db VectorStore, chunks []store.Chunk, f store.Filter) ([]store.Chunk, error) {
	var missing []int64
	out := chunks[:0]
	for _, c := range chunks {
		if _, found := s.sims[c.ID]; found && !filterMatches(f, &c) {
			continue
		}
		out = append(out, c)
		if _, found := s.sims[c.ID]; !found {
			missing = append(missing, c.ID)
		}
	}
	if len(missing) > 0 {
		sims, err := db.Similarities(ctx, s.vec, missing)
		if err != nil {
			return nil, err
		}
		for id, v := range sims {
			s.sims[id] = v
		}
	}
	return out, nil
}

// filterMatches applies a store.Filter to a chunk in memory.
func filterMatches(f store.Filter, c *store.Chunk) bool {
	switch {
	case len(f.Kinds) > 0 && !slices.Contains(f.Kinds, c.Kind),
		len(f.Languages) > 0 && !slices.Contains(f.Languages, c.Language),
		f.ExcludeTests && c.IsTest,
		f.Restrict && !slices.Contains(f.FileIDs, c.FileID):
		return false
	}
	return true
}

// similarity is a chunk's raw cosine and calibrated semantic score.
func (s *semanticState) similarity(id int64) (sim, sem float64) {
	if s == nil {
		return 0, 0
	}
	v, ok := s.sims[id]
	if !ok || math.IsNaN(v) {
		return 0, 0
	}
	return v, s.cfg.Calibrate(v)
}
