package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/termtext"
)

// SearchOptions are the inputs of aur mem search.
type SearchOptions struct {
	F     *Factory
	Query string
	RetrievalFlags
	Files      bool
	Fixed      bool
	IgnoreCase bool
	// Request is what the flags ask the service, checked.
	Request service.SearchRequest
}

// NewCmdSearch builds aur mem search.
func NewCmdSearch(f *Factory, runF func(context.Context, *SearchOptions) error) *cobra.Command {
	opts := &SearchOptions{F: f}
	cmd := &cobra.Command{
		Use:   "search QUERY...",
		Short: "Find the chunks that best match a query",
		Long: `Search the index and print the high-quality chunks (score at or above
AURORA_ACTIVATION_THRESHOLD), best first, with the retrieval grade.

Scores are on an absolute scale in [0,1]: lexical match (BM25F over name,
signature, doc, path and body, relative to an ideal match) lifted by
activation (how often and how recently a chunk proved useful).

The words of QUERY need no quotes; QUERY "-" reads it from standard input.
Like grep, aur mem search exits 1 when nothing scored at or above the
threshold (the JSON is printed all the same).`,
		Example: `  aur mem search "parse http request headers"
  aur mem search --type function --lang go --json "retry with backoff"
  aur mem search --explain "open the database"
  aur mem search "Timeout exceeded while awaiting headers"   # a pasted error finds its source
  aur mem search -F 'awaiting headers'                        # exact substring, like grep -F
  aur mem search --files "where would I add a new cookie attribute"
  aur mem search --exclude-tests -g '*.go' -g '!vendor/**' "retry"`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Query = strings.Join(args, " ")
			req, err := opts.request(opts.Query)
			if err != nil {
				return err
			}
			req.Files, req.Fixed, req.IgnoreCase = opts.Files, opts.Fixed, opts.IgnoreCase
			if err := req.Normalize(); err != nil {
				return invalidError(err)
			}
			if opts.Query == "-" {
				q, err := readQuery(f.IOStreams.In, f.Config().Int(config.KeyMaxQueryLength))
				if err != nil {
					return err
				}
				opts.Query = q
			}
			req.Query = opts.Query
			opts.Request = req
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return searchRun(cmd, opts)
		},
	}
	opts.addFlags(cmd)
	cmd.Flags().BoolVar(&opts.Files, "files", false, "rank files instead of chunks: one line per file, with its best chunks in --json")
	cmd.Flags().BoolVarP(&opts.Fixed, "fixed-strings", "F", false, "find chunks containing QUERY exactly (case-sensitive substring, like grep -F)")
	cmd.Flags().BoolVarP(&opts.IgnoreCase, "ignore-case", "i", false, "with -F: ignore ASCII case")
	return cmd
}

func searchRun(cmd *cobra.Command, opts *SearchOptions) error {
	f := opts.F
	ctx := cmd.Context()
	db, err := openSearchIndex(f, cmd)
	if err != nil {
		return err
	}
	req := opts.Request
	if err := opts.here(ctx, f, db, &req); err != nil {
		return err
	}
	svc, err := newService(ctx, f, db, req)
	if err != nil {
		return err
	}
	loc, err := newLocator(ctx, f, db)
	if err != nil {
		return err
	}
	out, err := svc.Search(ctx, req, service.Call{Face: service.FaceCLI, Mode: mode(f, opts.JSON)})
	if err != nil {
		return queryError(err)
	}
	warnSemantic(f, out)
	// Like grep and ripgrep, no match is exit 1, so scripts can test it.
	var none error
	if out.Retrieval == nil || len(out.Retrieval.Results)+len(out.Retrieval.Files) == 0 {
		none = &silentError{code: ExitError}
	}
	if opts.JSON {
		if err := printJSON(f.IOStreams.Out, out.Result()); err != nil {
			return err
		}
		return none
	}
	ios := f.IOStreams
	if ios.IsStderrTTY() || opts.Explain {
		fmt.Fprintln(ios.ErrOut, gradeLine(f, out))
	}
	if opts.Files {
		printFiles(f, ios.Out, out, loc)
		return none
	}
	printResults(f, ios.Out, out, &opts.RetrievalFlags, loc)
	return none
}

// printFiles prints ranked files: paths only when piped (like rg -l),
// with scores and their best chunks at a terminal.
func printFiles(f *Factory, w io.Writer, out *service.Response, loc locator) {
	ios := f.IOStreams
	cs := ios.ColorScheme()
	if out.Retrieval == nil {
		return
	}
	tty := ios.IsStdoutTTY()
	for i, fr := range out.Retrieval.Files {
		if !tty {
			fmt.Fprintln(w, termtext.Line(loc.path(fr.Path)))
			continue
		}
		var names []string
		for _, c := range fr.Chunks {
			n := c.QualifiedName
			if n == "" {
				n = fmt.Sprintf("%s:%d", c.Kind, c.StartLine)
			}
			names = append(names, n)
		}
		fmt.Fprintf(w, "%s %s  %s  %s\n", cs.Gray(fmt.Sprintf("%2d", i+1)), scoreColor(cs, fr.Score),
			cs.Cyan(termtext.Line(loc.path(fr.Path))), cs.Gray(termtext.Line(strings.Join(names, ", "))))
	}
	if len(out.Retrieval.Files) == 0 && tty {
		fmt.Fprintln(w, cs.Gray("no file scored at or above the threshold"))
	}
}

