package query

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aurora-dev/aur/internal/activation"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/tokenize"
)

// Options control one search.
type Options struct {
	Limit     int     // results returned; default 10
	Threshold float64 // minimum final score of a high-quality chunk (AURORA_ACTIVATION_THRESHOLD)
	Filter    store.Filter
	Paths     PathFilter
	// Tests ranks test code like other code; by default it is demoted
	// unless the question is about tests (see aboutTests).
	Tests   bool
	Ranking Ranking
	Params  activation.Params
	Now     time.Time
	// KeepAll returns every scored candidate in All, threshold or not
	// (for --explain and evaluation).
	KeepAll bool
	// Files ranks files (Retrieval.Files) instead of chunks.
	Files bool
	// Semantic adds the chunks nearest the question's meaning to the
	// candidates and fuses similarity into every score (see Semantic);
	// the zero value searches by words only.
	Semantic Semantic
}

// DefaultThreshold is the default of AURORA_ACTIVATION_THRESHOLD.
const DefaultThreshold = 0.3

// Result is one scored chunk.
type Result struct {
	store.Chunk
	Score      float64 `json:"score"`
	Lexical    float64 `json:"lexical"`
	Activation float64 `json:"activation"`
	// Phrase is the share of the query's letters in phrases the chunk
	// holds verbatim (see phrases).
	Phrase float64 `json:"phrase,omitempty"`
	// Similarity is the cosine similarity of the chunk's vector to the
	// question's, and Semantic its calibrated score (Semantic.Calibrate);
	// both 0 without semantic retrieval or without a vector.
	Similarity float64 `json:"similarity,omitempty"`
	Semantic   float64 `json:"semantic,omitempty"`
	// MatchLine is the line of the first occurrence of a fixed string.
	MatchLine int `json:"match_line,omitempty"`
	// Demoted is set for test code ranked down (Ranking.TestFactor).
	Demoted bool `json:"demoted,omitempty"`
	// TypeDemoted is set for a type declaration ranked down
	// (Ranking.TypeFactor).
	TypeDemoted bool        `json:"type_demoted,omitempty"`
	Terms       []TermScore `json:"terms,omitempty"`
	// Matched is the set of query terms found in the chunk, for
	// groundedness.
	Matched map[string]bool `json:"matched,omitempty"`
}

// Retrieval is the outcome of a search.
type Retrieval struct {
	Query   string
	Terms   []Term
	Phrases []Phrase
	// Symbols are the identifiers the question names (see symbols).
	Symbols []string
	// TestsDemoted tells whether test code was ranked down.
	TestsDemoted bool
	// TypesDemoted tells whether type declarations the question does not
	// name were ranked down (see Ranking.TypeFactor).
	TypesDemoted bool
	// Fixed is set for a fixed-string search (SearchFixed).
	Fixed bool
	// Files are the ranked files of a --files search, at most Limit.
	Files   []FileResult
	Results []Result // high-quality chunks, best first, at most Limit
	// Evidence is what grading reads: the best GradeDepth candidates,
	// whatever the limit, so the grade does not depend on --limit.
	Evidence   []quality.Evidence
	All        []Result // every scored candidate, best first (KeepAll only)
	Candidates int
	Generation int64
	// Semantic tells whether the semantic layer took part; SemanticError
	// why it was asked to and could not (the search went on by words).
	Semantic      bool   `json:",omitempty"`
	SemanticError string `json:",omitempty"`
}

// GradeDepth is how many of the best candidates grading looks at.
const GradeDepth = 10

// maxQueryTerms bounds the terms a query is scored on.
const maxQueryTerms = 64

// Engine searches one store. It is not safe for concurrent use (it owns a
// tokenizer); make one per goroutine.
type Engine struct {
	db  Store
	tk  *tokenize.Tokenizer
	dfs *DFCache
	// res, when set, is the resident index Search uses once it holds the
	// current generation (resident.go); ix is the one the running search
	// uses, nil on the SQLite path.
	res *Resident
	ix  *residentIndex
	rs  residentScratch
}

// NewEngine returns an engine over db.
func NewEngine(db Store) *Engine {
	return &Engine{db: db, tk: tokenize.New()}
}

