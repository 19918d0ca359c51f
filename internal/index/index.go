package index

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/chunk"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/tokenize"
)

// DefaultMaxFileSize is the default of --max-file-size: larger files are
// almost always generated data, not code worth a chunk.
const DefaultMaxFileSize = 1 << 20

// Options configure one index run.
type Options struct {
	Root        string // absolute index root; paths in the store are relative to it
	Path        string // absolute directory to index: Root or below it
	MaxFileSize int64
	Chunk       chunk.Options
	Force       bool // re-parse every file even if unchanged
	DryRun      bool // plan only; DB may be nil
	Workers     int  // parse workers; default GOMAXPROCS
	SkipDirs    []string
	// Exclude lists absolute paths the walk leaves out without a word:
	// the database and its -wal/-shm files when --db puts them in the tree.
	Exclude []string
	NoGit   bool // do not read git history
	// NoIgnore reads no ignore file (.gitignore, .auroraignore,
	// .git/info/exclude); the default skips still apply.
	NoIgnore bool
	// Now is the clock, called from the run's own goroutine only.
	Now func() time.Time
	Log zerolog.Logger
	// Progress, if set, is called from one goroutine as files finish.
	Progress func(done, total int)
	// Files, if not nil, limits the run to these paths (relative to Root,
	// files or directories), as a watcher reports changes: each existing
	// file is indexed if it changed and a full walk would index it, each
	// directory is walked, and what is indexed at or under a path that no
	// longer exists (or is now ignored) is deleted. Path is not walked, the
	// skipped-file records and git history are left as they are (the next
	// full run refreshes them).
	Files []string
}

// Summary reports what a run did. It is printed by aur mem index --json;
// fields are added, never renamed.
type Summary struct {
	Root             string         `json:"root"`
	Path             string         `json:"path"`
	DryRun           bool           `json:"dry_run"`
	Interrupted      bool           `json:"interrupted"`
	FilesSeen        int            `json:"files_seen"`
	Indexed          int            `json:"indexed"`
	Unchanged        int            `json:"unchanged"`
	Deleted          int            `json:"deleted"`
	Skipped          map[string]int `json:"skipped"`
	SkippedTotal     int            `json:"skipped_total"`
	ParseErrors      int            `json:"parse_errors"`
	ChunksWritten    int            `json:"chunks_written"`
	ChunksByLanguage map[string]int `json:"chunks_by_language"`
	TotalFiles       int            `json:"total_files"`
	TotalChunks      int            `json:"total_chunks"`
	GitHistoryFiles  int            `json:"git_history_files"`
	DurationMS       float64        `json:"duration_ms"`
	// WriteMS is the time spent in database writes, the serial part of a
	// run; the rest of DurationMS is walking and parallel parsing.
	WriteMS float64 `json:"write_ms"`
	// Problems lists files skipped for a reason other than ignore rules,
	// and files indexed despite a parse error.
	Problems []Problem `json:"problems"`
	// Plan is set by a dry run: every file and what would happen to it.
	Plan []PlanEntry `json:"plan,omitempty"`
	// Error is set when the run failed: the counts above say how far it
	// got, and the index holds every batch committed before the failure.
	Error *RunError `json:"error,omitempty"`
	// Embeddings reports the embedding pass that follows a complete run
	// when an embeddings endpoint is configured (see Embed).
	Embeddings *EmbedSummary `json:"embeddings,omitempty"`
}

// RunError is why a run failed: a code from store.ErrorCode (corrupt,
// disk_full, read_only) or "failed", and the error's text.
type RunError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Problem is a file that was skipped, or indexed with a parse error.
type Problem struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// PlanEntry is one line of a dry run.
type PlanEntry struct {
	Path   string `json:"path"`
	Action string `json:"action"` // index | unchanged | delete | skip
	Reason string `json:"reason,omitempty"`
	// Detail says more about a skip: for an ignored path, the ignore file,
	// line and pattern that excluded it (".gitignore:3: *.log").
	Detail string `json:"detail,omitempty"`
}

// ReasonParseError marks a file indexed despite a syntax error.
const ReasonParseError = "parse_error"

// ErrOutsideRoot is returned when the path to index is not under the
// store's root.
var ErrOutsideRoot = errors.New("path is outside the index root")

type job struct {
	e   walkEntry
	old *store.File
}

type result struct {
	update  *store.FileUpdate
	skip    *Problem
	problem *Problem // indexed with a parse error
	content int      // bytes, for batching
}

