package query

import (
	"math"
	"path"
	"strings"

	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/tokenize"
)

// Fields of a chunk, in the order of the chunks_fts columns.
const (
	FieldName = iota
	FieldSignature
	FieldDoc
	FieldPath
	FieldBody
	numFields
)

var fieldNames = [numFields]string{"name", "signature", "doc", "path", "body"}

// Ranking holds the constants of the lexical score. They were tuned on
// shared/eval (the Go standard library, comments stripped) and checked on
// the in-repo fixture; see README "Retrieval quality".
type Ranking struct {
	// Weights of a term's presence in each field (BM25F).
	Weights [numFields]float64
	// K1 is BM25's term-frequency saturation, B its length normalization
	// (by distinct body tokens against the corpus mean).
	K1, B float64
	// Candidates is how many chunks FTS5 hands over for scoring.
	Candidates int
	// CommonDF: terms in more than this share of chunks are left out of the
	// FTS5 candidate query (they still score); they would only make FTS5
	// walk huge posting lists for almost no weight.
	CommonDF float64 // and in more than minCommonDF chunks
	// BodyTF adds weight_body·BodyTF·ln(tf) for a term repeated tf times
	// in the body: a function that uses a word often is more about it.
	// (The FTS5 index stores each body token once, so this refinement
	// exists only here, on the candidates.)
	BodyTF float64
	// ActivationWeight is w in final = lexical · (1 + w·activation).
	ActivationWeight float64
	// Calibration is p in lexical = (bm25f / ideal)^p. The ratio to the
	// ideal is strict (no real chunk holds every term with infinite
	// weight), so on-topic matches sit between 0.15 and 0.6 and off-topic
	// ones below 0.18; p = 0.65 puts the default threshold, 0.3, at a raw
	// ratio of 0.157 (measured on shared/eval: 97% of the targets ranked in
	// the top 10 stay above it; on testdata/quality/offtopic.txt, 80% of
	// the queries keep no chunk above it). Monotone: it never changes a
	// ranking, only what the thresholds mean.
	Calibration float64
	// TestFactor multiplies the score of test code when the question is
	// not about tests: a test of X names X and exercises it, so it
	// matches a question about X nearly as well as X does; the code under
	// test is what the question wants.
	TestFactor float64
	// TypeFactor multiplies the score of a type declaration (class,
	// struct, interface, enum, other type) that the question neither
	// names nor asks about (see aboutTypes): a type's doc comment and
	// fields sum up everything its methods do, so it matches a question
	// about any of them, and the method that does it is the answer.
	TypeFactor float64
	// PhraseWeight is how much of the headroom above the lexical score a
	// chunk gains by holding the query's phrases verbatim (see phrases):
	// lexical' = lexical + PhraseWeight · share · (1 − lexical).
	PhraseWeight float64
	// FileDecay is how much each further chunk of a file counts in its
	// --files score, relative to the one before (see Files).
	FileDecay float64
	// FileCandidates multiplies Candidates for a --files search: files
	// need the evidence of more chunks than a top-10 of chunks does.
	FileCandidates int
}

// DefaultRanking are the tuned constants.
var DefaultRanking = Ranking{
	Weights:          [numFields]float64{3, 3, 1, 1.5, 1},
	K1:               1.2,
	B:                0.3,
	Candidates:       100,
	CommonDF:         0.25,
	BodyTF:           0.25,
	ActivationWeight: 0.2,
	Calibration:      0.57,
	TestFactor:       0.6,
	TypeFactor:       0.8,
	PhraseWeight:     0.8,
	FileDecay:        0.5,
	FileCandidates:   2,
}

// hybrid combines the lexical score and activation:
//
//	final = lexical · (1 + w · activation · (1 − lexical))
//
// Activation lifts a chunk in proportion to its own relevance and to the
// headroom left above it, so usage history reorders near-ties only: with
// w = 0.2 a chunk gains at most 5% of its score at lexical 0.75 and
// nothing as lexical nears 1, a hot but weak match cannot overtake one
// whose lexical score is more than w·(1 − lexical) ahead, no score reaches
// 1 from use alone, and with no history the score is exactly the lexical
// one. (An additive lift, lexical + w·activation, was tried first:
// replaying 300 unrelated queries in a row through shared/eval cut MRR@10
// from 0.45 to 0.29, because every chunk shown in the last minute
// outranked better matches. The first release's lexical · (1 + w·a),
// capped at 1, let repeated use drive scores to the cap.)
func (r Ranking) hybrid(lex, act float64) float64 {
	return lex * (1 + r.ActivationWeight*act*(1-lex))
}

// withPhrase lifts a lexical score by the share of the query found
// verbatim in the chunk.
func (r Ranking) withPhrase(lex, share float64) float64 {
	if share <= 0 {
		return lex
	}
	return lex + r.PhraseWeight*share*(1-lex)
}

