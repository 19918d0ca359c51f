package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// MaxEvents is how many event times are kept per chunk or file; older
// events survive only as a count and the oldest time, which is what
// Petrov's (2006) approximation of ACT-R base-level activation needs.
const MaxEvents = 32

// History is a bounded record of event times (unix seconds).
type History struct {
	N      int64   // number of events ever
	Oldest int64   // time of the first event
	Recent []int64 // the newest events, newest first, at most MaxEvents
}

// AddOlder records an event older than every recorded one, as when
// reading `git log` newest first.
func (h *History) AddOlder(t int64) {
	h.N++
	h.Oldest = t
	if len(h.Recent) < MaxEvents {
		h.Recent = append(h.Recent, t)
	}
}

// AddNewer records a new event (an access now).
func (h *History) AddNewer(t int64) {
	if h.N == 0 {
		h.Oldest = t
	}
	h.N++
	h.Recent = append([]int64{t}, h.Recent...)
	if len(h.Recent) > MaxEvents {
		h.Recent = h.Recent[:MaxEvents]
	}
}

func (h *History) encode() string {
	var b strings.Builder
	for i, t := range h.Recent {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatInt(t, 10))
	}
	return b.String()
}

func decodeHistory(n, oldest int64, recent string) History {
	h := History{N: n, Oldest: oldest}
	for _, f := range strings.Fields(recent) {
		if t, err := strconv.ParseInt(f, 10, 64); err == nil {
			h.Recent = append(h.Recent, t)
		}
	}
	return h
}

// ReplaceFileHistory replaces the git history of all files, and records
// the HEAD it was read at, in one transaction.
func (db *DB) ReplaceFileHistory(ctx context.Context, hist map[string]*History, head string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("record file history: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM file_history`); err != nil {
		return fmt.Errorf("record file history: %w", err)
	}
	st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO file_history(path, n, oldest, recent) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for p, h := range hist {
		if _, err := st.ExecContext(ctx, p, h.N, h.Oldest, h.encode()); err != nil {
			return fmt.Errorf("record file history: %w", err)
		}
	}
	if err := setMetaTx(ctx, tx, MetaGitHead, head); err != nil {
		return err
	}
	return tx.Commit()
}

// HistoryFiles returns how many files have a recorded git history.
func (db *DB) HistoryFiles(ctx context.Context) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM file_history`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count file history: %w", err)
	}
	return n, nil
}
