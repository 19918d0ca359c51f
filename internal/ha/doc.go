// Package ha keeps aur answering when its database fails, and gives the
// operator the means to recover: a replica, backups, and the rules for
// choosing between the primary and the replica. It is the production
// guide's "High Availability" section (a primary and a replica store,
// falling back to the replica with a warning) and its "Backup & Recovery"
// checklist, for a local SQLite index.
//
// The replica (AURORA_REPLICA_PATH) is a second database file, a copy of
// the primary brought up to date after every successful index run, with
// SQLite's online backup API (store.CopyTo: one consistent snapshot,
// copied in steps, written to a temporary file, checked, synced and
// renamed, so the replica's name always holds a complete copy). Backups
// are the same kind of copy, kept as <name>-<UTC time>.db beside the
// database (.aurora/backups/), newest N.
//
// Readers open the primary; OpenReader falls back to the replica when the
// primary cannot be opened (missing, not a database, marked damaged by an
// earlier command, truncated). SQLite finds damage elsewhere in the file
// only when a query reads it, so a face that gets a corruption error
// mid-query marks the primary damaged and runs the query again, which
// then falls back (the CLI does so in cli.Run). Readers do not run PRAGMA
// quick_check: with the FTS5 checks SQLite 3.44 added to it, it reads
// every page, 0.3 to 0.6 s on the GOROOT/src index against a 22 ms query.
// aur mem verify and every copy run it instead.
//
// The replica is opened read-only, always: a query answered from it is
// not recorded in it (the next copy would overwrite the record anyway).
// Each fallback is appended instead to <primary>.fallbacks, a JSON-lines
// file beside the primary, which aur stats counts (replica_fallbacks).
//
// Nothing here imports cobra: the CLI and the servers share it.
package ha
