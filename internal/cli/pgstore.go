package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/chunk"
	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/pgstore"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/termtext"
)

// pgStore is a project of a PostgreSQL store as the service uses it:
// each query reads one snapshot (service.Snapshotter).
type pgStore struct{ *pgstore.Project }

// Snapshot pins the project's reads to one generation for a query.
func (s pgStore) Snapshot(ctx context.Context) (service.Store, func(), error) {
	snap, done, err := s.Project.Snapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	return pgStore{snap}, done, nil
}

// usesPostgres tells whether the store is a PostgreSQL database
// (--store, AURORA_STORE_URL).
func (f *Factory) usesPostgres() bool { return f.cfg != nil && f.cfg.StoreURL != "" }

// pgDatabase connects to the PostgreSQL store (once), migrating it.
func (f *Factory) pgDatabase(ctx context.Context) (*pgstore.DB, error) {
	if f.pg != nil {
		return f.pg, nil
	}
	db, err := pgstore.Open(ctx, f.cfg.StoreURL, pgstore.Options{})
	if err != nil {
		return nil, err
	}
	f.pg = db
	return db, nil
}

// projectName is the project a command works on: --project
// (AURORA_PROJECT), else the base name of root, else of the project root.
func (f *Factory) projectName(root string) string {
	if f.cfg.Project != "" {
		return f.cfg.Project
	}
	if root == "" {
		root = f.cfg.ProjectRoot
		if r, err := filepath.EvalSymlinks(root); err == nil {
			root = r
		}
	}
	return filepath.Base(root)
}

// pgProject opens the command's project of the PostgreSQL store; it must
// exist unless create.
func (f *Factory) pgProject(ctx context.Context, root string, create bool) (*pgstore.Project, error) {
	db, err := f.pgDatabase(ctx)
	if err != nil {
		return nil, err
	}
	return db.Project(ctx, f.projectName(root), create)
}

// openSearchIndex opens what a question is answered from: the project
// of the PostgreSQL store, or the SQLite database, which must exist and
// hold an index.
func openSearchIndex(f *Factory, cmd *cobra.Command) (service.Store, error) {
	if f.usesPostgres() {
		p, err := f.pgProject(cmd.Context(), "", false)
		if err != nil {
			return nil, err
		}
		return pgStore{p}, nil
	}
	return openIndex(f, cmd)
}

// indexRunPG is aur mem index into a PostgreSQL store: one transaction
// under the project's advisory lock, committed when the run completes
// and rolled back otherwise (the project keeps its previous generation).
func indexRunPG(ctx context.Context, opts *IndexOptions) error {
	f := opts.F
	ios := f.IOStreams
	path := opts.Path
	if path == "" {
		path = f.cfg.ProjectRoot
	}
	abs, err := realDir(path)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if opts.Watch {
		return usageErrorf("--watch needs the SQLite store; with a PostgreSQL store, run aur mem index from CI or cron instead")
	}
	if opts.DryRun {
		return usageErrorf("--dry-run is not available with a PostgreSQL store")
	}
	p, err := f.pgProject(ctx, abs, true)
	if err != nil {
		return err
	}
	ix, err := p.BeginIndex(ctx, func() {
		fmt.Fprintf(ios.ErrOut, "aur: waiting for another index run of project %s to finish\n", termtext.Line(p.Name()))
	})
	if err != nil {
		return err
	}
	defer ix.Rollback(ctx) //nolint:errcheck
	root, err := ix.Meta(ctx, "root")
	if err != nil {
		return err
	}
	switch {
	case root == "":
		root = abs
	case opts.Path == "" || !index.Within(root, abs):
		// The project's root is where this checkout is: CI runners check
		// out the repository in directories of their own.
		root = abs
	}
	iopts := index.Options{
		Root:        root,
		Path:        abs,
		MaxFileSize: opts.MaxFileSize,
		Chunk:       chunk.Options{ChunkSize: opts.ChunkSize, Overlap: opts.Overlap},
		Force:       opts.Force,
		Workers:     opts.Workers,
		NoGit:       opts.NoGit,
		NoIgnore:    opts.NoIgnore,
		Now:         f.Now,
		Log:         *f.Log(),
	}
	var bar *progressbar.ProgressBar
	if ios.IsStderrTTY() {
		iopts.Progress = func(done, total int) {
			if bar == nil {
				bar = newProgressBar(ios.ErrOut, total)
			}
			bar.Set(done)
		}
	}
	f.Log().Info().Str("project", p.Name()).Str("root", root).Str("path", abs).Msg("index started")
	start := time.Now()
	sum, err := index.Run(ctx, ix, iopts)
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(ios.ErrOut)
	}
	if err == nil && sum != nil && sum.Error == nil && !sum.Interrupted {
		err = ix.Commit(ctx)
	} else if err == nil {
		err = errors.New("index run did not complete; the project keeps its previous generation")
	}
	if sum != nil {
		sum.DurationMS = float64(time.Since(start).Microseconds()) / 1000
		f.Log().Info().Str("project", p.Name()).Int("indexed", sum.Indexed).Int("deleted", sum.Deleted).
			Int("chunks", sum.ChunksWritten).Float64("duration_ms", sum.DurationMS).Err(err).Msg("index finished")
		if opts.JSON {
			if perr := printJSON(ios.Out, struct {
				*index.Summary
				Project string `json:"project"`
			}{sum, p.Name()}); perr != nil && err == nil {
				err = perr
			}
		} else {
			printIndexSummary(f, sum)
		}
	}
	if errors.Is(err, index.ErrOutsideRoot) {
		return usageErrorf("%v", err)
	}
	if err == nil && sum != nil {
		return emptyIndex(f, sum, opts)
	}
	return err
}

// pgBreaker keeps the LLM circuit breaker in the PostgreSQL store,
// connecting only when a provider's breaker is first used (aur config
// show builds the answerer too, and must not wait on the database); when
// the database cannot be reached it falls back to the state files.
type pgBreaker struct {
	f    *Factory
	file resilience.BreakerStore
}

func (b *pgBreaker) store() resilience.BreakerStore {
	db, err := b.f.pgDatabase(context.Background())
	if err != nil {
		return b.file
	}
	return db.BreakerStore()
}

// Load returns the saved snapshot of key.
func (b *pgBreaker) Load(key string) (resilience.BreakerSnapshot, error) {
	return b.store().Load(key)
}

// Update changes the snapshot of key under its lock.
func (b *pgBreaker) Update(key string, fn func(*resilience.BreakerSnapshot)) (resilience.BreakerSnapshot, error) {
	return b.store().Update(key, fn)
}
