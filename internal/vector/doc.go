// Package vector holds the arithmetic of semantic retrieval: unit
// vectors quantised to int8 for storage and exact rescoring, and their
// sign bits for a fast first pass.
//
// Why two codes: the first pass of a query compares the question with
// every stored chunk. At 768 dimensions (nomic-embed-text) a float32 scan
// is 3 KB per chunk, 368 MB for 120k chunks and 3 GB for a million; even
// int8 (768 bytes) is more than a 2-core machine multiplies in tens of
// milliseconds without SIMD. The sign bits (96 bytes at 768 dimensions)
// are compared by XOR and popcount, twelve 64-bit words per chunk, and
// the Hamming distance between sign codes tracks the angle between the
// vectors (Charikar's SimHash: P[bit differs] = θ/π for random
// hyperplanes, and well-spread embedding dimensions behave close to
// that). The best few hundred by Hamming distance are then rescored
// exactly with their int8 vectors (cosine error below 1%), so the first
// pass only has to keep the true top-k among its candidates
// ("binary quantisation with rescoring").
package vector
