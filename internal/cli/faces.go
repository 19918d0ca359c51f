package cli

import (
	"context"
	"errors"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
)

// faceService builds the service a long-running face (aur serve, aur
// mcp) answers through: the project database, which must hold an index,
// the query cache, the configured answerer, and a query log that writes
// off the request path (Close flushes it; nil for a read-only
// database). obs may be nil. With resident, searches of a SQLite store
// use an in-memory copy of the index once it is built (query.Resident),
// built in the background now and again after each index run, until ctx
// ends; a PostgreSQL store is searched in the database.
func faceService(ctx context.Context, f *Factory, db service.Store, obs service.Observer, resident bool) (*service.Service, *service.QueryLog, error) {
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
	emb := f.searchEmbedder()
	var res *query.Resident
	// Semantic searches read SQLite (query.Resident): with an embeddings
	// endpoint configured every search is one, and a copy would be
	// memory for nothing.
	sdb, sqlite := db.(*store.DB)
	if resident && emb == nil && sqlite {
		res = query.NewResident(sdb, func(b query.ResidentBuild) {
			if errors.Is(b.Err, query.ErrResidentOutdated) {
				log.Info().Int64("generation", b.Generation).Msg("resident index: build abandoned, the index changed")
				return
			}
			if b.Err != nil {
				log.Warn().Err(b.Err).Int64("generation", b.Generation).Msg("resident index: not built; searches use SQLite")
				return
			}
			log.Info().Int64("generation", b.Generation).Int("chunks", b.Chunks).Int("tokens", b.Tokens).
				Int("postings", b.Postings).Float64("seconds", b.Duration.Seconds()).Msg("resident index built")
		})
		res.Start(ctx)
	}
	svc := service.New(set, service.Deps{
		DB: db, Cache: cache, Answerer: a, Recorder: rec, Observer: obs,
		Now: f.Now, Log: log, Snippets: 20000, Embedder: emb, Resident: res,
	})
	return svc, ql, nil
}

// residentFlagHelp documents --resident of aur serve and aur mcp.
const residentFlagHelp = "search an in-memory copy of the index once built (same results; about 10x less CPU a search, about 0.5 KB of memory a chunk); --resident=false searches SQLite only"
