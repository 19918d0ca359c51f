package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/chunk"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
)

// IndexOptions are the inputs of aur mem index.
type IndexOptions struct {
	F           *Factory
	Path        string
	Force       bool
	DryRun      bool
	JSON        bool
	ChunkSize   int
	Overlap     int
	MaxFileSize int64
	Workers     int
	NoGit       bool
	NoIgnore    bool
	AllowEmpty  bool
	// Watch keeps the index current after the run, until interrupted.
	Watch         bool
	WatchDebounce time.Duration
}

// NewCmdIndex builds aur mem index.
func NewCmdIndex(f *Factory, runF func(context.Context, *IndexOptions) error) *cobra.Command {
	opts := &IndexOptions{F: f}
	cmd := &cobra.Command{
		Use:   "index [PATH]",
		Short: "Index a directory tree into the chunk store",
		Long: `Walk PATH (default: the root of the existing index, or the project root
for a new one), respecting .gitignore, .auroraignore
and .git/info/exclude (from the top of the git repository down, or from the
index root outside one; --no-ignore reads none), parse each file into functions, methods, types and
document sections, and store them with a full-text index.

Indexing is incremental: unchanged files are not re-read, changed files have
their chunks replaced, deleted files are removed. Indexing a subdirectory
only touches files under it. Safe to interrupt: a later run completes it.

Symbolic links to files inside the root are indexed; links to directories
are never followed (a directory inside the root is indexed at its own
path). Skipped files and the reasons are listed by aur mem stats.`,
		Example: `  aur mem index .
  aur mem index --dry-run src/
  aur mem index --json --db /tmp/go.db "$(go env GOROOT)/src"`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Path = args[0]
			}
			cfg := f.Config()
			if !cmd.Flags().Changed("chunk-size") {
				opts.ChunkSize = cfg.Int(config.KeyChunkSize)
			}
			if !cmd.Flags().Changed("overlap") {
				opts.Overlap = cfg.Int(config.KeyOverlap)
			}
			if !cmd.Flags().Changed("max-file-size") {
				opts.MaxFileSize = int64(cfg.Int(config.KeyMaxFileSize))
			}
			if opts.ChunkSize < 100 {
				return usageErrorf("--chunk-size must be at least 100 characters, got %d", opts.ChunkSize)
			}
			if opts.Overlap < 0 || opts.Overlap >= opts.ChunkSize {
				return usageErrorf("--overlap must be between 0 and --chunk-size (%d), got %d", opts.ChunkSize, opts.Overlap)
			}
			if opts.MaxFileSize <= 0 {
				return usageErrorf("--max-file-size must be positive")
			}
			if cmd.Flags().Changed("workers") && (opts.Workers < 1 || opts.Workers > maxWorkers()) {
				return usageErrorf("--workers must be between 1 and %d (4 per CPU), got %d", maxWorkers(), opts.Workers)
			}
			if opts.Watch && opts.DryRun {
				return usageErrorf("--watch and --dry-run cannot be combined")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			if err := indexRun(cmd.Context(), opts); err != nil || !opts.Watch {
				return err
			}
			return watchRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Force, "force", false, "re-index every file, changed or not")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "list what would be indexed or skipped, and why; write nothing")
	fl.BoolVar(&opts.JSON, "json", false, "print the summary as JSON")
	fl.IntVar(&opts.ChunkSize, "chunk-size", 2000, "window size in characters for text without structure (env AURORA_CHUNK_SIZE)")
	fl.IntVar(&opts.Overlap, "overlap", 200, "characters repeated between consecutive windows (env AURORA_OVERLAP)")
	fl.Int64Var(&opts.MaxFileSize, "max-file-size", index.DefaultMaxFileSize, "skip files larger than this many bytes (env AURORA_MAX_FILE_SIZE)")
	fl.IntVar(&opts.Workers, "workers", 0, "parse workers, 1 to 4 per CPU (default: number of CPUs)")
	fl.BoolVar(&opts.NoGit, "no-git", false, "do not read git history for activation")
	fl.BoolVar(&opts.NoIgnore, "no-ignore", false, "do not read .gitignore, .auroraignore or .git/info/exclude (dependencies, VCS data and build output are still skipped)")
	fl.BoolVar(&opts.AllowEmpty, "allow-empty", false, "succeed even when no file of a non-empty tree is indexable")
	fl.BoolVar(&opts.Watch, "watch", false, "after indexing, keep the index current as files change, until interrupted")
	fl.DurationVar(&opts.WatchDebounce, "watch-debounce", 200*time.Millisecond, "with --watch, wait this long after the last change before re-indexing")
	return cmd
}