// NewSharedEngine returns an engine over db that reads document
// frequencies through dfs, which engines of the same db may share.
func NewSharedEngine(db Store, dfs *DFCache) *Engine {
	return &Engine{db: db, tk: tokenize.New(), dfs: dfs}
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
	if e.res != nil && opts.Semantic.Embedder == nil {
		if ix := e.res.ready(corpus.Generation); ix != nil {
			r, err := e.searchResident(ctx, ix, q, opts, corpus)
			if !errors.Is(err, errResidentStale) {
				return r, err
			}
			// The store moved on during the search: answer from SQLite.
		}
	}
	r, scoring, present, err := e.analyzeQuery(ctx, q, opts, corpus)
	if err != nil {
		return nil, err
	}
	n := max(corpus.Chunks, 1)
	if !opts.Paths.Empty() {
		ids, err := opts.Paths.resolve(ctx, e.db)
		if err != nil {
			return nil, err
		}
		opts.Filter.Restrict, opts.Filter.FileIDs = true, ids
	}
	sem := e.semantic(ctx, q, opts, r)
	if len(present) == 0 && len(r.Phrases) == 0 && sem == nil {
		return r, nil
	}
	selective := selectiveTerms(present, opts.Ranking, n)
	var ids []int64
	depth := candidateDepth(opts)
	if len(selective) > 0 {
		ids, err = e.db.Candidates(ctx, matchExpr(selective), opts.Ranking.storeWeights(), opts.Filter, depth)
		if err != nil {
			return nil, err
		}
	}
	ids, inPhrase, err := e.quotedCandidates(ctx, r.Phrases, opts.Filter, depth, ids)
	if err != nil {
		return nil, err
	}
	if ids, err = e.symbolCandidates(ctx, r.Symbols, opts.Filter, ids); err != nil {
		return nil, err
	}
	if sem != nil {
		ids = sem.addCandidates(ids)
	}
	chunks, err := e.db.ChunksByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	if sem != nil {
		if chunks, err = sem.complete(ctx, e.db.(VectorStore), chunks, opts.Filter); err != nil {
			return nil, err
		}
	}
	// The unquoted phrases' shares, after the quoted ones' (the resident
	// path sums them in the same order).
	shares := map[int64]float64{}
	pm := phraseMatches(r.Phrases)
	for _, c := range chunks {
		for _, i := range inPhrase[c.ID] {
			shares[c.ID] += r.Phrases[i].Share
		}
		var lower string
		for _, m := range pm {
			if m == nil {
				continue
			}
			if lower == "" {
				lower = strings.ToLower(c.Content)
			}
			shares[c.ID] += m.shareIn(lower)
		}
	}
	r.Candidates = len(chunks)
	scored, err := e.score(ctx, chunks, scoring, corpus, opts, r, shares, sem)
	if err != nil {
		return nil, err
	}
	finish(r, scored, opts)
	return r, nil
}

// finish fills a retrieval's files, results and evidence from its scored
// candidates, best first.
func finish(r *Retrieval, scored []Result, opts Options) {
	if opts.Files {
		var hq []Result
		for _, c := range scored {
			if c.Score >= opts.Threshold {
				hq = append(hq, c)
			}
		}
		r.Files = opts.Ranking.Files(hq, opts.Limit)
	}
	for i := range scored {
		if !opts.Files && scored[i].Score >= opts.Threshold && len(r.Results) < opts.Limit {
			r.Results = append(r.Results, scored[i])
		}
		if i < GradeDepth {
			r.Evidence = append(r.Evidence, scored[i].evidence())
		}
	}
	if opts.KeepAll {
		r.All = scored
	}
}

// analyzeQuery starts a retrieval: the question's terms (all of them, for
// groundedness) and the ones it is scored on, those the index holds
// (present), its phrases and whether tests are ranked down. Both search
// paths, SQLite and resident, begin here.
func (e *Engine) analyzeQuery(ctx context.Context, q string, opts Options, corpus store.CorpusStats) (r *Retrieval, scoring, present []Term, err error) {
	r = &Retrieval{Query: q, Generation: corpus.Generation}
	r.Terms, scoring, err = e.terms(ctx, q, max(corpus.Chunks, 1), corpus.Generation)
	if err != nil {
		return nil, nil, nil, err
	}
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
	r.Phrases = phrases(q)
	r.Symbols = symbols(q)
	r.TestsDemoted = !opts.Tests && !aboutTests(q)
	r.TypesDemoted = !aboutTypes(q)
	return r, scoring, present, nil
}

