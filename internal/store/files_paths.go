package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// FilesAt returns the indexed files at each of paths or under it (a path
// may name a file or a directory), keyed by path: what a run over just
// those paths may update or delete.
func (db *DB) FilesAt(ctx context.Context, paths []string) (map[string]File, error) {
	out := map[string]File{}
	for _, p := range paths {
		var f File
		err := db.db.QueryRowContext(ctx, `SELECT id, path, hash, size, mtime_ns, language, indexed_at, status, message
			FROM files WHERE path = ?`, p).Scan(&f.ID, &f.Path, &f.Hash, &f.Size, &f.MtimeNS, &f.Language, &f.IndexedAt, &f.Status, &f.Message)
		switch {
		case err == nil:
			out[f.Path] = f
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("list files: %w", err)
		}
		under, err := db.FilesUnder(ctx, p)
		if err != nil {
			return nil, err
		}
		for k, v := range under {
			out[k] = v
		}
	}
	return out, nil
}
