package pgstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aurora-dev/aur/internal/store"
)

// Verify checks a project the way aur mem verify checks a SQLite file,
// without changing it, in one snapshot (REPEATABLE READ, read only):
//
//	schema  the database's schema version against this aur's
//	rows    every chunk's file is the project's, every file's chunks too
//	terms   the document frequencies (terms) are those of the chunks
//	meta    the chunk count, token total and average kept for ranking are
//	        those of the chunks; the root and index time are on record
//
// Storage integrity (pages, checksums, indexes) is the server's: see
// docs/postgres.md (amcheck, pg_dump).
func (p *Project) Verify(ctx context.Context) (*store.VerifyReport, error) {
	tx, err := p.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
	r := &store.VerifyReport{Path: p.Path(), KnownSchema: SchemaVersion()}
	add := func(name string, ok bool, detail string) {
		st := store.CheckOK
		if !ok {
			st = store.CheckFailed
		}
		r.Checks = append(r.Checks, store.Check{Name: name, Status: st, Detail: detail})
	}

	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&r.SchemaVersion); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	add("schema", r.SchemaVersion == r.KnownSchema,
		fmt.Sprintf("schema version %d, this aur's %d", r.SchemaVersion, r.KnownSchema))

	var chunkCount, totalTokens, lastIndex int64
	var avg string
	if err := tx.QueryRow(ctx, `SELECT root, generation, chunk_count, total_tokens, avg_body_terms, last_index
		FROM projects WHERE id = $1`, p.id).Scan(&r.Root, &r.Generation, &chunkCount, &totalTokens, &avg, &lastIndex); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if lastIndex > 0 {
		r.IndexedAt = time.UnixMilli(lastIndex).UTC()
	}
	var chunks, tokens int64
	var avgNow float64
	if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM files WHERE project_id = $1), count(*),
		coalesce(sum(ntokens), 0), coalesce(avg(body_terms), 0)::float8 FROM chunks WHERE project_id = $1`, p.id).
		Scan(&r.Files, &chunks, &tokens, &avgNow); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	r.Chunks = chunks

	var strays int64
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM chunks c JOIN files f ON f.id = c.file_id
		WHERE (c.project_id = $1) <> (f.project_id = $1)`, p.id).Scan(&strays); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	add("rows", strays == 0, fmt.Sprintf("%d files, %d chunks; %d chunks whose file is another project's", r.Files, chunks, strays))

	var wrong, missing, extra int64
	if err := tx.QueryRow(ctx, `WITH real AS (
			SELECT t AS term, count(*)::int AS df FROM chunks c, unnest(tsvector_to_array(c.tsv)) AS t
			WHERE c.project_id = $1 GROUP BY t),
		kept AS (SELECT term, df FROM terms WHERE project_id = $1)
		SELECT count(*) FILTER (WHERE real.df IS NOT NULL AND kept.df IS NOT NULL AND real.df <> kept.df),
			count(*) FILTER (WHERE kept.df IS NULL),
			count(*) FILTER (WHERE real.df IS NULL)
		FROM real FULL JOIN kept ON kept.term = real.term`, p.id).Scan(&wrong, &missing, &extra); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	add("terms", wrong+missing+extra == 0,
		fmt.Sprintf("%d document frequencies differ from the chunks', %d tokens missing, %d not in any chunk", wrong, missing, extra))

	metaOK := chunkCount == chunks && totalTokens == tokens && avg == strconv.FormatFloat(avgNow, 'f', 2, 64)
	detail := fmt.Sprintf("generation %d; chunk count %d (chunks %d), tokens %d (chunks %d), mean body terms %s (chunks %.2f)",
		r.Generation, chunkCount, chunks, totalTokens, tokens, avg, avgNow)
	if r.Root == "" || lastIndex == 0 {
		metaOK = false
		detail += "; never indexed"
	}
	add("meta", metaOK, detail)
	r.Healthy = len(r.Problems()) == 0
	return r, nil
}
