package pgstore

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aurora-dev/aur/internal/store"
)

// RecordQuery appends a query record and, in the same transaction, an
// access event for each chunk key in accessed, as store.DB.RecordQuery.
// Accesses are the project's, shared by every client.
func (p *Project) RecordQuery(ctx context.Context, rec store.QueryRecord, accessed []int64, tokens []string) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, p.db.pool, func(tx pgx.Tx) error {
		var err error
		if id, err = p.insertQuery(ctx, tx, &rec); err != nil {
			return err
		}
		return p.recordAccess(ctx, tx, accessed, rec.Time.Unix(), tokens)
	})
	if err != nil {
		return 0, fmt.Errorf("record query: %w", err)
	}
	return id, nil
}

// RecordQueries writes many records and their access events in one
// transaction, in order.
func (p *Project) RecordQueries(ctx context.Context, ws []store.QueryWrite) error {
	if len(ws) == 0 {
		return nil
	}
	err := retry(ctx, func(ctx context.Context) error {
		return pgx.BeginFunc(ctx, p.db.pool, func(tx pgx.Tx) error {
			for i := range ws {
				w := &ws[i]
				if _, err := p.insertQuery(ctx, tx, &w.Rec); err != nil {
					return err
				}
				if err := p.recordAccess(ctx, tx, w.Accessed, w.Rec.Time.Unix(), w.Tokens); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("record queries: %w", err)
	}
	return nil
}

// RecordAccess adds an access event at now for each chunk key.
func (p *Project) RecordAccess(ctx context.Context, keys []int64, now time.Time, tokens []string) error {
	err := pgx.BeginFunc(ctx, p.db.pool, func(tx pgx.Tx) error {
		return p.recordAccess(ctx, tx, keys, now.Unix(), tokens)
	})
	if err != nil {
		return fmt.Errorf("record access: %w", err)
	}
	return nil
}

func (p *Project) insertQuery(ctx context.Context, tx pgx.Tx, r *store.QueryRecord) (int64, error) {
	if r.Status == "" {
		r.Status = store.StatusOK
	}
	if r.Choice == "" {
		r.Choice = "none"
	}
	err := tx.QueryRow(ctx, `INSERT INTO queries(project_id, ts, query, command, mode, tier, groundedness, hq_chunks,
		results, choice, latency_ms, status, error_type, cache_hit)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		p.id, r.Time.UnixMilli(), clean(r.Query), r.Command, r.Mode, r.Tier, r.Groundedness, r.HQChunks,
		r.Results, r.Choice, r.LatencyMS, r.Status, r.ErrorType, r.CacheHit).Scan(&r.ID)
	return r.ID, err
}

// recordAccess adds an event to each key's history. Rows are locked
// (SELECT … FOR UPDATE, in key order) so that two clients recording the
// same chunk at once both count.
func (p *Project) recordAccess(ctx context.Context, tx pgx.Tx, keys []int64, now int64, tokens []string) error {
	if len(keys) == 0 {
		return nil
	}
	uniq := make([]int64, 0, len(keys))
	seen := map[int64]bool{}
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			uniq = append(uniq, k)
		}
	}
	// Make sure every row exists, so FOR UPDATE can lock it.
	if _, err := tx.Exec(ctx, `INSERT INTO chunk_access(project_id, chunk_key, n, oldest, recent, context)
		SELECT $1, k, 0, 0, '', '' FROM unnest($2::bigint[]) AS k ORDER BY k
		ON CONFLICT (project_id, chunk_key) DO NOTHING`, p.id, uniq); err != nil {
		return err
	}
	type row struct {
		h       store.History
		context string
	}
	old := map[int64]row{}
	rows, err := tx.Query(ctx, `SELECT chunk_key, n, oldest, recent, context FROM chunk_access
		WHERE project_id = $1 AND chunk_key = ANY($2) ORDER BY chunk_key FOR UPDATE`, p.id, uniq)
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
		old[k] = row{store.DecodeHistory(n, oldest, recent), context}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ns, oldest := make([]int64, len(uniq)), make([]int64, len(uniq))
	recent, contexts := make([]string, len(uniq)), make([]string, len(uniq))
	for i, k := range uniq {
		r := old[k]
		r.h.AddNewer(now)
		ns[i], oldest[i], recent[i], contexts[i] = r.h.N, r.h.Oldest, r.h.Encode(), clean(store.MergeContext(tokens, r.context))
	}
	_, err = tx.Exec(ctx, `UPDATE chunk_access a SET n = u.n, oldest = u.oldest, recent = u.recent, context = u.context
		FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[]) AS u(k, n, oldest, recent, context)
		WHERE a.project_id = $1 AND a.chunk_key = u.k`, p.id, uniq, ns, oldest, recent, contexts)
	return err
}

func (p *Project) queryWhere(f store.QueryFilter) (string, []any) {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !f.From.IsZero() {
		from = f.From.UnixMilli()
	}
	if !f.To.IsZero() {
		to = f.To.UnixMilli()
	}
	cond := `project_id = $1 AND ts >= $2 AND ts < $3`
	args := []any{p.id, from, to}
	if len(f.ExcludeCommands) > 0 {
		args = append(args, f.ExcludeCommands)
		cond += ` AND command <> ALL($4)`
	}
	return cond, args
}

// QueryGroups returns the aggregates of the project's query log that f
// selects, as store.DB.QueryGroups (stats.Source).
func (p *Project) QueryGroups(ctx context.Context, f store.QueryFilter) ([]store.QueryGroup, error) {
	cond, args := p.queryWhere(f)
	rows, err := p.q.Query(ctx, `SELECT status, mode, tier, choice, cache_hit, error_type,
		count(*), coalesce(sum(latency_ms), 0), coalesce(sum(groundedness), 0), coalesce(sum(hq_chunks), 0)::float8
		FROM queries WHERE `+cond+`
		GROUP BY status, mode, tier, choice, cache_hit, error_type
		ORDER BY status COLLATE "C", mode COLLATE "C", tier COLLATE "C", choice COLLATE "C", cache_hit, error_type COLLATE "C"`, args...)
	if err != nil {
		return nil, fmt.Errorf("query groups: %w", err)
	}
	defer rows.Close()
	var gs []store.QueryGroup
	for rows.Next() {
		var g store.QueryGroup
		if err := rows.Scan(&g.Status, &g.Mode, &g.Tier, &g.Choice, &g.CacheHit, &g.ErrorType,
			&g.Count, &g.SumLatencyMS, &g.SumGroundedness, &g.SumHQChunks); err != nil {
			return nil, fmt.Errorf("query groups: %w", err)
		}
		gs = append(gs, g)
	}
	return gs, rows.Err()
}

// QueryLatencyRanks returns the k-th smallest latency for each rank
// (1-based, clamped to [1, n]), as store.DB.QueryLatencyRanks.
func (p *Project) QueryLatencyRanks(ctx context.Context, f store.QueryFilter, n int64, ranks []int64) ([]float64, error) {
	out := make([]float64, len(ranks))
	if len(ranks) == 0 || n <= 0 {
		return out, nil
	}
	cond, args := p.queryWhere(f)
	k := len(args) + 1
	for i, r := range ranks {
		r = min(max(r, 1), n)
		err := p.q.QueryRow(ctx, fmt.Sprintf(`SELECT coalesce((SELECT latency_ms FROM queries WHERE %s
			ORDER BY latency_ms LIMIT 1 OFFSET $%d),
			(SELECT max(latency_ms) FROM queries WHERE %s), 0)`, cond, k, cond), append(args, r-1)...).Scan(&out[i])
		if err != nil {
			return nil, fmt.Errorf("query latency ranks: %w", err)
		}
	}
	return out, nil
}
