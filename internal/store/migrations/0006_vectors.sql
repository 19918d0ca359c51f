-- Semantic retrieval (see internal/store/vectors.go, internal/vector).
--
-- embeddings holds one vector per distinct embedded text, keyed by the
-- xxhash64 of that text: a chunk re-created with the same text (its file
-- changed elsewhere, or it moved) reuses its vector without asking the
-- provider again. Every row was made by the model named in meta
-- (embed_model, embed_dims); a different model empties the three tables.
-- vec is the unit vector quantised to int8; bits its sign bits.
CREATE TABLE embeddings (
	hash INTEGER PRIMARY KEY,
	bits BLOB NOT NULL,
	vec  BLOB NOT NULL
);

-- Which chunk has which vector. Chunks lose theirs with them (a chunk's
-- id changes whenever its file is re-indexed); the next embedding pass
-- reconnects the new chunk to the stored vector by hash.
CREATE TABLE chunk_vectors (
	chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
	hash     INTEGER NOT NULL
);
CREATE INDEX chunk_vectors_hash ON chunk_vectors(hash);

-- The sign codes of every chunk with a vector, packed a few thousand to
-- a row so a query reads them in a few dozen blob reads rather than one
-- row per chunk: ids are little-endian int64 chunk ids, bits their codes
-- concatenated. Rebuilt at the end of each embedding pass; a chunk
-- deleted since is dropped when its exact vector is looked up.
CREATE TABLE vector_segments (
	id   INTEGER PRIMARY KEY,
	ids  BLOB NOT NULL,
	bits BLOB NOT NULL
);
