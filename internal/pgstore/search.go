package pgstore

import (
	"context"
	"errors"
	"fmt"
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
func (p *Project) Candidates(ctx context.Context, match string, w store.Weights, f store.Filter, limit int) ([]int64, error) {
	toks, err := ParseMatch(match)
	if err != nil || len(toks) == 0 {
		return nil, err
	}
	// Each token's tsquery for the name and signature vectors (no
	// weight), and the weighted ones for doc (B), path (C), body (D).
	qa := make([]string, len(toks))
	qb := make([]string, len(toks))
	qc := make([]string, len(toks))
	qd := make([]string, len(toks))
	orq := make([]string, len(toks))
	for i, t := range toks {
		q := quoteLexeme(t)
		qa[i], qb[i], qc[i], qd[i], orq[i] = q, q+":B", q+":C", q+":D", q
	}
	var b strings.Builder
	args := []any{p.id, toks, qa, qb, qc, qd, strings.Join(orq, " | "), w[0], w[1], w[2], w[3], w[4]}
	fmt.Fprintf(&b, `WITH p AS (
		SELECT chunk_count::float8 AS n,
			CASE WHEN chunk_count = 0 THEN 1 ELSE total_tokens::float8 / chunk_count END AS avgdl
		FROM projects WHERE id = $1),
	q AS MATERIALIZED (
		SELECT u.qa::tsquery AS qa, u.qb::tsquery AS qb, u.qc::tsquery AS qc, u.qd::tsquery AS qd,
			greatest(ln((p.n - coalesce(d.df, 0) + 0.5) / (coalesce(d.df, 0) + 0.5)), 1e-6) AS idf
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(t, qa, qb, qc, qd)
		CROSS JOIN p
		LEFT JOIN terms d ON d.project_id = $1 AND d.term = u.t)
	SELECT c.id FROM chunks c CROSS JOIN p
	WHERE c.project_id = $1 AND c.tsv @@ $7::text::tsquery`)
	args = filter(f, &b, args)
	fmt.Fprintf(&b, `
	ORDER BY (SELECT sum(q.idf * x.f * %[1]g / (x.f + %[2]g * (1 - %[3]g + %[3]g * c.ntokens / p.avgdl)))
		FROM q CROSS JOIN LATERAL (SELECT
			$8::float8 * (c.name_v @@ q.qa)::int + $9::float8 * (c.sig_v @@ q.qa)::int +
			$10::float8 * (c.tsv @@ q.qb)::int + $11::float8 * (c.tsv @@ q.qc)::int +
			$12::float8 * (c.tsv @@ q.qd)::int AS f) x) DESC, c.id
	LIMIT %[4]d`, bm25K1+1, bm25K1, bm25B, limit)
	return p.ids(ctx, "search", b.String(), args)
}

func (p *Project) ids(ctx context.Context, what, sql string, args []any) ([]int64, error) {
	rows, err := p.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
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

// likePattern is %needle% with LIKE's metacharacters escaped.
func likePattern(needle string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(needle) + "%"
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
