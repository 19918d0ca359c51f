package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
	"github.com/aurora-dev/aur/internal/watch"
)

// startWatch keeps the index of svc current while ctx lives (aur serve
// --watch, aur mem index --watch): it returns once every directory is
// watched, and re-indexes changed files in the background. done, if set,
// hears of each batch.
func startWatch(ctx context.Context, f *Factory, svc *service.Service, debounce time.Duration, log zerolog.Logger,
	done func(paths []string, run *service.IndexRun)) error {
	db := svc.DB()
	if db == nil {
		return usageErrorf("--watch needs the SQLite store: with a PostgreSQL store, run aur mem index from CI or cron")
	}
	if db.ReadOnly() {
		return usageErrorf("--watch needs write access to %s", termtext.Line(db.Path()))
	}
	root, err := db.Meta(ctx, store.MetaRoot)
	if err != nil {
		return err
	}
	if root == "" {
		return fmt.Errorf("--watch: %w", service.ErrNoIndexRoot)
	}
	ready := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- watch.Run(ctx, watch.Options{
			Root:     root,
			Debounce: debounce,
			NoIgnore: svc.Settings().Index.NoIgnore,
			Exclude:  service.StoreFiles(db.Path()),
			Log:      log,
			Ready:    func(int) { close(ready) },
			Reindex: func(ctx context.Context, paths []string) error {
				_, err := svc.Reindex(ctx, service.TriggerWatch, paths)
				if errors.Is(err, service.ErrIndexBusy) {
					return fmt.Errorf("%w: %w", watch.ErrBusy, err)
				}
				if done != nil {
					st, _ := svc.IndexStatus(context.WithoutCancel(ctx))
					if st != nil {
						done(paths, st.LastRun)
					}
				}
				return err
			},
		})
	}()
	select {
	case <-ready:
		go func() {
			if err := <-errc; err != nil {
				log.Warn().Err(err).Msg("watch stopped")
			}
		}()
		return nil
	case err := <-errc:
		if err == nil {
			err = context.Cause(ctx)
		}
		return fmt.Errorf("watch %s: %w", termtext.Line(root), err)
	}
}
