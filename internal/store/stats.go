package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
)

// IndexStats describes the contents of the store, for aur mem stats.
type IndexStats struct {
	Path            string                    `json:"db_path"`
	SizeBytes       int64                     `json:"db_size_bytes"`
	SchemaVersion   int                       `json:"schema_version"`
	Root            string                    `json:"root"`
	Generation      int64                     `json:"generation"`
	LastIndexMS     int64                     `json:"last_index_unix_ms"`
	Files           int                       `json:"files"`
	Chunks          int                       `json:"chunks"`
	SourceBytes     int64                     `json:"source_bytes"`
	FilesByLanguage map[string]int            `json:"files_by_language"`
	ChunksByLang    map[string]int            `json:"chunks_by_language"`
	ChunksByKind    map[string]int            `json:"chunks_by_kind"`
	ChunksLangKind  map[string]map[string]int `json:"chunks_by_language_and_kind"`
	Skipped         []Skipped                 `json:"skipped"`
	ParseErrors     []Skipped                 `json:"parse_errors"`
	HistoryFiles    int                       `json:"git_history_files"`
	AccessedChunks  int                       `json:"accessed_chunks"`
	Queries         int                       `json:"queries"`
	LastRunStatus   string                    `json:"last_run_status"`
	// Vectors is the semantic layer's coverage; nil when no embedding
	// pass ever ran.
	Vectors *VectorStats `json:"vectors,omitempty"`
}

// Stats gathers IndexStats.
func (db *DB) Stats(ctx context.Context) (*IndexStats, error) {
	s := &IndexStats{Path: db.path, SchemaVersion: SchemaVersion(),
		FilesByLanguage: map[string]int{}, ChunksByLang: map[string]int{}, ChunksByKind: map[string]int{},
		ChunksLangKind: map[string]map[string]int{}, Skipped: []Skipped{}, ParseErrors: []Skipped{}}
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(db.path + suffix); err == nil {
			s.SizeBytes += fi.Size()
		}
	}
	s.Root, _ = db.Meta(ctx, MetaRoot)
	g, _ := db.Meta(ctx, MetaGeneration)
	s.Generation, _ = strconv.ParseInt(g, 10, 64)
	li, _ := db.Meta(ctx, MetaLastIndex)
	s.LastIndexMS, _ = strconv.ParseInt(li, 10, 64)

	rows, err := db.db.QueryContext(ctx, `SELECT language, count(*), sum(size) FROM files GROUP BY language`)
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
	rows, err = db.db.QueryContext(ctx, `SELECT language, kind, count(*) FROM chunks GROUP BY language, kind`)
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
	rows, err = db.db.QueryContext(ctx, `SELECT path, reason, detail FROM skipped_files ORDER BY path`)
	if err != nil {
		return nil, fmt.Errorf("index stats: %w", err)
	}
	for rows.Next() {
		var k Skipped
		if err := rows.Scan(&k.Path, &k.Reason, &k.Detail); err != nil {
			rows.Close()
			return nil, err
		}
		s.Skipped = append(s.Skipped, k)
	}
	rows.Close()
	rows, err = db.db.QueryContext(ctx, `SELECT path, status, message FROM files WHERE status != 'ok' ORDER BY path`)
	if err != nil {
		return nil, fmt.Errorf("index stats: %w", err)
	}
	for rows.Next() {
		var k Skipped
		if err := rows.Scan(&k.Path, &k.Reason, &k.Detail); err != nil {
			rows.Close()
			return nil, err
		}
		s.ParseErrors = append(s.ParseErrors, k)
	}
	rows.Close()
	err = db.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM file_history), (SELECT count(*) FROM chunk_access),
		(SELECT count(*) FROM queries), coalesce((SELECT status FROM index_runs ORDER BY id DESC LIMIT 1), '')`).
		Scan(&s.HistoryFiles, &s.AccessedChunks, &s.Queries, &s.LastRunStatus)
	if err != nil {
		return nil, fmt.Errorf("index stats: %w", err)
	}
	if s.Vectors, err = db.vectorStats(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// AddFiles counts n files of language lang holding size bytes (one row
// of a count grouped by language).
func (s *IndexStats) AddFiles(lang string, n int, size int64) {
	s.FilesByLanguage[lang] = n
	s.Files += n
	s.SourceBytes += size
}

// AddChunks counts n chunks of language lang and kind kind (one row of
// a count grouped by language and kind).
func (s *IndexStats) AddChunks(lang, kind string, n int) {
	s.ChunksByLang[lang] += n
	s.ChunksByKind[kind] += n
	if s.ChunksLangKind[lang] == nil {
		s.ChunksLangKind[lang] = map[string]int{}
	}
	s.ChunksLangKind[lang][kind] = n
	s.Chunks += n
}
