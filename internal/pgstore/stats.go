package pgstore

import (
	"context"
	"fmt"

	"github.com/aurora-dev/aur/internal/store"
)

// Stats returns what the project's index holds, as store.DB.Stats
// (aur mem stats, GET /v1/index). SizeBytes is the project's share of
// the database: its rows in files, chunks and terms, as stored.
func (p *Project) Stats(ctx context.Context) (*store.IndexStats, error) {
	s := &store.IndexStats{Path: p.Path(), SchemaVersion: SchemaVersion(),
		FilesByLanguage: map[string]int{}, ChunksByLang: map[string]int{}, ChunksByKind: map[string]int{},
		ChunksLangKind: map[string]map[string]int{}, Skipped: []store.Skipped{}, ParseErrors: []store.Skipped{}}
	if err := p.q.QueryRow(ctx, `SELECT root, generation, last_index FROM projects WHERE id = $1`, p.id).
		Scan(&s.Root, &s.Generation, &s.LastIndexMS); err != nil {
		return nil, fmt.Errorf("index stats: %w", err)
	}
	rows, err := p.q.Query(ctx, `SELECT language, count(*), coalesce(sum(size), 0) FROM files WHERE project_id = $1 GROUP BY language`, p.id)
	if err != nil {
		return nil, fmt.Errorf("index stats: %w", err)
	}
	for rows.Next() {
		var l string
		var n int
		var b int64
		if err := rows.Scan(&l, &n, &b); err != nil {
			rows.Close()
			return nil, err
		}
		s.AddFiles(l, n, b)
	}
	rows.Close()
	rows, err = p.q.Query(ctx, `SELECT language, kind, count(*) FROM chunks WHERE project_id = $1 GROUP BY language, kind`, p.id)
	if err != nil {
		return nil, fmt.Errorf("index stats: %w", err)
	}
	for rows.Next() {
		var l, k string
		var n int
		if err := rows.Scan(&l, &k, &n); err != nil {
			rows.Close()
			return nil, err
		}
		s.AddChunks(l, k, n)
	}
	rows.Close()
	for _, q := range []struct {
		sql string
		dst *[]store.Skipped
	}{
		{`SELECT path, reason, detail FROM skipped_files WHERE project_id = $1 ORDER BY path`, &s.Skipped},
		{`SELECT path, status, message FROM files WHERE project_id = $1 AND status <> 'ok' ORDER BY path`, &s.ParseErrors},
	} {
		rows, err := p.q.Query(ctx, q.sql, p.id)
		if err != nil {
			return nil, fmt.Errorf("index stats: %w", err)
		}
		for rows.Next() {
			var k store.Skipped
			if err := rows.Scan(&k.Path, &k.Reason, &k.Detail); err != nil {
				rows.Close()
				return nil, err
			}
			*q.dst = append(*q.dst, k)
		}
		rows.Close()
	}
	err = p.q.QueryRow(ctx, `SELECT (SELECT count(*) FROM file_history WHERE project_id = $1),
		(SELECT count(*) FROM chunk_access WHERE project_id = $1 AND n > 0),
		(SELECT count(*) FROM queries WHERE project_id = $1),
		coalesce((SELECT status FROM index_runs WHERE project_id = $1 ORDER BY id DESC LIMIT 1), ''),
		coalesce((SELECT sum(pg_column_size(c.*)) FROM chunks c WHERE c.project_id = $1), 0)::bigint +
		coalesce((SELECT sum(pg_column_size(f.*)) FROM files f WHERE f.project_id = $1), 0)::bigint`, p.id).
		Scan(&s.HistoryFiles, &s.AccessedChunks, &s.Queries, &s.LastRunStatus, &s.SizeBytes)
	if err != nil {
		return nil, fmt.Errorf("index stats: %w", err)
	}
	return s, nil
}
