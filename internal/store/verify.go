package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Verify checks a database file as a whole, without changing it: the
// primary, the replica, or any backup. It is what aur mem verify runs,
// and what aur mem restore runs on the file it is given.
//
// The checks, in order:
//
//	file       a SQLite database, and as long as its header says (a
//	           truncated file is found here, with the numbers)
//	integrity  PRAGMA integrity_check: every b-tree page, index and
//	           constraint, and (SQLite 3.44 and later) the FTS5 tables'
//	           own consistency checks
//	fts        the FTS5 'integrity-check' command on chunks_fts and
//	           files_tri, which needs a write transaction and so is run
//	           only on a file this process may write (it changes nothing)
//	schema     the schema version against the one this aur knows
//	rows       chunks against chunks_fts's rows, files_tri's rows against
//	           files, in both directions (contentless tables keep one
//	           docsize row per indexed row)
//	meta       the index's root, generation and id are on record
//	marker     no earlier command found the file damaged (memory.db.damaged)
//
// A check that cannot run because an earlier one failed says so.
func Verify(ctx context.Context, path string) (*VerifyReport, error) {
	r := &VerifyReport{Path: path, KnownSchema: SchemaVersion()}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("verify %s: is a directory", path)
	}
	r.Bytes = fi.Size()
	ok := r.add("file", checkHeader(path, fi.Size()))
	if damaged, cause := Damaged(path); damaged {
		r.fail("marker", fmt.Sprintf("an earlier command found it damaged (%s); aur refuses it until 'aur mem restore' or 'aur mem index --force'", firstLine(cause)))
	} else {
		r.pass("marker", "none")
	}
	if !ok {
		r.skip("the file is not a readable database", "integrity", "schema", "fts", "rows", "meta")
		return r.done(), nil
	}
	db, err := openFile(path, fileReadOnly)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, err)
	}
	defer db.Close()
	r.integrity(ctx, db)
	r.schema(ctx, db)
	r.fts(ctx, path)
	r.rows(ctx, db)
	r.meta(ctx, db)
	return r.done(), nil
}

// VerifyReport is the result of Verify; its JSON is aur mem verify
// --json.
type VerifyReport struct {
	Path    string  `json:"path"`
	Healthy bool    `json:"healthy"`
	Bytes   int64   `json:"bytes"`
	Checks  []Check `json:"checks"`
	// What the file holds, when it could be read.
	SchemaVersion int       `json:"schema_version"`
	KnownSchema   int       `json:"known_schema_version"`
	Root          string    `json:"root,omitempty"`
	Generation    int64     `json:"generation"`
	IndexedAt     time.Time `json:"indexed_at,omitzero"`
	Files         int64     `json:"files"`
	Chunks        int64     `json:"chunks"`
}

// Check is one check of a VerifyReport. Status is ok, failed or skipped;
// Detail says what was found, precisely enough to act on.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// Check statuses.
const (
	CheckOK      = "ok"
	CheckFailed  = "failed"
	CheckSkipped = "skipped"
)

// Problems returns the failed checks.
func (r *VerifyReport) Problems() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == CheckFailed {
			out = append(out, c)
		}
	}
	return out
}

func (r *VerifyReport) pass(name, detail string) {
	r.Checks = append(r.Checks, Check{name, CheckOK, detail})
}

func (r *VerifyReport) fail(name, detail string) {
	r.Checks = append(r.Checks, Check{name, CheckFailed, detail})
}

func (r *VerifyReport) skip(why string, names ...string) {
	for _, n := range names {
		r.Checks = append(r.Checks, Check{n, CheckSkipped, why})
	}
}

// add records a check from an error (nil passes) and reports whether it
// passed.
func (r *VerifyReport) add(name string, err error) bool {
	if err != nil {
		r.fail(name, err.Error())
		return false
	}
	r.pass(name, "SQLite database, complete")
	return true
}

func (r *VerifyReport) done() *VerifyReport {
	r.Healthy = len(r.Problems()) == 0
	return r
}

// maxIntegrityRows bounds what integrity_check reports: the first
// problems say enough, and a badly damaged file has thousands.
const maxIntegrityRows = 20