// selectiveTerms are the terms candidates are chosen by: the commonest
// are left out of the MATCH when rarer ones exist (they still score).
func selectiveTerms(present []Term, rk Ranking, n int) []Term {
	selective := make([]Term, 0, len(present))
	for _, t := range present {
		if float64(t.DF) <= rk.CommonDF*float64(n) || t.DF <= minCommonDF {
			selective = append(selective, t)
		}
	}
	if len(selective) == 0 {
		return present
	}
	return selective
}

// candidateDepth is how many candidates a search takes from the index.
func candidateDepth(opts Options) int {
	if opts.Files {
		return opts.Ranking.Candidates * opts.Ranking.FileCandidates
	}
	return opts.Ranking.Candidates
}

// quotedCandidates adds to ids the chunks holding a quoted phrase, looked
// up in the trigram index: they are candidates whatever their words'
// bm25. It returns, per chunk, the phrases it holds. Unquoted runs (a
// pasted message, or a plain question) are only checked in the
// candidates the words found: a string literal holding the run holds its
// words, so its chunk is among them, and a lookup per question would cost
// a question 20-40 ms on GOROOT/src for nothing.
func (e *Engine) quotedCandidates(ctx context.Context, phrases []Phrase, f store.Filter, depth int, ids []int64) ([]int64, map[int64][]int, error) {
	inPhrase := map[int64][]int{}
	for i, p := range phrases {
		if !p.Quoted {
			continue
		}
		pids, err := e.db.Substring(ctx, p.Text, false, f, depth)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range pids {
			if inPhrase[id] == nil && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
			inPhrase[id] = append(inPhrase[id], i)
		}
	}
	return ids, inPhrase, nil
}

// symbolDepth is the most chunks a symbol adds to the candidates.
const symbolDepth = 20

