package service

import (
	"context"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/stats"
	"github.com/aurora-dev/aur/internal/store"
)

// Store is the project database a service answers over: the embedded
// SQLite store (*store.DB) or a project of a shared PostgreSQL database
// (*pgstore.Project). Index runs (Reindex) need the SQLite store; on
// PostgreSQL the index is written by aur mem index, from wherever the
// checkout is.
type Store interface {
	ask.Store
	stats.Source
	Meta(ctx context.Context, key string) (string, error)
	RecordQueries(ctx context.Context, ws []store.QueryWrite) error
	Stats(ctx context.Context) (*store.IndexStats, error)
	Languages(ctx context.Context) ([]string, error)
}

// Snapshotter is a Store whose reads can be pinned to one consistent
// state for the length of a query (PostgreSQL: a REPEATABLE READ
// transaction), so a query that runs while an index run commits sees the
// previous generation or the new one, never parts of both. The SQLite
// store needs none: an index run there commits file batch by file batch
// and queries read the last committed state.
type Snapshotter interface {
	Snapshot(ctx context.Context) (snap Store, done func(), err error)
}

var _ Store = (*store.DB)(nil)
