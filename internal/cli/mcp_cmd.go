package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/mcpserver"
	"github.com/aurora-dev/aur/internal/termtext"
)

// MCPOptions are the inputs of aur mcp.
type MCPOptions struct {
	F          *Factory
	MaxResults int
	MaxChars   int
	Resident   bool
}

// NewCmdMCP builds aur mcp.
func NewCmdMCP(f *Factory, runF func(context.Context, *MCPOptions) error) *cobra.Command {
	opts := &MCPOptions{F: f}
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the index to coding agents over MCP (stdio)",
		Long: `Run an MCP (Model Context Protocol) server on standard input and output,
for coding agents. Always non-interactive: a weak match is answered with
its chunks, and the result carries the tier and groundedness.

Tools:
  search        ranked chunks or files (query, limit, files, paths, exclude_tests)
  query         a grounded answer (LLM if configured) or the context report
  stats         retrieval quality over a window (since)
  index_status  what the index holds and its age

Each result is JSON text of at most --max-chars characters with at most
--max-results results; a result that had to be cut says so in its
"truncated" field. Standard output carries the protocol only: logs go to
$AURORA_HOME/logs/aurora.log. With AURORA_METRICS_PORT set, Prometheus
metrics are served on that port of 127.0.0.1.

Register it with an MCP client, e.g. (paths absolute):
  {"mcpServers": {"aur": {"command": "aur",
    "args": ["mcp", "--db", "/path/to/project/.aurora/memory.db"]}}}`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := f.Config()
			if !cmd.Flags().Changed("max-results") {
				opts.MaxResults = cfg.Int(config.KeyMCPMaxResults)
			}
			if !cmd.Flags().Changed("max-chars") {
				opts.MaxChars = cfg.Int(config.KeyMCPMaxChars)
			}
			if opts.MaxResults < 1 || opts.MaxResults > 1000 {
				return usageErrorf("--max-results must be between 1 and 1000, got %d", opts.MaxResults)
			}
			if opts.MaxChars < mcpserver.MinMaxChars {
				return usageErrorf("--max-chars must be at least %d, got %d", mcpserver.MinMaxChars, opts.MaxChars)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return mcpRun(cmd, opts)
		},
	}
	cmd.Flags().IntVar(&opts.MaxResults, "max-results", mcpserver.DefaultMaxResults, "most results in one tool result (config mcp_max_results)")
	cmd.Flags().IntVar(&opts.MaxChars, "max-chars", mcpserver.DefaultMaxChars, "most characters in one tool result (config mcp_max_chars)")
	cmd.Flags().BoolVar(&opts.Resident, "resident", true, residentFlagHelp)
	return cmd
}

func mcpRun(cmd *cobra.Command, opts *MCPOptions) error {
	f := opts.F
	ctx := cmd.Context()
	ios := f.IOStreams
	db, err := openSearchIndex(f, cmd)
	if err != nil {
		return err
	}
	m := newFaceMetrics(f)
	svc, ql, err := faceService(ctx, f, db, m.observer(), opts.Resident)
	if err != nil {
		return err
	}
	m.watch(svc, ql)
	log := *f.Log()
	if m.enabled() && m.port != 0 {
		// No listener of its own: metrics only on a port of their own, on
		// loopback.
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", fmt.Sprint(m.port)))
		if err != nil {
			return fmt.Errorf("listen for metrics on port %d (AURORA_METRICS_PORT): %w", m.port, err)
		}
		go m.serve(ctx, ln, log)
	}
	fmt.Fprintf(ios.ErrOut, "aur: MCP server for %s on stdio\n", termtext.Line(db.Path()))
	s := mcpserver.New(svc, mcpserver.Options{Name: "aur", Version: version(), MaxResults: opts.MaxResults, MaxChars: opts.MaxChars})
	t := &mcp.IOTransport{Reader: io.NopCloser(ios.In), Writer: nopWriteCloser{ios.Out}}
	err = s.Run(ctx, t)
	if ql != nil {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), defaultFlushTimeout)
		if ferr := ql.Close(fctx); ferr != nil {
			log.Warn().Err(ferr).Msg("query log not flushed")
		}
		cancel()
	}
	if ctx.Err() != nil {
		// Stopped by a signal: a clean end for a server.
		return nil
	}
	if err != nil && !isClosed(err) {
		return fmt.Errorf("mcp: %w", err)
	}
	log.Info().Msg("mcp: client closed the connection")
	return nil
}

// defaultFlushTimeout bounds the query log's flush when aur mcp ends.
const defaultFlushTimeout = 10 * time.Second

// nopWriteCloser lets standard output serve as the transport's writer
// without the transport closing it.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// isClosed tells whether err is the client going away (EOF on stdin),
// which ends an MCP session normally.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, mcp.ErrConnectionClosed)
}
