package query

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/aurora-dev/aur/internal/store"
)

// errResidentStale: a chunk the resident index names is no longer in the
// store (an index run committed during the search); Search then answers
// from SQLite.
var errResidentStale = errors.New("resident index: the store changed during the search")

// NewResidentEngine returns an engine over db that searches res once res
// holds the store's current generation, and SQLite until then (and for
// fixed strings and semantic searches). dfs may be nil.
func NewResidentEngine(db *store.DB, dfs *DFCache, res *Resident) *Engine {
	e := NewSharedEngine(db, dfs)
	e.res = res
	return e
}

// residentCand is one candidate of a resident search.
type residentCand struct {
	ci    uint32
	known float64 // sum of the shares of its quoted phrases (exact)
	hi    float64 // its score if it held every unquoted phrase too
	lex   float64 // its lexical score before phrases, and its parts
	parts []TermScore
	res   Result
	exact bool
}

// searchResident is Search over the resident index ix; see Resident. It
// follows Search step by step; the comments say where it differs.
func (e *Engine) searchResident(ctx context.Context, ix *residentIndex, q string, opts Options, corpus store.CorpusStats) (*Retrieval, error) {
	e.ix = ix
	defer func() { e.ix = nil }()
	r, scoring, present, err := e.analyzeQuery(ctx, q, opts, corpus) // document frequencies from ix
	if err != nil {
		return nil, err
	}
	n := max(corpus.Chunks, 1)
	if !opts.Paths.Empty() {
		ids, err := ix.resolvePaths(opts.Paths) // the index's file list
		if err != nil {
			return nil, err
		}
		opts.Filter.Restrict, opts.Filter.FileIDs = true, ids
	}
	if len(present) == 0 && len(r.Phrases) == 0 {
		return r, nil
	}
	selective := selectiveTerms(present, opts.Ranking, n)
	var ids []int64
	depth := candidateDepth(opts)
	if len(selective) > 0 {
		var forms []string
		for _, t := range selective {
			forms = append(forms, t.forms()...)
		}
		var ok bool
		ids, ok = ix.candidates(forms, opts.Ranking.storeWeights(), opts.Filter, depth, &e.rs)
		if !ok {
			ids, err = e.db.Candidates(ctx, matchExpr(selective), opts.Ranking.storeWeights(), opts.Filter, depth)
			if err != nil {
				return nil, err
			}
		}
	}
	ids, inPhrase, err := e.quotedCandidates(ctx, r.Phrases, opts.Filter, depth, ids)
	if err != nil {
		return nil, err
	}
	if ids, err = e.symbolCandidates(ctx, r.Symbols, opts.Filter, ids); err != nil {
		return nil, err
	}
	// The candidates in row id order, the order ChunksByID reads them in.
	slices.Sort(ids)
	cands := make([]residentCand, len(ids))
	keys := make([]int64, 0, len(ids))
	pathSet := map[string]bool{}
	var paths []string
	for i, id := range ids {
		ci, ok := ix.chunkIndex(id)
		if !ok {
			return nil, errResidentStale
		}
		cands[i].ci = ci
		c := ix.chunk(ci)
		cands[i].res.Chunk = c
		keys = append(keys, c.Key)
		if !pathSet[c.Path] {
			pathSet[c.Path] = true
			paths = append(paths, c.Path)
		}
	}
	r.Candidates = len(cands)
	acc, err := e.db.AccessHistories(ctx, keys)
	if err != nil {
		return nil, err
	}
	fh, err := e.db.FileHistories(ctx, paths)
	if err != nil {
		return nil, err
	}
	now := opts.Now.Unix()

	// The query's forms and their tokens.
	type formTok struct {
		form string
		tok  uint32
	}
	var forms []formTok
	seen := map[string]bool{}
	for _, t := range scoring {
		for _, f := range t.forms() {
			if seen[f] {
				continue
			}
			seen[f] = true
			if id, ok := ix.tokens[f]; ok {
				forms = append(forms, formTok{f, id})
			}
		}
	}
	var unquoted []int
	for i, p := range r.Phrases {
		if !p.Quoted {
			unquoted = append(unquoted, i)
		}
	}
	var fs fieldSets
	fs.in, fs.bodyTF = map[string]uint8{}, map[string]int{}
	// score is scoreChunk with the lexical part computed once per
	// candidate, from its postings.
	score := func(k *residentCand, c *store.Chunk, phrase float64) Result {
		return finishChunk(c, k.lex, k.parts, scoring, opts, r, phrase, acc, fh, now, nil)
	}
	for i := range cands {
		k := &cands[i]
		clear(fs.in)
		clear(fs.bodyTF)
		for _, f := range forms {
			if p, ok := ix.posting(f.tok, k.ci); ok {
				fs.in[f.form] = ix.pmask[p]
				if ix.pmask[p]&bodyBit != 0 {
					fs.bodyTF[f.form] = ix.tf(p)
				}
			}
		}
		k.lex, k.parts = opts.Ranking.lexical(scoring, &fs, int(ix.bodyTerms[k.ci]), corpus.AvgBodyTerms)
		// The quoted phrases' shares, summed in the SQLite path's order.
		for _, pi := range inPhrase[ids[i]] {
			k.known += r.Phrases[pi].Share
		}
		if len(unquoted) == 0 {
			k.res = score(k, &k.res.Chunk, k.known)
			k.exact = true
			continue
		}
		hi := k.known
		for _, pi := range unquoted {
			hi += r.Phrases[pi].Share
		}
		k.hi = score(k, &k.res.Chunk, hi).Score
	}

	// Which candidates need their text: with unquoted phrases, those that
	// could still reach the top (or all, for --files and --explain);
	// without, the ones shown.
	want := max(opts.Limit, GradeDepth)
	if len(unquoted) > 0 {
		all := opts.Files || opts.KeepAll
		order := make([]int, len(cands))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return cands[order[a]].hi > cands[order[b]].hi })
		first := len(order)
		if !all {
			first = min(want, len(order))
		}
		if err := e.resolve(ctx, ix, cands, order[:first], ids, r, unquoted, score); err != nil {
			return nil, err
		}
		if !all && first < len(order) {
			// The want-th best exact score so far: a candidate whose bound
			// is below it cannot enter the top.
			var got []Result
			for _, k := range cands {
				if k.exact {
					got = append(got, k.res)
				}
			}
			sortResults(got)
			kth := got[want-1].Score
			var more []int
			for _, i := range order[first:] {
				// A relative margin for rounding: the score is monotone in
				// the phrase share only up to the last bit.
				if cands[i].hi*(1+1e-9) >= kth {
					more = append(more, i)
				}
			}
			if err := e.resolve(ctx, ix, cands, more, ids, r, unquoted, score); err != nil {
				return nil, err
			}
		}
	}
	scored := make([]Result, 0, len(cands))
	for _, k := range cands {
		if k.exact {
			scored = append(scored, k.res)
		}
	}
	sortResults(scored)
	// The text of what is shown: --files and --explain show any
	// candidate; a search its first Limit.
	show := scored
	if !opts.Files && !opts.KeepAll {
		show = scored[:min(len(scored), opts.Limit)]
	}
	var need []int64
	for _, s := range show {
		if s.Content == "" {
			need = append(need, s.ID)
		}
	}
	if len(need) > 0 {
		chunks, err := e.db.ChunksByID(ctx, need)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]*store.Chunk, len(chunks))
		for i := range chunks {
			byID[chunks[i].ID] = &chunks[i]
		}
		for i := range show {
			if show[i].Content != "" {
				continue
			}
			c, ok := byID[show[i].ID]
			if !ok || c.Key != show[i].Key || c.Path != show[i].Path {
				return nil, errResidentStale
			}
			show[i].Chunk = *c
		}
	}
	finish(r, scored, opts)
	return r, nil
}