func (r *VerifyReport) integrity(ctx context.Context, db *sql.DB) {
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check("+strconv.Itoa(maxIntegrityRows)+")")
	if err != nil {
		r.fail("integrity", "PRAGMA integrity_check: "+err.Error())
		return
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			r.fail("integrity", "PRAGMA integrity_check: "+err.Error())
			return
		}
		msgs = append(msgs, s)
	}
	if err := rows.Err(); err != nil {
		r.fail("integrity", "PRAGMA integrity_check: "+err.Error())
		return
	}
	if len(msgs) == 1 && msgs[0] == "ok" {
		r.pass("integrity", "PRAGMA integrity_check: ok")
		return
	}
	detail := strings.Join(msgs, "; ")
	if len(msgs) == maxIntegrityRows {
		detail += fmt.Sprintf("; (first %d problems)", maxIntegrityRows)
	}
	r.fail("integrity", "PRAGMA integrity_check: "+detail)
}

func (r *VerifyReport) schema(ctx context.Context, db *sql.DB) {
	var v int
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		r.fail("schema", "no schema version: "+err.Error())
		return
	}
	r.SchemaVersion = v
	switch {
	case v > r.KnownSchema:
		r.fail("schema", fmt.Sprintf("version %d, newer than this aur's %d: upgrade aur", v, r.KnownSchema))
	case v < r.KnownSchema:
		r.pass("schema", fmt.Sprintf("version %d, older than this aur's %d: migrated when next opened for writing", v, r.KnownSchema))
	default:
		r.pass("schema", fmt.Sprintf("version %d (current)", v))
	}
}

// fts runs FTS5's own integrity-check command. It is an INSERT, so SQLite
// wants a write transaction: on a file this process cannot write it is
// skipped (integrity_check has run FTS5's checks already). The
// transaction is rolled back; the command writes nothing anyway.
func (r *VerifyReport) fts(ctx context.Context, path string) {
	if !Writable(path) || !Writable(filepath.Dir(path)) {
		r.skip("read-only file: PRAGMA integrity_check ran FTS5's checks", "fts")
		return
	}
	db, err := openFile(path, fileReadWrite)
	if err != nil {
		r.fail("fts", err.Error())
		return
	}
	defer db.Close()
	var bad []string
	for _, t := range []string{"chunks_fts", "files_tri"} {
		err := ftsCheck(ctx, db, t)
		var se sqlite3.Error
		if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
			// An index run holds the write lock the command needs.
			r.skip("the database is being written (an index run?): PRAGMA integrity_check ran FTS5's checks", "fts")
			return
		}
		if err != nil {
			bad = append(bad, t+": "+err.Error())
		}
	}
	if len(bad) > 0 {
		r.fail("fts", strings.Join(bad, "; "))
		return
	}
	r.pass("fts", "chunks_fts and files_tri: integrity-check ok")
}

func ftsCheck(ctx context.Context, db *sql.DB, table string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, "INSERT INTO "+table+"("+table+", rank) VALUES ('integrity-check', 0)")
	return err
}

