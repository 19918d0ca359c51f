package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/pgstore"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
)

// NewCmdMigrate builds aur migrate: bring the store's schema up to this
// aur's, without indexing (every command that opens the store does it
// too; this is for an upgrade step of its own, as a database owner,
// before readers that may not migrate run the new aur).
func NewCmdMigrate(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the store's schema up to this aur's version",
		Long: `Apply the schema migrations the store lacks: the PostgreSQL database of
--store (AURORA_STORE_URL), or the SQLite database (--db). Every command
that opens the store migrates it as well; run this as the database's
owner when upgrading aur, before roles that may not change the schema
(aur_reader in docs/postgres.md) run the new version.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			out := struct {
				Store   string `json:"store"`
				Version int    `json:"schema_version"`
			}{}
			if f.usesPostgres() {
				db, err := f.pgDatabase(ctx)
				if err != nil {
					return err
				}
				if out.Version, err = db.Version(ctx); err != nil {
					return err
				}
				out.Store = "postgres"
				if out.Version != pgstore.SchemaVersion() {
					return fmt.Errorf("schema version %d after migrating, want %d", out.Version, pgstore.SchemaVersion())
				}
			} else {
				db, err := f.Store(ctx)
				if err != nil {
					return err
				}
				out.Store, out.Version = db.Path(), store.SchemaVersion()
			}
			if asJSON {
				return printJSON(f.IOStreams.Out, out)
			}
			fmt.Fprintf(f.IOStreams.Out, "%s: schema version %d\n", termtext.Line(out.Store), out.Version)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
