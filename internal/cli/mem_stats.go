package cli

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
)

// MemStatsOptions are the inputs of aur mem stats.
type MemStatsOptions struct {
	F    *Factory
	JSON bool
}

// NewCmdMemStats builds aur mem stats.
func NewCmdMemStats(f *Factory, runF func(context.Context, *MemStatsOptions) error) *cobra.Command {
	opts := &MemStatsOptions{F: f}
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Show what the chunk store holds",
		Long:  "Show chunks and files by language and kind, the database size, the last index run, and files skipped or indexed with errors.",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return memStatsRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print as JSON")
	return cmd
}

func memStatsRun(ctx context.Context, opts *MemStatsOptions) error {
	f := opts.F
	var db interface {
		Stats(ctx context.Context) (*store.IndexStats, error)
	}
	if f.usesPostgres() {
		p, err := f.pgProject(ctx, "", false)
		if err != nil {
			return err
		}
		db = p
	} else {
		sdb, err := f.StoreIfExists(ctx)
		if err != nil {
			return err
		}
		if sdb == nil {
			return &codedError{Code: ExitError, Err: fmt.Errorf("no index at %s; run 'aur mem index' first", f.Config().DBPath)}
		}
		db = sdb
	}
	s, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	if opts.JSON {
		return printJSON(f.IOStreams.Out, s)
	}
	w := f.IOStreams.Out
	cs := f.IOStreams.ColorScheme()
	fmt.Fprintf(w, "%s %s\n", cs.Bold("Index"), termtext.Line(s.Root))
	fmt.Fprintf(w, "  database   %s (%s, schema %d)\n", s.Path, humanSize(s.SizeBytes), s.SchemaVersion)
	last := "never"
	if s.LastIndexMS > 0 {
		last = time.UnixMilli(s.LastIndexMS).Local().Format("2006-01-02 15:04:05")
		if s.LastRunStatus != "" && s.LastRunStatus != "done" {
			last += " (last run " + s.LastRunStatus + ")"
		}
	}
	fmt.Fprintf(w, "  last index %s\n", last)
	fmt.Fprintf(w, "  files      %d (%s of source)\n", s.Files, humanSize(s.SourceBytes))
	fmt.Fprintf(w, "  chunks     %d\n", s.Chunks)
	if v := s.Vectors; v != nil {
		pct := 0.0
		if v.Chunks > 0 {
			pct = 100 * float64(v.WithVector) / float64(v.Chunks)
		}
		fmt.Fprintf(w, "  vectors    %d of %d chunks (%.1f%%), %s, %d dimensions\n", v.WithVector, v.Chunks, pct, termtext.Line(v.Name), v.Dims)
	}
	fmt.Fprintf(w, "  history    %d files with git history, %d chunks accessed, %d queries recorded\n",
		s.HistoryFiles, s.AccessedChunks, s.Queries)
	fmt.Fprintf(w, "\n%s\n", cs.Bold("By language"))
	fmt.Fprintf(w, "  %-12s %8s %8s\n", "language", "files", "chunks")
	for _, l := range sortedKeys(s.ChunksByLang, s.FilesByLanguage) {
		fmt.Fprintf(w, "  %-12s %8d %8d\n", l, s.FilesByLanguage[l], s.ChunksByLang[l])
	}
	fmt.Fprintf(w, "\n%s\n", cs.Bold("By kind"))
	for _, k := range sortedKeys(s.ChunksByKind, nil) {
		fmt.Fprintf(w, "  %-12s %8d\n", k, s.ChunksByKind[k])
	}
	if len(s.Skipped) > 0 {
		fmt.Fprintf(w, "\n%s (%d)\n", cs.Bold("Skipped files"), len(s.Skipped))
		printProblems(f, s.Skipped)
	}
	if len(s.ParseErrors) > 0 {
		fmt.Fprintf(w, "\n%s (%d)\n", cs.Bold("Indexed with syntax errors"), len(s.ParseErrors))
		printProblems(f, s.ParseErrors)
	}
	return nil
}

// maxListed bounds problem lists at a terminal; --json has them all.
const maxListed = 20

func printProblems(f *Factory, ps []store.Skipped) {
	w := f.IOStreams.Out
	for i, p := range ps {
		if i == maxListed && f.IOStreams.IsStdoutTTY() {
			fmt.Fprintf(w, "  ... and %d more (--json lists all)\n", len(ps)-maxListed)
			break
		}
		if p.Detail != "" {
			fmt.Fprintf(w, "  %s\t%s\t%s\n", termtext.Line(p.Path), p.Reason, termtext.Line(p.Detail))
		} else {
			fmt.Fprintf(w, "  %s\t%s\n", termtext.Line(p.Path), p.Reason)
		}
	}
}

// sortedKeys returns the keys of a (and b) by a's count, largest first.
func sortedKeys(a, b map[string]int) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]int{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if a[keys[i]] != a[keys[j]] {
			return a[keys[i]] > a[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
