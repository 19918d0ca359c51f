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

// Query is one line of a queries.jsonl file: either one target (the
// doc-sentence format of shared/eval: file, name, line, end_line) or
// several graded ones (the realq format: targets, grade 2 = the answer,
// 1 = useful supporting code).
type Query struct {
	ID      string   `json:"id"`
	Query   string   `json:"query"`
	Style   string   `json:"style,omitempty"`
	File    string   `json:"file"`
	Name    string   `json:"name"`
	Line    int      `json:"line"`
	EndLine int      `json:"end_line"`
	Targets []Target `json:"targets,omitempty"`
}

// Target is one graded target of a realq query.
type Target struct {
	File    string `json:"file"`
	Name    string `json:"name"`
	Line    int    `json:"line"`
	DocLine int    `json:"doc_line,omitempty"`
	EndLine int    `json:"end_line"`
	Grade   int    `json:"grade"`
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
		if q.Query == "" || (q.File == "" && len(q.Targets) == 0) {
			return nil, fmt.Errorf("line %d: query and file (or targets) are required", n)
		}
		for i := range q.Targets {
			t := &q.Targets[i]
			if t.Grade == 0 {
				t.Grade = 2
			}
			if t.EndLine < t.Line {
				t.EndLine = t.Line
			}
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
// file hit among the top K results (0 if none). For a query with graded
// targets, a hit is one on an answer (grade 2), by the rules of
// shared/eval/score_targets.py.
func Ranks(hits []Hit, q Query) (symbol, file int) {
	for i, h := range hits {
		if i >= K {
			break
		}
		if symbol == 0 && q.symbolHit(h) {
			symbol = i + 1
		}
		if file == 0 && q.fileHit(h.File) {
			file = i + 1
		}
	}
	return symbol, file
}

func (q Query) symbolHit(h Hit) bool {
	if len(q.Targets) == 0 {
		return IsSymbolHit(h, q)
	}
	for _, t := range q.Targets {
		if t.Grade == 2 && t.hit(h) {
			return true
		}
	}
	return false
}

// fileHit reports whether a file holds an answer of the query.
func (q Query) fileHit(file string) bool {
	if len(q.Targets) == 0 {
		return file == q.File
	}
	for _, t := range q.Targets {
		if t.Grade == 2 && t.File == file {
			return true
		}
	}
	return false
}

// FileRank is the 1-based rank of the first file holding an answer among
// the first K files (0 if none), for a ranking of files.
func FileRank(files []string, q Query) int {
	for i, f := range files {
		if i >= K {
			break
		}
		if q.fileHit(f) {
			return i + 1
		}
	}
	return 0
}

// hit is score_targets.py's rule: same file, and the name equal (or one
// ending in "." + the other), or the span holding the target's first line
// (and no longer than twice the target plus slack), or lying inside the
// target (its doc comment included).
func (t Target) hit(h Hit) bool {
	if h.File != t.File {
		return false
	}
	n := genericOrDeref.ReplaceAllString(h.Name, "")
	if t.Name != "" && n != "" && (n == t.Name || strings.HasSuffix(n, "."+t.Name) || strings.HasSuffix(t.Name, "."+n)) {
		return true
	}
	if h.StartLine == 0 {
		return false
	}
	end := max(h.EndLine, h.StartLine)
	span := end - h.StartLine + 1
	if h.StartLine <= t.Line && t.Line <= end && span <= 2*(t.EndLine-t.Line+1)+slack {
		return true
	}
	dl := t.DocLine
	if dl == 0 {
		dl = t.Line
	}
	return h.StartLine >= dl && end <= t.EndLine
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
