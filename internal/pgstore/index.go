package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/aurora-dev/aur/internal/store"
)

// Indexer is one index run of a project: a transaction holding the
// project's advisory lock. It has the methods internal/index needs of a
// store. Commit publishes the run (the new generation); Rollback, or a
// failure, leaves the previous generation.
type Indexer struct {
	p  *Project
	tx pgx.Tx
	// df are the changes to the project's document frequencies, applied
	// by FinishIndex.
	df map[string]int
	// changed counts the chunks written and deleted, for Commit.
	changed int
}

// analyzeAfter is how many chunks a run must write or delete for Commit
// to refresh the planner's statistics at once: a bulk load read with
// stale ones (before autovacuum gets to it) plans GIN lookups badly, and
// on GOROOT/src the slowest questions took four times as long until
// then.
const analyzeAfter = 2000

// BeginIndex starts an index run of the project. It waits for a run of
// the same project that holds the lock (calling waiting first, if set)
// until ctx ends.
func (p *Project) BeginIndex(ctx context.Context, waiting func()) (*Indexer, error) {
	tx, err := p.db.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin index run: %w", err)
	}
	var got bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1, $2::int)`, lockNamespace, p.id).Scan(&got); err != nil {
		tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
		return nil, fmt.Errorf("project lock: %w", err)
	}
	if !got {
		if waiting != nil {
			waiting()
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2::int)`, lockNamespace, p.id); err != nil {
			tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
			if ctx.Err() != nil {
				return nil, fmt.Errorf("waiting for another index run of project %q: %w", p.name, ctx.Err())
			}
			return nil, fmt.Errorf("project lock: %w", err)
		}
	}
	s := *p
	s.q = tx
	return &Indexer{p: &s, tx: tx, df: map[string]int{}}, nil
}

// Commit publishes the run, then, after a large one, refreshes the
// planner's statistics of the tables it changed (best effort: the role
// may not own them; autovacuum does it later anyway).
func (ix *Indexer) Commit(ctx context.Context) error {
	if err := ix.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit index run: %w", err)
	}
	if ix.changed >= analyzeAfter {
		ix.p.db.pool.Exec(ctx, `ANALYZE chunks, terms, files`) //nolint:errcheck
	}
	return nil
}

// Rollback abandons the run; after Commit it does nothing.
func (ix *Indexer) Rollback(ctx context.Context) error {
	err := ix.tx.Rollback(context.WithoutCancel(ctx))
	if errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return err
}

// Project returns the project read inside the run (it sees the run's
// own writes).
func (ix *Indexer) Project() *Project { return ix.p }

// Meta returns a project fact, as the run sees it.
func (ix *Indexer) Meta(ctx context.Context, key string) (string, error) {
	return ix.p.Meta(ctx, key)
}

// SetMeta sets a project fact.
func (ix *Indexer) SetMeta(ctx context.Context, key, value string) error {
	var err error
	switch key {
	case store.MetaRoot:
		_, err = ix.tx.Exec(ctx, `UPDATE projects SET root = $2 WHERE id = $1`, ix.p.id, value)
	case store.MetaGeneration, store.MetaChunkCount, store.MetaAvgTerms, store.MetaID, store.MetaLastIndex:
		err = fmt.Errorf("%s is kept by FinishIndex", key)
	default:
		_, err = ix.tx.Exec(ctx, `INSERT INTO project_meta(project_id, key, value) VALUES ($1, $2, $3)
			ON CONFLICT (project_id, key) DO UPDATE SET value = excluded.value`, ix.p.id, key, value)
	}
	return err
}

const fileColumns = `id, path, hash, size, mtime_ns, language, indexed_at, status, message`