// printResults prints ranked chunks: an aligned table with snippets at a
// terminal, tab-separated lines otherwise (score, path:line, kind, name).
// The line is the first match for --fixed-strings, else the chunk's first.
func printResults(f *Factory, w io.Writer, out *service.Response, rf *RetrievalFlags, loc locator) {
	ios := f.IOStreams
	cs := ios.ColorScheme()
	if out.Retrieval == nil {
		return
	}
	tty := ios.IsStdoutTTY()
	for i, r := range out.Retrieval.Results {
		line := r.StartLine
		if r.MatchLine > 0 {
			line = r.MatchLine
		}
		at := loc.at(r.Path, line)
		name := termtext.Line(r.QualifiedName)
		if name == "" {
			name = "-"
		}
		if !tty {
			fmt.Fprintf(w, "%.3f\t%s\t%s\t%s\n", r.Score, at, r.Kind, name)
		} else {
			fmt.Fprintf(w, "%s %s  %s  %s %s\n", cs.Gray(fmt.Sprintf("%2d", i+1)), scoreColor(cs, r.Score),
				cs.Cyan(at), cs.Bold(name), cs.Gray(fmt.Sprintf("(%s, lines %d-%d)", r.Kind, r.StartLine, r.EndLine)))
			if !rf.ShowContent {
				for _, l := range strings.Split(service.Snippet(r.Content, out.Retrieval.Terms), "\n") {
					fmt.Fprintf(w, "      %s\n", cs.Gray(termtext.Block(l)))
				}
			}
		}
		if rf.ShowContent {
			for _, l := range strings.Split(r.Content, "\n") {
				fmt.Fprintf(w, "    %s\n", termtext.Block(l))
			}
		}
		if rf.Explain {
			printExplain(w, &r)
		}
	}
	if len(out.Retrieval.Results) == 0 && tty {
		fmt.Fprintln(w, cs.Gray("no chunk scored at or above the threshold"))
	}
}

func scoreColor(cs interface {
	Green(string) string
	Yellow(string) string
}, s float64) string {
	t := fmt.Sprintf("%.3f", s)
	if s >= 0.5 {
		return cs.Green(t)
	}
	return cs.Yellow(t)
}

// printExplain prints the parts of one result's score (aur always ranks
// with query.DefaultRanking).
func printExplain(out io.Writer, r *query.Result) {
	base, name := r.Lexical, "lexical"
	if r.Similarity != 0 {
		base, name = query.Semantic{Weight: query.DefaultSemanticWeight}.Fuse(r.Lexical, r.Semantic), "fused"
	}
	fmt.Fprintf(out, "      score %.3f = %s %.3f × (1 + %.2f × activation %.3f × (1 − %s))",
		r.Score, name, base, query.DefaultRanking.ActivationWeight, r.Activation, name)
	if r.Demoted {
		fmt.Fprintf(out, " × %.2f (test code)", query.DefaultRanking.TestFactor)
	}
	if r.TypeDemoted {
		fmt.Fprintf(out, " × %.2f (a type the question does not name)", query.DefaultRanking.TypeFactor)
	}
	fmt.Fprintln(out)
	if r.Phrase > 0 {
		fmt.Fprintf(out, "        lexical includes a verbatim phrase: %.0f%% of the question\n", 100*r.Phrase)
	}
	if r.Similarity != 0 {
		fmt.Fprintf(out, "        fused = 1 − (1 − lexical %.3f)(1 − %.2f × semantic %.3f); semantic is cosine similarity %.3f calibrated\n",
			r.Lexical, query.DefaultSemanticWeight, r.Semantic, r.Similarity)
	}
	for _, t := range r.Terms {
		fields := "-"
		if len(t.Fields) > 0 {
			fields = strings.Join(t.Fields, ",")
		}
		fmt.Fprintf(out, "        %-18s idf %5.2f  in %-28s %.3f\n", termtext.Line(t.Term), t.IDF, fields, t.Score)
	}
}

// queryError maps pipeline errors to exit codes: invalid input is a usage
// error (2), a prompt left with Ctrl-C is an interruption (130).
func queryError(err error) error {
	switch {
	case errors.Is(err, service.ErrInvalid):
		return invalidError(err)
	case errors.Is(err, query.ErrInvalidQuery):
		return &codedError{Code: ExitUsage, Err: err}
	case errors.Is(err, ask.ErrAborted):
		return &codedError{Code: ExitInterrupted, Err: err}
	}
	return err
}
