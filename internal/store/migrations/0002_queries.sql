-- One row per query from any front end (aur query, aur mem search, eval).
CREATE TABLE queries (
	id           INTEGER PRIMARY KEY,
	ts           INTEGER NOT NULL, -- unix milliseconds
	query        TEXT    NOT NULL,
	command      TEXT    NOT NULL, -- query | search | eval
	mode         TEXT    NOT NULL, -- interactive | non_interactive | headless
	tier         TEXT    NOT NULL DEFAULT '', -- good | weak | no_match ('' on error)
	groundedness REAL    NOT NULL DEFAULT 0,
	hq_chunks    INTEGER NOT NULL DEFAULT 0,
	results      INTEGER NOT NULL DEFAULT 0,
	choice       TEXT    NOT NULL DEFAULT 'none', -- none | continue | start_anew | start_over
	latency_ms   REAL    NOT NULL,
	status       TEXT    NOT NULL DEFAULT 'ok', -- ok | error
	error_type   TEXT    NOT NULL DEFAULT '',
	cache_hit    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX queries_ts ON queries(ts);

-- Accesses of each chunk (returned in the final top-k of a query that was
-- not abandoned, or cited in an answer), bounded like file_history.
-- context holds the distinct tokens of the queries that led to the chunk,
-- newest first, at most 64: activation from accesses counts in proportion
-- to how much the current query shares with them (see internal/query).
-- Keyed by the stable chunk key and deliberately not a foreign key: a
-- chunk re-indexed after an edit keeps its history.
CREATE TABLE chunk_access (
	chunk_key INTEGER PRIMARY KEY,
	n         INTEGER NOT NULL,
	oldest    INTEGER NOT NULL,
	recent    TEXT    NOT NULL,
	context   TEXT    NOT NULL DEFAULT ''
);