func (ix *Indexer) files(ctx context.Context, cond string, args ...any) (map[string]store.File, error) {
	rows, err := ix.tx.Query(ctx, `SELECT `+fileColumns+` FROM files WHERE project_id = $1`+cond,
		append([]any{ix.p.id}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list files: %w", err)
	}
	defer rows.Close()
	out := map[string]store.File{}
	for rows.Next() {
		var f store.File
		if err := rows.Scan(&f.ID, &f.Path, &f.Hash, &f.Size, &f.MtimeNS, &f.Language, &f.IndexedAt, &f.Status, &f.Message); err != nil {
			return nil, err
		}
		out[f.Path] = f
	}
	return out, rows.Err()
}

// FilesUnder returns the indexed files under dir ("" for all).
func (ix *Indexer) FilesUnder(ctx context.Context, dir string) (map[string]store.File, error) {
	if dir == "" {
		return ix.files(ctx, "")
	}
	return ix.files(ctx, ` AND path >= $2 AND path < $3`, dir+"/", dir+"0")
}

// FilesAt returns the indexed files among paths.
func (ix *Indexer) FilesAt(ctx context.Context, paths []string) (map[string]store.File, error) {
	if len(paths) == 0 {
		return map[string]store.File{}, nil
	}
	return ix.files(ctx, ` AND path = ANY($2)`, paths)
}

// StartRun records the start of the run.
func (ix *Indexer) StartRun(ctx context.Context, path string, now time.Time) (int64, error) {
	var id int64
	err := ix.tx.QueryRow(ctx, `INSERT INTO index_runs(project_id, path, started_at) VALUES ($1, $2, $3) RETURNING id`,
		ix.p.id, path, now.UnixMilli()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record index run: %w", err)
	}
	return id, nil
}

// EndRun records the end of the run.
func (ix *Indexer) EndRun(ctx context.Context, id int64, status, summary string, now time.Time) error {
	_, err := ix.tx.Exec(ctx, `UPDATE index_runs SET finished_at = $2, status = $3, summary = $4 WHERE id = $1`,
		id, now.UnixMilli(), status, summary)
	if err != nil {
		return fmt.Errorf("record index run: %w", err)
	}
	return nil
}

// dropFiles deletes files (and their chunks), taking their chunks'
// tokens off the document frequencies; withAccess also forgets their
// chunks' access histories (a file gone, not replaced).
func (ix *Indexer) dropFiles(ctx context.Context, paths []string, withAccess bool) error {
	if len(paths) == 0 {
		return nil
	}
	rows, err := ix.tx.Query(ctx, `SELECT t, count(*) FROM chunks c JOIN files f ON f.id = c.file_id,
		unnest(tsvector_to_array(c.tsv)) AS t
		WHERE f.project_id = $1 AND f.path = ANY($2) GROUP BY t`, ix.p.id, paths)
	if err != nil {
		return err
	}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return err
		}
		ix.df[t] -= n
	}
	ix.changed += len(paths) // at least a chunk a file, about
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if withAccess {
		if _, err := ix.tx.Exec(ctx, `DELETE FROM chunk_access a USING chunks c, files f
			WHERE a.project_id = $1 AND c.project_id = $1 AND a.chunk_key = c.key AND f.id = c.file_id AND f.path = ANY($2)`,
			ix.p.id, paths); err != nil {
			return err
		}
	}
	_, err = ix.tx.Exec(ctx, `DELETE FROM files WHERE project_id = $1 AND path = ANY($2)`, ix.p.id, paths)
	return err
}

// DeleteFiles deletes files and their chunks.
func (ix *Indexer) DeleteFiles(ctx context.Context, paths []string) error {
	if err := ix.dropFiles(ctx, paths, true); err != nil {
		return fmt.Errorf("delete files: %w", err)
	}
	return nil
}