// symbolCandidates adds to ids, for each symbol the question names (see
// symbols), the chunks whose names hold all its words, when there are
// at most symbolDepth of them (NameStore; both search paths ask the
// store, and any store gives the same set). The chunk named
// message_from_bytes is then a candidate for "email.message_from_bytes
// policy=policy.default" although a hundred chunks hold those words
// more often.
func (e *Engine) symbolCandidates(ctx context.Context, syms []string, f store.Filter, ids []int64) ([]int64, error) {
	ns, ok := e.db.(NameStore)
	if !ok {
		return ids, nil
	}
	for _, sym := range syms {
		// The words of the identifier itself (message_from_bytes of
		// email.message_from_bytes), or of the whole dotted name when
		// its last part is a plain word (LoggerAdapter.process).
		parts := strings.Split(sym, ".")
		if last := parts[len(parts)-1]; identLike(last) {
			sym = last
		}
		sids, err := ns.NameCandidates(ctx, analyze(e.tk, sym), f, symbolDepth+1)
		if err != nil {
			return nil, err
		}
		if len(sids) > symbolDepth {
			// A name this common (NewReader in a large tree) does not
			// pin the chunk meant: the words choose.
			continue
		}
		for _, id := range sids {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// docFreq reads the document frequencies of toks from the resident
// index during a resident search, else through the shared cache when
// the engine has one, else from the store.
func (e *Engine) docFreq(ctx context.Context, gen int64, toks []string) (map[string]int, error) {
	switch {
	case e.ix != nil:
		return e.ix.docFreq(toks), nil
	case e.dfs != nil:
		return e.dfs.docFreq(ctx, gen, toks, e.db.DocFreq)
	}
	return e.db.DocFreq(ctx, toks)
}

// terms analyzes a query: its tokens with their related forms and IDF
// weights (all of them count for groundedness, found or not), and the
// scoring terms, which add the optional hyphen compounds found in the
// index.
func (e *Engine) terms(ctx context.Context, q string, n int, gen int64) (terms, scoring []Term, err error) {
	toks := analyze(e.tk, q)
	all := append([]string{}, toks...)
	for _, t := range toks {
		all = append(all, tokenize.Related(t)...)
		all = append(all, tokenize.Variants(t)...)
	}
	var optional []string
	for _, c := range hyphenCompounds(q) {
		if !slices.Contains(toks, c) {
			optional = append(optional, c)
			all = append(all, c)
		}
	}
	df, err := e.docFreq(ctx, gen, all)
	if err != nil {
		return nil, nil, err
	}
	fix, err := e.corrections(ctx, q, gen, df)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range toks {
		term := Term{Text: t, DF: df[t]}
		for _, a := range slices.Concat(tokenize.Related(t), tokenize.Variants(t)) {
			if df[a] > 0 && !slices.Contains(term.Alts, a) {
				term.Alts = append(term.Alts, a)
				term.DF = max(term.DF, df[a])
			}
		}
		if c, ok := fix[t]; ok {
			term.Alts = append(term.Alts, c)
			term.DF = max(term.DF, df[c])
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

func (e *Engine) score(ctx context.Context, chunks []store.Chunk, terms []Term, corpus store.CorpusStats, opts Options, r *Retrieval, shares map[int64]float64, sem *semanticState) ([]Result, error) {
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
	want := queryForms(terms)
	var fs fieldSets
	for i := range chunks {
		c := &chunks[i]
		chunkFields(e.tk, c, want, &fs)
		out = append(out, scoreChunk(c, &fs, terms, corpus, opts, r, shares[c.ID], acc, fh, now, sem))
	}
	sortResults(out)
	return out, nil
}

// scoreChunk scores one candidate from the query forms found in its
// fields and the sum of the shares of the phrases it holds. The SQLite
// path (score) and the resident one (searchResident) both score through
// it, so their arithmetic is the same.
func scoreChunk(c *store.Chunk, fs *fieldSets, terms []Term, corpus store.CorpusStats, opts Options, r *Retrieval, phrase float64,
	acc map[int64]store.Access, fh map[string]store.History, now int64, sem *semanticState) Result {
	lex, parts := opts.Ranking.lexical(terms, fs, c.BodyTerms, corpus.AvgBodyTerms)
	return finishChunk(c, lex, parts, terms, opts, r, phrase, acc, fh, now, sem)
}

// finishChunk is scoreChunk after the lexical score: phrases,
// activation, semantic fusion, test demotion.
func finishChunk(c *store.Chunk, lex float64, parts []TermScore, terms []Term, opts Options, r *Retrieval, phrase float64,
	acc map[int64]store.Access, fh map[string]store.History, now int64, sem *semanticState) Result {
	lex = opts.Ranking.withPhrase(lex, min(1, phrase))
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
	res := Result{Chunk: *c, Lexical: lex, Activation: act, Phrase: min(1, phrase), Terms: parts, Matched: map[string]bool{}}
	base := lex
	if sem != nil {
		res.Similarity, res.Semantic = sem.similarity(c.ID)
		base = sem.cfg.Fuse(lex, res.Semantic)
	}
	res.Score = opts.Ranking.hybrid(base, act)
	if c.IsTest && r.TestsDemoted {
		res.Demoted = true
		res.Score *= opts.Ranking.TestFactor
	}
	// Not for --files: a file's type declarations are evidence of where
	// a change goes (measured: file MRR fell on every tuning half).
	if r.TypesDemoted && !opts.Files && typeKinds[c.Kind] && opts.Ranking.TypeFactor > 0 && !mentions(r.Query, c.Name) {
		res.TypeDemoted = true
		res.Score *= opts.Ranking.TypeFactor
	}
	for _, p := range parts {
		if len(p.Fields) > 0 {
			res.Matched[p.Term] = true
		}
	}
	return res
}

// sortResults orders results best first: by score, then path and line.
func sortResults(out []Result) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].StartLine < out[j].StartLine
	})
}

// evidence is what grading needs of a result.
func (r *Result) evidence() quality.Evidence {
	return quality.Evidence{Score: r.Score, Matched: r.Matched, Phrase: r.Phrase, Semantic: r.Semantic}
}

// Grade grades the retrieval against the thresholds (internal/quality).
func (r *Retrieval) Grade(th quality.Thresholds) quality.Grade {
	terms := make([]quality.Term, 0, len(r.Terms))
	for _, t := range r.Terms {
		terms = append(terms, quality.Term{Text: t.Text, IDF: t.IDF})
	}
	if r.Fixed {
		// An exact substring is found or not: one match answers a grep.
		g := quality.Grade{Tier: quality.NoMatch, HighQuality: len(r.Evidence)}
		if len(r.Evidence) > 0 {
			g.Tier, g.Groundedness = quality.Good, 1
		}
		return g
	}
	return quality.Evaluate(terms, r.Evidence, th)
}

func events(h store.History) activation.Events {
	return activation.Events{N: h.N, Oldest: h.Oldest, Recent: h.Recent}
}

// String renders a result's score parts for --explain.
func (r *Result) String() string {
	if r.Semantic > 0 {
		return fmt.Sprintf("score %.3f = lexical %.3f + semantic %.3f (similarity %.3f) + activation %.3f", r.Score, r.Lexical, r.Semantic, r.Similarity, r.Activation)
	}
	return fmt.Sprintf("score %.3f = lexical %.3f + activation %.3f", r.Score, r.Lexical, r.Activation)
}

// SearchFixed finds the chunks whose text contains s exactly (grep -F
// semantics, case-sensitive unless ignoreCase), through the trigram index.
// Every match scores 1: code before tests, then in path and line order.
// At most limit results; Evidence covers the first GradeDepth.
func (e *Engine) SearchFixed(ctx context.Context, s string, ignoreCase bool, opts Options) (*Retrieval, error) {
	if opts.Limit <= 0 {
		opts.Limit = 10
	}
	r := &Retrieval{Query: s, Fixed: true, Phrases: []Phrase{{Text: s, Quoted: true, Share: 1}}}
	corpus, err := e.db.Corpus(ctx)
	if err != nil {
		return nil, err
	}
	r.Generation = corpus.Generation
	if !opts.Paths.Empty() {
		ids, err := opts.Paths.resolve(ctx, e.db)
		if err != nil {
			return nil, err
		}
		opts.Filter.Restrict, opts.Filter.FileIDs = true, ids
	}
	ids, err := e.db.Substring(ctx, s, !ignoreCase, opts.Filter, max(opts.Limit, minFixed))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidQuery, err)
	}
	chunks, err := e.db.ChunksByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	r.Candidates = len(chunks)
	out := make([]Result, 0, len(chunks))
	for _, c := range chunks {
		out = append(out, Result{Chunk: c, Score: 1, Lexical: 1, Phrase: 1, Matched: map[string]bool{},
			MatchLine: matchLine(c.Content, s, ignoreCase, c.StartLine)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].IsTest != out[j].IsTest {
			return !out[i].IsTest
		}
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].StartLine < out[j].StartLine
	})
	for i := range out {
		if i < opts.Limit {
			r.Results = append(r.Results, out[i])
		}
		if i < GradeDepth {
			r.Evidence = append(r.Evidence, out[i].evidence())
		}
	}
	if opts.KeepAll {
		r.All = out
	}
	return r, nil
}