// Run indexes opts.Path into db.
func Run(ctx context.Context, db Store, opts Options) (*Summary, error) {
	if d, ok := db.(*store.DB); ok && d == nil {
		db = nil // a dry run's typed nil
	}
	start := time.Now()
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.SkipDirs == nil {
		opts.SkipDirs = DefaultSkipDirs
	}
	sub, err := filepath.Rel(opts.Root, opts.Path)
	if err != nil || sub == ".." || strings.HasPrefix(sub, ".."+string(filepath.Separator)) {
		return nil, fmt.Errorf("%w: %s is not under %s", ErrOutsideRoot, opts.Path, opts.Root)
	}
	sub = filepath.ToSlash(sub)
	if sub == "." {
		sub = ""
	}
	sum := &Summary{Root: opts.Root, Path: opts.Path, DryRun: opts.DryRun,
		Skipped: map[string]int{}, ChunksByLanguage: map[string]int{}, Problems: []Problem{}}

	var w *walker
	var rels []string
	if opts.Files != nil {
		rels = cleanRels(opts.Files)
		m, err := NewMatcher(opts.Root, opts.SkipDirs, opts.NoIgnore)
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", opts.Path, err)
		}
		w, _ = m.walkPaths(rels, opts.MaxFileSize, opts.Exclude)
	} else {
		w, err = walk(opts.Root, sub, opts.MaxFileSize, opts.SkipDirs, opts.Exclude, opts.NoIgnore)
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", opts.Path, err)
		}
	}
	sum.FilesSeen = len(w.files)
	for _, s := range w.skipped {
		sum.Skipped[s.reason]++
		sum.SkippedTotal++
		if s.reason != ReasonIgnored && s.reason != ReasonDefaultSkip {
			sum.Problems = append(sum.Problems, Problem{s.rel, s.reason, s.detail})
		}
	}

	old := map[string]store.File{}
	switch {
	case db != nil && opts.Files != nil:
		if old, err = db.FilesAt(ctx, rels); err != nil {
			return nil, err
		}
	case db != nil:
		if old, err = db.FilesUnder(ctx, sub); err != nil {
			return nil, err
		}
	}
	var jobs []job
	seen := make(map[string]bool, len(w.files))
	for _, e := range w.files {
		seen[e.rel] = true
		o, ok := old[e.rel]
		if ok && !opts.Force && o.Size == e.size && o.MtimeNS == e.mtim {
			sum.Unchanged++
			if opts.DryRun {
				sum.Plan = append(sum.Plan, PlanEntry{Path: e.rel, Action: "unchanged"})
			}
			continue
		}
		j := job{e: e}
		if ok {
			j.old = &o
		}
		jobs = append(jobs, j)
	}
	var gone []string
	for p := range old {
		if !seen[p] {
			gone = append(gone, p)
		}
	}
	sort.Strings(gone)

	if opts.DryRun {
		n := 0
		for _, j := range jobs {
			// Sniff like parseFile does, so the plan does not promise to
			// index a binary file. A file that was indexed before and is
			// binary now would be deleted.
			if sniffBinary(j.e.abs) {
				sum.Plan = append(sum.Plan, PlanEntry{Path: j.e.rel, Action: "skip", Reason: ReasonBinary})
				sum.Skipped[ReasonBinary]++
				sum.SkippedTotal++
				sum.FilesSeen--
				sum.Problems = append(sum.Problems, Problem{Path: j.e.rel, Reason: ReasonBinary})
				if j.old != nil {
					gone = append(gone, j.e.rel)
				}
				continue
			}
			sum.Plan = append(sum.Plan, PlanEntry{Path: j.e.rel, Action: "index"})
			n++
		}
		for _, p := range gone {
			sum.Plan = append(sum.Plan, PlanEntry{Path: p, Action: "delete"})
		}
		for _, s := range w.skipped {
			sum.Plan = append(sum.Plan, PlanEntry{Path: s.rel, Action: "skip", Reason: s.reason, Detail: s.detail})
		}
		sort.SliceStable(sum.Plan, func(i, k int) bool { return sum.Plan[i].Path < sum.Plan[k].Path })
		sum.Deleted = len(gone)
		sum.Indexed = n
		sum.DurationMS = msSince(start)
		return sum, nil
	}

	started := opts.Now()
	runID, err := db.StartRun(ctx, opts.Path, started)
	if err != nil {
		return nil, err
	}
	// The root is recorded before the first file is written: paths in the
	// store are relative to it, so a run killed before FinishIndex must
	// not leave files whose root the next run would have to guess.
	werr := db.SetMeta(ctx, store.MetaRoot, opts.Root)
	if werr != nil {
		werr = fmt.Errorf("record index root: %w", werr)
	}
	if werr == nil {
		if werr = db.DeleteFiles(ctx, gone); werr == nil {
			sum.Deleted = len(gone)
		}
	}
	if werr == nil {
		werr = process(ctx, db, jobs, opts, started.UnixMilli(), sum)
	}
	// Deleted also counts files process dropped (they became binary,
	// unreadable or too large): any of these changes what queries find.
	changed := sum.Deleted > 0 || sum.Indexed > 0
	interrupted := ctx.Err() != nil
	sum.Interrupted = interrupted
	// Bookkeeping is written even when interrupted, so the database says
	// what it holds; it must not be cut short by the cancelled context.
	bctx := context.WithoutCancel(ctx)
	if werr == nil && !interrupted && opts.Files == nil {
		var skipped []store.Skipped
		for _, p := range sum.Problems {
			if p.Reason != ReasonParseError {
				skipped = append(skipped, store.Skipped{Path: p.Path, Reason: p.Reason, Detail: p.Detail})
			}
		}
		if err := db.ReplaceSkipped(bctx, sub, skipped); err != nil {
			werr = err
		}
	}
	if werr == nil && !interrupted && !opts.NoGit && opts.Files == nil {
		if n, err := updateGitHistory(ctx, db, opts.Root); err != nil {
			opts.Log.Warn().Err(err).Msg("git history not recorded")
		} else {
			sum.GitHistoryFiles = n
		}
	}
	fin, err := db.FinishIndex(bctx, opts.Root, changed, opts.Now())
	if err != nil && werr == nil {
		werr = err
	}
	if fin != nil {
		sum.TotalFiles, sum.TotalChunks = fin.Files, fin.Chunks
	}
	sum.DurationMS = msSince(start)
	status := "done"
	switch {
	case interrupted:
		status = "interrupted"
	case werr != nil:
		status = "failed"
		sum.Error = &RunError{Code: cmp.Or(store.ErrorCode(werr), "failed"), Message: werr.Error()}
	}
	js, _ := json.Marshal(sum)
	if err := db.EndRun(bctx, runID, status, string(js), opts.Now()); err != nil && werr == nil {
		werr = err
		sum.Error = &RunError{Code: cmp.Or(store.ErrorCode(err), "failed"), Message: err.Error()}
	}
	if werr != nil {
		return sum, werr
	}
	if interrupted {
		return sum, ctx.Err()
	}
	return sum, nil
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}

