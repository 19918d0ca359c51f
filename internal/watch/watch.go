// Package watch keeps an index current as files change (aur serve --watch,
// aur mem index --watch). It watches the index root recursively with
// fsnotify (inotify on Linux), leaves out the directories a full walk
// would skip (default skips and ignore files, through index.Matcher),
// adds watches for directories as they appear, and hands the changed
// paths, debounced, to a reindex function in one batch: only those paths
// are looked at (index.Options.Files).
//
// Editors save in several ways: in place (WRITE), or by writing a
// temporary file and renaming it over the original (CREATE or RENAME of
// the temporary, then CREATE of the target). The watcher does not try to
// tell them apart: every event names a path, and at flush time the index
// decides from what is on disk (a temporary file that is gone by then is
// nothing; one that remains is indexed or skipped like any file).
//
// The batch is re-indexed in the watcher's goroutine, never in a
// query's: SQLite's WAL lets queries read the last committed state while
// a batch is written.
package watch

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/index"
)

// Defaults of Options.
const (
	DefaultDebounce = 200 * time.Millisecond
	// DefaultMaxDelay bounds how long a stream of changes (a checkout, a
	// build writing files) can hold a batch back.
	DefaultMaxDelay = 2 * time.Second
)

// ErrBusy is what Reindex returns when it cannot run now (another run
// holds the index); the batch is kept and tried again.
var ErrBusy = errors.New("index busy")

// Options configure Run.
type Options struct {
	// Root is the index root: absolute, symlinks resolved.
	Root string
	// Debounce is the quiet time after the last change before a batch is
	// re-indexed; MaxDelay the longest a batch waits under a stream of
	// changes.
	Debounce, MaxDelay time.Duration
	// NoIgnore watches ignored directories too (aur mem index --no-ignore).
	NoIgnore bool
	// Exclude lists absolute paths never reported (the database's files).
	Exclude []string
	// Reindex re-indexes paths (relative to Root; nil means a full
	// incremental run, after an overflow or a changed ignore file). An
	// error wrapping ErrBusy keeps the batch for the next try.
	Reindex func(ctx context.Context, paths []string) error
	Log     zerolog.Logger
	// Ready, if set, is called once every directory is watched.
	Ready func(dirs int)
}

// Run watches until ctx is done. It returns nil then, or the error that
// stopped it (the watcher could not start).
func Run(ctx context.Context, opts Options) error {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.MaxDelay < opts.Debounce {
		opts.MaxDelay = max(DefaultMaxDelay, opts.Debounce)
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer fw.Close()
	w := &watcher{opts: opts, fw: fw, pending: map[string]bool{}, exclude: map[string]bool{}}
	for _, p := range opts.Exclude {
		w.exclude[p] = true
	}
	if err := w.newMatcher(); err != nil {
		return err
	}
	n := w.addTree("")
	opts.Log.Info().Str("root", opts.Root).Int("dirs", n).Msg("watching for changes")
	if opts.Ready != nil {
		opts.Ready(n)
	}
	return w.loop(ctx)
}

type watcher struct {
	opts    Options
	fw      *fsnotify.Watcher
	m       *index.Matcher
	exclude map[string]bool
	pending map[string]bool
	full    bool // a full run is due (overflow, an ignore file changed)
	first   time.Time
}

func (w *watcher) newMatcher() error {
	m, err := index.NewMatcher(w.opts.Root, nil, w.opts.NoIgnore)
	if err != nil {
		return err
	}
	w.m = m
	return nil
}

// rel returns abs relative to the root, forward slashes, or false when it
// is outside it.
func (w *watcher) rel(abs string) (string, bool) {
	r, err := filepath.Rel(w.opts.Root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	if r == "." {
		return "", true
	}
	return filepath.ToSlash(r), true
}

// addTree watches the directory rel and every directory under it that a
// walk would enter; it returns how many it watches.
func (w *watcher) addTree(rel string) int {
	if w.m.DirExcluded(rel) {
		return 0
	}
	abs := filepath.Join(w.opts.Root, filepath.FromSlash(rel))
	if err := w.fw.Add(abs); err != nil {
		w.opts.Log.Warn().Err(err).Str("dir", abs).Msg("cannot watch directory")
		return 0
	}
	n := 1
	ents, err := os.ReadDir(abs)
	if err != nil {
		return n
	}
	for _, e := range ents {
		if e.IsDir() && e.Type()&fs.ModeSymlink == 0 {
			n += w.addTree(joinRel(rel, e.Name()))
		}
	}
	return n
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func (w *watcher) loop(ctx context.Context) error {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.fw.Events:
			if !ok {
				return nil
			}
			if w.event(ev) {
				if w.first.IsZero() {
					w.first = time.Now()
				}
				wait := w.opts.Debounce
				if left := w.opts.MaxDelay - time.Since(w.first); left < wait {
					wait = max(left, 0)
				}
				timer.Reset(wait)
			}
		case err, ok := <-w.fw.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: only a full (incremental) run is sure
				// to see every change.
				w.opts.Log.Warn().Msg("watch: events overflowed; a full incremental run follows")
				w.full = true
				if w.first.IsZero() {
					w.first = time.Now()
				}
				timer.Reset(w.opts.Debounce)
				continue
			}
			w.opts.Log.Warn().Err(err).Msg("watch error")
		case <-timer.C:
			if !w.flush(ctx) {
				// Busy: try again shortly, keeping the batch.
				timer.Reset(w.opts.Debounce)
			}
		}
	}
}

// event records one change; it returns whether a batch is now pending.
func (w *watcher) event(ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false // a permission change changes no content
	}
	if w.exclude[ev.Name] {
		return false
	}
	rel, ok := w.rel(ev.Name)
	if !ok || rel == "" {
		return false
	}
	parent := filepath.ToSlash(filepath.Dir(rel))
	if parent == "." {
		parent = ""
	}
	if w.m.DirExcluded(parent) {
		return false
	}
	if index.IsIgnoreFile(filepath.Base(rel)) && !w.opts.NoIgnore {
		// What is ignored changed: new rules, and a full run to apply
		// them (files may have become indexable or ignored anywhere below).
		if err := w.newMatcher(); err == nil {
			w.addTree("")
		}
		w.full = true
		return true
	}
	if ev.Op&fsnotify.Create != 0 {
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			// A new directory (or one moved in): watch it and what is
			// under it. Files created in it before the watch was added
			// are found when the batch walks it.
			w.addTree(rel)
		}
	}
	w.pending[rel] = true
	return true
}

// flush re-indexes the pending batch; it returns false when the index was
// busy and the batch is kept.
func (w *watcher) flush(ctx context.Context) bool {
	if len(w.pending) == 0 && !w.full {
		w.first = time.Time{}
		return true
	}
	var paths []string
	if !w.full {
		paths = make([]string, 0, len(w.pending))
		for p := range w.pending {
			paths = append(paths, p)
		}
	}
	err := w.opts.Reindex(ctx, paths)
	if errors.Is(err, ErrBusy) {
		return false
	}
	if err != nil && ctx.Err() == nil {
		w.opts.Log.Warn().Err(err).Int("paths", len(paths)).Msg("watch: re-index failed")
	}
	w.pending = map[string]bool{}
	w.full = false
	w.first = time.Time{}
	return true
}
