// Package store is aur's SQLite chunk store: files, chunks, the FTS5 index
// over their tokens, git history, query records and chunk accesses.
//
// There is one way in, Open, which puts every pragma in the connection
// string (so each pooled connection gets them), verifies WAL, and applies
// the embedded numbered migrations, each in its own transaction and
// recorded in schema_migrations. Exported methods that write begin a
// transaction, defer a rollback, call unexported helpers that take the
// transaction, and commit, so a killed process leaves the database as of
// its last commit.
//
// Copies of a database (the replica, backups, a restore; copy.go) go
// through SQLite's online backup API and are atomic; Verify checks any
// database file without changing it; Restore replaces a database by a
// verified copy under the writer lock. Package ha decides when.
//
// The store knows nothing of ranking or of the command line; it stores and
// fetches. It needs the build tags sqlite_fts5 and sqlite_math_functions.
package store