// Batch bounds: a transaction commits after this many files or bytes of
// content, whichever comes first. Large enough to amortize the commit,
// small enough that a killed run loses little.
const (
	batchFiles = 512
	batchBytes = 8 << 20
)

// process parses jobs on opts.Workers goroutines and writes the results
// from this one, in batches.
//
// Every file of a run is stamped with indexedAt, the run's start: the
// clock is read once, so an injected Now need not be safe for concurrent
// use.
func process(ctx context.Context, db Store, jobs []job, opts Options, indexedAt int64, sum *Summary) error {
	// No more workers than files, and each builds its tokenizer (a
	// presized stem memo of a few hundred KB) only when it gets a file.
	workers := max(min(opts.Workers, len(jobs)), 1)
	jobc := make(chan job)
	resc := make(chan result, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var tk *tokenize.Tokenizer
			for j := range jobc {
				if tk == nil {
					tk = tokenize.New()
				}
				resc <- parseFile(j, opts, indexedAt, tk)
			}
		}()
	}
	go func() {
		defer close(jobc)
		for _, j := range jobs {
			select {
			case jobc <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(resc) }()

	var batch []store.FileUpdate
	size, done := 0, 0
	var werr error
	flush := func() {
		if len(batch) == 0 || werr != nil {
			return
		}
		// A batch of complete files is committed even after Ctrl-C.
		t := time.Now()
		if err := db.ApplyBatch(context.WithoutCancel(ctx), batch); err != nil {
			werr = err
		}
		sum.WriteMS += msSince(t)
		batch, size = batch[:0], 0
	}
	for r := range resc {
		done++
		switch {
		case r.skip != nil:
			sum.Skipped[r.skip.Reason]++
			sum.SkippedTotal++
			sum.FilesSeen--
			sum.Problems = append(sum.Problems, *r.skip)
			if r.update != nil {
				// The file was indexed before and cannot be now (it became
				// binary, unreadable or too large): drop its old chunks.
				sum.Deleted++
				batch = append(batch, *r.update)
			}
		case r.update.MetadataOnly:
			sum.Unchanged++
			batch = append(batch, *r.update)
		default:
			sum.Indexed++
			sum.ChunksWritten += len(r.update.Chunks)
			sum.ChunksByLanguage[r.update.File.Language] += len(r.update.Chunks)
			if r.problem != nil {
				sum.ParseErrors++
				sum.Problems = append(sum.Problems, *r.problem)
			}
			batch = append(batch, *r.update)
			size += r.content
		}
		if len(batch) >= batchFiles || size >= batchBytes {
			flush()
		}
		if opts.Progress != nil {
			opts.Progress(done, len(jobs))
		}
	}
	flush()
	return werr
}

func updateGitHistory(ctx context.Context, db Store, root string) (int, error) {
	head := gitHead(ctx, root)
	if head == "" {
		return 0, nil // not a git work tree: nothing to record
	}
	prev, err := db.Meta(ctx, store.MetaGitHead)
	if err != nil {
		return 0, err
	}
	if prev == head {
		// History already read at this HEAD: report what the store holds
		// rather than a sentinel, so git_history_files always counts files.
		return db.HistoryFiles(ctx)
	}
	hist, err := gitHistory(ctx, root)
	if err != nil {
		return 0, fmt.Errorf("git log: %w", err)
	}
	return len(hist), db.ReplaceFileHistory(ctx, hist, head)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " B"
}