// resolve reads the text of the candidates cands[which], finds the
// unquoted phrases in it as Search does, and scores them exactly.
func (e *Engine) resolve(ctx context.Context, ix *residentIndex, cands []residentCand, which []int, ids []int64, r *Retrieval, unquoted []int,
	score func(*residentCand, *store.Chunk, float64) Result) error {
	if len(which) == 0 {
		return nil
	}
	pm := phraseMatches(r.Phrases)
	need := make([]int64, len(which))
	for i, w := range which {
		need[i] = ids[w]
	}
	chunks, err := e.db.ChunksByID(ctx, need)
	if err != nil {
		return err
	}
	byID := make(map[int64]*store.Chunk, len(chunks))
	for i := range chunks {
		byID[chunks[i].ID] = &chunks[i]
	}
	for _, w := range which {
		k := &cands[w]
		c, ok := byID[ids[w]]
		if !ok || c.Key != k.res.Chunk.Key || c.Path != k.res.Chunk.Path {
			return errResidentStale
		}
		phrase := k.known
		lower := ""
		for _, pi := range unquoted {
			if lower == "" {
				lower = strings.ToLower(c.Content)
			}
			phrase += pm[pi].shareIn(lower)
		}
		k.res = score(k, c, phrase)
		k.exact = true
	}
	return nil
}
