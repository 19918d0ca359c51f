package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Column weights for bm25(), in the order of the chunks_fts columns:
// name, signature, doc, path, body.
type Weights [5]float64

// Filter narrows a search (zero value: everything).
type Filter struct {
	Kinds     []string
	Languages []string
	// ExcludeTests drops test code (chunks.is_test).
	ExcludeTests bool
	// Restrict limits the search to the files in FileIDs (which may then
	// be empty: nothing matches). The caller resolves path prefixes and
	// globs to ids with FilePaths.
	Restrict bool
	FileIDs  []int64
}

// where appends the filter's conditions on the chunks table aliased c.
func (f Filter) where(b *strings.Builder, args []any) []any {
	if len(f.Kinds) > 0 {
		b.WriteString(` AND c.kind IN (` + inList(len(f.Kinds)) + `)`)
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	if len(f.Languages) > 0 {
		b.WriteString(` AND c.language IN (` + inList(len(f.Languages)) + `)`)
		for _, l := range f.Languages {
			args = append(args, l)
		}
	}
	if f.ExcludeTests {
		b.WriteString(` AND c.is_test = 0`)
	}
	if f.Restrict {
		ids, _ := json.Marshal(f.FileIDs)
		if len(f.FileIDs) == 0 {
			ids = []byte("[]")
		}
		b.WriteString(` AND c.file_id IN (SELECT value FROM json_each(?))`)
		args = append(args, string(ids))
	}
	return args
}

func (f Filter) any() bool {
	return len(f.Kinds) > 0 || len(f.Languages) > 0 || f.ExcludeTests || f.Restrict
}

// Candidates runs an FTS5 MATCH expression and returns the row ids of the
// best `limit` chunks by bm25 with the given column weights. match must be
// built from quoted tokens only (see internal/query): it is FTS5 syntax.
func (db *DB) Candidates(ctx context.Context, match string, w Weights, f Filter, limit int) ([]int64, error) {
	var b strings.Builder
	args := []any{}
	b.WriteString(`SELECT chunks_fts.rowid FROM chunks_fts`)
	if f.any() {
		b.WriteString(` JOIN chunks c ON c.id = chunks_fts.rowid`)
	}
	b.WriteString(` WHERE chunks_fts MATCH ?`)
	args = append(args, match)
	args = f.where(&b, args)
	fmt.Fprintf(&b, ` ORDER BY bm25(chunks_fts, %g, %g, %g, %g, %g) LIMIT %d`, w[0], w[1], w[2], w[3], w[4], limit)
	return db.ids(ctx, "search", b.String(), args)
}

// NameCandidates returns the row ids of the chunks whose names
// (qualified names) hold every one of tokens, at most limit, best first
// by bm25 over the name column: the chunks named like an identifier a
// question quotes. Tokens are the tokenizer's (letters and digits).
func (db *DB) NameCandidates(ctx context.Context, tokens []string, f Filter, limit int) ([]int64, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	var m strings.Builder
	m.WriteString("{name} : (")
	for i, t := range tokens {
		if i > 0 {
			m.WriteString(" AND ")
		}
		m.WriteString(`"` + strings.ReplaceAll(t, `"`, `""`) + `"`)
	}
	m.WriteString(")")
	return db.Candidates(ctx, m.String(), Weights{1, 0, 0, 0, 0}, f, limit)
}

// ids runs a query selecting one integer column.
func (db *DB) ids(ctx context.Context, what, query string, args []any) ([]int64, error) {
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	return ScanIDs(rows)
}

// Rows is what ScanIDs reads: database/sql's and pgx's result rows.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ScanIDs reads rows of one integer column (SQLite's and PostgreSQL's
// stores share it).
func ScanIDs(rows Rows) ([]int64, error) {
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ChunksByID returns the chunks with the given row ids, with their file
// paths, in no particular order.
func (db *DB) ChunksByID(ctx context.Context, ids []int64) ([]Chunk, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+ChunkColumns+`
		FROM chunks c JOIN files f ON f.id = c.file_id WHERE c.id IN (`+inList(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read chunks: %w", err)
	}
	defer rows.Close()
	return ScanChunks(rows, len(ids))
}

// ChunkColumns are the columns ScanChunks reads, in its order, from
// chunks c joined with files f (both stores' ChunksByID select them).
const ChunkColumns = `c.id, c.key, c.file_id, f.path, c.kind, c.name, c.qualified_name,
		c.signature, c.doc, c.start_line, c.end_line, c.content, c.language, c.body_terms, c.is_test`

// ScanChunks reads rows of ChunkColumns; n is a capacity hint.
func ScanChunks(rows Rows, n int) ([]Chunk, error) {
	out := make([]Chunk, 0, n)
	for rows.Next() {
		var c Chunk
		if err := rows.Scan(&c.ID, &c.Key, &c.FileID, &c.Path, &c.Kind, &c.Name, &c.QualifiedName,
			&c.Signature, &c.Doc, &c.StartLine, &c.EndLine, &c.Content, &c.Language, &c.BodyTerms, &c.IsTest); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DocFreq returns, for each token, the number of chunks that contain it
// (in any column), from the fts5vocab table.
func (db *DB) DocFreq(ctx context.Context, tokens []string) (map[string]int, error) {
	out := make(map[string]int, len(tokens))
	if len(tokens) == 0 {
		return out, nil
	}
	args := make([]any, len(tokens))
	for i, t := range tokens {
		args[i] = t
	}
	rows, err := db.db.QueryContext(ctx, `SELECT term, doc FROM chunks_vocab WHERE term IN (`+inList(len(tokens))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("document frequencies: %w", err)
	}
	defer rows.Close()
	if err := ScanCounts(rows, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ScanCounts reads rows of (text, count) into out.
func ScanCounts(rows Rows, out map[string]int) error {
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return err
		}
		out[t] = n
	}
	return rows.Err()
}

// CorpusStats are the collection statistics ranking needs.
type CorpusStats struct {
	Chunks       int
	AvgBodyTerms float64
	Generation   int64
}

// Corpus returns the collection statistics recorded by the last index run.
func (db *DB) Corpus(ctx context.Context) (CorpusStats, error) {
	var c CorpusStats
	rows, err := db.db.QueryContext(ctx, `SELECT key, value FROM meta WHERE key IN (?, ?, ?)`,
		MetaChunkCount, MetaAvgTerms, MetaGeneration)
	if err != nil {
		return c, fmt.Errorf("corpus stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return c, err
		}
		switch k {
		case MetaChunkCount:
			c.Chunks, _ = strconv.Atoi(v)
		case MetaAvgTerms:
			c.AvgBodyTerms, _ = strconv.ParseFloat(v, 64)
		case MetaGeneration:
			c.Generation, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return c, rows.Err()
}

// Access is a chunk's access history and the tokens of the queries that
// led to it.
type Access struct {
	History
	Context []string
}

// AccessHistories returns the access history of chunks by stable key.
func (db *DB) AccessHistories(ctx context.Context, keys []int64) (map[int64]Access, error) {
	out := map[int64]Access{}
	if len(keys) == 0 {
		return out, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	rows, err := db.db.QueryContext(ctx, `SELECT chunk_key, n, oldest, recent, context FROM chunk_access WHERE chunk_key IN (`+inList(len(keys))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("access history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, n, oldest int64
		var recent, context string
		if err := rows.Scan(&k, &n, &oldest, &recent, &context); err != nil {
			return nil, err
		}
		out[k] = Access{History: decodeHistory(n, oldest, recent), Context: strings.Fields(context)}
	}
	return out, rows.Err()
}

// FileHistories returns the git history of files by path.
func (db *DB) FileHistories(ctx context.Context, paths []string) (map[string]History, error) {
	out := map[string]History{}
	if len(paths) == 0 {
		return out, nil
	}
	args := make([]any, len(paths))
	for i, p := range paths {
		args[i] = p
	}
	rows, err := db.db.QueryContext(ctx, `SELECT path, n, oldest, recent FROM file_history WHERE path IN (`+inList(len(paths))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("file history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, recent string
		var n, oldest int64
		if err := rows.Scan(&p, &n, &oldest, &recent); err != nil {
			return nil, err
		}
		out[p] = decodeHistory(n, oldest, recent)
	}
	return out, rows.Err()
}

// Generation returns the index generation, bumped by every index run that
// changed something (cache keys include it).
func (db *DB) Generation(ctx context.Context) (int64, error) {
	v, err := db.Meta(ctx, MetaGeneration)
	if err != nil || v == "" {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// Stamp identifies what the index holds, for cache keys: the database's
// id and its generation. The generation alone repeats when a database is
// deleted and rebuilt (or moved aside by mem index --force) at the same
// path, and a cached result of the old one would be served for the new.
func (db *DB) Stamp(ctx context.Context) (string, error) {
	gen, err := db.Generation(ctx)
	if err != nil {
		return "", err
	}
	id, err := db.Meta(ctx, MetaID)
	if err != nil {
		return "", err
	}
	return id + "/" + strconv.FormatInt(gen, 10), nil
}

// maxTrigrams bounds the trigrams a substring search asks FTS5 for: the
// rarest few narrow the files to check about as well as all of them, and
// every common one costs a long doclist to intersect.
const maxTrigrams = 6

// MinSubstring is the shortest needle a substring search accepts: the
// trigram index cannot look up less.
const MinSubstring = 3

// Substring returns the ids of the chunks whose text contains needle
// (ASCII case folded unless caseSensitive), at most limit, in no
// particular order.
// It asks the trigram index for files holding the trigrams of needle and
// checks their chunks against the needle itself.
func (db *DB) Substring(ctx context.Context, needle string, caseSensitive bool, f Filter, limit int) ([]int64, error) {
	if len(needle) < MinSubstring {
		return nil, fmt.Errorf("substring search needs at least %d bytes", MinSubstring)
	}
	words, err := db.rarestTrigrams(ctx, needle)
	if err != nil || len(words) == 0 {
		return nil, err
	}
	var b strings.Builder
	args := []any{trigramMatch(words)}
	b.WriteString(`SELECT c.id FROM files_tri JOIN chunks c ON c.file_id = files_tri.rowid WHERE files_tri MATCH ?`)
	if caseSensitive {
		b.WriteString(` AND instr(c.content, ?) > 0`)
		args = append(args, needle)
	} else {
		b.WriteString(` AND instr(lower(c.content), ?) > 0`)
		args = append(args, asciiLower(needle))
	}
	args = f.where(&b, args)
	fmt.Fprintf(&b, ` LIMIT %d`, limit)
	return db.ids(ctx, "substring search", b.String(), args)
}

// rarestTrigrams returns the maxTrigrams trigram words of needle found in
// the fewest files, or none when one of them is in no file (then no file
// holds the needle).
func (db *DB) rarestTrigrams(ctx context.Context, needle string) ([]string, error) {
	words := needleTrigrams(needle)
	args := make([]any, len(words))
	for i, w := range words {
		args[i] = w
	}
	rows, err := db.db.QueryContext(ctx, `SELECT term, doc FROM files_tri_vocab WHERE term IN (`+inList(len(words))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("substring search: %w", err)
	}
	defer rows.Close()
	df := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		df[t] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(df) < len(words) {
		return nil, nil
	}
	sort.SliceStable(words, func(i, j int) bool { return df[words[i]] < df[words[j]] })
	return words[:min(len(words), maxTrigrams)], nil
}

// asciiLower folds ASCII letters only, as SQLite's lower() does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// FilePath is a file's id and path.
type FilePath struct {
	ID   int64
	Path string
}

// FilePaths lists every indexed file's id and path, in path order.
func (db *DB) FilePaths(ctx context.Context) ([]FilePath, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, path FROM files ORDER BY path`)
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	defer rows.Close()
	var out []FilePath
	for rows.Next() {
		var f FilePath
		if err := rows.Scan(&f.ID, &f.Path); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
