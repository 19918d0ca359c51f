package query

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/tokenize"
)

// Resident is an in-memory copy of the search index for the long-running
// faces (aur serve, aur mcp); the CLI searches SQLite. It holds, per
// chunk, the tokens of each field (distinct, with the body's term
// frequencies) and what ranking reads of the chunk (key, file, kind,
// language, is_test, body_terms, FTS5's token count), and per token its
// postings with the fields holding it and its document frequency. A
// search over it gives the same results, in the same order, with the same
// scores, as the SQLite path, at a fraction of the CPU:
//
//   - document frequencies (and spelling corrections) come from memory,
//     with the values of FTS5's vocabulary;
//   - candidates are chosen by FTS5's own bm25 (k1 = 1.2, b = 0.75, its
//     IDF clamped at 1e-6, its per-column weights summed in column
//     order, its row and column token counts, the C library's log), then
//     ordered by score and row id as SQLite's ORDER BY bm25() LIMIT n
//     orders them (see candidates);
//   - candidates are scored from their stored field tokens, not
//     re-tokenized; the scoring code is the SQLite path's (scoreChunk);
//   - only the chunks whose text is needed are read from SQLite: the
//     results shown, and, for a question holding unquoted phrases (which
//     are checked in a chunk's text), the candidates whose score with
//     every phrase found could still reach the top (see searchResident).
//
// Fixed-string searches (-F), quoted phrases' trigram lookups, semantic
// retrieval, and access and git histories (activation) stay on SQLite.
//
// Build: in the background, at Start and whenever a search sees a new
// index generation (an index run through POST /v1/index, --watch, or
// another process), once the generation has not changed for
// ResidentQuiet; until the copy of the current generation is ready,
// searches use SQLite (so a change is searchable as soon as it is
// committed, as without a resident index). The build reads the store in one read transaction
// and tokenizes every chunk as the indexer did, then checks the result
// against FTS5's own statistics: every row's token count per column
// (chunks_fts_docsize), every token's document count (chunks_vocab), the
// row and token totals (the averages record). Any disagreement (an index
// written by an older tokenizer, say) fails the build and leaves that
// generation to SQLite. On GOROOT/src (119,580 chunks) it takes about
// [see docs/measurements.md] and holds about [see docs] of memory.
//
// Resident is safe for concurrent use.
type Resident struct {
	db      *store.DB
	onBuild func(ResidentBuild)

	cur atomic.Pointer[residentIndex]

	mu       sync.Mutex
	ctx      context.Context
	last     ResidentBuild // the last build's report
	building bool
	tried    int64 // generation of the last build started
	triedAny bool
}

// ResidentBuild reports one build of a Resident.
type ResidentBuild struct {
	Generation int64
	Chunks     int
	Tokens     int
	Postings   int
	Duration   time.Duration
	// Err is why the build failed (the generation is then searched on
	// SQLite).
	Err error
}

// NewResident returns a resident index over db; onBuild, if not nil, hears
// of every build. It builds nothing until Start.
func NewResident(db *store.DB, onBuild func(ResidentBuild)) *Resident {
	return &Resident{db: db, onBuild: onBuild}
}

// Start starts the first build in the background; builds stop when ctx
// ends.
func (r *Resident) Start(ctx context.Context) {
	r.mu.Lock()
	r.ctx = ctx
	r.mu.Unlock()
	if gen, err := r.db.Generation(ctx); err == nil {
		r.trigger(gen)
	}
}

// Build builds the index of the store's current generation and waits for
// it (tests, benchmarks).
func (r *Resident) Build(ctx context.Context) (ResidentBuild, error) {
	ix, b := buildResident(ctx, r.db, nil)
	if b.Err == nil {
		r.cur.Store(ix)
	}
	r.mu.Lock()
	r.last = b
	r.mu.Unlock()
	return b, b.Err
}

