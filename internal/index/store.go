package index

import (
	"context"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

// Store is what an index run writes to and reads from: *store.DB
// (SQLite, each batch committed as it comes) or a PostgreSQL index run
// (*pgstore.Indexer, one transaction published at its commit).
type Store interface {
	FilesAt(ctx context.Context, paths []string) (map[string]store.File, error)
	FilesUnder(ctx context.Context, dir string) (map[string]store.File, error)
	StartRun(ctx context.Context, path string, now time.Time) (int64, error)
	EndRun(ctx context.Context, id int64, status, summary string, now time.Time) error
	Meta(ctx context.Context, key string) (string, error)
	SetMeta(ctx context.Context, key, value string) error
	DeleteFiles(ctx context.Context, paths []string) error
	ApplyBatch(ctx context.Context, ups []store.FileUpdate) error
	ReplaceSkipped(ctx context.Context, dir string, skipped []store.Skipped) error
	HistoryFiles(ctx context.Context) (int, error)
	ReplaceFileHistory(ctx context.Context, hist map[string]*store.History, head string) error
	FinishIndex(ctx context.Context, root string, changed bool, now time.Time) (*store.Totals, error)
}

var _ Store = (*store.DB)(nil)
