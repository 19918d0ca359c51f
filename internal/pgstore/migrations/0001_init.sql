-- aur's PostgreSQL schema: several projects (repositories) in one
-- database. Every table below projects is keyed by project_id.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One row per project. generation is bumped by every index run that
-- changed something, in the run's one transaction: readers see the
-- previous generation until it commits and the new one after. The corpus
-- statistics (chunk_count, total_tokens, avg_body_terms) are written in
-- the same transaction, so they always describe the generation visible.
CREATE TABLE projects (
	id             bigserial PRIMARY KEY,
	name           text      NOT NULL UNIQUE,
	root           text      NOT NULL DEFAULT '',
	generation     bigint    NOT NULL DEFAULT 0,
	store_id       text      NOT NULL, -- random; with generation, the cache stamp
	chunk_count    bigint    NOT NULL DEFAULT 0,
	total_tokens   bigint    NOT NULL DEFAULT 0, -- tokens of all columns of all chunks (bm25 avgdl)
	avg_body_terms text      NOT NULL DEFAULT '0', -- as SQLite's meta: two decimals
	last_index     bigint    NOT NULL DEFAULT 0,  -- unix milliseconds of the last finished run
	created_at     timestamptz NOT NULL DEFAULT now()
);

-- Other key/value facts of a project (git_head).
CREATE TABLE project_meta (
	project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	key        text   NOT NULL,
	value      text   NOT NULL,
	PRIMARY KEY (project_id, key)
);

CREATE TABLE files (
	id         bigserial PRIMARY KEY,
	project_id bigint  NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	path       text    COLLATE "C" NOT NULL,
	hash       text    NOT NULL,
	size       bigint  NOT NULL,
	mtime_ns   bigint  NOT NULL,
	language   text    NOT NULL,
	indexed_at bigint  NOT NULL,
	status     text    NOT NULL DEFAULT 'ok',
	message    text    NOT NULL DEFAULT '',
	UNIQUE (project_id, path)
);

-- tsv holds each chunk's tokens (internal/tokenize, the same SQLite's
-- chunks_fts holds) weighted by column: name and signature A, doc B,
-- path C, body D. name_v and sig_v hold the name and signature tokens
-- alone, so bm25 can weight the two A columns apart as SQLite does.
-- ntokens is the row's token count over all columns (bm25's |D|).
CREATE TABLE chunks (
	id             bigserial PRIMARY KEY,
	project_id     bigint  NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	key            bigint  NOT NULL,
	file_id        bigint  NOT NULL REFERENCES files(id) ON DELETE CASCADE,
	kind           text    NOT NULL,
	name           text    NOT NULL,
	qualified_name text    NOT NULL,
	signature      text    NOT NULL,
	doc            text    NOT NULL,
	start_line     integer NOT NULL,
	end_line       integer NOT NULL,
	content        text    NOT NULL,
	language       text    NOT NULL,
	body_terms     integer NOT NULL DEFAULT 0,
	is_test        boolean NOT NULL DEFAULT false,
	ntokens        integer NOT NULL DEFAULT 0,
	name_v         tsvector NOT NULL,
	sig_v          tsvector NOT NULL,
	tsv            tsvector NOT NULL,
	UNIQUE (project_id, key)
);
CREATE INDEX chunks_file_id ON chunks(file_id);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
-- Identifier lookups and --fixed-strings: LIKE/ILIKE '%...%' through
-- trigram indexes.
CREATE INDEX chunks_name_trgm ON chunks USING gin (name gin_trgm_ops);
CREATE INDEX chunks_content_trgm ON chunks USING gin (content gin_trgm_ops);

-- Per-project document frequency of every token (SQLite's chunks_vocab),
-- kept by the indexer in its transaction.
CREATE TABLE terms (
	project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	term       text   COLLATE "C" NOT NULL,
	df         integer NOT NULL,
	PRIMARY KEY (project_id, term)
);

CREATE TABLE file_history (
	project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	path       text   COLLATE "C" NOT NULL,
	n          bigint NOT NULL,
	oldest     bigint NOT NULL,
	recent     text   NOT NULL,
	PRIMARY KEY (project_id, path)
);

CREATE TABLE skipped_files (
	project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	path       text   COLLATE "C" NOT NULL,
	reason     text   NOT NULL,
	detail     text   NOT NULL DEFAULT '',
	PRIMARY KEY (project_id, path)
);

CREATE TABLE index_runs (
	id          bigserial PRIMARY KEY,
	project_id  bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	path        text   NOT NULL,
	started_at  bigint NOT NULL,
	finished_at bigint,
	status      text   NOT NULL DEFAULT 'running',
	summary     text   NOT NULL DEFAULT '{}'
);

-- Accesses (activation), shared by every client of the project.
CREATE TABLE chunk_access (
	project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	chunk_key  bigint NOT NULL,
	n          bigint NOT NULL,
	oldest     bigint NOT NULL,
	recent     text   NOT NULL,
	context    text   NOT NULL DEFAULT '',
	PRIMARY KEY (project_id, chunk_key)
);

-- The query log (aur stats), as SQLite's queries table.
CREATE TABLE queries (
	id           bigserial PRIMARY KEY,
	project_id   bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	ts           bigint NOT NULL,
	query        text   NOT NULL,
	command      text   NOT NULL,
	mode         text   NOT NULL,
	tier         text   NOT NULL DEFAULT '',
	groundedness double precision NOT NULL DEFAULT 0,
	hq_chunks    integer NOT NULL DEFAULT 0,
	results      integer NOT NULL DEFAULT 0,
	choice       text   NOT NULL DEFAULT 'none',
	latency_ms   double precision NOT NULL,
	status       text   NOT NULL DEFAULT 'ok',
	error_type   text   NOT NULL DEFAULT '',
	cache_hit    boolean NOT NULL DEFAULT false
);
CREATE INDEX queries_project_ts ON queries(project_id, ts);
