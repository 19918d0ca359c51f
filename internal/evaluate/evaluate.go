// Package evaluate measures retrieval quality on a set of queries with
// known targets: MRR@10, Recall@1/5/10 and nDCG@10 at symbol and file
// level, with exactly the matching rules of shared/eval/score.py, so
// numbers from aur eval and from the shared harness agree.
package evaluate

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
)

// K is the rank cut-off.
const K = 10

// slack lines: a result span containing the target line counts only if it
// is at most 2 × the target + slack lines long (a whole file must not score
// as finding a symbol).
const slack = 20

// Query is one line of a queries.jsonl file.
type Query struct {
	ID      string `json:"id"`
	Query   string `json:"query"`
	File    string `json:"file"`
	Name    string `json:"name"`
	Line    int    `json:"line"`
	EndLine int    `json:"end_line"`
}

// LoadQueries reads queries.jsonl. A query without end_line is treated as
// one line long.
func LoadQueries(r io.Reader) ([]Query, error) {
	var qs []Query
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q Query
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if q.Query == "" || q.File == "" {
			return nil, fmt.Errorf("line %d: query and file are required", n)
		}
		if q.ID == "" {
			q.ID = fmt.Sprintf("q%03d", n)
		}
		if q.EndLine < q.Line {
			q.EndLine = q.Line
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("no queries")
	}
	return qs, nil
}

// Hit is one retrieved result.
type Hit struct {
	File      string `json:"file"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Name      string `json:"name"`
}

var genericOrDeref = regexp.MustCompile(`\[[^\]]*\]|[()*]`)

// IsSymbolHit reports whether a result finds the query's target symbol.
func IsSymbolHit(h Hit, q Query) bool {
	if h.File != q.File {
		return false
	}
	name := genericOrDeref.ReplaceAllString(h.Name, "")
	if name != "" && (name == q.Name || strings.HasSuffix(name, "."+q.Name)) {
		return true
	}
	if h.StartLine == 0 {
		return false
	}
	end := max(h.EndLine, h.StartLine)
	size, target := end-h.StartLine+1, q.EndLine-q.Line+1
	inside := q.Line <= h.StartLine && end <= q.EndLine
	covers := h.StartLine <= q.Line && q.Line <= end && size <= 2*target+slack
	return inside || covers
}

// Scores are the rank metrics of one level.
type Scores struct {
	MRR      float64 `json:"mrr@10"`
	Recall1  float64 `json:"recall@1"`
	Recall5  float64 `json:"recall@5"`
	Recall10 float64 `json:"recall@10"`
	NDCG     float64 `json:"ndcg@10"`
}

// Metrics computes Scores from 1-based ranks (0 = not found in the top K).
func Metrics(ranks []int) Scores {
	var s Scores
	if len(ranks) == 0 {
		return s
	}
	for _, r := range ranks {
		if r <= 0 || r > K {
			continue
		}
		s.MRR += 1 / float64(r)
		s.Recall10++
		if r <= 5 {
			s.Recall5++
		}
		if r == 1 {
			s.Recall1++
		}
		s.NDCG += 1 / math.Log2(float64(r)+1)
	}
	n := float64(len(ranks))
	s.MRR /= n
	s.Recall1 /= n
	s.Recall5 /= n
	s.Recall10 /= n
	s.NDCG /= n
	return s
}

// Ranks returns the 1-based rank of the first symbol hit and of the first
// file hit among the top K results (0 if none).
func Ranks(hits []Hit, q Query) (symbol, file int) {
	for i, h := range hits {
		if i >= K {
			break
		}
		if symbol == 0 && IsSymbolHit(h, q) {
			symbol = i + 1
		}
		if file == 0 && h.File == q.File {
			file = i + 1
		}
	}
	return symbol, file
}

// Report is the outcome of an evaluation.
type Report struct {
	Queries   int           `json:"queries"`
	NoResults int           `json:"no_results"`
	Symbol    Scores        `json:"symbol"`
	File      Scores        `json:"file"`
	Details   []QueryResult `json:"details,omitempty"`
}

// QueryResult is the outcome of one query.
type QueryResult struct {
	ID         string `json:"id"`
	Query      string `json:"query"`
	SymbolRank int    `json:"symbol_rank"`
	FileRank   int    `json:"file_rank"`
	Tier       string `json:"tier,omitempty"`
}

// Summarize computes a Report from per-query results.
func Summarize(results []QueryResult, noResults int) Report {
	sym := make([]int, len(results))
	fil := make([]int, len(results))
	for i, r := range results {
		sym[i], fil[i] = r.SymbolRank, r.FileRank
	}
	return Report{Queries: len(results), NoResults: noResults, Symbol: Metrics(sym), File: Metrics(fil), Details: results}
}
