// Package query is aur's retrieval engine, shared by every front end
// (aur query, aur mem search, aur eval): validate the question, turn it into
// terms with the indexer's tokenizer, fetch candidates from FTS5, score
// them on an absolute [0,1] scale and keep the high-quality ones.
//
// Scoring has two parts (see score.go for the arithmetic):
//
//   - lexical: a BM25F score over the chunk's fields (name, signature, doc,
//     path, body) divided by the score an ideal chunk would get for the
//     same query (every term present in every field, fully saturated), so
//     0.5 means the same thing for every query and thresholds are
//     meaningful. No per-query min-max: that makes the best result 1.0 even
//     when it is garbage.
//   - activation: ACT-R base-level activation (internal/activation) from
//     the chunk's file's commits, and from the chunk's accesses weighted by
//     their association with the current query (score.go: association).
//
// final = lexical·(1 + w·activation·(1 − lexical)), w = 0.2: with no
// history the score is exactly the lexical score, and activation lifts a
// chunk in proportion to its own relevance and the headroom above it, so
// it reorders near-ties only and never reaches 1 (score.go: hybrid). Test
// code is multiplied by Ranking.TestFactor unless the question is about
// tests; phrases the chunk holds verbatim lift its lexical score.
//
// FTS5 is used for candidate generation only: the MATCH expression is an OR
// of quoted tokens (user text never reaches FTS5 as syntax), ranked by
// bm25() with the same field weights, and the best few hundred are scored
// here, where every part of the score can be explained (--explain).
package query
