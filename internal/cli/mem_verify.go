package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
)

// VerifyOptions are the inputs of aur mem verify.
type VerifyOptions struct {
	F       *Factory
	Replica bool
	JSON    bool
	// Path is the file to verify, resolved from --db or --replica.
	Path string
	// Postgres verifies the project of the PostgreSQL store instead
	// (--store set, neither --db nor --replica).
	Postgres bool
}

// NewCmdVerify builds aur mem verify.
func NewCmdVerify(f *Factory, runF func(context.Context, *VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{F: f}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check a database file: integrity, full-text index, schema, row counts",
		Long: `Check the project database, or with --db any aur database file (the
replica, a backup), without changing it:

  file       a SQLite database, as long as its header says (not truncated)
  marker     no earlier command found it damaged
  integrity  PRAGMA integrity_check (with SQLite's FTS5 checks)
  schema     its schema version against this aur's
  fts        FTS5's integrity-check on chunks_fts and files_tri
  rows       every chunk in chunks_fts and every FTS row a chunk; files
             against files_tri
  meta       the index's root, generation and time are on record

Exit status: 0 healthy; 1 when a check failed (each failed check says what
was found) or the file cannot be read.`,
		Example: `  aur mem verify
  aur mem verify --replica
  aur mem verify --db .aurora/backups/memory-20250102T031700Z.db --json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := f.Config()
			opts.Path = cfg.DBPath
			if opts.Replica {
				if cmd.Flags().Changed("db") {
					return usageErrorf("--replica and --db each name the file to verify: give one")
				}
				if cfg.ReplicaPath == "" {
					return usageErrorf("--replica: no replica configured (AURORA_REPLICA_PATH, replica_path)")
				}
				opts.Path = cfg.ReplicaPath
			}
			opts.Postgres = f.usesPostgres() && !opts.Replica && !cmd.Flags().Changed("db")
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return verifyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Replica, "replica", false, "verify the replica (AURORA_REPLICA_PATH) instead")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	return cmd
}

func verifyRun(ctx context.Context, opts *VerifyOptions) error {
	f := opts.F
	ios := f.IOStreams
	var r *store.VerifyReport
	if opts.Postgres {
		p, err := f.pgProject(ctx, "", false)
		if err != nil {
			return err
		}
		if r, err = p.Verify(ctx); err != nil {
			return err
		}
	} else {
		if _, err := os.Stat(opts.Path); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no database at %s", opts.Path)
		}
		var err error
		if r, err = store.Verify(ctx, opts.Path); err != nil {
			return err
		}
	}
	ev := f.Log().Info()
	if !r.Healthy {
		ev = f.Log().Error()
	}
	ev.Str("path", r.Path).Bool("healthy", r.Healthy).Int("problems", len(r.Problems())).Msg("verify")
	if opts.JSON {
		if err := printJSON(ios.Out, r); err != nil {
			return err
		}
	} else {
		printVerify(f, r)
	}
	if r.Healthy {
		return nil
	}
	if opts.Postgres {
		fmt.Fprintf(ios.ErrOut, "aur: %s fails verification: rebuild it with 'aur mem index --force --project NAME' from a checkout\n",
			termtext.Line(r.Path))
		return &silentError{code: ExitError}
	}
	fmt.Fprintf(ios.ErrOut, "aur: %s fails verification: restore a copy with 'aur mem restore PATH' (the replica, or a backup that passes 'aur mem verify --db PATH'), or rebuild with 'aur mem index --force'\n",
		termtext.Line(r.Path))
	return &silentError{code: ExitError}
}

// printVerify prints the report: a verdict line, then one line per check.
func printVerify(f *Factory, r *store.VerifyReport) {
	w := f.IOStreams.Out
	cs := f.IOStreams.ColorScheme()
	if r.Healthy {
		fmt.Fprintf(w, "%s: %s\n", termtext.Line(r.Path), cs.Green("healthy"))
	} else {
		n := len(r.Problems())
		noun := "checks"
		if n == 1 {
			noun = "check"
		}
		fmt.Fprintf(w, "%s: %s, %d %s failed\n", termtext.Line(r.Path), cs.Red("DAMAGED"), n, noun)
	}
	for _, c := range r.Checks {
		status := c.Status
		switch c.Status {
		case store.CheckOK:
			status = cs.Green(status)
		case store.CheckFailed:
			status = cs.Red(strings.ToUpper(status))
		default:
			status = cs.Gray(status)
		}
		// Pad before colouring, so columns line up either way.
		pad := strings.Repeat(" ", max(0, 8-len(c.Status)))
		fmt.Fprintf(w, "  %-10s %s%s %s\n", c.Name, status, pad, termtext.Line(c.Detail))
	}
}
