package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aurora-dev/aur/internal/resilience"
)

// breakerTimeout bounds a breaker read or update: the breaker guards
// calls to an LLM provider and must not itself hang on the database.
const breakerTimeout = 5 * time.Second

// BreakerStore keeps circuit-breaker snapshots in the database, shared
// by every host (resilience.BreakerStore).
type BreakerStore struct{ db *DB }

// BreakerStore returns the database's breaker store.
func (db *DB) BreakerStore() BreakerStore { return BreakerStore{db} }

var _ resilience.BreakerStore = BreakerStore{}

func snapshot(key string, failures int, openUntil int64) resilience.BreakerSnapshot {
	s := resilience.BreakerSnapshot{Key: key, ConsecutiveFailures: failures}
	if openUntil > 0 {
		s.OpenUntil = time.UnixMilli(openUntil)
	}
	return s
}

// Load returns the saved snapshot of key, or a zero one.
func (s BreakerStore) Load(key string) (resilience.BreakerSnapshot, error) {
	ctx, cancel := context.WithTimeout(context.Background(), breakerTimeout)
	defer cancel()
	var n int
	var until int64
	err := s.db.pool.QueryRow(ctx, `SELECT consecutive_failures, open_until FROM breaker_state WHERE key = $1`, key).Scan(&n, &until)
	if errors.Is(err, pgx.ErrNoRows) {
		return resilience.BreakerSnapshot{Key: key}, nil
	}
	if err != nil {
		return resilience.BreakerSnapshot{}, fmt.Errorf("load breaker state: %w", err)
	}
	return snapshot(key, n, until), nil
}

// Update applies fn to the snapshot of key under its row lock, so that
// no other host's Update interleaves, and saves the result.
func (s BreakerStore) Update(key string, fn func(*resilience.BreakerSnapshot)) (resilience.BreakerSnapshot, error) {
	ctx, cancel := context.WithTimeout(context.Background(), breakerTimeout)
	defer cancel()
	var out resilience.BreakerSnapshot
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO breaker_state(key) VALUES ($1) ON CONFLICT (key) DO NOTHING`, key); err != nil {
			return err
		}
		var n int
		var until int64
		if err := tx.QueryRow(ctx, `SELECT consecutive_failures, open_until FROM breaker_state WHERE key = $1 FOR UPDATE`, key).
			Scan(&n, &until); err != nil {
			return err
		}
		out = snapshot(key, n, until)
		fn(&out)
		out.Key = key
		var ms int64
		if !out.OpenUntil.IsZero() {
			ms = out.OpenUntil.UnixMilli()
		}
		_, err := tx.Exec(ctx, `UPDATE breaker_state SET consecutive_failures = $2, open_until = $3, updated_at = now() WHERE key = $1`,
			key, out.ConsecutiveFailures, ms)
		return err
	})
	if err != nil {
		return resilience.BreakerSnapshot{}, fmt.Errorf("save breaker state: %w", err)
	}
	return out, nil
}
