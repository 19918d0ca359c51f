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
// The score is one SQL expression per token (no subquery per row: that
// cost twice as much), over the row's tsvector detoasted once.
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
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	args := []any{p.id}
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var fs, score, anyq []string
	for i, t := range toks {
		// FTS5: idf = log((N - n + 0.5) / (n + 0.5)), at least 1e-6.
		idf := math.Log((float64(n) - float64(df[t]) + 0.5) / (float64(df[t]) + 0.5))
		if idf <= 0 {
			idf = 1e-6
		}
		q := quoteLexeme(t)
		qt, qa, qb, qc, qd := param(q), param(q+":A"), param(q+":B"), param(q+":C"), param(q+":D")
		anyq = append(anyq, q)
		// The weighted hits of the token: name and signature (A, told
		// apart by name_v and sig_v), doc (B), path (C), body (D).
		fs = append(fs, fmt.Sprintf(`CASE WHEN t.v @@ %[1]s::tsquery THEN
			(CASE WHEN t.v @@ %[2]s::tsquery THEN %[6]s * (c.name_v @@ %[1]s::tsquery)::int + %[7]s * (c.sig_v @@ %[1]s::tsquery)::int ELSE 0 END)
			+ %[8]s * (t.v @@ %[3]s::tsquery)::int + %[9]s * (t.v @@ %[4]s::tsquery)::int + %[10]s * (t.v @@ %[5]s::tsquery)::int
			ELSE 0 END AS f%[11]d`, qt, qa, qb, qc, qd, num(w[0]), num(w[1]), num(w[2]), num(w[3]), num(w[4]), i))
		score = append(score, fmt.Sprintf(`%[1]s * x.f%[2]d * %[3]s / (x.f%[2]d + %[4]s * (1 - %[5]s + %[5]s * c.ntokens / %[6]s))`,
			num(idf), i, num(bm25K1+1), num(bm25K1), num(bm25B), num(avgdl)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `SELECT c.id FROM chunks c
	CROSS JOIN LATERAL (SELECT c.tsv || ''::tsvector AS v OFFSET 0) t
	CROSS JOIN LATERAL (SELECT %s) x
	WHERE c.project_id = $1 AND c.tsv @@ %s::tsquery`, strings.Join(fs, ",\n"), param(strings.Join(anyq, " | ")))
	args = filter(f, &b, args)
	fmt.Fprintf(&b, `
	ORDER BY %s DESC, c.id
	LIMIT %d`, strings.Join(score, " + "), limit)
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
