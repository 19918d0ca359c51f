package service

import (
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/tokenize"
)

// Result is the result schema shared by aur query --json, aur mem search
// --json, POST /v1/query and /v1/search, and the MCP tools (DESIGN.md
// "Result JSON"). Fields are added, never renamed.
type Result struct {
	Query             string             `json:"query"`
	Tier              quality.Tier       `json:"tier"`
	Groundedness      float64            `json:"groundedness"`
	HighQualityChunks int                `json:"high_quality_chunks"`
	Thresholds        quality.Thresholds `json:"thresholds"`
	// Root is the absolute index root; each result's file is relative to it.
	Root             string         `json:"root,omitempty"`
	Results          []ResultItem   `json:"results"`
	Answer           *string        `json:"answer"`
	Choice           ask.Choice     `json:"choice"`
	LatencyMS        float64        `json:"latency_ms"`
	QueryID          int64          `json:"query_id"`
	Mode             string         `json:"mode"`
	Note             string         `json:"note,omitempty"`
	CacheHit         bool           `json:"cache_hit"`
	Provider         string         `json:"provider,omitempty"`
	Model            string         `json:"model,omitempty"`
	Citations        []ask.Citation `json:"citations,omitempty"`
	SecurityWarnings []string       `json:"security_warnings,omitempty"`
	PreviousQueries  []string       `json:"previous_queries,omitempty"`
	Terms            []query.Term   `json:"terms,omitempty"`
	// Error is set when retrieval worked and the LLM did not (answer is
	// null; the results are still there).
	Error *ErrorBody `json:"error,omitempty"`
	// Truncated is set by a face that cut the results to fit a cap (the
	// MCP tools' max_results and max_chars): what was left out.
	Truncated *Truncation `json:"truncated,omitempty"`
	// Warnings say what went on in a degraded way without failing the
	// request: the semantic layer was configured and the search went on
	// by words only (its endpoint down, the index without vectors of
	// the configured model).
	Warnings []string `json:"warnings,omitempty"`
}

// ErrorBody is an error in a JSON result or response: a stable code
// (http_503, timeout, breaker_open, invalid_request, ...) and a message
// for people.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Truncation says what a capped response left out.
type Truncation struct {
	Results   int    `json:"results_omitted"`
	Chars     int    `json:"chars_omitted"`
	Reason    string `json:"reason"`
	MaxChars  int    `json:"max_chars,omitempty"`
	MaxResult int    `json:"max_results,omitempty"`
}

// ResultItem is one ranked chunk (or, for a files search, one file).
type ResultItem struct {
	File string `json:"file"` // relative to the index root
	// Root is the absolute index root and Path the file's absolute path.
	Root      string            `json:"root,omitempty"`
	Path      string            `json:"path,omitempty"`
	StartLine int               `json:"start_line"`
	EndLine   int               `json:"end_line"`
	Name      string            `json:"name"`
	Kind      string            `json:"kind"`
	Language  string            `json:"language"`
	Score     float64           `json:"score"`
	Scores    Scores            `json:"scores"`
	Signature string            `json:"signature,omitempty"`
	Snippet   string            `json:"snippet"`
	Content   string            `json:"content,omitempty"`
	Explain   []query.TermScore `json:"explain,omitempty"`
	// Set for a files result: the file's best chunks.
	Chunks []ResultItem `json:"chunks,omitempty"`
	// Set for a fixed-string result: the line of the first match.
	MatchLine int  `json:"match_line,omitempty"`
	Test      bool `json:"test,omitempty"`
}

// Scores are a result's score parts. Semantic (calibrated, [0,1]) and
// Similarity (the raw cosine) are set when the semantic layer took part
// and the chunk has a vector; the score then fuses lexical and semantic
// (query.Semantic) before activation applies.
type Scores struct {
	Lexical    float64 `json:"lexical"`
	Activation float64 `json:"activation"`
	Semantic   float64 `json:"semantic,omitempty"`
	Similarity float64 `json:"similarity,omitempty"`
}

// tokenizers are reused across requests: a tokenizer memoizes stems in
// a map that is costly to make for every snippet.
var tokenizers = sync.Pool{New: func() any { return tokenize.New() }}

// Round3 rounds to three decimals, as every number in Result is.
func Round3(x float64) float64 {
	if x < 0 {
		return -Round3(-x)
	}
	return float64(int64(x*1000+0.5)) / 1000
}

// Response is the outcome of Search or Query: the pipeline's outcome with
// what is needed to show it.
type Response struct {
	*ask.Outcome
	Req        SearchRequest
	Thresholds quality.Thresholds
	Mode       string
	// Root is the absolute index root ("" if the index has none).
	Root string
	// Error is set when the answerer (the LLM) failed after retrieval
	// worked; the results are still there.
	Error *ErrorBody
	// SemanticWarning is set when the semantic layer was configured and
	// the search went on by words only (why, redacted); see Warnings.
	SemanticWarning string

	snippets *snippetMemo // nil: compute every snippet
}

