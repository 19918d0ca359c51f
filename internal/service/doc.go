// Package service is the one engine behind every face of aur: the command
// line (internal/cli), the HTTP server (internal/server) and the MCP
// server (internal/mcpserver). A face translates its input into a
// SearchRequest and one call (Search, Query, Stats, IndexStatus, Reindex)
// and prints what comes back; none builds engines, grades, answers or
// records on its own (STYLE.md rule 16, zoekt's Searcher).
//
// A question goes validate -> retrieve -> grade -> answer -> record ->
// cache through internal/ask, whose seams a face fills through Call: a
// Prompter only where a person can answer (the CLI at a terminal; the
// servers never prompt, so a weak match always continues), and a Stream
// for tokens as they come. The JSON schema every face prints (Result) is
// defined here, once: fields are added, never renamed.
//
// Long-running faces record the query log through a QueryLog, which
// batches records off the request path and is flushed on shutdown, and
// report what happens through an Observer (Prometheus metrics, see
// internal/metrics).
package service