// ResidentStatus is what GET /v1/index and the MCP index_status tool
// report of a resident index.
type ResidentStatus struct {
	// Generation is the generation the copy holds (0: none); searches of
	// another generation use SQLite.
	Generation int64 `json:"generation"`
	Chunks     int   `json:"chunks"`
	Tokens     int   `json:"tokens"`
	Postings   int   `json:"postings"`
	Building   bool  `json:"building"`
	// LastBuildSeconds and LastError are the last build's.
	LastBuildSeconds float64 `json:"last_build_seconds"`
	LastError        string  `json:"last_error,omitempty"`
}

// Status reports the resident index's state.
func (r *Resident) Status() ResidentStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := ResidentStatus{Building: r.building, LastBuildSeconds: math.Round(r.last.Duration.Seconds()*1000) / 1000}
	if r.last.Err != nil {
		st.LastError = r.last.Err.Error()
	}
	if ix := r.cur.Load(); ix != nil {
		st.Generation, st.Chunks, st.Tokens, st.Postings = ix.gen, len(ix.ids), len(ix.off)-1, len(ix.pchunk)
	}
	return st
}

// Ready reports whether the index holds generation gen.
func (r *Resident) Ready(gen int64) bool {
	ix := r.cur.Load()
	return ix != nil && ix.gen == gen
}

// ready returns the index if it holds generation gen; if not, it starts a
// build (unless one runs or this generation was tried) and returns nil.
func (r *Resident) ready(gen int64) *residentIndex {
	if ix := r.cur.Load(); ix != nil && ix.gen == gen {
		return ix
	}
	r.trigger(gen)
	return nil
}

func (r *Resident) trigger(gen int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ctx == nil || r.building || r.triedAny && r.tried == gen || r.ctx.Err() != nil {
		return
	}
	r.building, r.tried, r.triedAny = true, gen, true
	ctx := r.ctx
	// The old copy answers no generation but its own: let it go before
	// the new one is built, so memory never holds two.
	if ix := r.cur.Load(); ix != nil && ix.gen != gen {
		r.cur.Store(nil)
	}
	go func() {
		// Wait for the index to stay at one generation for a moment: while
		// index runs follow each other (--watch on a busy tree, POST
		// /v1/index in a loop), a copy would be outdated before it was
		// built, and building it would only take CPU from the searches.
		for {
			select {
			case <-time.After(ResidentQuiet):
			case <-ctx.Done():
				r.mu.Lock()
				r.building = false
				r.mu.Unlock()
				return
			}
			g, err := r.db.Generation(ctx)
			if err != nil || g == gen {
				break
			}
			gen = g
		}
		// A build the store outgrows while it runs is abandoned: the
		// next search after the next quiet moment starts another.
		stale := func() bool {
			g, err := r.db.Generation(ctx)
			return err == nil && g != gen
		}
		ix, b := buildResident(ctx, r.db, stale)
		if b.Err == nil {
			r.cur.Store(ix)
		}
		// The build's garbage (every chunk's text, the chunk-major
		// postings) is several times the index: give it back now.
		debug.FreeOSMemory()
		r.mu.Lock()
		r.building = false
		r.last = b
		r.tried = b.Generation
		if errors.Is(b.Err, ErrResidentOutdated) {
			r.triedAny = false
		}
		r.mu.Unlock()
		if r.onBuild != nil && ctx.Err() == nil {
			r.onBuild(b)
		}
	}()
}

// ResidentQuiet is how long the index generation must stay the same
// before a Resident builds its copy.
var ResidentQuiet = 2 * time.Second

// Fields whose bit is set in a posting's mask, in column order (FTS5's
// chunks_fts columns: name, signature, doc, path, body).
const bodyBit = 1 << FieldBody

