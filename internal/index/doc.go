// Package index builds and updates the chunk store from a directory tree.
//
// A run has four stages: walk (ignore rules, default skips, size and
// symlink checks), compare with the store (a file whose size and mtime are
// unchanged is not even read; one whose content hash is unchanged is not
// re-parsed), parse in parallel (one worker per core: read, sniff for
// binary, chunk, tokenize) and write from a single goroutine in batched
// transactions. Each file's chunks are replaced in the same transaction
// that records its new hash, so a run killed at any moment leaves a
// consistent database that the next run completes.
//
// Indexing a subdirectory only looks at, and only changes, files under it.
package index
