package store

import (
	"context"
	"encoding/json"
	"testing"
)

// A file that can no longer be indexed leaves with its chunks, their
// full-text rows and their access history, inside the batch.
func TestApplyBatchDelete(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	err := db.ApplyBatch(ctx, []FileUpdate{
		{File: File{Path: "a.go", Hash: "1", Language: "go"}, Chunks: []IndexedChunk{chunkRow(1, "alpha", "apple")}},
		{File: File{Path: "b.go", Hash: "2", Language: "go"}, Chunks: []IndexedChunk{chunkRow(2, "beta", "apple")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`INSERT INTO chunk_access(chunk_key, n, oldest, recent) VALUES (1, 1, 5, '5'), (2, 1, 5, '5')`); err != nil {
		t.Fatal(err)
	}
	err = db.ApplyBatch(ctx, []FileUpdate{
		{File: File{Path: "a.go"}, Delete: true},
		{File: File{Path: "never-indexed.go"}, Delete: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	files, err := db.FilesUnder(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files["b.go"].Path == "" {
		t.Errorf("files = %v, want only b.go", files)
	}
	if got := ftsCount(t, db, "apple"); got != 1 {
		t.Errorf("apple in %d chunks, want 1", got)
	}
	var keys []int64
	rows, err := db.SQL().Query(`SELECT chunk_key FROM chunk_access ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k int64
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	if len(keys) != 1 || keys[0] != 2 {
		t.Errorf("chunk_access keys = %v, want [2]", keys)
	}
}

func TestHistoryFiles(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if n, err := db.HistoryFiles(ctx); err != nil || n != 0 {
		t.Fatalf("HistoryFiles on an empty store = %d, %v", n, err)
	}
	hist := map[string]*History{"a.go": {}, "b.go": {}}
	hist["a.go"].AddOlder(10)
	hist["b.go"].AddOlder(20)
	if err := db.ReplaceFileHistory(ctx, hist, "abc"); err != nil {
		t.Fatal(err)
	}
	if n, err := db.HistoryFiles(ctx); err != nil || n != 2 {
		t.Errorf("HistoryFiles = %d, %v; want 2", n, err)
	}
}

// The stats JSON is an API: skipped files and parse errors use the same
// snake_case names as every other field.
func TestStatsJSONNames(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	err := db.ApplyBatch(ctx, []FileUpdate{{File: File{Path: "bad.go", Hash: "1", Language: "go",
		Status: "parse_error", Message: "syntax error at line 3"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceSkipped(ctx, "", []Skipped{{Path: "logo.png", Reason: "binary"}}); err != nil {
		t.Fatal(err)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Skipped     []map[string]string `json:"skipped"`
		ParseErrors []map[string]string `json:"parse_errors"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Skipped) != 1 || got.Skipped[0]["path"] != "logo.png" || got.Skipped[0]["reason"] != "binary" {
		t.Errorf("skipped = %v", got.Skipped)
	}
	if _, ok := got.Skipped[0]["detail"]; ok {
		t.Errorf("empty detail is written: %v", got.Skipped[0])
	}
	if len(got.ParseErrors) != 1 || got.ParseErrors[0]["path"] != "bad.go" ||
		got.ParseErrors[0]["reason"] != "parse_error" || got.ParseErrors[0]["detail"] != "syntax error at line 3" {
		t.Errorf("parse_errors = %v", got.ParseErrors)
	}
}
