-- Test code is marked on the chunk (by path convention, or a Rust
-- #[cfg(test)] module) so ranking can put the code under test first and
-- --exclude-tests can drop it.
ALTER TABLE chunks ADD COLUMN is_test INTEGER NOT NULL DEFAULT 0;
CREATE INDEX chunks_is_test ON chunks(is_test) WHERE is_test = 1;

-- A trigram index over each chunk's text, for exact substrings:
-- aur mem search --fixed-strings, and quoted phrases or pasted error
-- messages, which must find the string literal that emits them. Case
-- folded; detail=none keeps it small (no positions), so a substring is
-- found as "every trigram of it" and then checked against the text.
-- rowid = chunks.id.
CREATE VIRTUAL TABLE chunks_tri USING fts5(
	content,
	content = '',
	contentless_delete = 1,
	tokenize = 'trigram case_sensitive 0',
	detail = none
);

DROP TRIGGER chunks_ad;
CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
	DELETE FROM chunks_fts WHERE rowid = old.id;
	DELETE FROM chunks_tri WHERE rowid = old.id;
END;

-- Chunks indexed before this version have neither: make the next index
-- run re-read every file (its size and mtime no longer match). Until then
-- they stay searchable as before.
UPDATE files SET mtime_ns = -1, hash = '';

-- As for chunks_fts: one segment per indexer batch, not one per megabyte.
INSERT INTO chunks_tri(chunks_tri, rank) VALUES ('hashsize', 67108864);
