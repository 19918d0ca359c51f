package store

import (
	"context"
	"fmt"
)

// QueryWrite is one query record with the access events it gives, for
// RecordQueries.
type QueryWrite struct {
	Rec      QueryRecord
	Accessed []int64
	Tokens   []string
}

// RecordQueries writes many query records and their access events in one
// transaction, in order: what RecordQuery does for one, at the cost of
// one commit for a batch. A long-running server records through it off
// the request path, so a query never waits for the writer lock that an
// index run holds.
func (db *DB) RecordQueries(ctx context.Context, ws []QueryWrite) error {
	if len(ws) == 0 {
		return nil
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record queries: %w", err)
	}
	defer tx.Rollback()
	for i := range ws {
		w := &ws[i]
		if _, err := insertQueryTx(ctx, tx, &w.Rec); err != nil {
			return fmt.Errorf("record queries: %w", err)
		}
		if err := recordAccessTx(ctx, tx, w.Accessed, w.Rec.Time.Unix(), w.Tokens); err != nil {
			return fmt.Errorf("record queries: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record queries: %w", err)
	}
	return nil
}
