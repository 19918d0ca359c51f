package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
)

// ResidentSink receives what an in-memory copy of the search index needs
// (internal/query's Resident), read by ScanResident in one read
// transaction, so every part describes the same committed state.
type ResidentSink struct {
	// Generation is called first, with the index generation.
	Generation func(gen int64)
	// File is called for every file, in path order.
	File func(id int64, path string) error
	// Chunk is called for every chunk, in id order, without Path (see
	// File). c is reused after the call returns.
	Chunk func(c *Chunk) error
	// DocSize is called for every row of the FTS5 index, in id order,
	// with the row's token count per column (chunks_fts_docsize), as
	// bm25() reads it. sizes is reused.
	DocSize func(id int64, sizes []int64) error
	// Vocab is called for every token of the FTS5 vocabulary with the
	// number of rows holding it (chunks_vocab, what DocFreq reads).
	Vocab func(term string, doc int) error
	// Totals is called with FTS5's own row count and token count per
	// column (its averages record), as bm25() reads them.
	Totals func(rows int64, cols []int64)
}

// ScanResident reads the whole search index into s, in one read
// transaction. It reads FTS5's shadow tables (docsize, data) directly:
// their formats are FTS5's file format, stable across SQLite versions.
//
// The scan reads every chunk's text once: it turns memory-mapped reads
// off on its connection for the while, so that the database's pages are
// not all mapped into the process (they would count in its resident set
// as long as the mapping lasts).
func (db *DB) ScanResident(ctx context.Context, s ResidentSink) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("resident scan: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA mmap_size = 0`); err != nil {
		return fmt.Errorf("resident scan: %w", err)
	}
	defer func() {
		for _, p := range storePragmas {
			if _, err := conn.ExecContext(context.Background(), p); err != nil {
				// Do not hand a connection without its settings back.
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}
	}()
	// A deferred transaction, begun by hand: database/sql's BeginTx
	// would begin an immediate one (the store's _txlock), holding the
	// write lock, and index runs waiting on it, for the whole scan.
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return fmt.Errorf("resident scan: %w", err)
	}
	defer conn.ExecContext(context.Background(), `ROLLBACK`)
	tx := conn
	var gen string
	if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT value FROM meta WHERE key = ?), '0')`, MetaGeneration).Scan(&gen); err != nil {
		return fmt.Errorf("resident scan: %w", err)
	}
	g, _ := strconv.ParseInt(gen, 10, 64)
	s.Generation(g)

	rows, err := tx.QueryContext(ctx, `SELECT id, path FROM files ORDER BY path`)
	if err != nil {
		return fmt.Errorf("resident scan: files: %w", err)
	}
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			rows.Close()
			return err
		}
		if err := s.File(id, p); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = tx.QueryContext(ctx, `SELECT id, key, file_id, kind, name, qualified_name, signature, doc,
		start_line, end_line, content, language, body_terms, is_test FROM chunks ORDER BY id`)
	if err != nil {
		return fmt.Errorf("resident scan: chunks: %w", err)
	}
	var c Chunk
	for rows.Next() {
		if err := rows.Scan(&c.ID, &c.Key, &c.FileID, &c.Kind, &c.Name, &c.QualifiedName, &c.Signature, &c.Doc,
			&c.StartLine, &c.EndLine, &c.Content, &c.Language, &c.BodyTerms, &c.IsTest); err != nil {
			rows.Close()
			return err
		}
		if err := s.Chunk(&c); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = tx.QueryContext(ctx, `SELECT id, sz FROM chunks_fts_docsize ORDER BY id`)
	if err != nil {
		return fmt.Errorf("resident scan: docsize: %w", err)
	}
	var sizes []int64
	for rows.Next() {
		var id int64
		var sz []byte
		if err := rows.Scan(&id, &sz); err != nil {
			rows.Close()
			return err
		}
		sizes = sizes[:0]
		for len(sz) > 0 {
			v, n := fts5Varint(sz)
			if n == 0 {
				rows.Close()
				return fmt.Errorf("resident scan: docsize of row %d: bad varint", id)
			}
			sizes = append(sizes, int64(v))
			sz = sz[n:]
		}
		if err := s.DocSize(id, sizes); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = tx.QueryContext(ctx, `SELECT term, doc FROM chunks_vocab`)
	if err != nil {
		return fmt.Errorf("resident scan: vocabulary: %w", err)
	}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return err
		}
		if err := s.Vocab(t, n); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	// FTS5's averages record (rowid 1 of the data table): the row count,
	// then the token count of each column, as varints.
	var avg []byte
	err = tx.QueryRowContext(ctx, `SELECT block FROM chunks_fts_data WHERE id = 1`).Scan(&avg)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("resident scan: averages: %w", err)
	}
	var vals []int64
	for len(avg) > 0 {
		v, n := fts5Varint(avg)
		if n == 0 {
			return errors.New("resident scan: averages record: bad varint")
		}
		vals = append(vals, int64(v))
		avg = avg[n:]
	}
	if len(vals) == 0 {
		vals = []int64{0}
	}
	s.Totals(vals[0], vals[1:])
	return nil
}

// fts5Varint decodes SQLite's varint (1-9 bytes, big-endian groups of 7
// bits, the ninth byte whole), as FTS5 writes it; n is 0 on a short
// buffer.
func fts5Varint(b []byte) (v uint64, n int) {
	for i := 0; i < 8; i++ {
		if i >= len(b) {
			return 0, 0
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	if len(b) < 9 {
		return 0, 0
	}
	return v<<8 | uint64(b[8]), 9
}

// FoldTokens returns the tokens FTS5's tokenizer (unicode61, as
// chunks_fts uses it) makes of each of toks: the chunk tokens written to
// chunks_fts are folded by it again (U+00B5 MICRO SIGN becomes U+03BC,
// a final sigma σ, ...), so the index's vocabulary differs from the Go
// tokenizer's for some non-ASCII tokens. It tokenizes them in a
// temporary in-memory FTS5 table of its own connection and reads them
// back through fts5vocab; nothing is written to the database.
func (db *DB) FoldTokens(ctx context.Context, toks []string) (map[string][]string, error) {
	out := make(map[string][]string, len(toks))
	if len(toks) == 0 {
		return out, nil
	}
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("fold tokens: %w", err)
	}
	defer conn.Close()
	defer conn.ExecContext(context.Background(), `DROP TABLE IF EXISTS temp.aur_fold_v; DROP TABLE IF EXISTS temp.aur_fold`)
	if _, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.aur_fold USING fts5(t, tokenize = 'unicode61 remove_diacritics 0');
		CREATE VIRTUAL TABLE temp.aur_fold_v USING fts5vocab(temp, aur_fold, 'instance')`); err != nil {
		return nil, fmt.Errorf("fold tokens: %w", err)
	}
	// Deferred, by hand (see ScanResident): only the temporary database
	// is written, and the store's write lock is never taken.
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return nil, fmt.Errorf("fold tokens: %w", err)
	}
	defer conn.ExecContext(context.Background(), `ROLLBACK`)
	tx := conn
	st, err := tx.PrepareContext(ctx, `INSERT INTO temp.aur_fold(rowid, t) VALUES (?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("fold tokens: %w", err)
	}
	for i, t := range toks {
		if _, err := st.ExecContext(ctx, i+1, t); err != nil {
			st.Close()
			return nil, fmt.Errorf("fold tokens: %w", err)
		}
		out[t] = nil
	}
	st.Close()
	rows, err := tx.QueryContext(ctx, `SELECT doc, term FROM temp.aur_fold_v ORDER BY doc, offset`)
	if err != nil {
		return nil, fmt.Errorf("fold tokens: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var term string
		if err := rows.Scan(&i, &term); err != nil {
			return nil, err
		}
		if i >= 1 && i <= len(toks) {
			out[toks[i-1]] = append(out[toks[i-1]], term)
		}
	}
	return out, rows.Err()
}