// minFixed is how many matching chunks a fixed-string search reads at
// least, to put code before tests and in path order among them; reading
// every match of a common string ("Dial": 500 chunks of GOROOT/src)
// costs more than the order is worth.
const minFixed = 200

// matchLine is the line of the first occurrence of s in a chunk's text.
func matchLine(content, s string, ignoreCase bool, start int) int {
	i := -1
	if ignoreCase {
		i = strings.Index(strings.ToLower(content), strings.ToLower(s))
	} else {
		i = strings.Index(content, s)
	}
	if i < 0 {
		return start
	}
	return start + strings.Count(content[:i], "\n")
}

// FileResult is one file of a --files search: its aggregated score and
// its best chunks.
type FileResult struct {
	Path   string   `json:"file"`
	Score  float64  `json:"score"`
	Chunks []Result `json:"chunks"`
}

// fileChunks is how many of a file's best chunks add to its score and are
// shown with it.
const fileChunks = 3

// Files ranks the files of a retrieval's scored candidates: a file scores
// as the noisy-or of its best chunks, each counting FileDecay times the
// one before it (1 − Π (1 − s_i · decay^i)). One strong chunk makes a
// strong file; several good ones make a better file than one good one,
// with quickly diminishing returns, so a huge file of weak matches does
// not win on volume.
func (r Ranking) Files(scored []Result, limit int) []FileResult {
	byPath := map[string]*FileResult{}
	var order []*FileResult
	for _, c := range scored {
		f := byPath[c.Path]
		if f == nil {
			f = &FileResult{Path: c.Path}
			byPath[c.Path] = f
			order = append(order, f)
		}
		if len(f.Chunks) < fileChunks {
			f.Chunks = append(f.Chunks, c)
		}
	}
	for _, f := range order {
		miss, w := 1.0, 1.0
		for _, c := range f.Chunks {
			miss *= 1 - c.Score*w
			w *= r.FileDecay
		}
		f.Score = 1 - miss
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].Score != order[j].Score {
			return order[i].Score > order[j].Score
		}
		return order[i].Path < order[j].Path
	})
	out := make([]FileResult, 0, min(limit, len(order)))
	for _, f := range order {
		if len(out) == limit {
			break
		}
		out = append(out, *f)
	}
	return out
}
