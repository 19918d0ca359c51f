package service

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/aurora-dev/aur/internal/chunk"
	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/store"
)

// IndexSettings configure Reindex, as aur mem index's flags do.
type IndexSettings struct {
	ChunkSize, Overlap int
	MaxFileSize        int64
	Workers            int
	NoGit, NoIgnore    bool
}

// ErrIndexBusy is returned by Reindex while another run of this service
// is in progress (HTTP 409).
var ErrIndexBusy = errors.New("an index run is already in progress")

// ErrNoIndexRoot is returned by Reindex for a database that was never
// indexed: a server does not choose what to index.
var ErrNoIndexRoot = errors.New("the database has no index root; run 'aur mem index PATH' first")

// ErrRemoteIndex is returned by Reindex over a PostgreSQL store: its
// index is written by aur mem index, on a host with the checkout.
var ErrRemoteIndex = errors.New("the index is in a PostgreSQL store: update it with aur mem index --store URL --project NAME")

// Index triggers, the values of IndexEvent.Trigger.
const (
	TriggerAPI   = "api"
	TriggerWatch = "watch"
)

type indexState struct {
	mu      sync.Mutex // held by the running Reindex
	last    sync.Mutex // guards lastRun
	lastRun *IndexRun
}

// IndexRun is the last index run this service made.
type IndexRun struct {
	Trigger    string    `json:"trigger"`
	Status     string    `json:"status"`
	Started    time.Time `json:"started"`
	DurationMS float64   `json:"duration_ms"`
	Indexed    int       `json:"indexed"`
	Deleted    int       `json:"deleted"`
	Error      string    `json:"error,omitempty"`
}

// IndexStatus is what GET /v1/index and the MCP index_status tool return:
// aur mem stats --json's object, plus the index's age and whether a run
// of this service is in progress.
type IndexStatus struct {
	*store.IndexStats
	// AgeSeconds is the time since the last finished index run; null if
	// the database was never indexed.
	AgeSeconds *float64  `json:"age_seconds"`
	Indexing   bool      `json:"indexing"`
	LastRun    *IndexRun `json:"last_run,omitempty"`
	// Resident is the state of the in-memory copy of the index the
	// long-running faces search (absent without one).
	Resident *query.ResidentStatus `json:"resident,omitempty"`
}

// IndexStatus reports what the index holds.
func (s *Service) IndexStatus(ctx context.Context) (*IndexStatus, error) {
	st, err := s.db.Stats(ctx)
	if err != nil {
		return nil, err
	}
	out := &IndexStatus{IndexStats: st}
	if st.LastIndexMS > 0 {
		age := Round3(s.d.Now().Sub(time.UnixMilli(st.LastIndexMS)).Seconds())
		out.AgeSeconds = &age
	}
	if s.index.mu.TryLock() {
		s.index.mu.Unlock()
	} else {
		out.Indexing = true
	}
	s.index.last.Lock()
	if s.index.lastRun != nil {
		r := *s.index.lastRun
		out.LastRun = &r
	}
	s.index.last.Unlock()
	if s.d.Resident != nil {
		st := s.d.Resident.Status()
		out.Resident = &st
	}
	return out, nil
}

// Reindex brings the index up to date with its root, incrementally (only
// changed files are parsed). With paths (relative to the root, as the
// watcher gives them) only those files are looked at: changed ones are
// re-indexed, vanished ones deleted. One run of a service at a time:
// another gets ErrIndexBusy at once; a run of another process (aur mem
// index) is waited for, on the writer lock. Queries go on meanwhile:
// SQLite's WAL lets them read the last committed state.
func (s *Service) Reindex(ctx context.Context, trigger string, paths []string) (*index.Summary, error) {
	if !s.index.mu.TryLock() {
		return nil, ErrIndexBusy
	}
	defer s.index.mu.Unlock()
	start := s.d.Now()
	sum, err := s.reindex(ctx, paths)
	run := &IndexRun{Trigger: trigger, Status: "done", Started: start, DurationMS: msSince(start)}
	switch {
	case err != nil:
		run.Status, run.Error = "failed", err.Error()
	case sum != nil && sum.Interrupted:
		run.Status = "interrupted"
	}
	ev := IndexEvent{Trigger: trigger, Status: run.Status, DurationMS: run.DurationMS}
	if sum != nil {
		run.Indexed, run.Deleted = sum.Indexed, sum.Deleted
		ev.Files, ev.Deleted, ev.Chunks, ev.TotalFiles = sum.Indexed, sum.Deleted, sum.TotalChunks, sum.TotalFiles
	}
	s.index.last.Lock()
	s.index.lastRun = run
	s.index.last.Unlock()
	if s.d.Observer != nil {
		s.d.Observer.ObserveIndex(ev)
	}
	l := s.d.Log.Info()
	if err != nil {
		l = s.d.Log.Warn().Err(err)
	}
	l.Str("trigger", trigger).Str("status", run.Status).Int("indexed", run.Indexed).Int("deleted", run.Deleted).
		Int("paths", len(paths)).Float64("duration_ms", run.DurationMS).Msg("index run finished")
	return sum, err
}

