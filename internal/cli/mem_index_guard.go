package cli

// The guards of aur mem index: what it does about a damaged database, an
// index that would come out empty, and a path outside the index root.

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aurora-dev/aur/internal/cache"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
)

// emptyIndex fails a run that found files but none it could index: a
// stray ignore rule (a "*" in a .gitignore above the project, say) or a
// tree of binaries looks like success otherwise, with an empty index.
// With --allow-empty, or for a dry run, it only warns.
func emptyIndex(f *Factory, sum *index.Summary, opts *IndexOptions) error {
	if !emptied(sum) {
		return nil
	}
	ios := f.IOStreams
	cs := ios.ColorScheme()
	fmt.Fprintf(ios.ErrOut, "aur: %s no file under %s can be indexed: all %d entries were skipped (%s)\n",
		cs.Red("warning:"), termtext.Line(sum.Path), sum.SkippedTotal, strings.TrimPrefix(countsList(sum.Skipped), " "))
	if n := sum.Skipped[index.ReasonIgnored]; n > 0 {
		how := "'aur mem index --dry-run' names the ignore file and line that excluded each path"
		if opts.DryRun {
			how = "the lines above name the ignore file and line that excluded each path"
		}
		fmt.Fprintf(ios.ErrOut, "aur: %d by ignore rules (index root %s); %s; --no-ignore reads none\n",
			n, termtext.Line(sum.Root), how)
	}
	if opts.DryRun || opts.AllowEmpty {
		return nil
	}
	fmt.Fprintln(ios.ErrOut, "aur: nothing was indexed; pass --allow-empty if that is what you want")
	return &silentError{code: ExitError}
}

// emptied reports whether a run found files but could index none of them.
// VCS data and dependencies alone (a new git repository) are an empty
// tree, not an emptied one. The replica is not updated from an emptied
// index unless --allow-empty says that is what is wanted.
func emptied(sum *index.Summary) bool {
	return sum.FilesSeen == 0 && sum.SkippedTotal-sum.Skipped[index.ReasonDefaultSkip] > 0
}

// rebuildIfDamaged is the first step of --force: a damaged database
// (marked so by an earlier command, failing to open, or failing PRAGMA
// quick_check) is moved aside as memory.db.broken-<time> and the run
// starts an empty one. Its query history and activation are lost with it;
// the damaged file is kept for whoever wants to try to salvage them. The
// query cache goes too: its keys count index generations, which start
// again at one.
func rebuildIfDamaged(ctx context.Context, f *Factory) error {
	cfg := f.Config()
	path := cfg.DBPath
	if _, err := os.Stat(path); err != nil {
		return nil // nothing to check; Open reports real problems
	}
	damaged, why := store.Damaged(path)
	if !damaged {
		db, err := store.Open(ctx, path)
		if err == nil {
			var ok bool
			ok, err = db.QuickCheck(ctx)
			db.Close()
			if err == nil && !ok {
				damaged, why = true, "PRAGMA quick_check failed"
			}
		}
		if err != nil {
			if !store.IsCorrupt(err) {
				return err
			}
			damaged, why = true, err.Error()
		}
	}
	if !damaged {
		return nil
	}
	aside, err := store.MoveAside(path, f.Now())
	if err != nil {
		return err
	}
	cachePath := cfg.String(config.KeyCachePath)
	if cachePath == "" {
		cachePath = cache.DefaultPath(path)
	}
	for _, sfx := range []string{"", "-wal", "-shm"} {
		os.Remove(cachePath + sfx)
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "aur: %s is damaged (%s); moved it to %s and rebuilding the index from scratch\n",
		termtext.Line(path), termtext.Line(why), termtext.Line(aside))
	f.Log().Warn().Str("path", path).Str("moved_to", aside).Str("cause", why).Msg("damaged database moved aside")
	return nil
}

// freshIndexCommand is the command that replaces the index in dbPath by
// one rooted at dir (its query history goes with the old one).
func freshIndexCommand(dbPath, dir string) string {
	return fmt.Sprintf("rm %s && aur mem index --db %s %s", shellQuote(dbPath), shellQuote(dbPath), shellQuote(dir))
}

// dbFlag is " --db PATH" when the database was chosen explicitly, so that
// a suggested command reaches the same one.
func dbFlag(cfg *config.Config) string {
	if !cfg.DBExplicit {
		return ""
	}
	return " --db " + shellQuote(cfg.DBPath)
}

// shellQuote quotes s for a POSIX shell when it needs it, and shows any
// control character as an escape.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:@,%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return termtext.Line("'" + strings.ReplaceAll(s, "'", `'\''`) + "'")
}
