package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// QueryRecord is one row of the queries table: what was asked, how well
// retrieval served it, what the user chose and how long it took.
type QueryRecord struct {
	ID           int64
	Time         time.Time
	Query        string
	Command      string // query | search | eval
	Mode         string // interactive | non_interactive | headless
	Tier         string // good | weak | no_match; "" on error
	Groundedness float64
	HQChunks     int
	Results      int
	Choice       string // none | continue | start_anew | start_over
	LatencyMS    float64
	Status       string // ok | error
	ErrorType    string
	CacheHit     bool
}

// Query record values.
const (
	ModeInteractive    = "interactive"
	ModeNonInteractive = "non_interactive"
	ModeHeadless       = "headless"

	StatusOK    = "ok"
	StatusError = "error"
)

// RecordQuery appends a query record and, in the same transaction, an
// access event at rec.Time for each chunk key in accessed (the chunks the
// user was given), with the query's tokens as the access context. It
// returns the record's id.
func (db *DB) RecordQuery(ctx context.Context, rec QueryRecord, accessed []int64, tokens []string) (int64, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("record query: %w", err)
	}
	defer tx.Rollback()
	id, err := insertQueryTx(ctx, tx, &rec)
	if err != nil {
		return 0, fmt.Errorf("record query: %w", err)
	}
	if err := recordAccessTx(ctx, tx, accessed, rec.Time.Unix(), tokens); err != nil {
		return 0, fmt.Errorf("record query: %w", err)
	}
	return id, tx.Commit()
}

// RecordAccess adds an access event at now for each chunk key, with the
// tokens of the query that led to it.
func (db *DB) RecordAccess(ctx context.Context, keys []int64, now time.Time, tokens []string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record access: %w", err)
	}
	defer tx.Rollback()
	if err := recordAccessTx(ctx, tx, keys, now.Unix(), tokens); err != nil {
		return fmt.Errorf("record access: %w", err)
	}
	return tx.Commit()
}

// InsertQueries appends many records in one transaction, without access
// events (for imports, tests and benchmarks).
func (db *DB) InsertQueries(ctx context.Context, recs []QueryRecord) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("insert queries: %w", err)
	}
	defer tx.Rollback()
	for i := range recs {
		if _, err := insertQueryTx(ctx, tx, &recs[i]); err != nil {
			return fmt.Errorf("insert queries: %w", err)
		}
	}
	return tx.Commit()
}

func insertQueryTx(ctx context.Context, tx *sql.Tx, r *QueryRecord) (int64, error) {
	if r.Status == "" {
		r.Status = StatusOK
	}
	if r.Choice == "" {
		r.Choice = "none"
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO queries(ts, query, command, mode, tier, groundedness, hq_chunks,
		results, choice, latency_ms, status, error_type, cache_hit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Time.UnixMilli(), r.Query, r.Command, r.Mode, r.Tier, r.Groundedness, r.HQChunks,
		r.Results, r.Choice, r.LatencyMS, r.Status, r.ErrorType, r.CacheHit)
	if err != nil {
		return 0, err
	}
	r.ID, err = res.LastInsertId()
	return r.ID, err
}

// MaxContextTokens bounds the query tokens kept per accessed chunk.
const MaxContextTokens = 64

func recordAccessTx(ctx context.Context, tx *sql.Tx, keys []int64, now int64, tokens []string) error {
	if len(keys) == 0 {
		return nil
	}
	// One read for every key, then one prepared write each: a query
	// records ten or so accesses, and this runs in every aur query.
	uniq := make([]int64, 0, len(keys))
	seen := map[int64]bool{}
	args := make([]any, 0, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, k)
			args = append(args, k)
		}
	}
	type row struct {
		h       History
		context string
	}
	old := make(map[int64]row, len(uniq))
	rows, err := tx.QueryContext(ctx, `SELECT chunk_key, n, oldest, recent, context FROM chunk_access WHERE chunk_key IN (`+inList(len(args))+`)`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k, n, oldest int64
		var recent, context string
		if err := rows.Scan(&k, &n, &oldest, &recent, &context); err != nil {
			rows.Close()
			return err
		}
		old[k] = row{decodeHistory(n, oldest, recent), context}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	put, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO chunk_access(chunk_key, n, oldest, recent, context) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer put.Close()
	for _, k := range uniq {
		r := old[k]
		r.h.AddNewer(now)
		if _, err := put.ExecContext(ctx, k, r.h.N, r.h.Oldest, r.h.encode(), mergeContext(tokens, r.context)); err != nil {
			return err
		}
	}
	return nil
}

// mergeContext puts the new tokens first, then the old ones not among
// them, keeping at most MaxContextTokens.
func mergeContext(tokens []string, old string) string {
	seen := map[string]bool{}
	var out []string
	for _, t := range append(tokens, strings.Fields(old)...) {
		if !seen[t] && len(out) < MaxContextTokens {
			seen[t] = true
			out = append(out, t)
		}
	}
	return strings.Join(out, " ")
}