func (s *Service) reindex(ctx context.Context, paths []string) (*index.Summary, error) {
	db := s.DB()
	if db == nil {
		return nil, ErrRemoteIndex
	}
	if db.ReadOnly() {
		return nil, fmt.Errorf("reindex: %w", store.ErrReadOnly)
	}
	root, err := db.Meta(ctx, store.MetaRoot)
	if err != nil {
		return nil, err
	}
	if root == "" {
		return nil, ErrNoIndexRoot
	}
	lock, err := store.LockWriter(ctx, db.Path(), func(pid int) {
		s.d.Log.Info().Int("pid", pid).Msg("reindex: waiting for another index run")
	})
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	is := s.set.Index
	opts := index.Options{
		Root:        root,
		Path:        root,
		MaxFileSize: is.MaxFileSize,
		Chunk:       chunk.Options{ChunkSize: is.ChunkSize, Overlap: is.Overlap},
		Workers:     is.Workers,
		NoGit:       is.NoGit,
		NoIgnore:    is.NoIgnore,
		Exclude:     StoreFiles(db.Path()),
		Now:         s.d.Now,
		Log:         s.d.Log,
		Files:       paths,
	}
	sum, err := index.Run(ctx, db, opts)
	if err == nil && sum != nil && sum.Error != nil {
		err = errors.New(sum.Error.Message)
	}
	if err == nil {
		// Still under the writer lock.
		err = s.embedAfterIndex(ctx, sum)
	}
	return sum, err
}

// StoreFiles returns the database's files, symlinks resolved as the walk
// sees them, so that a database inside the indexed tree is not indexed.
func StoreFiles(dbPath string) []string {
	dir, err := filepath.EvalSymlinks(filepath.Dir(dbPath))
	if err != nil {
		return nil // no database yet, nothing to leave out
	}
	base := filepath.Join(dir, filepath.Base(dbPath))
	return []string{base, base + "-wal", base + "-shm", base + "-journal", base + store.DamagedSuffix, base + store.LockSuffix,
		base + store.VectorFileSuffix}
}

// IndexGauges returns the chunks and files in the index and the time of
// the last finished index run (zero if never): three cheap reads, for
// metrics at scrape time.
func (s *Service) IndexGauges(ctx context.Context) (chunks, files int64, last time.Time, err error) {
	if s.DB() == nil {
		var st *store.IndexStats
		if st, err = s.db.Stats(ctx); err != nil {
			return
		}
		if st.LastIndexMS > 0 {
			last = time.UnixMilli(st.LastIndexMS)
		}
		return int64(st.Chunks), int64(st.Files), last, nil
	}
	db := s.DB().SQL()
	if err = db.QueryRowContext(ctx, `SELECT count(*) FROM files`).Scan(&files); err != nil {
		return
	}
	if err = db.QueryRowContext(ctx, `SELECT count(*) FROM chunks`).Scan(&chunks); err != nil {
		return
	}
	v, err := s.db.Meta(ctx, store.MetaLastIndex)
	if err != nil {
		return
	}
	if ms, perr := strconv.ParseInt(v, 10, 64); perr == nil && ms > 0 {
		last = time.UnixMilli(ms)
	}
	return
}
