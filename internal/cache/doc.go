// Package cache keeps answers to repeated queries: a hot in-process LRU in
// front of a persistent SQLite file, both with a time-to-live.
//
// Why two layers: aur is mostly run as one short process per query, so an
// in-process cache dies with the process that filled it; the persistent
// layer (AURORA_CACHE_PATH, default .aurora/cache.db beside the project
// database) is what makes a repeated `aur query` fast. The hot LRU
// (AURORA_CACHE_HOT_SIZE entries, default 2000) matters for long-running
// uses (an MCP or HTTP server) and spares them a SQLite read per hit. Both
// layers honour the TTL (AURORA_CACHE_TTL, default 600 s), measured from the
// Put.
//
// Keys: the caller builds the key from everything that decides the answer,
// at least the normalized query, the retrieval settings (thresholds, top-k,
// mode), the database's path (the primary and its replica are separate
// databases) and what the database holds: its id and index generation
// (store.Stamp; the generation is bumped by every index run that changed
// something, and a database rebuilt or restored gets a new id, because its
// generations repeat numbers the old one used). It passes those parts to
// Key, which hashes them (SHA-256 over length-prefixed parts, so
// ("ab","c") and ("a","bc") differ). Because the generation is part of the
// key, any re-index makes every older entry unreachable; they expire and
// are pruned like any other. The cache never needs to know what a
// generation is. See internal/ask (retrievalKey, answerKey) and
// docs/operations.md, "Cache invalidation".
//
// Expiry and pruning: an expired entry is never returned, from either
// layer. Expired rows are deleted opportunistically: each Put deletes at
// most pruneBatch of them in its own transaction, so the work per Put is
// bounded, and since every Put adds at most one row and removes up to
// pruneBatch expired ones, expired rows cannot pile up while the cache is in
// use.
//
// Failure: a cache must never break a query. Open returns an error for a
// file that is corrupt, unreadable, not a SQLite database or of a newer
// schema, and Get and Put return errors for I/O trouble; callers log them
// and go on without the cache. Open does not delete or repair a bad file (a
// misconfigured AURORA_CACHE_PATH might name something else that matters);
// the message says which file to remove. A nil *Cache is a valid, always
// missing cache, so a caller whose Open failed can keep using it.
//
// The file is a real SQLite database opened like the project store (WAL,
// busy_timeout, synchronous=NORMAL, all in the DSN so every pooled
// connection gets them, WAL verified) with its own one-table schema,
// versioned by PRAGMA user_version, not the store's migrations. It is safe
// for concurrent use by goroutines and by processes.
//
// The hot layer is hashicorp/golang-lru/v2: a small, widely used,
// thread-safe generic LRU; an entry carries its own expiry, checked against
// the injected clock, because the library's expirable LRU reads the wall
// clock and runs a timer goroutine, which tests could not control.
package cache
