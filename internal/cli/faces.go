package cli

import (
	"context"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/service"
)

// faceService builds the service a long-running face (aur serve, aur
// mcp) answers through: the project database, which must hold an index,
// the query cache, the configured answerer, and a query log that writes
// off the request path (Close flushes it; nil for a read-only
// database). obs may be nil.
func faceService(ctx context.Context, f *Factory, db service.Store, obs service.Observer) (*service.Service, *service.QueryLog, error) {
	set, err := serviceSettings(f)
	if err != nil {
		return nil, nil, err
	}
	a, err := f.Answerer(ctx)
	if err != nil {
		return nil, nil, err
	}
	log := *f.Log()
	var ql *service.QueryLog
	var rec ask.Recorder // nil for a read-only database: ask then reports it once
	if !db.ReadOnly() {
		ql = service.NewQueryLog(db, log, nil)
		rec = ql
	}
	// A server answers the same questions again and again: keep the
	// decoded retrievals too (AURORA_CACHE_HOT_SIZE of them).
	cache := service.NewDecodedCache(f.Cache(ctx), f.Config().Int(config.KeyCacheHotSize), f.Config().Seconds(config.KeyCacheTTL))
	svc := service.New(set, service.Deps{
		DB: db, Cache: cache, Answerer: a, Recorder: rec, Observer: obs,
		Now: f.Now, Log: log, Snippets: 20000,
	})
	return svc, ql, nil
}
