// Package mcpserver is aur's face for coding agents: an MCP server (the
// official Go SDK, github.com/modelcontextprotocol/go-sdk) whose tools
// call internal/service. Like every server face it never prompts (the
// guide: "MCP tools: always non-interactive"), so a weak match continues
// with its chunks and the result says so (tier, groundedness).
//
// Tool results are for a model's context window, which is small and
// expensive: every result is capped at MaxResults results and MaxChars
// characters of JSON text. A result over the cap loses its last results
// first, then long answers and snippets are shortened, and its
// "truncated" field says what was left out. No result is ever longer
// than MaxChars.
package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
)

// Defaults of Options (the configuration's mcp_max_results and
// mcp_max_chars).
const (
	DefaultMaxResults = 20
	DefaultMaxChars   = 20000
	// MinMaxChars is the smallest cap that still holds a useful result.
	MinMaxChars = 200
)

// Options configure the server.
type Options struct {
	Name, Version string
	// MaxResults caps the results of one search or query; MaxChars the
	// characters of one tool result.
	MaxResults, MaxChars int
}

// SearchInput is the search tool's arguments.
type SearchInput struct {
	Query        string   `json:"query" jsonschema:"what to look for: a question, identifiers, or an error message"`
	Limit        int      `json:"limit,omitempty" jsonschema:"how many results (default 10, at most the server's max_results)"`
	Files        bool     `json:"files,omitempty" jsonschema:"rank files instead of code chunks"`
	Paths        []string `json:"paths,omitempty" jsonschema:"only files under these paths, relative to the index root"`
	ExcludeTests bool     `json:"exclude_tests,omitempty" jsonschema:"leave test code out"`
}

// QueryInput is the query tool's arguments.
type QueryInput struct {
	Query        string   `json:"query" jsonschema:"the question about the indexed code"`
	Limit        int      `json:"limit,omitempty" jsonschema:"how many chunks to answer from (default 10, at most the server's max_results)"`
	Paths        []string `json:"paths,omitempty" jsonschema:"only files under these paths, relative to the index root"`
	ExcludeTests bool     `json:"exclude_tests,omitempty" jsonschema:"leave test code out"`
}

// StatsInput is the stats tool's arguments.
type StatsInput struct {
	Since string `json:"since,omitempty" jsonschema:"the window back from now: Nh, Nd or Nw (default 7d)"`
}

// IndexStatusInput is the index_status tool's (empty) arguments.
type IndexStatusInput struct{}

// New returns an MCP server with aur's tools over svc.
func New(svc *service.Service, opts Options) *mcp.Server {
	if opts.MaxResults <= 0 {
		opts.MaxResults = DefaultMaxResults
	}
	if opts.MaxChars < MinMaxChars {
		opts.MaxChars = max(opts.MaxChars, 0)
		if opts.MaxChars == 0 {
			opts.MaxChars = DefaultMaxChars
		} else {
			opts.MaxChars = MinMaxChars
		}
	}
	if opts.Name == "" {
		opts.Name = "aur"
	}
	s := mcp.NewServer(&mcp.Implementation{Name: opts.Name, Version: opts.Version}, &mcp.ServerOptions{
		Instructions: "aur searches an indexed codebase. Use search to find code (functions, types, files) by words, " +
			"identifiers or pasted error messages; query for a grounded answer with its sources; check tier and " +
			"groundedness: weak or no_match means the index may not hold the answer.",
	})
	h := &handlers{svc: svc, opts: opts}
	ro := &mcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: new(bool)}
	mcp.AddTool(s, &mcp.Tool{Name: "search", Annotations: ro, Description: fmt.Sprintf(
		"Search the indexed code: ranked chunks (or files) with file, lines, name, score and a snippet, "+
			"and the retrieval grade (tier good|weak|no_match, groundedness). At most %d results and %d characters.",
		opts.MaxResults, opts.MaxChars)}, h.search)
	mcp.AddTool(s, &mcp.Tool{Name: "query", Annotations: &mcp.ToolAnnotations{IdempotentHint: false, OpenWorldHint: new(bool)},
		Description: fmt.Sprintf("Answer a question from the indexed code: an LLM answer citing the chunks when the server "+
			"has one configured, else a grounded context report; with the tier, groundedness and sources. "+
			"A weak match is answered anyway (never prompts). At most %d results and %d characters.", opts.MaxResults, opts.MaxChars)},
		h.query)
	mcp.AddTool(s, &mcp.Tool{Name: "stats", Annotations: ro,
		Description: "Retrieval quality over a window: no-match, weak and good match rates against their targets."}, h.stats)
	mcp.AddTool(s, &mcp.Tool{Name: "index_status", Annotations: ro,
		Description: "What the index holds: files and chunks by language and kind, its root, and its age in seconds."}, h.indexStatus)
	return s
}

