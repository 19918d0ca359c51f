package ask

import (
	"context"

	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/store"
)

// Store is what the pipeline reads and records through: the engine's
// reads, the cache stamp, and the query log. *store.DB (SQLite) and
// *pgstore.Project (PostgreSQL) are stores.
type Store interface {
	query.Store
	Recorder
	// Stamp identifies what the index holds, for cache keys.
	Stamp(ctx context.Context) (string, error)
	// Path names the store in cache keys and messages.
	Path() string
	// ReadOnly tells that queries cannot be recorded.
	ReadOnly() bool
}

var _ Store = (*store.DB)(nil)
