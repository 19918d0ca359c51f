package query

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/evaluate"
	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The ranking fixture: a small multi-language project, the questions a
// developer would ask of it with the chunk that answers each, and the
// ranks aur gives them.
const (
	rankDir    = "../../testdata/rank"
	rankCorpus = rankDir + "/corpus"
	rankQuery  = rankDir + "/queries.jsonl"
	rankGolden = rankDir + "/rank_stats.txt"
)

// TestRankStats indexes the fixture corpus into a fresh database, runs every
// query of queries.jsonl the way aur mem search does (Validate, then Search
// with the default ranking, limit 10 and the default threshold), scores the
// results with the rules of shared/eval/score.py and compares the outcome
// with rank_stats.txt. Any change in ranking, for better or worse, shows up
// as a diff of that file; regenerate it with
//
//	go test ./internal/query -run TestRankStats -update
//
// and let the reviewer read the diff.
//
// The run is deterministic: the database is new (no accesses, no git
// history, so activation is 0 and final = lexical), the clock is fixed, and
// the index is written by one worker so that chunk row ids, which break
// bm25 ties at FTS5's candidate cut-off, do not depend on goroutine
// scheduling.
func TestRankStats(t *testing.T) {
	ctx := context.Background()
	data, err := os.ReadFile(rankQuery)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := evaluate.LoadQueries(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", rankQuery, err)
	}
	if len(qs) == 0 {
		t.Fatalf("%s holds no queries", rankQuery)
	}
	styles, err := queryStyles(data)
	if err != nil {
		t.Fatalf("%s: %v", rankQuery, err)
	}
	if len(styles) != len(qs) {
		t.Fatalf("%s: %d styles for %d queries", rankQuery, len(styles), len(qs))
	}
	for i, q := range qs {
		if styles[i].ID != q.ID {
			t.Fatalf("%s: query %d has id %q, want %q", rankQuery, i+1, styles[i].ID, q.ID)
		}
	}

	root, err := filepath.Abs(rankCorpus)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rank.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	sum, err := index.Run(ctx, db, index.Options{
		Root:    root,
		Path:    root,
		NoGit:   true,
		Workers: 1,
		Now:     func() time.Time { return now },
		Log:     zerolog.Nop(),
	})
	if err != nil {
		t.Fatalf("index %s: %v", root, err)
	}
	if sum.TotalChunks == 0 || len(sum.Problems) > 0 {
		t.Fatalf("index %s: %d chunks, problems %v", root, sum.TotalChunks, sum.Problems)
	}
	checkTargets(t, db, qs)

	e := NewEngine(db)
	results := make([]evaluate.QueryResult, 0, len(qs))
	empty := 0
	for _, q := range qs {
		vq, err := Validate(q.Query, 0)
		if err != nil {
			t.Fatalf("query %s: %v", q.ID, err)
		}
		r, err := e.Search(ctx, vq, Options{Limit: 10, Threshold: DefaultThreshold, Ranking: DefaultRanking, Now: now})
		if err != nil {
			t.Fatalf("query %s: %v", q.ID, err)
		}
		hits := make([]evaluate.Hit, len(r.Results))
		for i, x := range r.Results {
			hits[i] = evaluate.Hit{File: x.Path, StartLine: x.StartLine, EndLine: x.EndLine, Name: x.QualifiedName}
		}
		if len(hits) == 0 {
			empty++
		}
		s, f := evaluate.Ranks(hits, q)
		results = append(results, evaluate.QueryResult{ID: q.ID, Query: q.Query, SymbolRank: s, FileRank: f,
			Tier: string(grade(r, quality.DefaultThresholds).Tier)})
	}
	got := renderRankStats(evaluate.Summarize(results, empty), styles)

	if *update {
		if err := os.WriteFile(rankGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(rankGolden)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	// Lines, not one string, so that a failure shows whole rows.
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); diff != "" {
		t.Errorf("ranking on %s changed (-want +got):\n%s\nIf the change is intended, regenerate with\n\tgo test ./internal/query -run TestRankStats -update", rankDir, diff)
	}
}

// grade is the tier aur mem search would report.
func grade(r *Retrieval, th quality.Thresholds) quality.Grade { return r.Grade(th) }

// queryStyle is the fixture's own field of a queries.jsonl line (the shared
// format ignores it): how the question is phrased.
type queryStyle struct {
	ID    string `json:"id"`
	Style string `json:"style"`
}

// queryStyles returns the style of every query, in file order.
func queryStyles(data []byte) ([]queryStyle, error) {
	var out []queryStyle
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var s queryStyle
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if s.Style == "" {
			return nil, fmt.Errorf("line %d: query %s has no style", n, s.ID)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

// checkTargets fails the test for a query whose target is not a chunk of
// the index with exactly its name and lines: after a chunker change the
// fixture has to be updated, not silently scored as misses.
func checkTargets(t *testing.T, db *store.DB, qs []evaluate.Query) {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT f.path, c.qualified_name, c.start_line, c.end_line
		FROM chunks c JOIN files f ON f.id = c.file_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var p, name string
		var start, end int
		if err := rows.Scan(&p, &name, &start, &end); err != nil {
			t.Fatal(err)
		}
		have[fmt.Sprintf("%s\t%s\t%d\t%d", p, name, start, end)] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if !have[fmt.Sprintf("%s\t%s\t%d\t%d", q.File, q.Name, q.Line, q.EndLine)] {
			t.Errorf("query %s: target %s %q lines %d-%d is not a chunk of the index", q.ID, q.File, q.Name, q.Line, q.EndLine)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// renderRankStats formats a report as rank_stats.txt: the metrics per
// level, symbol metrics per query style, then one line per query with its
// symbol rank, file rank (0 = not in the top 10), tier and text.
func renderRankStats(rep evaluate.Report, styles []queryStyle) string {
	var b strings.Builder
	fmt.Fprintf(&b, "queries: %d   no results: %d\n", rep.Queries, rep.NoResults)
	fmt.Fprintf(&b, "%-8s %8s %9s %9s %9s %9s\n", "level", "mrr@10", "recall@1", "recall@5", "recall@10", "ndcg@10")
	for _, l := range []struct {
		name string
		s    evaluate.Scores
	}{{"symbol", rep.Symbol}, {"file", rep.File}} {
		fmt.Fprintf(&b, "%-8s %8.3f %9.3f %9.3f %9.3f %9.3f\n", l.name, l.s.MRR, l.s.Recall1, l.s.Recall5, l.s.Recall10, l.s.NDCG)
	}

	// Symbol level by style, styles in order of first appearance.
	byStyle := map[string][]int{}
	var order []string
	for i, d := range rep.Details {
		st := styles[i].Style
		if _, ok := byStyle[st]; !ok {
			order = append(order, st)
		}
		byStyle[st] = append(byStyle[st], d.SymbolRank)
	}
	fmt.Fprintf(&b, "\n%-8s %7s %8s %9s %9s %9s %9s\n", "style", "queries", "mrr@10", "recall@1", "recall@5", "recall@10", "ndcg@10")
	for _, st := range order {
		s := evaluate.Metrics(byStyle[st])
		fmt.Fprintf(&b, "%-8s %7d %8.3f %9.3f %9.3f %9.3f %9.3f\n", st, len(byStyle[st]), s.MRR, s.Recall1, s.Recall5, s.Recall10, s.NDCG)
	}

	fmt.Fprintf(&b, "\nid\tsymbol\tfile\ttier\tstyle\tquery\n")
	for i, d := range rep.Details {
		fmt.Fprintf(&b, "%s\t%d\t%d\t%s\t%s\t%s\n", d.ID, d.SymbolRank, d.FileRank, d.Tier, styles[i].Style, d.Query)
	}
	return b.String()
}