type handlers struct {
	svc  *service.Service
	opts Options
}

var call = service.Call{Face: service.FaceMCP, Mode: store.ModeHeadless}

// limit clamps a requested limit to MaxResults: asked is what the caller
// wanted (0 for the default).
func (h *handlers) limit(asked int) (int, bool) {
	if asked <= 0 {
		asked = service.DefaultLimit
	}
	if asked > h.opts.MaxResults {
		return h.opts.MaxResults, true
	}
	return asked, false
}

func (h *handlers) search(ctx context.Context, _ *mcp.CallToolRequest, in SearchInput) (*mcp.CallToolResult, any, error) {
	n, clamped := h.limit(in.Limit)
	resp, err := h.svc.Search(ctx, service.SearchRequest{Query: in.Query, Limit: n, Files: in.Files,
		Paths: in.Paths, ExcludeTests: in.ExcludeTests}, call)
	return h.result(resp, err, clamped)
}

func (h *handlers) query(ctx context.Context, _ *mcp.CallToolRequest, in QueryInput) (*mcp.CallToolResult, any, error) {
	n, clamped := h.limit(in.Limit)
	resp, err := h.svc.Query(ctx, service.SearchRequest{Query: in.Query, Limit: n, Paths: in.Paths,
		ExcludeTests: in.ExcludeTests}, call)
	return h.result(resp, err, clamped)
}

func (h *handlers) result(resp *service.Response, err error, clamped bool) (*mcp.CallToolResult, any, error) {
	var aerr *ask.AnswerError
	if err != nil && !(errors.As(err, &aerr) && resp != nil) {
		return toolError(err), nil, nil
	}
	r := resp.Result()
	var tr *service.Truncation
	if clamped && len(r.Results) >= h.opts.MaxResults {
		tr = &service.Truncation{Reason: "max_results", MaxResult: h.opts.MaxResults}
	}
	text := FitResult(r, tr, h.opts.MaxChars)
	out := &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}
	// An LLM failure is a result (the sources are there) that is also an
	// error the agent should know about.
	out.IsError = aerr != nil
	return out, nil, nil
}

func (h *handlers) stats(ctx context.Context, _ *mcp.CallToolRequest, in StatsInput) (*mcp.CallToolResult, any, error) {
	req, err := h.svc.StatsWindow(service.ViewRetrievalQuality, in.Since, "", "")
	if err != nil {
		return toolError(err), nil, nil
	}
	rep, err := h.svc.Stats(ctx, req)
	if err != nil {
		return toolError(err), nil, nil
	}
	return text(FitJSON(rep.Value(), h.opts.MaxChars)), nil, nil
}

func (h *handlers) indexStatus(ctx context.Context, _ *mcp.CallToolRequest, _ IndexStatusInput) (*mcp.CallToolResult, any, error) {
	st, err := h.svc.IndexStatus(ctx)
	if err != nil {
		return toolError(err), nil, nil
	}
	return text(FitIndexStatus(st, h.opts.MaxChars)), nil, nil
}

func text(s string) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: s}}}
}

// toolError reports a failed call inside the result, so the model sees it
// and can correct its arguments (the MCP spec's advice), as JSON with the
// HTTP API's error codes.
func toolError(err error) *mcp.CallToolResult {
	code := "store_unavailable"
	var ie *service.InvalidError
	switch {
	case errors.As(err, &ie):
		code = "invalid_request"
	case service.IsInvalid(err):
		code = "invalid_request"
	}
	b, _ := json.Marshal(map[string]service.ErrorBody{"error": {Code: code, Message: truncate(err.Error(), 1000)}})
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}}
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const mark = "…[cut]"
	n = max(n-len(mark), 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + mark
}