// maxWorkers bounds --workers: parsing is CPU-bound, so more than a few
// workers per CPU only costs memory (each holds a tokenizer and the file
// it is parsing).
func maxWorkers() int { return 4 * runtime.NumCPU() }

func indexRun(ctx context.Context, opts *IndexOptions) error {
	f := opts.F
	if f.usesPostgres() {
		return indexRunPG(ctx, opts)
	}
	cfg := f.Config()
	ios := f.IOStreams
	path := opts.Path
	if path == "" {
		path = cfg.ProjectRoot
	}
	abs, err := realDir(path)
	if err != nil {
		return usageErrorf("%v", err)
	}

	var db *store.DB
	if opts.DryRun {
		db, err = f.StoreIfExists(ctx)
	} else {
		if _, err := os.Stat(filepath.Dir(cfg.DBPath)); errors.Is(err, fs.ErrNotExist) {
			// A new database: Store creates its directory, as it does for
			// every database, before the lock file goes in it.
			if _, err := f.Store(ctx); err != nil {
				return err
			}
		}
		// One index run at a time per database: the root check below and
		// the writes after it are one decision.
		var lock *store.WriterLock
		lock, err = store.LockWriter(ctx, cfg.DBPath, func(pid int) {
			who := "another aur mem index"
			if pid > 0 {
				who += fmt.Sprintf(" (pid %d)", pid)
			}
			fmt.Fprintf(ios.ErrOut, "aur: waiting for %s to finish with %s\n", who, termtext.Line(cfg.DBPath))
		})
		if err != nil {
			return err
		}
		defer lock.Unlock()
		if opts.Force {
			if err := rebuildIfDamaged(ctx, f); err != nil {
				return err
			}
		}
		db, err = f.Store(ctx)
	}
	if err != nil {
		return err
	}
	root := ""
	if db != nil {
		if root, err = db.Meta(ctx, store.MetaRoot); err != nil {
			return err
		}
	}
	if root != "" && !cfg.DBExplicit {
		// The project was moved or renamed and took its .aurora/ along.
		// Paths in the store are relative to the root, so the index
		// carries over to the project root it now lives in.
		if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
			if pr, err := realDir(cfg.ProjectRoot); err == nil {
				fmt.Fprintf(ios.ErrOut, "aur: index root %s no longer exists; using %s, where the index now is\n", root, pr)
				root = pr
			}
		}
	}
	switch {
	case root == "":
		root = abs
		if pr, err := realDir(cfg.ProjectRoot); err == nil && !cfg.DBExplicit && index.Within(pr, abs) {
			root = pr
		}
	case opts.Path == "":
		// Bare aur mem index refreshes the index, whatever its root: the
		// project root is only where a new index starts.
		if _, err := os.Stat(root); err == nil {
			abs = root
		} else if !index.Within(root, abs) {
			return usageErrorf("%s, the root of the index in %s, no longer exists; to index %s instead, run: %s",
				termtext.Line(root), termtext.Line(cfg.DBPath), termtext.Line(abs), freshIndexCommand(cfg.DBPath, abs))
		}
	case !index.Within(root, abs):
		return usageErrorf("%s is outside %s, the root of the index in %s.\n"+
			"To index it into a database of its own, run: aur mem index --db %s %s\n"+
			"To refresh the index of %s, run: aur mem index%s\n"+
			"To start this index again from %s instead, run: %s",
			termtext.Line(abs), termtext.Line(root), termtext.Line(cfg.DBPath),
			shellQuote(filepath.Join(abs, ".aurora", "memory.db")), shellQuote(abs),
			termtext.Line(root), dbFlag(cfg),
			termtext.Line(abs), freshIndexCommand(cfg.DBPath, abs))
	}

	iopts := index.Options{
		Root:        root,
		Path:        abs,
		MaxFileSize: opts.MaxFileSize,
		Chunk:       chunk.Options{ChunkSize: opts.ChunkSize, Overlap: opts.Overlap},
		Force:       opts.Force,
		DryRun:      opts.DryRun,
		Workers:     opts.Workers,
		NoGit:       opts.NoGit,
		NoIgnore:    opts.NoIgnore,
		Exclude:     service.StoreFiles(cfg.DBPath),
		Now:         f.Now,
		Log:         *f.Log(),
	}
	var bar *progressbar.ProgressBar
	if ios.IsStderrTTY() && !opts.DryRun {
		iopts.Progress = func(done, total int) {
			if bar == nil {
				bar = newProgressBar(ios.ErrOut, total)
			}
			bar.Set(done)
		}
	}
	f.Log().Info().Str("root", root).Str("path", abs).Bool("force", opts.Force).Bool("dry_run", opts.DryRun).Msg("index started")
	sum, err := index.Run(ctx, db, iopts)
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(ios.ErrOut)
	}
	if err == nil && sum != nil && !opts.DryRun && sum.Error == nil && !sum.Interrupted {
		err = embedPass(ctx, f, db, sum)
	}
	var rep *replicaJSON
	var repErr error
	if sum != nil && (!emptied(sum) || opts.AllowEmpty) {
		// Still under the writer lock: one replica update at a time.
		rep, repErr = updateReplica(ctx, f, db, sum, err)
	}
	if sum != nil {
		f.Log().Info().Str("root", root).Int("indexed", sum.Indexed).Int("unchanged", sum.Unchanged).
			Int("deleted", sum.Deleted).Int("skipped", sum.SkippedTotal).Int("chunks", sum.ChunksWritten).
			Float64("duration_ms", sum.DurationMS).Bool("interrupted", sum.Interrupted).Msg("index finished")
		if opts.JSON {
			if perr := printJSON(ios.Out, indexJSON{Summary: sum, Replica: rep}); perr != nil && err == nil {
				err = perr
			}
		} else {
			printIndexSummary(f, sum)
			printReplica(f, rep)
		}
	}
	if errors.Is(err, index.ErrOutsideRoot) {
		return usageErrorf("%v", err)
	}
	if err == nil && sum != nil {
		if err := emptyIndex(f, sum, opts); err != nil {
			return err
		}
	}
	if err == nil {
		err = repErr
	}
	return err
}

