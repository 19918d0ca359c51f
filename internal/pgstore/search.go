package pgstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/aurora-dev/aur/internal/store"
)

// FTS5's bm25 constants (sqlite3 fts5_aux.c).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// ParseMatch splits an FTS5 MATCH expression of the form the query
// engine builds — quoted tokens joined by OR — into its tokens.
func ParseMatch(match string) ([]string, error) {
	var toks []string
	s := strings.TrimSpace(match)
	for s != "" {
		if s[0] != '"' {
			return nil, fmt.Errorf("match expression %q: want quoted tokens joined by OR", match)
		}
		var b strings.Builder
		i := 1
		for ; i < len(s); i++ {
			if s[i] == '"' {
				if i+1 < len(s) && s[i+1] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				break
			}
			b.WriteByte(s[i])
		}
		if i >= len(s) {
			return nil, fmt.Errorf("match expression %q: unterminated quote", match)
		}
		toks = append(toks, b.String())
		s = strings.TrimSpace(s[i+1:])
		if s == "" {
			break
		}
		rest, ok := strings.CutPrefix(s, "OR ")
		if !ok {
			return nil, fmt.Errorf("match expression %q: want OR between tokens", match)
		}
		s = strings.TrimSpace(rest)
	}
	return toks, nil
}

// quoteLexeme quotes a token for tsvector and tsquery input.
func quoteLexeme(t string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(t) + "'"
}

// filter appends the conditions of f on chunks aliased c.
func filter(f store.Filter, b *strings.Builder, args []any) []any {
	if len(f.Kinds) > 0 {
		args = append(args, f.Kinds)
		fmt.Fprintf(b, ` AND c.kind = ANY($%d)`, len(args))
	}
	if len(f.Languages) > 0 {
		args = append(args, f.Languages)
		fmt.Fprintf(b, ` AND c.language = ANY($%d)`, len(args))
	}
	if f.ExcludeTests {
		b.WriteString(` AND NOT c.is_test`)
	}
	if f.Restrict {
		ids := f.FileIDs
		if ids == nil {
			ids = []int64{}
		}
		args = append(args, ids)
		fmt.Fprintf(b, ` AND c.file_id = ANY($%d)`, len(args))
	}
	return args
}

