package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// File is a row of the files table.
type File struct {
	ID        int64
	Path      string // relative to the index root, forward slashes
	Hash      string
	Size      int64
	MtimeNS   int64
	Language  string
	IndexedAt int64  // unix milliseconds
	Status    string // "ok" or "parse_error"
	Message   string
}

// Chunk is a row of the chunks table.
type Chunk struct {
	ID            int64 // row id; changes when the chunk is re-indexed
	Key           int64 // stable identity, see migrations/0001_init.sql
	FileID        int64
	Path          string // filled by reads that join files
	Kind          string
	Name          string
	QualifiedName string
	Signature     string
	Doc           string
	StartLine     int
	EndLine       int
	Content       string
	Language      string
	BodyTerms     int // distinct tokens in the body
	IsTest        bool
}

// Terms is the tokenized text of a chunk for the full-text index, one
// space-separated token string per column.
type Terms struct {
	Name, Signature, Doc, Path, Body string
}

// IndexedChunk is a chunk with its full-text terms.
type IndexedChunk struct {
	Chunk
	Terms Terms
}

// FileUpdate is the new state of one file.
type FileUpdate struct {
	File File
	// Chunks replace every chunk the file had.
	Chunks []IndexedChunk
	// Trigrams is TrigramText of the file's content, for files_tri.
	Trigrams string
	// MetadataOnly updates size, mtime and status of an unchanged file
	// without touching its chunks.
	MetadataOnly bool
	// Delete removes the file (only File.Path is used), as DeleteFiles
	// does, for a file that can no longer be indexed.
	Delete bool
}

// ApplyBatch writes a batch of file updates in one transaction: a killed
// process leaves either all of them or none.
func (db *DB) ApplyBatch(ctx context.Context, ups []FileUpdate) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	defer tx.Rollback()
	w, err := newBatchWriter(ctx, tx)
	if err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	defer w.close()
	for i := range ups {
		if err := w.apply(ctx, &ups[i]); err != nil {
			return fmt.Errorf("apply batch: %s: %w", ups[i].File.Path, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("apply batch: commit: %w", err)
	}
	return nil
}

// batchWriter holds the statements of one batch. It uses Exec and
// LastInsertId rather than RETURNING: inside a transaction database/sql
// starts a goroutine per Query to watch the context, a measurable cost at
// a hundred thousand rows.
type batchWriter struct {
	deleteAccess, deleteFile, insertFile, touchFile, insertChunk, insertFTS, insertTri *sql.Stmt
}

func newBatchWriter(ctx context.Context, tx *sql.Tx) (*batchWriter, error) {
	w := &batchWriter{}
	for _, s := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.deleteAccess, deleteAccessSQL},
		// Deleting the old row removes its chunks (ON DELETE CASCADE) and
		// their FTS rows (trigger chunks_ad).
		{&w.deleteFile, `DELETE FROM files WHERE path = ?`},
		{&w.insertFile, `INSERT INTO files(path, hash, size, mtime_ns, language, indexed_at, status, message)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.touchFile, `UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?`},
		{&w.insertChunk, `INSERT INTO chunks(key, file_id, kind, name, qualified_name, signature, doc,
			start_line, end_line, content, language, body_terms, is_test) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.insertFTS, `INSERT INTO chunks_fts(rowid, name, signature, doc, path, body) VALUES (?, ?, ?, ?, ?, ?)`},
		{&w.insertTri, `INSERT INTO files_tri(rowid, trigrams) VALUES (?, ?)`},
	} {
		st, err := tx.PrepareContext(ctx, s.sql)
		if err != nil {
			w.close()
			return nil, err
		}
		*s.dst = st
	}
	return w, nil
}

func (w *batchWriter) close() {
	for _, s := range []*sql.Stmt{w.deleteAccess, w.deleteFile, w.insertFile, w.touchFile, w.insertChunk, w.insertFTS, w.insertTri} {
		if s != nil {
			s.Close()
		}
	}
}

