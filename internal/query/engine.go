package query

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aurora-dev/aur/internal/activation"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/tokenize"
)

// Options control one search.
type Options struct {
	Limit     int     // results returned; default 10
	Threshold float64 // minimum final score of a high-quality chunk (AURORA_ACTIVATION_THRESHOLD)
	Filter    store.Filter
	Ranking   Ranking
	Params    activation.Params
	Now       time.Time
	// KeepAll returns every scored candidate in All, threshold or not
	// (for --explain and evaluation).
	KeepAll bool
}

// DefaultThreshold is the default of AURORA_ACTIVATION_THRESHOLD.
const DefaultThreshold = 0.3

// Result is one scored chunk.
type Result struct {
	store.Chunk
	Score      float64     `json:"score"`
	Lexical    float64     `json:"lexical"`
	Activation float64     `json:"activation"`
	Terms      []TermScore `json:"terms,omitempty"`
	// Matched is the set of query terms found in the chunk, for
	// groundedness.
	Matched map[string]bool `json:"matched,omitempty"`
}

// Retrieval is the outcome of a search.
type Retrieval struct {
	Query      string
	Terms      []Term
	Results    []Result // high-quality chunks, best first, at most Limit
	All        []Result // every scored candidate, best first (KeepAll only)
	Candidates int
	Generation int64
}

// maxQueryTerms bounds the terms a query is scored on.
const maxQueryTerms = 64

// Engine searches one store. It is not safe for concurrent use (it owns a
// tokenizer); make one per goroutine.
type Engine struct {
	db *store.DB
	tk *tokenize.Tokenizer
}

// NewEngine returns an engine over db.
func NewEngine(db *store.DB) *Engine {
	return &Engine{db: db, tk: tokenize.New()}
}

// Search retrieves and scores chunks for an already validated query.
func (e *Engine) Search(ctx context.Context, q string, opts Options) (*Retrieval, error) {
	if opts.Limit <= 0 {
		opts.Limit = 10
	}
	if opts.Ranking.Candidates == 0 {
		opts.Ranking = DefaultRanking
	}
	if opts.Params.Decay == 0 {
		opts.Params = activation.Default
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	corpus, err := e.db.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	r := &Retrieval{Query: q, Generation: corpus.Generation}
	n := max(corpus.Chunks, 1)
	var scoring []Term
	r.Terms, scoring, err = e.terms(ctx, q, n)
	if err != nil {
		return nil, err
	}
	var present []Term
	for _, t := range scoring {
		if t.DF > 0 {
			present = append(present, t)
		}
	}
	if len(present) > maxQueryTerms {
		// A very long question (up to AURORA_MAX_QUERY_LENGTH) is scored
		// on its most specific terms only, which bounds its latency; all
		// its terms still count for groundedness.
		slices.SortStableFunc(present, func(a, b Term) int { return cmp.Compare(b.IDF, a.IDF) })
		present = present[:maxQueryTerms]
		scoring = present
	}
	if len(present) == 0 {
		return r, nil
	}
	// Candidate generation: leave the commonest terms out of the MATCH
	// when rarer ones exist.
	selective := make([]Term, 0, len(present))
	for _, t := range present {
		if float64(t.DF) <= opts.Ranking.CommonDF*float64(n) || t.DF <= minCommonDF {
			selective = append(selective, t)
		}
	}
	if len(selective) == 0 {
		selective = present
	}
	ids, err := e.db.Candidates(ctx, matchExpr(selective), opts.Ranking.storeWeights(), opts.Filter, opts.Ranking.Candidates)
	if err != nil {
		return nil, err
	}
	chunks, err := e.db.ChunksByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	r.Candidates = len(chunks)
	scored, err := e.score(ctx, chunks, scoring, corpus, opts)
	if err != nil {
		return nil, err
	}
	for i := range scored {
		if scored[i].Score >= opts.Threshold && len(r.Results) < opts.Limit {
			r.Results = append(r.Results, scored[i])
		}
	}
	if opts.KeepAll {
		r.All = scored
	}
	return r, nil
}

// terms analyzes a query: its tokens with their related forms and IDF
// weights (all of them count for groundedness, found or not), and the
// scoring terms, which add the optional hyphen compounds found in the
// index.
func (e *Engine) terms(ctx context.Context, q string, n int) (terms, scoring []Term, err error) {
	toks := analyze(e.tk, q)
	all := append([]string{}, toks...)
	for _, t := range toks {
		all = append(all, tokenize.Related(t)...)
	}
	var optional []string
	for _, c := range hyphenCompounds(q) {
		if !slices.Contains(toks, c) {
			optional = append(optional, c)
			all = append(all, c)
		}
	}
	df, err := e.db.DocFreq(ctx, all)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range toks {
		term := Term{Text: t, DF: df[t]}
		for _, a := range tokenize.Related(t) {
			if df[a] > 0 {
				term.Alts = append(term.Alts, a)
				term.DF = max(term.DF, df[a])
			}
		}
		term.IDF = idf(n, term.DF)
		terms = append(terms, term)
	}
	scoring = terms[:len(terms):len(terms)]
	for _, c := range optional {
		if df[c] > 0 {
			scoring = append(scoring, Term{Text: c, DF: df[c], IDF: idf(n, df[c]), Optional: true})
		}
	}
	return terms, scoring, nil
}

func (e *Engine) score(ctx context.Context, chunks []store.Chunk, terms []Term, corpus store.CorpusStats, opts Options) ([]Result, error) {
	keys := make([]int64, 0, len(chunks))
	pathSet := map[string]bool{}
	var paths []string
	for _, c := range chunks {
		keys = append(keys, c.Key)
		if !pathSet[c.Path] {
			pathSet[c.Path] = true
			paths = append(paths, c.Path)
		}
	}
	acc, err := e.db.AccessHistories(ctx, keys)
	if err != nil {
		return nil, err
	}
	fh, err := e.db.FileHistories(ctx, paths)
	if err != nil {
		return nil, err
	}
	now := opts.Now.Unix()
	out := make([]Result, 0, len(chunks))
	for i := range chunks {
		c := &chunks[i]
		fs := chunkFields(e.tk, c)
		lex, parts := opts.Ranking.lexical(terms, &fs, c.BodyTerms, corpus.AvgBodyTerms)
		a, f := acc[c.Key], fh[c.Path]
		act := opts.Params.Activation(now, events(f))
		if a.N > 0 {
			// Activation from accesses counts in proportion to what this
			// query shares with the queries that led to them; the two
			// sources combine as independent evidence (1 − Π(1 − a_i)).
			as := association(terms, a.Context)
			aa := opts.Params.Activation(now, events(a.History)) * as * as
			act = 1 - (1-act)*(1-aa)
		}
		res := Result{Chunk: *c, Lexical: lex, Activation: act, Terms: parts, Matched: map[string]bool{}}
		res.Score = opts.Ranking.hybrid(lex, act)
		for _, p := range parts {
			if len(p.Fields) > 0 {
				res.Matched[p.Term] = true
			}
		}
		out = append(out, res)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].StartLine < out[j].StartLine
	})
	return out, nil
}

func events(h store.History) activation.Events {
	return activation.Events{N: h.N, Oldest: h.Oldest, Recent: h.Recent}
}

// String renders a result's score parts for --explain.
func (r *Result) String() string {
	return fmt.Sprintf("score %.3f = lexical %.3f + activation %.3f", r.Score, r.Lexical, r.Activation)
}