// Candidates returns the ids of the best limit chunks matching any
// token of match (an FTS5 expression, see ParseMatch) by FTS5's bm25
// with the column weights w, computed the way SQLite computes it: the
// same idf (from the project's document frequencies and chunk count),
// the same per-row token count and average, the same weighted column
// hits. So both backends hand the engine the same candidates.
//
// A token's weighted hits in a chunk come from two GIN lookups: the
// chunks whose tsv holds it (hits), and those whose head_v (name,
// signature, doc, path) does (head). A hit outside head holds the token
// in its body only; the few in head are looked at row by row. No other
// chunk's vectors are read.
func (p *Project) Candidates(ctx context.Context, match string, w store.Weights, f store.Filter, limit int) ([]int64, error) {
	toks, err := ParseMatch(match)
	if err != nil || len(toks) == 0 {
		return nil, err
	}
	var n, total int64
	if err := p.q.QueryRow(ctx, `SELECT chunk_count, total_tokens FROM projects WHERE id = $1`, p.id).Scan(&n, &total); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	df, err := p.DocFreq(ctx, toks)
	if err != nil {
		return nil, err
	}
	avgdl := 1.0
	if n > 0 {
		avgdl = float64(total) / float64(n)
	}
	quoted := make([]string, len(toks))
	idfs := make([]float64, len(toks))
	for i, t := range toks {
		quoted[i] = quoteLexeme(t)
		// FTS5: idf = log((N - n + 0.5) / (n + 0.5)), at least 1e-6.
		idfs[i] = math.Log((float64(n) - float64(df[t]) + 0.5) / (float64(df[t]) + 0.5))
		if idfs[i] <= 0 {
			idfs[i] = 1e-6
		}
	}
	args := []any{p.id, quoted, idfs, w[0], w[1], w[2], w[3], w[4], avgdl}
	var b strings.Builder
	b.WriteString(`WITH q AS MATERIALIZED (
		SELECT u.i, u.idf, u.t::tsquery AS q, (u.t || ':A')::tsquery AS qa, (u.t || ':B')::tsquery AS qb,
			(u.t || ':C')::tsquery AS qc, (u.t || ':D')::tsquery AS qd
		FROM unnest($2::text[], $3::float8[]) WITH ORDINALITY AS u(t, idf, i)),
	hits AS (
		SELECT q.i, c.id, c.ntokens FROM q CROSS JOIN LATERAL (
			SELECT c.id, c.ntokens FROM chunks c WHERE c.project_id = $1 AND c.tsv @@ q.q`)
	args = filter(f, &b, args)
	fmt.Fprintf(&b, `) c),
	head AS MATERIALIZED (
		SELECT q.i, c.id,
			$4::float8 * (c.head_v @@ q.qa)::int + $5::float8 * (c.head_v @@ q.qb)::int +
			$6::float8 * (c.head_v @@ q.qc)::int + $7::float8 * (c.head_v @@ q.qd)::int +
			$8::float8 * (c.tsv @@ q.qd)::int AS f
		FROM q CROSS JOIN LATERAL (
			SELECT c.id, c.head_v, c.tsv FROM chunks c WHERE c.project_id = $1 AND c.head_v @@ q.q) c)
	SELECT h.id FROM hits h JOIN q ON q.i = h.i LEFT JOIN head ON head.i = h.i AND head.id = h.id
	GROUP BY h.id, h.ntokens
	ORDER BY sum(q.idf * coalesce(head.f, $8::float8) * %[1]s /
		(coalesce(head.f, $8::float8) + %[2]s * (1 - %[3]s + %[3]s * h.ntokens / $9::float8))) DESC, h.id
	LIMIT %[4]d`, num(bm25K1+1), num(bm25K1), num(bm25B), limit)
	return p.ids(ctx, "search", b.String(), args)
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func (p *Project) ids(ctx context.Context, what, sql string, args []any) ([]int64, error) {
	rows, err := p.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	return store.ScanIDs(rows)
}

// likePattern is %needle% with LIKE's metacharacters escaped.
func likePattern(needle string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(needle) + "%"
}

// NameCandidates returns the ids of the chunks whose names hold every
// one of tokens (head_v's weight-A lexemes), at most limit, in id order:
// SQLite's NameCandidates. The engine takes them only when there are no
// more than it asks for, so the two stores' orders never matter.
func (p *Project) NameCandidates(ctx context.Context, tokens []string, f store.Filter, limit int) ([]int64, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	q := make([]string, len(tokens))
	for i, t := range tokens {
		q[i] = quoteLexeme(t) + ":A"
	}
	var b strings.Builder
	args := []any{p.id, strings.Join(q, " & ")}
	b.WriteString(`SELECT c.id FROM chunks c WHERE c.project_id = $1 AND c.head_v @@ $2::tsquery`)
	args = filter(f, &b, args)
	fmt.Fprintf(&b, ` ORDER BY c.id LIMIT %d`, limit)
	return p.ids(ctx, "name search", b.String(), args)
}

// Substring returns the ids of the chunks whose text contains needle
// (ASCII case folded unless caseSensitive), at most limit, in id order.
// The trigram index on chunks.content narrows the rows; strpos checks
// them exactly, with SQLite's ASCII-only case folding.
func (p *Project) Substring(ctx context.Context, needle string, caseSensitive bool, f store.Filter, limit int) ([]int64, error) {
	if len(needle) < store.MinSubstring {
		return nil, fmt.Errorf("substring search needs at least %d bytes", store.MinSubstring)
	}
	if strings.IndexByte(needle, 0) >= 0 {
		return nil, errors.New("substring search: the needle holds a NUL byte")
	}
	var b strings.Builder
	args := []any{p.id, likePattern(needle)}
	if caseSensitive {
		b.WriteString(`SELECT c.id FROM chunks c WHERE c.project_id = $1 AND c.content LIKE $2`)
	} else {
		args = append(args, store.AsciiLower(needle))
		b.WriteString(`SELECT c.id FROM chunks c WHERE c.project_id = $1 AND c.content ILIKE $2
			AND strpos(translate(c.content, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), $3) > 0`)
	}
	args = filter(f, &b, args)
	fmt.Fprintf(&b, ` ORDER BY c.id LIMIT %d`, limit)
	return p.ids(ctx, "substring search", b.String(), args)
}
