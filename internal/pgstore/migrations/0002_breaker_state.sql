-- Circuit-breaker state of the LLM providers, shared by every host that
-- uses the database (it replaces $AURORA_HOME/state/ when the store is
-- PostgreSQL): consecutive failures and, while open, until when (unix
-- milliseconds; 0 closed). Keyed as resilience.BreakerStore keys.
CREATE TABLE breaker_state (
	key                  text    PRIMARY KEY,
	consecutive_failures integer NOT NULL DEFAULT 0,
	open_until           bigint  NOT NULL DEFAULT 0,
	updated_at           timestamptz NOT NULL DEFAULT now()
);
