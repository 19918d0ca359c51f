package store

// Exported forms of the history and access-context encodings, for the
// PostgreSQL backend (internal/pgstore), which stores them the same way.

// Encode returns the space-separated unix seconds of h.Recent, as stored
// in the recent column of file_history and chunk_access.
func (h *History) Encode() string { return h.encode() }

// DecodeHistory is the inverse of Encode, with the event count and the
// oldest event time.
func DecodeHistory(n, oldest int64, recent string) History { return decodeHistory(n, oldest, recent) }

// MergeContext puts the new query tokens first, then the old ones not
// among them, keeping at most MaxContextTokens (chunk_access.context).
func MergeContext(tokens []string, old string) string { return mergeContext(tokens, old) }

// AsciiLower folds ASCII letters only, as SQLite's lower() does.
func AsciiLower(s string) string { return asciiLower(s) }
