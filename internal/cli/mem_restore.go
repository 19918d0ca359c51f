package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
)

// RestoreOptions are the inputs of aur mem restore.
type RestoreOptions struct {
	F    *Factory
	From string
	JSON bool
}

// NewCmdRestore builds aur mem restore.
func NewCmdRestore(f *Factory, runF func(context.Context, *RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{F: f}
	cmd := &cobra.Command{
		Use:   "restore PATH",
		Short: "Replace the database by a verified copy (the replica or a backup)",
		Long: `Verify PATH (as aur mem verify does) and, if it is healthy, replace the
project database with a copy of it. The replaced database is kept as
memory.db.broken-<UTC time>, with its -wal and -shm files; the database's
name always names a complete database, old or new.

The restored database gets a new identity, so no query cache entry of the
replaced one can be served for it. Its query history and activation are
PATH's. Readers are sent to the replica while the files change.

Refused, changing nothing, when PATH fails verification or while an index
run holds the writer lock (wait for it, or stop it, and run again).`,
		Example: `  aur mem restore "$AURORA_REPLICA_PATH"
  aur mem restore .aurora/backups/memory-20250102T031700Z.db`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.From = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return restoreRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the result as JSON")
	return cmd
}

func restoreRun(ctx context.Context, opts *RestoreOptions) error {
	f := opts.F
	ios := f.IOStreams
	cfg := f.Config()
	// A .aurora/ lost with the database is made again as aur makes it.
	if err := makeDataDir(filepath.Dir(cfg.DBPath)); err != nil {
		return fmt.Errorf("restore %s: %w", cfg.DBPath, err)
	}
	res, err := store.Restore(ctx, cfg.DBPath, opts.From, f.Now())
	var le *store.LockedError
	switch {
	case errors.Is(err, store.ErrUnhealthy):
		if opts.JSON {
			printJSON(ios.Out, res)
		} else {
			printVerify(f, res.Verify)
		}
		fmt.Fprintf(ios.ErrOut, "aur: %s fails verification; %s not restored from it\n", termtext.Line(opts.From), termtext.Line(cfg.DBPath))
		return &silentError{code: ExitError}
	case errors.As(err, &le):
		return fmt.Errorf("%w; %s not restored: wait for the run to finish (or stop it) and run aur mem restore again", err, cfg.DBPath)
	case err != nil:
		return err
	}
	f.Log().Warn().Str("database", res.Path).Str("from", res.From).Str("moved_aside", res.Aside).
		Int64("generation", res.Copy.Generation).Msg("database restored")
	if opts.JSON {
		return printJSON(ios.Out, res)
	}
	indexed := "never indexed"
	if !res.Copy.IndexedAt.IsZero() {
		indexed = "indexed " + res.Copy.IndexedAt.Format(time.RFC3339)
	}
	fmt.Fprintf(ios.Out, "Restored %s from %s (generation %d, %s; verified)\n",
		termtext.Line(res.Path), termtext.Line(res.From), res.Copy.Generation, indexed)
	if res.Aside != "" {
		fmt.Fprintf(ios.Out, "  the replaced database is kept as %s\n", termtext.Line(res.Aside))
	}
	return nil
}
