-- Candidate scoring without reading every matching chunk's tsvector.
--
-- head_v holds the tokens of a chunk's short columns, each column its own
-- weight: name A, signature B, doc C, path D (tsv keeps the issue's
-- weighting: name and signature A, doc B, path C, body D). A token of the
-- question found in tsv but not in head_v can only be in the body, so
-- bm25's weighted column hits come from two GIN lookups per token: the
-- chunks whose tsv holds it, and the (few) whose head_v does, which alone
-- are looked at row by row. It replaces name_v and sig_v.
--
-- btree_gin lets both GIN indexes lead with project_id, so a lookup in a
-- database of many projects reads the project's postings only.
CREATE EXTENSION IF NOT EXISTS btree_gin;

ALTER TABLE chunks ADD COLUMN head_v tsvector;

-- Existing chunks: head_v from name_v (A), sig_v (B), and tsv's doc (B)
-- and path (C) lexemes, as the indexer would write it.
CREATE FUNCTION pg_temp.aur_head(lexemes text[], pos text) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(string_agg('''' || replace(replace(l, '\', '\\'), '''', '''''') || ''':' || pos, ' '), '')::tsvector
	FROM unnest(lexemes) AS l
$$;
UPDATE chunks SET head_v =
	pg_temp.aur_head(tsvector_to_array(name_v), '1A') ||
	pg_temp.aur_head(tsvector_to_array(sig_v), '2B') ||
	pg_temp.aur_head(tsvector_to_array(ts_filter(tsv, '{b}')), '3C') ||
	pg_temp.aur_head(tsvector_to_array(ts_filter(tsv, '{c}')), '4D');
ALTER TABLE chunks ALTER COLUMN head_v SET NOT NULL;
ALTER TABLE chunks DROP COLUMN name_v, DROP COLUMN sig_v;

DROP INDEX chunks_tsv;
CREATE INDEX chunks_tsv ON chunks USING gin (project_id, tsv);
CREATE INDEX chunks_head ON chunks USING gin (project_id, head_v);
