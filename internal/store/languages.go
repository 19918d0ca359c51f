package store

import (
	"context"
	"fmt"
)

// Languages returns the languages of the indexed files, sorted.
func (db *DB) Languages(ctx context.Context) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT language FROM files ORDER BY language`)
	if err != nil {
		return nil, fmt.Errorf("languages: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
