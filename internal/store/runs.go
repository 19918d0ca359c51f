package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// StartRun records the start of an index run and returns its id.
func (db *DB) StartRun(ctx context.Context, path string, now time.Time) (int64, error) {
	var id int64
	err := db.db.QueryRowContext(ctx, `INSERT INTO index_runs(path, started_at) VALUES (?, ?) RETURNING id`,
		path, now.UnixMilli()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record index run: %w", err)
	}
	return id, nil
}

// EndRun records how an index run ended.
func (db *DB) EndRun(ctx context.Context, id int64, status, summary string, now time.Time) error {
	_, err := db.db.ExecContext(ctx, `UPDATE index_runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?`,
		now.UnixMilli(), status, summary, id)
	if err != nil {
		return fmt.Errorf("record index run: %w", err)
	}
	return nil
}

// Totals are whole-index counts.
type Totals struct {
	Files, Chunks int
	Generation    int64
}

// FinishIndex records the root and time of a finished run, bumps the
// index generation if anything changed (which invalidates cached query
// results) and refreshes the chunk count used for IDF.
func (db *DB) FinishIndex(ctx context.Context, root string, changed bool, now time.Time) (*Totals, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("finish index: %w", err)
	}
	defer tx.Rollback()
	var t Totals
	var avg float64
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM chunks),
		(SELECT coalesce(avg(body_terms), 0) FROM chunks),
		coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'generation'), 0)`).Scan(&t.Files, &t.Chunks, &avg, &t.Generation); err != nil {
		return nil, fmt.Errorf("finish index: %w", err)
	}
	if changed {
		t.Generation++
	}
	for k, v := range map[string]string{
		MetaRoot:       root,
		MetaGeneration: strconv.FormatInt(t.Generation, 10),
		MetaLastIndex:  strconv.FormatInt(now.UnixMilli(), 10),
		MetaChunkCount: strconv.Itoa(t.Chunks),
		MetaAvgTerms:   strconv.FormatFloat(avg, 'f', 2, 64),
	} {
		if err := setMetaTx(ctx, tx, k, v); err != nil {
			return nil, fmt.Errorf("finish index: %w", err)
		}
	}
	// A database's id, set once: generations start at 1 in every new
	// database, so the id is what tells a rebuilt index's cache entries
	// from the old one's (see Stamp).
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`,
		MetaID, newID()); err != nil {
		return nil, fmt.Errorf("finish index: %w", err)
	}
	return &t, tx.Commit()
}

func newID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	return hex.EncodeToString(b[:])
}
