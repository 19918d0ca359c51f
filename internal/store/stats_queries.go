package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// QueryFilter selects rows of the queries table for aggregates: those with
// From <= ts < To (a half-open window, compared in unix milliseconds) whose
// command is not one of ExcludeCommands. A zero From or To leaves that side
// of the window open.
type QueryFilter struct {
	From, To        time.Time
	ExcludeCommands []string
}

func (f QueryFilter) bounds() (from, to int64) {
	from, to = math.MinInt64, math.MaxInt64
	if !f.From.IsZero() {
		from = f.From.UnixMilli()
	}
	if !f.To.IsZero() {
		to = f.To.UnixMilli()
	}
	return from, to
}

// where returns the filter as an SQL condition and its arguments.
func (f QueryFilter) where() (string, []any) {
	from, to := f.bounds()
	cond := "ts >= ? AND ts < ?"
	args := []any{from, to}
	if len(f.ExcludeCommands) > 0 {
		cond += " AND command NOT IN (?" + strings.Repeat(", ?", len(f.ExcludeCommands)-1) + ")"
		for _, c := range f.ExcludeCommands {
			args = append(args, c)
		}
	}
	return cond, args
}

// QueryGroup aggregates the selected queries rows that share a status,
// mode, tier, choice, cache_hit and error_type. Those columns have few
// values, so a window of any size folds into a few dozen groups from which
// every count, rate and average of aur stats follows.
type QueryGroup struct {
	Status    string
	Mode      string
	Tier      string
	Choice    string
	CacheHit  bool
	ErrorType string

	Count           int64
	SumLatencyMS    float64
	SumGroundedness float64
	SumHQChunks     float64
}

// Windows narrower than these shares of the table are read through
// queries_ts rather than by walking a covering index over the whole table.
// Measured on 1,000,000 rows: walking queries_stats costs about 0.2 µs per
// row of the table, a ts range plus a GROUP BY sort about 1.4 µs per row of
// the window, so the range wins below about 1/7 of the table; three rank
// look-ups along queries_latency cost about 0.15 µs per row of the table,
// reading and sorting a window's latencies about 0.35 µs per row of the
// window, so the range wins below about 2/5.
const (
	narrowGroups    = 8
	narrowLatencies = 3
)

// QueryGroups returns the aggregates of the rows f selects, grouped by
// status, mode, tier, choice, cache_hit and error_type, in that order.
func (db *DB) QueryGroups(ctx context.Context, f QueryFilter) ([]QueryGroup, error) {
	narrow, err := db.isNarrow(ctx, f, narrowGroups)
	if err != nil {
		return nil, fmt.Errorf("query groups: %w", err)
	}
	// Without ANALYZE statistics the planner takes queries_ts for any ts
	// range and sorts; name the index that the measurements favour.
	index := "queries_stats"
	if narrow {
		index = "queries_ts"
	}
	cond, args := f.where()
	rows, err := db.db.QueryContext(ctx, `SELECT status, mode, tier, choice, cache_hit, error_type,
		count(*), total(latency_ms), total(groundedness), total(hq_chunks)
		FROM queries INDEXED BY `+index+` WHERE `+cond+`
		GROUP BY status, mode, tier, choice, cache_hit, error_type
		ORDER BY status, mode, tier, choice, cache_hit, error_type`, args...)
	if err != nil {
		return nil, fmt.Errorf("query groups: %w", err)
	}
	defer rows.Close()
	var gs []QueryGroup
	for rows.Next() {
		var g QueryGroup
		if err := rows.Scan(&g.Status, &g.Mode, &g.Tier, &g.Choice, &g.CacheHit, &g.ErrorType,
			&g.Count, &g.SumLatencyMS, &g.SumGroundedness, &g.SumHQChunks); err != nil {
			return nil, fmt.Errorf("query groups: %w", err)
		}
		gs = append(gs, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query groups: %w", err)
	}
	return gs, nil
}

// isNarrow reports whether f's window holds less than 1/div of the table.
// It reads b-trees only: the table's row count (a page walk) and at most
// total/div entries of the ts index, so the check itself stays cheap for
// wide windows.
func (db *DB) isNarrow(ctx context.Context, f QueryFilter, div int64) (bool, error) {
	if f.From.IsZero() && f.To.IsZero() {
		return false, nil
	}
	var total int64
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM queries`).Scan(&total); err != nil {
		return false, err
	}
	limit := total / div
	if limit == 0 {
		return false, nil // a small table: either plan is instant
	}
	from, to := f.bounds()
	var inWindow int64
	err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM queries INDEXED BY queries_ts
		WHERE ts >= ? AND ts < ? LIMIT ?)`, from, to, limit).Scan(&inWindow)
	if err != nil {
		return false, err
	}
	return inWindow < limit, nil
}

// QueryLatencyRanks returns, for each rank k (1-based, ascending), the k-th
// smallest latency_ms among the rows f selects; n is how many rows f
// selects (from QueryGroups), used to choose the plan. A rank outside
// [1, rows] is clamped to it; with no rows every result is 0.
//
// A wide window walks queries_latency in latency order and stops at each
// rank (LIMIT 1 OFFSET k-1, evaluated inside SQLite without producing the
// skipped rows); a narrow one reads its latencies through queries_ts and
// sorts them here.
func (db *DB) QueryLatencyRanks(ctx context.Context, f QueryFilter, n int64, ranks []int64) ([]float64, error) {
	out := make([]float64, len(ranks))
	if len(ranks) == 0 || n <= 0 {
		return out, nil
	}
	narrow, err := db.isNarrow(ctx, f, narrowLatencies)
	if err != nil {
		return nil, fmt.Errorf("query latency ranks: %w", err)
	}
	cond, args := f.where()
	if narrow {
		lat, err := db.latencies(ctx, cond, args, n)
		if err != nil {
			return nil, fmt.Errorf("query latency ranks: %w", err)
		}
		slices.Sort(lat)
		for i, k := range ranks {
			if len(lat) > 0 {
				out[i] = lat[min(max(k, 1), int64(len(lat)))-1]
			}
		}
		return out, nil
	}
	stmt, err := db.db.PrepareContext(ctx, `SELECT latency_ms FROM queries INDEXED BY queries_latency
		WHERE `+cond+` ORDER BY latency_ms LIMIT 1 OFFSET ?`)
	if err != nil {
		return nil, fmt.Errorf("query latency ranks: %w", err)
	}
	defer stmt.Close()
	for i, k := range ranks {
		k = min(max(k, 1), n)
		err := stmt.QueryRowContext(ctx, append(args, k-1)...).Scan(&out[i])
		if errors.Is(err, sql.ErrNoRows) {
			// Rows were deleted since n was counted: take the largest.
			err = db.db.QueryRowContext(ctx, `SELECT coalesce(max(latency_ms), 0) FROM queries WHERE `+cond, args...).Scan(&out[i])
		}
		if err != nil {
			return nil, fmt.Errorf("query latency ranks: %w", err)
		}
	}
	return out, nil
}

func (db *DB) latencies(ctx context.Context, cond string, args []any, n int64) ([]float64, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT latency_ms FROM queries INDEXED BY queries_ts WHERE `+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	lat := make([]float64, 0, n)
	for rows.Next() {
		var v float64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		lat = append(lat, v)
	}
	return lat, rows.Err()
}