// clean makes s storable as PostgreSQL text, which holds neither NUL
// bytes nor invalid UTF-8: both become U+FFFD.
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// weighted builds a tsvector literal of columns of space-separated
// tokens: the tokens of column i at position i+1 with weight weights[i]
// ("" is D). It returns the literal and the distinct tokens, in order.
func weighted(cols []string, weights []string) (string, int, []string) {
	pos := map[string][]byte{}
	var order []string
	ntokens := 0
	for i, c := range cols {
		for _, tok := range strings.Fields(c) {
			ntokens++
			ps, ok := pos[tok]
			if !ok {
				order = append(order, tok)
			}
			if len(ps) > 0 && ps[len(ps)-1] == byte('1'+i) {
				continue
			}
			pos[tok] = append(ps, byte('1'+i))
		}
	}
	var b strings.Builder
	for _, tok := range order {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(clean(tok)))
		b.WriteByte(':')
		for j, p := range pos[tok] {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteByte(p)
			b.WriteString(weights[p-'1'])
		}
	}
	return b.String(), ntokens, order
}

// vectors builds a chunk's tsvectors from its column terms (the
// space-separated tokens SQLite puts in chunks_fts): tsv, with a position
// per column (1 name, 2 signature, 3 doc, 4 path, 5 body) weighted A, A,
// B, C, D, and head_v, the four short columns weighted A, B, C, D apart
// (see migrations/0003_head_vector.sql). It returns them with the row's
// token count over all columns and its distinct tokens.
func vectors(t *store.Terms) (headV, tsv string, ntokens int, distinct []string) {
	tsv, ntokens, distinct = weighted([]string{t.Name, t.Signature, t.Doc, t.Path, t.Body}, []string{"A", "A", "B", "C", ""})
	headV, _, _ = weighted([]string{t.Name, t.Signature, t.Doc, t.Path}, []string{"A", "B", "C", "D"})
	return headV, tsv, ntokens, distinct
}

// ApplyBatch writes a batch of file updates.
func (ix *Indexer) ApplyBatch(ctx context.Context, ups []store.FileUpdate) error {
	if err := ix.applyBatch(ctx, ups); err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	return nil
}