// residentIndex is one generation's copy. It is read-only once built.
type residentIndex struct {
	gen int64

	// Per chunk, in id order.
	ids    []int64
	keys   []int64
	file   []uint32 // index into files
	kind   []uint16 // index into kinds
	lang   []uint16 // index into langs
	isTest []bool
	// typeNames holds the names of the type declarations (typeKinds),
	// by chunk index: Ranking.TypeFactor spares a type the question
	// names.
	typeNames map[uint32]string
	bodyTerms []int32
	startLine []int32
	endLine   []int32
	// normK is k1·(1 − b + b·D/avgdl), bm25's length part, with D the
	// row's FTS5 token count over all columns.
	normK []float64

	files   []store.FilePath // in path order
	fileIdx map[int64]uint32
	kinds   []string
	langs   []string

	// Tokens and their postings: postings of token t are
	// [off[t], off[t+1]) of pchunk (chunk index, ascending), pmask
	// (fields holding it) and ptf (its count in the body, 0 if not in the
	// body; tfBig holds counts above 65,535 by posting index).
	tokens map[string]uint32
	df     []int32 // FTS5's document count (chunks_vocab) of the token as spelled
	// vocabOnly holds the document counts of FTS5 tokens no chunk token
	// is spelled as (folded ones, see buildResident); impure names the
	// FTS5 tokens that other tokens fold to.
	vocabOnly map[string]int32
	impure    map[string]bool
	off       []uint32
	pchunk    []uint32
	pmask     []uint8
	ptf       []uint16
	tfBig     map[uint32]int32

	// FTS5's row count and average row length (tokens over all columns).
	nRow  int64
	avgdl float64
}

// bm25 constants of FTS5 (fts5_aux.c). Variables, not constants: C
// computes k1 + 1.0 in double precision, and so must Go.
var (
	fts5K1 = 1.2
	fts5B  = 0.75
)

// ErrResidentOutdated marks a build abandoned because the store moved to
// another generation while it ran.
var ErrResidentOutdated = errors.New("resident index: abandoned, the index changed during the build")

// errResidentMismatch marks a build whose copy disagrees with FTS5.
var errResidentMismatch = errors.New("resident index disagrees with the FTS5 index")

type residentEntry struct {
	tok  uint32
	mask uint8
	tf   uint32
}

// entryBlocks is a growing array of entries in fixed blocks: no copy of
// the whole when it grows, so a build's peak memory stays near its size.
type entryBlocks struct {
	blocks [][]residentEntry
	n      int
}

const entryBlock = 1 << 16

func (b *entryBlocks) add(e residentEntry) {
	if b.n%entryBlock == 0 {
		b.blocks = append(b.blocks, make([]residentEntry, 0, entryBlock))
	}
	last := &b.blocks[len(b.blocks)-1]
	*last = append(*last, e)
	b.n++
}

func (b *entryBlocks) at(i uint32) *residentEntry {
	return &b.blocks[i/entryBlock][i%entryBlock]
}

