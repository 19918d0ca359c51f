package query

import (
	"context"

	"github.com/aurora-dev/aur/internal/store"
)

// Store is what the engine reads: candidates by bm25, their chunks, and
// the statistics and histories scoring needs. *store.DB (SQLite) and
// *pgstore.Project (PostgreSQL) supply the same values for the same
// corpus, so scoring, which happens here in Go, ranks alike on both.
type Store interface {
	Corpus(ctx context.Context) (store.CorpusStats, error)
	DocFreq(ctx context.Context, tokens []string) (map[string]int, error)
	Candidates(ctx context.Context, match string, w store.Weights, f store.Filter, limit int) ([]int64, error)
	Substring(ctx context.Context, needle string, caseSensitive bool, f store.Filter, limit int) ([]int64, error)
	ChunksByID(ctx context.Context, ids []int64) ([]store.Chunk, error)
	AccessHistories(ctx context.Context, keys []int64) (map[int64]store.Access, error)
	FileHistories(ctx context.Context, paths []string) (map[string]store.History, error)
	FilePaths(ctx context.Context) ([]store.FilePath, error)
}

var _ Store = (*store.DB)(nil)

// VectorStore is what semantic retrieval needs of a store besides Store:
// the stored vectors (SQLite only; on another store a semantic search
// answers by words with a warning).
type VectorStore interface {
	EmbedModel(ctx context.Context) (store.EmbedModel, error)
	NearestChunks(ctx context.Context, q []float32, k int) ([]store.VectorHit, error)
	Similarities(ctx context.Context, q []float32, ids []int64) (map[int64]float64, error)
}

var _ VectorStore = (*store.DB)(nil)

// NameStore finds chunks by the words of their names (both stores have
// it; a store without it gets no candidates from the symbols a question
// names).
type NameStore interface {
	NameCandidates(ctx context.Context, tokens []string, f store.Filter, limit int) ([]int64, error)
}

var _ NameStore = (*store.DB)(nil)
