-- Test code is marked on the chunk (by path convention, or a Rust
-- #[cfg(test)] module) so ranking can put the code under test first and
-- --exclude-tests can drop it.
ALTER TABLE chunks ADD COLUMN is_test INTEGER NOT NULL DEFAULT 0;
CREATE INDEX chunks_is_test ON chunks(is_test) WHERE is_test = 1;

-- A trigram index over each file's text, for exact substrings:
-- aur mem search --fixed-strings, and quoted phrases or pasted error
-- messages, which must find the string literal that emits them. Each row
-- holds a file's distinct byte trigrams (ASCII case folded) as hex words
-- (see internal/store/trigram.go); detail=none keeps it small (no
-- positions). A substring is found as "every trigram of it" in a file,
-- then checked against the text of the file's chunks. Per file, not per
-- chunk: a chunk-level index held three times the postings and made
-- indexing GOROOT/src 2.5 times slower. rowid = files.id.
CREATE VIRTUAL TABLE files_tri USING fts5(
	trigrams,
	content = '',
	contentless_delete = 1,
	tokenize = 'ascii',
	detail = none
);

-- Per-trigram file counts: a substring search asks for its rarest
-- trigrams only.
CREATE VIRTUAL TABLE files_tri_vocab USING fts5vocab(files_tri, 'row');

CREATE TRIGGER files_ad AFTER DELETE ON files BEGIN
	DELETE FROM files_tri WHERE rowid = old.id;
END;

-- Chunks indexed before this version have neither: make the next index
-- run re-read every file (its size and mtime no longer match). Until then
-- they stay searchable as before.
UPDATE files SET mtime_ns = -1, hash = '';

-- As for chunks_fts: one segment per indexer batch, not one per megabyte.
INSERT INTO files_tri(files_tri, rank) VALUES ('hashsize', 67108864);