// buildResident reads and tokenizes the store (see Resident).
//
// stale, if not nil, is asked now and then whether the store has moved
// on; the build then stops with ErrResidentOutdated.
func buildResident(ctx context.Context, db *store.DB, stale func() bool) (*residentIndex, ResidentBuild) {
	start := time.Now()
	ix := &residentIndex{tokens: map[string]uint32{}, fileIdx: map[int64]uint32{}, tfBig: map[uint32]int32{}, typeNames: map[uint32]string{}}
	var b ResidentBuild
	tk := tokenize.New()
	kindIdx, langIdx := map[string]uint16{}, map[string]uint16{}
	intern := func(m map[string]uint16, list *[]string, s string) uint16 {
		if i, ok := m[s]; ok {
			return i
		}
		i := uint16(len(*list))
		m[s] = i
		*list = append(*list, s)
		return i
	}
	var pathToks [][]uint32 // per file, its path's tokens (computed once)
	var (
		cmStart []uint32 // per chunk, its first entry in cm
		cm      entryBlocks
		cols    [][numFields]int32 // per chunk, distinct tokens per column
		cnt     []int32            // per token, chunks holding it
		stamp   []int32            // per token, 1 + the chunk that last saw it
		slot    []int32            // per token, its entry in cm for that chunk
	)
	tokID := func(t string) uint32 {
		id, ok := ix.tokens[t]
		if !ok {
			id = uint32(len(cnt))
			ix.tokens[strings.Clone(t)] = id
			cnt = append(cnt, 0)
			stamp = append(stamp, 0)
			slot = append(slot, 0)
		}
		return id
	}
	var ci int32
	add := func(f int, id uint32) {
		if stamp[id] != ci+1 {
			stamp[id] = ci + 1
			slot[id] = int32(cm.n)
			cm.add(residentEntry{tok: id})
			cnt[id]++
		}
		e := cm.at(uint32(slot[id]))
		if e.mask&(1<<f) == 0 {
			e.mask |= 1 << f
			cols[ci][f]++
		}
		if f == FieldBody {
			e.tf++
		}
	}
	var docSizes [][numFields]int64
	var docErr []string
	type vocabRow struct {
		term string
		doc  int32
	}
	var vocab []vocabRow
	var vocabErr []string
	var rows int64
	var colTotals []int64
	mismatch := func(list *[]string, format string, args ...any) {
		if len(*list) < 3 {
			*list = append(*list, fmt.Sprintf(format, args...))
		} else if len(*list) == 3 {
			*list = append(*list, "...")
		}
	}
	err := db.ScanResident(ctx, store.ResidentSink{
		Generation: func(gen int64) { ix.gen = gen; b.Generation = gen },
		File: func(id int64, p string) error {
			ix.fileIdx[id] = uint32(len(ix.files))
			ix.files = append(ix.files, store.FilePath{ID: id, Path: p})
			var toks []uint32
			tk.Each(strings.TrimSuffix(p, path.Ext(p)), func(t string) { toks = append(toks, tokID(t)) })
			pathToks = append(pathToks, toks)
			return nil
		},
		Chunk: func(c *store.Chunk) error {
			if len(ix.ids)&1023 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if len(ix.ids)&8191 == 0 && stale != nil && stale() {
				return ErrResidentOutdated
			}
			fi, ok := ix.fileIdx[c.FileID]
			if !ok {
				return fmt.Errorf("%w: chunk %d of unknown file %d", errResidentMismatch, c.ID, c.FileID)
			}
			ci = int32(len(ix.ids))
			ix.ids = append(ix.ids, c.ID)
			ix.keys = append(ix.keys, c.Key)
			ix.file = append(ix.file, fi)
			ix.kind = append(ix.kind, intern(kindIdx, &ix.kinds, c.Kind))
			ix.lang = append(ix.lang, intern(langIdx, &ix.langs, c.Language))
			ix.isTest = append(ix.isTest, c.IsTest)
			if typeKinds[c.Kind] && c.Name != "" {
				ix.typeNames[uint32(ci)] = strings.Clone(c.Name)
			}
			ix.bodyTerms = append(ix.bodyTerms, int32(c.BodyTerms))
			ix.startLine = append(ix.startLine, int32(c.StartLine))
			ix.endLine = append(ix.endLine, int32(c.EndLine))
			cmStart = append(cmStart, uint32(cm.n))
			cols = append(cols, [numFields]int32{})
			// The fields and texts of chunkFields (and of the indexer).
			tk.Each(c.QualifiedName, func(t string) { add(FieldName, tokID(t)) })
			tk.Each(c.Signature, func(t string) { add(FieldSignature, tokID(t)) })
			tk.Each(c.Doc, func(t string) { add(FieldDoc, tokID(t)) })
			for _, id := range pathToks[fi] {
				add(FieldPath, id)
			}
			tk.Each(c.Content, func(t string) { add(FieldBody, tokID(t)) })
			return nil
		},
		DocSize: func(id int64, sizes []int64) error {
			var s [numFields]int64
			copy(s[:], sizes)
			i := len(docSizes)
			if i >= len(ix.ids) || ix.ids[i] != id || len(sizes) != numFields {
				mismatch(&docErr, "FTS5 row %d", id)
				docSizes = append(docSizes, s)
				return nil
			}
			// Compared with the tokenizer's counts once FTS5's view of
			// non-ASCII tokens is known (below).
			docSizes = append(docSizes, s)
			return nil
		},
		Vocab: func(term string, doc int) error {
			vocab = append(vocab, vocabRow{term, int32(doc)})
			return nil
		},
		Totals: func(n int64, c []int64) { rows, colTotals = n, append([]int64{}, c...) },
	})
	b.Duration = time.Since(start)
	b.Chunks, b.Tokens, b.Postings = len(ix.ids), len(cnt), cm.n
	if err != nil {
		b.Err = err
		return nil, b
	}
	n := len(ix.ids)
	if len(docSizes) != n {
		mismatch(&docErr, "%d FTS5 rows for %d chunks", len(docSizes), n)
	}
	// FTS5 folds the tokens it is given again (unicode61): a few
	// non-ASCII tokens of the Go tokenizer are another token to it, and
	// the rows of such a token count for that one. Those FTS5 tokens are
	// impure: candidates holding them are chosen by SQLite.
	var nonASCII []string
	for t := range ix.tokens {
		if !isASCII(t) {
			nonASCII = append(nonASCII, t)
		}
	}
	sort.Strings(nonASCII)
	folds, err := db.FoldTokens(ctx, nonASCII)
	if err != nil {
		b.Err = err
		return nil, b
	}
	sources := map[string][]uint32{} // FTS5 token -> Go tokens folding to it, when not only itself
	folded := map[uint32]bool{}
	// A token FTS5 does not see at all: a character Go's Unicode tables
	// call a letter and SQLite's older ones a separator (U+1CF2, say). It
	// is in no FTS5 row, so its document frequency is 0 on both paths and
	// it never chooses candidates; it still counts in the lexical score
	// of a chunk holding it, as on the SQLite path, which re-tokenizes.
	// Only FTS5's column sizes lack it.
	// A token FTS5 splits in several (the same character inside a word:
	// "x\u1cf2y") is in FTS5's rows as its pieces: each piece is impure,
	// like a folded token, and its rows are checked as the union of its
	// sources' below. delta is what each such token adds to FTS5's column
	// sizes beyond the one the tokenizer counts.
	delta := map[uint32]int32{}
	for _, t := range nonASCII {
		f := folds[t]
		id := ix.tokens[t]
		if len(f) == 0 {
			delta[id] = -1
			folded[id] = true
			continue
		}
		if len(f) > 1 {
			delta[id] = int32(len(f) - 1)
			folded[id] = true
			for _, p := range f {
				if !slices.Contains(sources[p], id) {
					sources[p] = append(sources[p], id)
				}
			}
			continue
		}
		if f[0] != t {
			sources[f[0]] = append(sources[f[0]], ix.tokens[t])
			folded[ix.tokens[t]] = true
		}
	}
	ix.impure = map[string]bool{}
	for f := range sources {
		ix.impure[f] = true
		if id, ok := ix.tokens[f]; ok {
			sources[f] = append(sources[f], id)
		}
	}
	ix.df = make([]int32, len(cnt))
	ix.vocabOnly = map[string]int32{}
	seenTok := 0
	for _, v := range vocab {
		id, isTok := ix.tokens[v.term]
		if isTok {
			ix.df[id] = v.doc
			seenTok++
		} else {
			ix.vocabOnly[v.term] = v.doc
		}
		switch {
		case ix.impure[v.term]:
			// Checked below, on the postings.
		case !isTok:
			mismatch(&vocabErr, "token %q in %d FTS5 rows, in no chunk's tokens", v.term, v.doc)
		case cnt[id] != v.doc:
			mismatch(&vocabErr, "token %q: FTS5 %d rows, tokenizer %d chunks", v.term, v.doc, cnt[id])
		}
	}
	if want := len(cnt) - len(folded); seenTok != want {
		mismatch(&vocabErr, "%d of the tokenizer's %d tokens in FTS5's vocabulary", seenTok, want)
	}
	// The tokenizer's distinct tokens per column of each chunk, less the
	// ones FTS5 does not see, against FTS5's own sizes.
	if len(delta) > 0 {
		for i := range cols {
			end := uint32(cm.n)
			if i+1 < len(cmStart) {
				end = cmStart[i+1]
			}
			for k := cmStart[i]; k < end; k++ {
				e := cm.at(k)
				d, ok := delta[e.tok]
				if !ok {
					continue
				}
				for f := range numFields {
					if e.mask&(1<<f) != 0 {
						cols[i][f] += d
					}
				}
			}
		}
	}
	for i := 0; i < len(docSizes) && i < n; i++ {
		for f := range numFields {
			if docSizes[i][f] != int64(cols[i][f]) {
				mismatch(&docErr, "chunk %d column %s: FTS5 %d tokens, tokenizer %d", ix.ids[i], fieldNames[f], docSizes[i][f], cols[i][f])
				break
			}
		}
	}
	var sum [numFields]int64
	for i := range cols {
		for f := range numFields {
			sum[f] += int64(cols[i][f])
		}
	}
	if rows != int64(n) || len(colTotals) != numFields {
		mismatch(&docErr, "FTS5 totals: %d rows, %d columns; %d chunks", rows, len(colTotals), n)
	} else {
		for f := range numFields {
			if colTotals[f] != sum[f] {
				mismatch(&docErr, "FTS5 column %s holds %d tokens, tokenizer %d", fieldNames[f], colTotals[f], sum[f])
			}
		}
	}
	if bad := append(docErr, vocabErr...); len(bad) > 0 {
		b.Err = fmt.Errorf("%w: %s", errResidentMismatch, strings.Join(bad, "; "))
		return nil, b
	}

	// bm25's statistics, as fts5Bm25GetData computes them.
	ix.nRow = rows
	var nToken int64
	for _, c := range colTotals {
		nToken += c
	}
	if rows > 0 {
		ix.avgdl = float64(nToken) / float64(rows)
	}
	ix.normK = make([]float64, n)
	for i := range n {
		var d int64
		for _, s := range docSizes[i] {
			d += s
		}
		ix.normK[i] = fts5K1 * (1 - fts5B + fts5B*float64(d)/ix.avgdl)
	}

	// Transpose the chunk-major entries into postings.
	ix.off = make([]uint32, len(cnt)+1)
	for t, c := range cnt {
		ix.off[t+1] = ix.off[t] + uint32(c)
	}
	fill := make([]uint32, len(cnt))
	copy(fill, ix.off[:len(cnt)])
	ix.pchunk = make([]uint32, cm.n)
	ix.pmask = make([]uint8, cm.n)
	ix.ptf = make([]uint16, cm.n)
	for c := range n {
		end := uint32(cm.n)
		if c+1 < n {
			end = cmStart[c+1]
		}
		for q := cmStart[c]; q < end; q++ {
			e := cm.at(q)
			p := fill[e.tok]
			fill[e.tok]++
			ix.pchunk[p] = uint32(c)
			ix.pmask[p] = e.mask
			if e.tf > 0xffff {
				ix.tfBig[p] = int32(e.tf)
				ix.ptf[p] = 0xffff
			} else {
				ix.ptf[p] = uint16(e.tf)
			}
		}
	}
	cm = entryBlocks{}
	// The impure tokens' row counts: the union of their sources'.
	var bad []string
	for f, srcs := range sources {
		rowsOf := map[uint32]bool{}
		for _, id := range srcs {
			for _, c := range ix.pchunk[ix.off[id]:ix.off[id+1]] {
				rowsOf[c] = true
			}
		}
		var doc int32
		if id, ok := ix.tokens[f]; ok {
			doc = ix.df[id]
		} else {
			doc = ix.vocabOnly[f]
		}
		if int(doc) != len(rowsOf) {
			mismatch(&bad, "token %q: FTS5 %d rows, tokenizer %d chunks", f, doc, len(rowsOf))
		}
	}
	if len(bad) > 0 {
		b.Err = fmt.Errorf("%w: %s", errResidentMismatch, strings.Join(bad, "; "))
		return nil, b
	}
	b.Duration = time.Since(start)
	return ix, b
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// posting returns chunk ci's posting of token t, if any.
func (ix *residentIndex) posting(t uint32, ci uint32) (p uint32, ok bool) {
	lo, hi := ix.off[t], ix.off[t+1]
	list := ix.pchunk[lo:hi]
	i := sort.Search(len(list), func(i int) bool { return list[i] >= ci })
	if i < len(list) && list[i] == ci {
		return lo + uint32(i), true
	}
	return 0, false
}

// tf returns the body term frequency of posting p.
func (ix *residentIndex) tf(p uint32) int {
	if v := ix.ptf[p]; v != 0xffff {
		return int(v)
	}
	return int(ix.tfBig[p])
}

// docFreq returns the document frequencies of the tokens the index holds,
// as store.DocFreq does.
func (ix *residentIndex) docFreq(toks []string) map[string]int {
	out := make(map[string]int, len(toks))
	for _, t := range toks {
		if id, ok := ix.tokens[t]; ok {
			if d := ix.df[id]; d > 0 {
				out[t] = int(d)
			}
		} else if d, ok := ix.vocabOnly[t]; ok {
			out[t] = int(d)
		}
	}
	return out
}

// chunkIndex returns the index of the chunk with row id id.
func (ix *residentIndex) chunkIndex(id int64) (uint32, bool) {
	i := sort.Search(len(ix.ids), func(i int) bool { return ix.ids[i] >= id })
	if i < len(ix.ids) && ix.ids[i] == id {
		return uint32(i), true
	}
	return 0, false
}

// chunk returns what the index holds of chunk ci: no texts.
func (ix *residentIndex) chunk(ci uint32) store.Chunk {
	f := ix.files[ix.file[ci]]
	return store.Chunk{
		ID: ix.ids[ci], Key: ix.keys[ci], FileID: f.ID, Path: f.Path,
		Kind: ix.kinds[ix.kind[ci]], Language: ix.langs[ix.lang[ci]],
		StartLine: int(ix.startLine[ci]), EndLine: int(ix.endLine[ci]),
		BodyTerms: int(ix.bodyTerms[ci]), IsTest: ix.isTest[ci],
		Name: ix.typeNames[ci],
	}
}

// residentScratch is an engine's working memory for candidates.
type residentScratch struct {
	score   []float64
	stamp   []uint32
	epoch   uint32
	touched []uint32
	heap    []uint32
}

// candidates returns the row ids of the best limit chunks holding any of
// the tokens of phrases (the MATCH expression's, in its order) that pass
// f, as store.Candidates does: FTS5's bm25 with column weights w, best
// first, ties in row id order.
//
// ok is false when a token is not ASCII or is one FTS5 folds others to
// (see buildResident): FTS5 must choose those candidates.
func (ix *residentIndex) candidates(phrases []string, w store.Weights, f store.Filter, limit int, sc *residentScratch) (ids []int64, ok bool) {
	for _, ph := range phrases {
		if !isASCII(ph) || ix.impure[ph] {
			return nil, false
		}
	}
	n := len(ix.ids)
	if len(sc.score) != n {
		sc.score = make([]float64, n)
		sc.stamp = make([]uint32, n)
		sc.epoch = 0
	}
	sc.epoch++
	if sc.epoch == 0 {
		clear(sc.stamp)
		sc.epoch = 1
	}
	// The weights as the SQL text passes them (%g), summed per field set
	// in column order, as bm25() adds a row's instances.
	var wt [numFields]float64
	for i := range numFields {
		wt[i], _ = strconv.ParseFloat(fmt.Sprintf("%g", w[i]), 64)
	}
	var freq [1 << numFields]float64
	for m := range freq {
		s := 0.0
		for c := range numFields {
			if m&(1<<c) != 0 {
				s += wt[c]
			}
		}
		freq[m] = s
	}
	k1p1 := fts5K1 + 1.0
	sc.touched = sc.touched[:0]
	for _, ph := range phrases {
		t, ok := ix.tokens[ph]
		if !ok {
			continue
		}
		lo, hi := ix.off[t], ix.off[t+1]
		nHit := int64(hi - lo)
		idf := clog((float64(ix.nRow-nHit) + 0.5) / (float64(nHit) + 0.5))
		if idf <= 0.0 {
			idf = 1e-6
		}
		for p := lo; p < hi; p++ {
			c := ix.pchunk[p]
			fr := freq[ix.pmask[p]]
			s := idf * ((fr * k1p1) / (fr + ix.normK[c]))
			if sc.stamp[c] != sc.epoch {
				sc.stamp[c] = sc.epoch
				sc.score[c] = 0
				sc.touched = append(sc.touched, c)
			}
			sc.score[c] += s
		}
	}
	keep := ix.filter(f)
	// A bounded heap of the best limit: the root is the worst kept.
	worse := func(a, b uint32) bool { // a ranks after b
		if sc.score[a] != sc.score[b] {
			return sc.score[a] < sc.score[b]
		}
		return a > b
	}
	h := sc.heap[:0]
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			j := l
			if r := l + 1; r < len(h) && worse(h[r], h[l]) {
				j = r
			}
			if !worse(h[j], h[i]) {
				return
			}
			h[i], h[j] = h[j], h[i]
			i = j
		}
	}
	for _, c := range sc.touched {
		if keep != nil && !keep(c) {
			continue
		}
		if len(h) < limit {
			h = append(h, c)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !worse(h[i], h[p]) {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
			continue
		}
		if limit > 0 && worse(h[0], c) {
			h[0] = c
			down(0)
		}
	}
	sc.heap = h
	out := make([]int64, len(h))
	sort.Slice(h, func(i, j int) bool { return worse(h[j], h[i]) })
	for i, c := range h {
		out[i] = ix.ids[c]
	}
	return out, true
}

