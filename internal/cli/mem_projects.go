package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/termtext"
)

// NewCmdProjects builds aur mem projects: the projects of a PostgreSQL
// store, with their roots, chunk counts and index age.
func NewCmdProjects(f *Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "projects",
		Short: "List the projects of a shared PostgreSQL store",
		Long: `List the projects (repositories) of the PostgreSQL store named by --store
or AURORA_STORE_URL: each one's root as last indexed, its chunks and
files, its generation, and how long ago it was last indexed.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !f.usesPostgres() {
				return usageErrorf("aur mem projects lists the projects of a PostgreSQL store: set --store or AURORA_STORE_URL")
			}
			db, err := f.pgDatabase(cmd.Context())
			if err != nil {
				return err
			}
			ps, err := db.Projects(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				type row struct {
					Name       string   `json:"name"`
					Root       string   `json:"root"`
					Generation int64    `json:"generation"`
					Files      int64    `json:"files"`
					Chunks     int64    `json:"chunks"`
					LastIndex  *int64   `json:"last_index_unix_ms"`
					AgeSeconds *float64 `json:"age_seconds"`
				}
				out := make([]row, 0, len(ps))
				for _, p := range ps {
					r := row{Name: p.Name, Root: p.Root, Generation: p.Generation, Files: p.Files, Chunks: p.Chunks}
					if !p.LastIndex.IsZero() {
						ms := p.LastIndex.UnixMilli()
						age := f.Now().Sub(p.LastIndex).Seconds()
						r.LastIndex, r.AgeSeconds = &ms, &age
					}
					out = append(out, r)
				}
				return printJSON(f.IOStreams.Out, out)
			}
			w := f.IOStreams.Out
			if len(ps) == 0 {
				fmt.Fprintln(w, "no projects yet: index one with aur mem index --store URL [--project NAME] PATH")
				return nil
			}
			fmt.Fprintf(w, "%-20s %9s %7s %5s %-12s %s\n", "PROJECT", "CHUNKS", "FILES", "GEN", "INDEXED", "ROOT")
			for _, p := range ps {
				age := "never"
				if !p.LastIndex.IsZero() {
					age = humanAge(f.Now().Sub(p.LastIndex)) + " ago"
				}
				fmt.Fprintf(w, "%-20s %9d %7d %5d %-12s %s\n", termtext.Line(p.Name), p.Chunks, p.Files, p.Generation, age, termtext.Line(p.Root))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

// humanAge rounds an age to its largest unit.
func humanAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
