package cli

import (
	"context"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
)

// faceService builds the service a long-running face (aur serve, aur
// mcp) answers through: the project database, which must hold an index,
// the query cache, the configured answerer, and a query log that writes
// off the request path (Close flushes it; nil for a read-only
// database). obs may be nil.
func faceService(ctx context.Context, f *Factory, db *store.DB, obs service.Observer) (*service.Service, *service.QueryLog, error) {
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
	svc := service.New(set, service.Deps{
		DB: db, Cache: f.Cache(ctx), Answerer: a, Recorder: rec, Observer: obs,
		Now: f.Now, Log: log,
	})
	return svc, ql, nil
}