func (w *batchWriter) apply(ctx context.Context, u *FileUpdate) error {
	f := &u.File
	if u.Delete {
		if _, err := w.deleteAccess.ExecContext(ctx, f.Path); err != nil {
			return err
		}
		_, err := w.deleteFile.ExecContext(ctx, f.Path)
		return err
	}
	if u.MetadataOnly {
		_, err := w.touchFile.ExecContext(ctx, f.Size, f.MtimeNS, f.Path)
		return err
	}
	status := f.Status
	if status == "" {
		status = "ok"
	}
	if _, err := w.deleteFile.ExecContext(ctx, f.Path); err != nil {
		return err
	}
	res, err := w.insertFile.ExecContext(ctx, f.Path, f.Hash, f.Size, f.MtimeNS, f.Language, f.IndexedAt, status, f.Message)
	if err != nil {
		return err
	}
	if f.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	if u.Trigrams != "" {
		if _, err := w.insertTri.ExecContext(ctx, f.ID, u.Trigrams); err != nil {
			return err
		}
	}
	for i := range u.Chunks {
		c := &u.Chunks[i]
		res, err := w.insertChunk.ExecContext(ctx, c.Key, f.ID, c.Kind, c.Name, c.QualifiedName, c.Signature, c.Doc,
			c.StartLine, c.EndLine, c.Content, c.Language, c.BodyTerms, c.IsTest)
		if err != nil {
			return fmt.Errorf("chunk %s lines %d-%d: %w", c.QualifiedName, c.StartLine, c.EndLine, err)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		t := &c.Terms
		if _, err := w.insertFTS.ExecContext(ctx, c.ID, t.Name, t.Signature, t.Doc, t.Path, t.Body); err != nil {
			return err
		}

	}
	return nil
}

// FilesUnder returns the indexed files whose path is under dir ("" for
// all), keyed by path.
func (db *DB) FilesUnder(ctx context.Context, dir string) (map[string]File, error) {
	q := `SELECT id, path, hash, size, mtime_ns, language, indexed_at, status, message FROM files`
	var args []any
	if dir != "" {
		q += ` WHERE path >= ? AND path < ?`
		args = append(args, dir+"/", dir+"0") // '0' sorts right after '/'
	}
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	defer rows.Close()
	out := map[string]File{}
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.ID, &f.Path, &f.Hash, &f.Size, &f.MtimeNS, &f.Language, &f.IndexedAt, &f.Status, &f.Message); err != nil {
			return nil, err
		}
		out[f.Path] = f
	}
	return out, rows.Err()
}

// deleteAccessSQL removes the access history of one file's chunks, for a
// file that leaves the index (a re-indexed file keeps it: chunk keys are
// stable across edits).
const deleteAccessSQL = `DELETE FROM chunk_access WHERE chunk_key IN
	(SELECT c.key FROM chunks c JOIN files f ON f.id = c.file_id WHERE f.path = ?)`

// DeleteFiles removes files and their chunks (the FTS rows go with them by
// trigger). Accesses of their chunks are removed too.
func (db *DB) DeleteFiles(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete files: %w", err)
	}
	defer tx.Rollback()
	for _, p := range paths {
		if _, err := tx.ExecContext(ctx, deleteAccessSQL, p); err != nil {
			return fmt.Errorf("delete files: %s: %w", p, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM files WHERE path = ?`, p); err != nil {
			return fmt.Errorf("delete files: %s: %w", p, err)
		}
	}
	return tx.Commit()
}

// Skipped is a file an index run did not index, and why. It is part of
// the aur mem stats --json schema, hence the tags.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// ReplaceSkipped replaces the skipped-file records under dir ("" for all).
func (db *DB) ReplaceSkipped(ctx context.Context, dir string, skipped []Skipped) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record skipped files: %w", err)
	}
	defer tx.Rollback()
	if dir == "" {
		_, err = tx.ExecContext(ctx, `DELETE FROM skipped_files`)
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM skipped_files WHERE path >= ? AND path < ?`, dir+"/", dir+"0")
	}
	if err != nil {
		return fmt.Errorf("record skipped files: %w", err)
	}
	st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO skipped_files(path, reason, detail) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, s := range skipped {
		if _, err := st.ExecContext(ctx, s.Path, s.Reason, s.Detail); err != nil {
			return fmt.Errorf("record skipped files: %w", err)
		}
	}
	return tx.Commit()
}

// inList returns "?, ?, ?" for n placeholders.
func inList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