// filter returns the test of f on chunk indexes, nil for no filter.
func (ix *residentIndex) filter(f store.Filter) func(uint32) bool {
	if len(f.Kinds) == 0 && len(f.Languages) == 0 && !f.ExcludeTests && !f.Restrict {
		return nil
	}
	set := func(vals []string, list []string) []bool {
		if len(vals) == 0 {
			return nil
		}
		ok := make([]bool, len(list))
		for i, s := range list {
			for _, v := range vals {
				if s == v {
					ok[i] = true
				}
			}
		}
		return ok
	}
	kinds, langs := set(f.Kinds, ix.kinds), set(f.Languages, ix.langs)
	var files []bool
	if f.Restrict {
		files = make([]bool, len(ix.files))
		for _, id := range f.FileIDs {
			if i, ok := ix.fileIdx[id]; ok {
				files[i] = true
			}
		}
	}
	return func(c uint32) bool {
		if kinds != nil && !kinds[ix.kind[c]] {
			return false
		}
		if langs != nil && !langs[ix.lang[c]] {
			return false
		}
		if f.ExcludeTests && ix.isTest[c] {
			return false
		}
		if files != nil && !files[ix.file[c]] {
			return false
		}
		return true
	}
}

// resolvePaths is PathFilter.resolve over the index's files.
func (ix *residentIndex) resolvePaths(p PathFilter) ([]int64, error) {
	m, err := p.matcher()
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, f := range ix.files {
		if m(f.Path) {
			ids = append(ids, f.ID)
		}
	}
	return ids, nil
}