func (ix *Indexer) applyBatch(ctx context.Context, ups []store.FileUpdate) error {
	var gone, replaced []string
	var touchPaths []string
	var touchSize, touchMtime []int64
	var ins []*store.FileUpdate
	for i := range ups {
		u := &ups[i]
		switch {
		case u.Delete:
			gone = append(gone, u.File.Path)
		case u.MetadataOnly:
			touchPaths = append(touchPaths, u.File.Path)
			touchSize = append(touchSize, u.File.Size)
			touchMtime = append(touchMtime, u.File.MtimeNS)
		default:
			replaced = append(replaced, clean(u.File.Path))
			ins = append(ins, u)
		}
	}
	if err := ix.dropFiles(ctx, gone, true); err != nil {
		return err
	}
	if err := ix.dropFiles(ctx, replaced, false); err != nil {
		return err
	}
	if len(touchPaths) > 0 {
		if _, err := ix.tx.Exec(ctx, `UPDATE files f SET size = u.size, mtime_ns = u.mtime
			FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS u(path, size, mtime)
			WHERE f.project_id = $1 AND f.path = u.path`, ix.p.id, touchPaths, touchSize, touchMtime); err != nil {
			return err
		}
	}
	if len(ins) == 0 {
		return nil
	}
	n := len(ins)
	paths, hashes, langs, statuses, msgs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	sizes, mtimes, at := make([]int64, n), make([]int64, n), make([]int64, n)
	for i, u := range ins {
		f := &u.File
		paths[i], hashes[i], langs[i], msgs[i] = clean(f.Path), f.Hash, f.Language, clean(f.Message)
		statuses[i] = f.Status
		if statuses[i] == "" {
			statuses[i] = "ok"
		}
		sizes[i], mtimes[i], at[i] = f.Size, f.MtimeNS, f.IndexedAt
	}
	rows, err := ix.tx.Query(ctx, `INSERT INTO files(project_id, path, hash, size, mtime_ns, language, indexed_at, status, message)
		SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::bigint[], $8::text[], $9::text[])
		RETURNING id, path`, ix.p.id, paths, hashes, sizes, mtimes, langs, at, statuses, msgs)
	if err != nil {
		return err
	}
	fileID := map[string]int64{}
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			rows.Close()
			return err
		}
		fileID[p] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var (
		keys, fids                                         []int64
		kinds, names, qnames, sigs, docs, contents, clangs []string
		starts, ends, bodyTerms, ntoks                     []int32
		tests                                              []bool
		headVs, tsvs                                       []string
	)
	for _, u := range ins {
		fid := fileID[clean(u.File.Path)]
		u.File.ID = fid
		for i := range u.Chunks {
			c := &u.Chunks[i]
			hv, tv, nt, distinct := vectors(&c.Terms)
			for _, t := range distinct {
				ix.df[clean(t)]++
			}
			keys = append(keys, c.Key)
			fids = append(fids, fid)
			kinds = append(kinds, c.Kind)
			names = append(names, clean(c.Name))
			qnames = append(qnames, clean(c.QualifiedName))
			sigs = append(sigs, clean(c.Signature))
			docs = append(docs, clean(c.Doc))
			contents = append(contents, clean(c.Content))
			clangs = append(clangs, c.Language)
			starts = append(starts, int32(c.StartLine))
			ends = append(ends, int32(c.EndLine))
			bodyTerms = append(bodyTerms, int32(c.BodyTerms))
			ntoks = append(ntoks, int32(nt))
			tests = append(tests, c.IsTest)
			headVs = append(headVs, hv)
			tsvs = append(tsvs, tv)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	ix.changed += len(keys)
	_, err = ix.tx.Exec(ctx, `INSERT INTO chunks(project_id, key, file_id, kind, name, qualified_name, signature, doc,
		start_line, end_line, content, language, body_terms, is_test, ntokens, head_v, tsv)
		SELECT $1, u.key, u.fid, u.kind, u.name, u.qname, u.sig, u.doc, u.s, u.e, u.content, u.lang, u.bt, u.test, u.nt,
			u.hv::tsvector, u.tv::tsvector
		FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
			$9::int[], $10::int[], $11::text[], $12::text[], $13::int[], $14::bool[], $15::int[],
			$16::text[], $17::text[])
			AS u(key, fid, kind, name, qname, sig, doc, s, e, content, lang, bt, test, nt, hv, tv)`,
		ix.p.id, keys, fids, kinds, names, qnames, sigs, docs, starts, ends, contents, clangs, bodyTerms, tests, ntoks,
		headVs, tsvs)
	return err
}

// ReplaceSkipped replaces the skipped files under dir ("" for all).
func (ix *Indexer) ReplaceSkipped(ctx context.Context, dir string, skipped []store.Skipped) error {
	var err error
	if dir == "" {
		_, err = ix.tx.Exec(ctx, `DELETE FROM skipped_files WHERE project_id = $1`, ix.p.id)
	} else {
		_, err = ix.tx.Exec(ctx, `DELETE FROM skipped_files WHERE project_id = $1 AND path >= $2 AND path < $3`,
			ix.p.id, dir+"/", dir+"0")
	}
	if err != nil {
		return fmt.Errorf("record skipped files: %w", err)
	}
	if len(skipped) == 0 {
		return nil
	}
	paths, reasons, details := make([]string, len(skipped)), make([]string, len(skipped)), make([]string, len(skipped))
	for i, s := range skipped {
		paths[i], reasons[i], details[i] = clean(s.Path), s.Reason, clean(s.Detail)
	}
	if _, err := ix.tx.Exec(ctx, `INSERT INTO skipped_files(project_id, path, reason, detail)
		SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
		ON CONFLICT (project_id, path) DO UPDATE SET reason = excluded.reason, detail = excluded.detail`,
		ix.p.id, paths, reasons, details); err != nil {
		return fmt.Errorf("record skipped files: %w", err)
	}
	return nil
}

// ReplaceFileHistory replaces the git history of the project's files,
// read at commit head.
func (ix *Indexer) ReplaceFileHistory(ctx context.Context, hist map[string]*store.History, head string) error {
	if _, err := ix.tx.Exec(ctx, `DELETE FROM file_history WHERE project_id = $1`, ix.p.id); err != nil {
		return fmt.Errorf("record file history: %w", err)
	}
	var paths, recent []string
	var ns, oldest []int64
	for p, h := range hist {
		paths = append(paths, clean(p))
		ns = append(ns, h.N)
		oldest = append(oldest, h.Oldest)
		recent = append(recent, h.Encode())
	}
	if len(paths) > 0 {
		if _, err := ix.tx.Exec(ctx, `INSERT INTO file_history(project_id, path, n, oldest, recent)
			SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[])
			ON CONFLICT (project_id, path) DO NOTHING`, ix.p.id, paths, ns, oldest, recent); err != nil {
			return fmt.Errorf("record file history: %w", err)
		}
	}
	return ix.SetMeta(ctx, store.MetaGitHead, head)
}

// HistoryFiles returns the number of files with git history.
func (ix *Indexer) HistoryFiles(ctx context.Context) (int, error) {
	var n int
	if err := ix.tx.QueryRow(ctx, `SELECT count(*) FROM file_history WHERE project_id = $1`, ix.p.id).Scan(&n); err != nil {
		return 0, fmt.Errorf("count file history: %w", err)
	}
	return n, nil
}

// FinishIndex applies the run's document-frequency changes, records the
// corpus statistics and root, and bumps the generation if changed.
// Everything becomes visible at Commit.
func (ix *Indexer) FinishIndex(ctx context.Context, root string, changed bool, now time.Time) (*store.Totals, error) {
	if err := ix.finish(ctx, root, changed, now); err != nil {
		return nil, fmt.Errorf("finish index: %w", err)
	}
	var t store.Totals
	var chunks int64
	if err := ix.tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM files WHERE project_id = $1), chunk_count, generation
		FROM projects WHERE id = $1`, ix.p.id).Scan(&t.Files, &chunks, &t.Generation); err != nil {
		return nil, fmt.Errorf("finish index: %w", err)
	}
	t.Chunks = int(chunks)
	return &t, nil
}

func (ix *Indexer) finish(ctx context.Context, root string, changed bool, now time.Time) error {
	if len(ix.df) > 0 {
		terms := make([]string, 0, len(ix.df))
		for t, d := range ix.df {
			if d != 0 {
				terms = append(terms, t)
			}
		}
		sort.Strings(terms)
		deltas := make([]int32, len(terms))
		for i, t := range terms {
			deltas[i] = int32(ix.df[t])
		}
		if _, err := ix.tx.Exec(ctx, `INSERT INTO terms(project_id, term, df)
			SELECT $1, * FROM unnest($2::text[], $3::int[])
			ON CONFLICT (project_id, term) DO UPDATE SET df = terms.df + excluded.df`, ix.p.id, terms, deltas); err != nil {
			return err
		}
		if _, err := ix.tx.Exec(ctx, `DELETE FROM terms WHERE project_id = $1 AND df <= 0`, ix.p.id); err != nil {
			return err
		}
		ix.df = map[string]int{}
	}
	var chunks, tokens int64
	var avg float64
	if err := ix.tx.QueryRow(ctx, `SELECT count(*), coalesce(sum(ntokens), 0), coalesce(avg(body_terms), 0)::float8
		FROM chunks WHERE project_id = $1`, ix.p.id).Scan(&chunks, &tokens, &avg); err != nil {
		return err
	}
	bump := 0
	if changed {
		bump = 1
	}
	_, err := ix.tx.Exec(ctx, `UPDATE projects SET root = $2, generation = generation + $3, chunk_count = $4,
		total_tokens = $5, avg_body_terms = $6, last_index = $7 WHERE id = $1`,
		ix.p.id, root, bump, chunks, tokens, strconv.FormatFloat(avg, 'f', 2, 64), now.UnixMilli())
	return err
}
