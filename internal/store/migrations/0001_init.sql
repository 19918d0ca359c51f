-- Key/value facts about the index: its root, generation, last run.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per indexed file. path is relative to the index root, with
-- forward slashes. hash is the xxhash64 of the content, in hex.
CREATE TABLE files (
	id         INTEGER PRIMARY KEY,
	path       TEXT    NOT NULL UNIQUE,
	hash       TEXT    NOT NULL,
	size       INTEGER NOT NULL,
	mtime_ns   INTEGER NOT NULL,
	language   TEXT    NOT NULL,
	indexed_at INTEGER NOT NULL, -- unix milliseconds
	status     TEXT    NOT NULL DEFAULT 'ok', -- ok | parse_error
	message    TEXT    NOT NULL DEFAULT ''
);

-- One row per chunk. key is the stable identity: a hash of the file path,
-- kind and qualified name (plus an ordinal for repeats), or of the content
-- for windows, so it survives edits elsewhere in the file and re-indexing.
-- id is the row number, assigned in insertion order: sequential rowids
-- keep the table and the FTS5 doclists (delta-encoded by rowid) dense,
-- where random 63-bit ids made both about half again as large and slow.
CREATE TABLE chunks (
	id             INTEGER PRIMARY KEY,
	key            INTEGER NOT NULL UNIQUE,
	file_id        INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
	kind           TEXT    NOT NULL,
	name           TEXT    NOT NULL,
	qualified_name TEXT    NOT NULL,
	signature      TEXT    NOT NULL,
	doc            TEXT    NOT NULL,
	start_line     INTEGER NOT NULL,
	end_line       INTEGER NOT NULL,
	content        TEXT    NOT NULL,
	language       TEXT    NOT NULL,
	body_terms     INTEGER NOT NULL DEFAULT 0 -- distinct body tokens, for length normalization
);
CREATE INDEX chunks_file_id ON chunks(file_id);

-- The full-text index over the identifier-split, stemmed tokens of each
-- chunk (see internal/tokenize). Contentless: the text lives in chunks, the
-- index only needs the tokens. Each column holds distinct tokens only, so
-- position lists stay one entry long. (detail=column would be smaller, but
-- bm25() returns 0 for every row with it, so it cannot rank candidates.)
-- rowid = chunks.id.
CREATE VIRTUAL TABLE chunks_fts USING fts5(
	name, signature, doc, path, body,
	content = '',
	contentless_delete = 1,
	tokenize = 'unicode61 remove_diacritics 0'
);

-- Per-token document counts, for IDF weights at query time.
CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row');

CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
	DELETE FROM chunks_fts WHERE rowid = old.id;
END;

-- Commit times of each file from git, for activation: the newest (at most
-- 32) in recent, as space-separated unix seconds, newest first; n is the
-- total count and oldest the first commit time, for Petrov's approximation.
CREATE TABLE file_history (
	path   TEXT    PRIMARY KEY,
	n      INTEGER NOT NULL,
	oldest INTEGER NOT NULL,
	recent TEXT    NOT NULL
) WITHOUT ROWID;

-- Files skipped by the last index run that covered them, with the reason.
CREATE TABLE skipped_files (
	path   TEXT PRIMARY KEY,
	reason TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- One row per aur mem index run.
CREATE TABLE index_runs (
	id          INTEGER PRIMARY KEY,
	path        TEXT    NOT NULL,
	started_at  INTEGER NOT NULL,
	finished_at INTEGER,
	status      TEXT    NOT NULL DEFAULT 'running', -- running | done | interrupted | failed
	summary     TEXT    NOT NULL DEFAULT '{}'
);

-- FTS5 flushes a new segment whenever its in-memory pending index passes
-- hashsize (default 1 MB) and at every commit; every segment must later be
-- merged. A larger hash lets the indexer's batched transactions become one
-- segment each.
INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('hashsize', 67108864);