func newProgressBar(w io.Writer, total int) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("indexing"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("files"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
}

func printIndexSummary(f *Factory, s *index.Summary) {
	w := f.IOStreams.Out
	cs := f.IOStreams.ColorScheme()
	if s.DryRun {
		for _, p := range s.Plan {
			switch {
			case p.Detail != "":
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.Action, termtext.Line(p.Path), p.Reason, termtext.Line(p.Detail))
			case p.Reason != "":
				fmt.Fprintf(w, "%s\t%s\t%s\n", p.Action, termtext.Line(p.Path), p.Reason)
			default:
				fmt.Fprintf(w, "%s\t%s\n", p.Action, termtext.Line(p.Path))
			}
		}
		fmt.Fprintf(w, "dry run: %d to index, %d unchanged, %d to delete, %d skipped\n",
			s.Indexed, s.Unchanged, s.Deleted, s.SkippedTotal)
		return
	}
	switch {
	case s.Error != nil:
		// A failure is the summary's first line, so that a log or a pipe
		// reading only the head does not report success.
		fmt.Fprintf(w, "%s indexing %s after %s: %s\n", cs.Red("Failed"), termtext.Line(s.Path),
			fmtDuration(s.DurationMS), termtext.Line(s.Error.Message))
	case s.Interrupted:
		fmt.Fprintf(w, "%s indexing %s after %s\n", cs.Yellow("Interrupted"), termtext.Line(s.Path), fmtDuration(s.DurationMS))
	default:
		fmt.Fprintf(w, "Indexed %s in %s\n", termtext.Line(s.Path), fmtDuration(s.DurationMS))
	}
	fmt.Fprintf(w, "  files    %d seen, %d indexed, %d unchanged, %d deleted\n", s.FilesSeen, s.Indexed, s.Unchanged, s.Deleted)
	if s.Error != nil {
		fmt.Fprintf(w, "  chunks   %d parsed%s; only batches committed before the failure were written\n",
			s.ChunksWritten, countsSuffix(s.ChunksByLanguage))
	} else {
		fmt.Fprintf(w, "  chunks   %d written%s\n", s.ChunksWritten, countsSuffix(s.ChunksByLanguage))
	}
	if s.SkippedTotal > 0 {
		fmt.Fprintf(w, "  skipped  %d:%s\n", s.SkippedTotal, countsList(s.Skipped))
	}
	if s.ParseErrors > 0 {
		fmt.Fprintf(w, "  %s %d files indexed despite syntax errors (aur mem stats lists them)\n", cs.Yellow("warning"), s.ParseErrors)
	}
	if s.Error == nil || s.TotalFiles > 0 {
		fmt.Fprintf(w, "  index    %d chunks in %d files\n", s.TotalChunks, s.TotalFiles)
	}
	printEmbedSummary(f, s.Embeddings)
}