// rows cross-checks the FTS5 tables against the tables they index. A
// chunk missing from chunks_fts is never found by a search; an FTS row
// without its chunk is a candidate that cannot be read.
func (r *VerifyReport) rows(ctx context.Context, db *sql.DB) {
	var c struct {
		chunks, ftsRows, chunksNotInFTS, ftsNotInChunks int64
		files, triRows, triNotInFiles, filesNotInTri    int64
	}
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM chunks),
		(SELECT count(*) FROM chunks_fts_docsize),
		(SELECT count(*) FROM chunks WHERE id NOT IN (SELECT id FROM chunks_fts_docsize)),
		(SELECT count(*) FROM chunks_fts_docsize WHERE id NOT IN (SELECT id FROM chunks)),
		(SELECT count(*) FROM files),
		(SELECT count(*) FROM files_tri_docsize),
		(SELECT count(*) FROM files_tri_docsize WHERE id NOT IN (SELECT id FROM files)),
		-- A file has trigrams when it has at least 3 bytes of text: one
		-- with a chunk that long and no row is missing from the index.
		-- (mtime_ns -1 marks files a migration queued for re-reading.)
		(SELECT count(*) FROM files f WHERE f.mtime_ns != -1
			AND f.id NOT IN (SELECT id FROM files_tri_docsize)
			AND EXISTS (SELECT 1 FROM chunks c WHERE c.file_id = f.id AND length(c.content) >= 3))`).Scan(
		&c.chunks, &c.ftsRows, &c.chunksNotInFTS, &c.ftsNotInChunks,
		&c.files, &c.triRows, &c.triNotInFiles, &c.filesNotInTri)
	if err != nil {
		r.fail("rows", "count rows: "+err.Error())
		return
	}
	r.Files, r.Chunks = c.files, c.chunks
	var bad []string
	if c.chunksNotInFTS > 0 {
		bad = append(bad, fmt.Sprintf("%d of %d chunks are not in chunks_fts (never found by a search)", c.chunksNotInFTS, c.chunks))
	}
	if c.ftsNotInChunks > 0 {
		bad = append(bad, fmt.Sprintf("%d of %d chunks_fts rows have no chunk", c.ftsNotInChunks, c.ftsRows))
	}
	if c.triNotInFiles > 0 {
		bad = append(bad, fmt.Sprintf("%d of %d files_tri rows have no file", c.triNotInFiles, c.triRows))
	}
	if c.filesNotInTri > 0 {
		bad = append(bad, fmt.Sprintf("%d of %d files with text are not in files_tri (never found by -F)", c.filesNotInTri, c.files))
	}
	if len(bad) > 0 {
		r.fail("rows", strings.Join(bad, "; "))
		return
	}
	r.pass("rows", fmt.Sprintf("%d chunks = %d chunks_fts rows; %d files, %d in files_tri", c.chunks, c.ftsRows, c.files, c.triRows))
}

func (r *VerifyReport) meta(ctx context.Context, db *sql.DB) {
	vals := map[string]string{}
	rows, err := db.QueryContext(ctx, "SELECT key, value FROM meta WHERE key IN (?, ?, ?, ?)",
		MetaRoot, MetaGeneration, MetaLastIndex, MetaID)
	if err != nil {
		r.fail("meta", err.Error())
		return
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			r.fail("meta", err.Error())
			return
		}
		vals[k] = v
	}
	if err := rows.Err(); err != nil {
		r.fail("meta", err.Error())
		return
	}
	r.Root = vals[MetaRoot]
	r.Generation, _ = strconv.ParseInt(vals[MetaGeneration], 10, 64)
	if ms, err := strconv.ParseInt(vals[MetaLastIndex], 10, 64); err == nil && ms > 0 {
		r.IndexedAt = time.UnixMilli(ms).UTC()
	}
	var missing []string
	for _, k := range []string{MetaRoot, MetaGeneration, MetaLastIndex, MetaID} {
		if vals[k] == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		r.fail("meta", "no "+strings.Join(missing, ", ")+" on record: no index run has finished in it")
		return
	}
	r.pass("meta", fmt.Sprintf("root %s, generation %d, indexed %s", r.Root, r.Generation, r.IndexedAt.Format(time.RFC3339)))
}

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// ErrTruncated is returned by CheckHeader for a file shorter than its
// header says.
var ErrTruncated = errors.New("truncated")

// CheckHeader reads a database file's 100-byte header and checks, in
// constant time, what SQLite itself only finds when a query reaches the
// missing pages: that the file is a SQLite database and holds every page
// its header counts. (The count is valid when the header's
// version-valid-for number equals its change counter, as it does for
// every file SQLite 3.7 or later wrote. In WAL mode the count is the main
// file's as of the last checkpoint, which the file always holds.)
func CheckHeader(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return checkHeader(path, fi.Size())
}

func checkHeader(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	if n == 0 && size == 0 {
		return errors.New("empty file (0 bytes): not a database")
	}
	if err != nil || string(h[:16]) != sqliteMagic {
		return fmt.Errorf("not a SQLite database (%d bytes, no SQLite header)", size)
	}
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return fmt.Errorf("header damaged: page size %d", pageSize)
	}
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	changes, validFor := binary.BigEndian.Uint32(h[24:28]), binary.BigEndian.Uint32(h[92:96])
	if pages > 0 && changes == validFor && size < pages*pageSize {
		return fmt.Errorf("%w: %d bytes, but its header counts %d pages of %d bytes (%d bytes)",
			ErrTruncated, size, pages, pageSize, pages*pageSize)
	}
	if size%pageSize != 0 {
		return fmt.Errorf("%w: %d bytes is not a whole number of %d-byte pages", ErrTruncated, size, pageSize)
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