// association is the IDF-weighted share of the query's terms (or their
// alternatives) found among the tokens of the queries that accessed a
// chunk: ACT-R's spreading activation from the current context, reduced to
// what aur records. The engine uses its square as the share of the
// access activation that counts: a chunk used for the same need before
// gets all of it, one used for a neighbouring question (sharing only a
// package name, say) a small part, one used for something unrelated none.
// Measured on shared/eval, replaying all 300 queries in a row (each one's
// results recorded as accesses before the next): MRR@10 0.381 with plain
// base-level activation, 0.424 with association, 0.435 with its square,
// against 0.453 with no history at all.
func association(terms []Term, context []string) float64 {
	if len(context) == 0 {
		return 0
	}
	ctx := make(map[string]bool, len(context))
	for _, t := range context {
		ctx[t] = true
	}
	var hit, total float64
	for _, t := range terms {
		total += t.IDF
		for _, f := range t.forms() {
			if ctx[f] {
				hit += t.IDF
				break
			}
		}
	}
	if total == 0 {
		return 0
	}
	return hit / total
}

// minCommonDF keeps small indexes exact: leaving common terms out of the
// candidate query only pays on large ones.
const minCommonDF = 5000

// storeWeights converts field weights to bm25() column weights.
func (r Ranking) storeWeights() store.Weights {
	return store.Weights(r.Weights)
}

// fieldSets records which fields of a chunk hold the query's term forms
// (and no other token: scoring asks about nothing else).
type fieldSets struct {
	// in has bit f set for a form found in field f.
	in map[string]uint8
	// bodyTF counts each form's occurrences in the body.
	bodyTF map[string]int
}

// queryForms is the set of the forms (texts and alternatives) of terms.
func queryForms(terms []Term) *tokenize.Wanted {
	var forms []string
	for _, t := range terms {
		forms = append(forms, t.forms()...)
	}
	return tokenize.NewWanted(forms)
}

// chunkFields finds the forms of want in the fields of c. fs is reset and
// reused.
func chunkFields(tk *tokenize.Tokenizer, c *store.Chunk, want *tokenize.Wanted, fs *fieldSets) {
	if fs.in == nil {
		fs.in = map[string]uint8{}
		fs.bodyTF = map[string]int{}
	}
	clear(fs.in)
	clear(fs.bodyTF)
	add := func(f int, text string) {
		tk.EachWanted(text, want, func(t string) { fs.in[t] |= 1 << f })
	}
	add(FieldName, c.QualifiedName)
	add(FieldSignature, c.Signature)
	add(FieldDoc, c.Doc)
	add(FieldPath, strings.TrimSuffix(c.Path, path.Ext(c.Path)))
	tk.EachWanted(c.Content, want, func(t string) {
		fs.in[t] |= 1 << FieldBody
		fs.bodyTF[t]++
	})
}

// has reports whether field f holds the term or one of its alternatives.
func (fs *fieldSets) has(f int, t Term) bool {
	if fs.in[t.Text]&(1<<f) != 0 {
		return true
	}
	for _, a := range t.Alts {
		if fs.in[a]&(1<<f) != 0 {
			return true
		}
	}
	return false
}

// TermScore is one query term's part of a chunk's lexical score.
type TermScore struct {
	Term   string   `json:"term"`
	IDF    float64  `json:"idf"`
	Fields []string `json:"fields"` // fields holding the term
	Score  float64  `json:"score"`  // idf · saturated field weight
}

// lexical scores a chunk against the query terms:
//
//	tfw(t)  = Σ_f weight_f · [t in field f]
//	norm    = 1 − B + B · bodyTerms / avgBodyTerms
//	s(t)    = idf(t) · tfw(t)·(K1+1) / (tfw(t) + K1·norm)
//	lexical = Σ_t s(t) / Σ_t idf(t)·(K1+1)
//
// The denominator is the supremum of the numerator (every term, infinite
// weight), so lexical is in [0,1) on the same scale for every query.
func (r Ranking) lexical(terms []Term, fs *fieldSets, bodyTerms int, avgBodyTerms float64) (float64, []TermScore) {
	norm := 1.0
	if avgBodyTerms > 0 {
		norm = 1 - r.B + r.B*float64(bodyTerms)/avgBodyTerms
	}
	var sum, ideal float64
	parts := make([]TermScore, 0, len(terms))
	for _, t := range terms {
		ideal += t.IDF * (r.K1 + 1)
		tfw := 0.0
		var in []string
		for f := range numFields {
			if fs.has(f, t) {
				tfw += r.Weights[f]
				in = append(in, fieldNames[f])
			}
		}
		if r.BodyTF > 0 {
			n := 0
			for _, f := range t.forms() {
				n += fs.bodyTF[f]
			}
			if n > 1 {
				tfw += r.Weights[FieldBody] * r.BodyTF * math.Log(float64(n))
			}
		}
		s := 0.0
		if tfw > 0 {
			s = t.IDF * tfw * (r.K1 + 1) / (tfw + r.K1*norm)
		}
		sum += s
		parts = append(parts, TermScore{Term: t.Text, IDF: t.IDF, Fields: in, Score: s})
	}
	if ideal == 0 {
		return 0, parts
	}
	lex := sum / ideal
	if r.Calibration > 0 && r.Calibration != 1 {
		lex = math.Pow(lex, r.Calibration)
	}
	return lex, parts
}
