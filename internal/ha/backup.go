package ha

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

// BackupDirName is the directory beside the database that holds its
// backups by default (.aurora/backups/).
const BackupDirName = "backups"

// DefaultKeep is how many backups a backup keeps in its directory.
const DefaultKeep = 7

// backupTime is the UTC timestamp in a backup's name: it sorts as text
// in time order.
const backupTime = "20060102T150405Z"

// DefaultBackupDir is where the backups of the database at primary go.
func DefaultBackupDir(primary string) string {
	return filepath.Join(filepath.Dir(primary), BackupDirName)
}

// stem is a database's file name without its extension: "memory" for
// memory.db.
func stem(primary string) string {
	b := filepath.Base(primary)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// BackupName is the file name of a backup of primary taken at now:
// memory-20250102T030405Z.db for memory.db.
func BackupName(primary string, now time.Time) string {
	return stem(primary) + "-" + now.UTC().Format(backupTime) + ".db"
}

// backupPattern matches the names BackupName gives the backups of
// primary, and nothing else: pruning never removes another file.
func backupPattern(primary string) *regexp.Regexp {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(stem(primary)) + `-\d{8}T\d{6}Z\.db$`)
}

// Backups lists the backups of primary in dir, newest first.
func Backups(primary, dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	re := backupPattern(primary)
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && re.MatchString(e.Name()) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out, nil
}

// NewestBackup is the newest backup of primary in its default backup
// directory, or "".
func NewestBackup(primary string) string {
	b, _ := Backups(primary, DefaultBackupDir(primary))
	if len(b) == 0 {
		return ""
	}
	return b[0]
}

// BackupOptions say where a backup goes.
type BackupOptions struct {
	// To is the backup's file, or a directory to put it in under
	// BackupName (an existing directory, or a path ending in a
	// separator). Empty means DefaultBackupDir.
	To string
	// Keep is how many backups of the database to keep in the directory
	// (0 means DefaultKeep); older ones are removed. It applies only when
	// the backup is named by BackupName.
	Keep int
	Now  time.Time
	// Progress is passed to store.CopyOptions.
	Progress func(done, total int)
}

// BackupResult describes a backup.
type BackupResult struct {
	*store.CopyResult
	// Kept and Removed are the backups of the database in the directory
	// after pruning, newest first, and those pruning removed.
	Kept    []string `json:"kept,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

// Backup writes a consistent copy of db (see store.CopyTo: other
// processes may query and index meanwhile) and prunes old backups.
func Backup(ctx context.Context, db *store.DB, o BackupOptions) (*BackupResult, error) {
	primary := db.Path()
	dst, dir, named := o.To, "", false
	switch {
	case dst == "":
		dir, named = DefaultBackupDir(primary), true
	case strings.HasSuffix(dst, string(filepath.Separator)) || strings.HasSuffix(dst, "/") || isDir(dst):
		dir, named = filepath.Clean(dst), true
	}
	if named {
		dst = filepath.Join(dir, BackupName(primary, o.Now))
	}
	if same(primary, dst) {
		return nil, fmt.Errorf("backup %s: the destination is the database itself", primary)
	}
	res, err := db.CopyTo(ctx, dst, store.CopyOptions{Progress: o.Progress})
	if err != nil {
		return nil, err
	}
	out := &BackupResult{CopyResult: res}
	if !named {
		return out, nil
	}
	keep := o.Keep
	if keep <= 0 {
		keep = DefaultKeep
	}
	all, err := Backups(primary, dir)
	if err != nil {
		return out, fmt.Errorf("prune backups in %s: %w", dir, err)
	}
	var errs []error
	for i, b := range all {
		if i < keep || b == dst {
			out.Kept = append(out.Kept, b)
			continue
		}
		if err := os.Remove(b); err != nil {
			errs = append(errs, err)
			continue
		}
		out.Removed = append(out.Removed, b)
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("prune backups in %s: %w", dir, errors.Join(errs...))
	}
	return out, nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