func fmtDuration(ms float64) string {
	d := time.Duration(ms * float64(time.Millisecond))
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// countsSuffix renders " (go 10, text 2)" sorted by count, largest first.
func countsSuffix(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	return " (" + strings.TrimPrefix(countsList(m), " ") + ")"
}

func countsList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %s %d", k, m[k])
	}
	return b.String()
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// realDir returns the absolute, symlink-free form of a directory.
func realDir(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("%s: no such directory", p)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a directory", p)
	}
	return real, nil
}

// watchRun keeps the index current after an index run (--watch): each
// batch of changed files is re-indexed and reported on stderr, until a
// signal ends it, which is a normal end (exit 0).
func watchRun(ctx context.Context, opts *IndexOptions) error {
	f := opts.F
	ios := f.IOStreams
	db, err := f.Store(ctx)
	if err != nil {
		return err
	}
	set, err := serviceSettings(f)
	if err != nil {
		return err
	}
	set.Index = service.IndexSettings{ChunkSize: opts.ChunkSize, Overlap: opts.Overlap, MaxFileSize: opts.MaxFileSize,
		Workers: opts.Workers, NoGit: opts.NoGit, NoIgnore: opts.NoIgnore}
	svc := service.New(set, service.Deps{DB: db, Now: f.Now, Log: *f.Log(), Embedder: f.searchEmbedder()})
	err = startWatch(ctx, f, svc, opts.WatchDebounce, *f.Log(), func(paths []string, run *service.IndexRun) {
		if run == nil {
			return
		}
		what := fmt.Sprintf("%d changed paths", len(paths))
		if paths == nil {
			what = "the whole tree"
		}
		line := fmt.Sprintf("aur: %s: %d indexed, %d deleted in %s (%s)", run.Status, run.Indexed, run.Deleted, fmtDuration(run.DurationMS), what)
		if run.Error != "" {
			line += ": " + termtext.Line(run.Error)
		}
		fmt.Fprintln(ios.ErrOut, line)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "aur: watching for changes; Ctrl-C to stop\n")
	<-ctx.Done()
	return nil
}
