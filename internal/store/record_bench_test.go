package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkRecordQuery measures what recording adds to aur query: one
// queries row and access events for the ten chunks shown, in one
// transaction, on a real database file whose access table already holds
// history (issue 5: under 2 ms at the median).
//
//	go test -tags "sqlite_fts5 sqlite_math_functions" -bench RecordQuery -benchtime 2000x ./internal/store
func BenchmarkRecordQuery(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "memory.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	t0 := time.Unix(1_700_000_000, 0)
	tokens := []string{"open", "file", "read"}
	for i := range 5000 { // history for 5,000 chunks
		if err := db.RecordAccess(ctx, []int64{int64(i)}, t0, tokens); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		keys := make([]int64, 10)
		for k := range keys {
			keys[k] = int64((i*10 + k) % 6000)
		}
		rec := QueryRecord{Time: t0.Add(time.Duration(i) * time.Second), Query: "open a file for reading",
			Command: "query", Mode: ModeHeadless, Tier: "good", Groundedness: 0.8, HQChunks: 10, Results: 10, LatencyMS: 20}
		if _, err := db.RecordQuery(ctx, rec, keys, tokens); err != nil {
			b.Fatal(err)
		}
	}
}
