package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/ha"
	"github.com/aurora-dev/aur/internal/termtext"
)

// BackupOptions are the inputs of aur mem backup.
type BackupOptions struct {
	F    *Factory
	To   string
	Keep int
	JSON bool
}

// NewCmdBackup builds aur mem backup.
func NewCmdBackup(f *Factory, runF func(context.Context, *BackupOptions) error) *cobra.Command {
	opts := &BackupOptions{F: f}
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Copy the database, consistently, while it is in use",
		Long: `Write a consistent copy of the project database with SQLite's online
backup API: queries and even an index run may go on meanwhile; the copy is
the database as of the moment the backup started. The copy is checked
(PRAGMA quick_check) and written under a temporary name, synced, then
renamed: a backup killed midway leaves no file under a backup's name.

By default the copy goes to backups/memory-<UTC time>.db beside the
database (.aurora/backups/), and only the newest --keep backups there are
kept. --to names a file (used as is, nothing pruned) or a directory.

Quiet unless it fails, for cron: nothing on stdout unless it is a terminal
or --json is given; exit 1 on failure. aur mem verify checks a backup;
aur mem restore puts one back.`,
		Example: `  aur mem backup
  aur mem backup --keep 14 --json
  aur mem backup --to /mnt/offsite/aur/
  17 3 * * * cd /srv/project && aur mem backup    # crontab: every night at 03:17`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Keep < 1 {
				return usageErrorf("--keep must be at least 1, got %d", opts.Keep)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return backupRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.To, "to", "", "backup file, or directory for <name>-<UTC time>.db (default: backups/ beside the database)")
	fl.IntVar(&opts.Keep, "keep", ha.DefaultKeep, "backups to keep in the backup directory; older ones are removed")
	fl.BoolVar(&opts.JSON, "json", false, "print a summary as JSON")
	return cmd
}

// backupJSON is aur mem backup --json.
type backupJSON struct {
	*ha.BackupResult
	Database string `json:"database"`
}

func backupRun(ctx context.Context, opts *BackupOptions) error {
	f := opts.F
	ios := f.IOStreams
	cfg := f.Config()
	if _, err := os.Stat(cfg.DBPath); err != nil {
		return fmt.Errorf("no database at %s to back up: %w", cfg.DBPath, err)
	}
	db, err := f.StoreIfExists(ctx)
	if err != nil {
		return err
	}
	res, err := ha.Backup(ctx, db, ha.BackupOptions{To: opts.To, Keep: opts.Keep, Now: f.Now()})
	if err != nil {
		f.Log().Error().Err(err).Str("database", db.Path()).Msg("backup failed")
		if res == nil {
			return fmt.Errorf("backup of %s: %w", db.Path(), err)
		}
		// Written, but pruning failed: say so, and fail the cron job.
		fmt.Fprintf(ios.ErrOut, "aur: backup written to %s\n", termtext.Line(res.Path))
		return err
	}
	f.Log().Info().Str("database", db.Path()).Str("backup", res.Path).Int64("bytes", res.Bytes).
		Float64("duration_ms", res.DurationMS).Int("removed", len(res.Removed)).Msg("backup written")
	if opts.JSON {
		return printJSON(ios.Out, backupJSON{BackupResult: res, Database: db.Path()})
	}
	if ios.IsStdoutTTY() {
		fmt.Fprintf(ios.Out, "Backed up %s to %s (%s, generation %d) in %s\n", termtext.Line(db.Path()),
			termtext.Line(res.Path), fmtBytes(res.Bytes), res.Generation, fmtDuration(res.DurationMS))
		for _, r := range res.Removed {
			fmt.Fprintf(ios.Out, "  removed %s (keeping the newest %d)\n", termtext.Line(r), opts.Keep)
		}
	}
	return nil
}