// Abs returns the absolute path of a file relative to the root, or "".
func (r *Response) Abs(rel string) string {
	if r.Root == "" {
		return ""
	}
	return filepath.Join(r.Root, filepath.FromSlash(rel))
}

// Result renders the response in the shared JSON schema.
func (r *Response) Result() Result {
	o := r.Outcome
	j := Result{
		Query:             o.Query,
		Tier:              o.Grade.Tier,
		Groundedness:      Round3(o.Grade.Groundedness),
		HighQualityChunks: o.Grade.HighQuality,
		Thresholds:        r.Thresholds,
		Root:              r.Root,
		Results:           []ResultItem{},
		Choice:            o.Choice,
		LatencyMS:         Round3(o.LatencyMS),
		QueryID:           o.QueryID,
		Mode:              r.Mode,
		Note:              o.Note,
		CacheHit:          o.CacheHit,
		Error:             r.Error,
	}
	if r.SemanticWarning != "" {
		j.Warnings = append(j.Warnings, r.SemanticWarning)
	}
	for _, p := range o.Previous {
		j.PreviousQueries = append(j.PreviousQueries, p.Query)
	}
	if o.Answer != nil {
		j.Answer = &o.Answer.Text
		j.Provider, j.Model = o.Answer.Provider, o.Answer.Model
		j.Citations = o.Answer.Citations
		j.SecurityWarnings = o.Answer.SecurityWarnings
	}
	if o.Retrieval == nil {
		return j
	}
	if r.Req.Explain {
		j.Terms = o.Retrieval.Terms
	}
	tk := tokenizers.Get().(*tokenize.Tokenizer)
	defer tokenizers.Put(tk)
	termsKey := r.snippets.termsKey(o.Retrieval.Terms)
	item := func(x *query.Result) ResultItem {
		it := ResultItem{
			File: x.Path, Root: r.Root, Path: r.Abs(x.Path),
			StartLine: x.StartLine, EndLine: x.EndLine, Name: x.QualifiedName,
			Kind: x.Kind, Language: x.Language, Score: Round3(x.Score),
			Scores: Scores{Lexical: Round3(x.Lexical), Activation: Round3(x.Activation),
				Semantic: Round3(x.Semantic), Similarity: Round3(x.Similarity)},
			Signature: x.Signature,
			Snippet:   r.snippets.get(x.ID, termsKey, func() string { return query.Snippet(tk, x.Content, o.Retrieval.Terms, 3) }),
			MatchLine: x.MatchLine,
			Test:      x.IsTest,
		}
		if r.Req.ShowContent {
			it.Content = x.Content
		}
		if r.Req.Explain {
			it.Explain = x.Terms
		}
		return it
	}
	for i := range o.Retrieval.Results {
		j.Results = append(j.Results, item(&o.Retrieval.Results[i]))
	}
	for _, fr := range o.Retrieval.Files {
		// A file result reads like its best chunk (so file:start_line
		// still opens something), scored as the file, with its chunks.
		it := item(&fr.Chunks[0])
		it.Score = Round3(fr.Score)
		for i := range fr.Chunks {
			it.Chunks = append(it.Chunks, item(&fr.Chunks[i]))
		}
		j.Results = append(j.Results, it)
	}
	return j
}

// Snippet returns the three lines of content that best match terms, as
// the JSON's snippet field holds them.
func Snippet(content string, terms []query.Term) string {
	tk := tokenizers.Get().(*tokenize.Tokenizer)
	defer tokenizers.Put(tk)
	return query.Snippet(tk, content, terms, 3)
}

// snippetMemo remembers snippets: a server shows the same chunks for the
// same questions again and again, and choosing a snippet tokenizes every
// line of the chunk (most of a cached search's time without it). A
// snippet depends on the chunk's content, fixed for its row id, and on
// the question's terms and their weights.
type snippetMemo struct {
	lru *lru.Cache[snippetKey, string]
}

type snippetKey struct {
	id    int64
	terms string
}

func newSnippetMemo(size int) *snippetMemo {
	c, err := lru.New[snippetKey, string](size)
	if err != nil {
		return nil
	}
	return &snippetMemo{lru: c}
}

func (m *snippetMemo) termsKey(terms []query.Term) string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	for _, t := range terms {
		b.WriteString(t.Text)
		for _, a := range t.Alts {
			b.WriteByte('|')
			b.WriteString(a)
		}
		b.WriteByte(':')
		b.WriteString(strconv.FormatFloat(t.IDF, 'g', -1, 64))
		b.WriteByte(' ')
	}
	return b.String()
}

func (m *snippetMemo) get(id int64, terms string, make func() string) string {
	if m == nil {
		return make()
	}
	k := snippetKey{id, terms}
	if s, ok := m.lru.Get(k); ok {
		return s
	}
	s := make()
	m.lru.Add(k, s)
	return s
}
