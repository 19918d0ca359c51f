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
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/termtext"
)

// QueryOptions are the inputs of aur query.
type QueryOptions struct {
	F      *Factory
	Query  string
	FailOn string
	RetrievalFlags

	// Prompter and Answerer override the terminal prompter and the
	// configured answerer (tests).
	Prompter ask.Prompter
	Answerer ask.Answerer

	// Request is what the flags ask the service, checked.
	Request service.SearchRequest
}

// NewCmdQuery builds aur query.
func NewCmdQuery(f *Factory, runF func(context.Context, *QueryOptions) error) *cobra.Command {
	opts := &QueryOptions{F: f}
	cmd := &cobra.Command{
		Use:   "query QUESTION...",
		Short: "Answer a question from the indexed code",
		Long: `Retrieve the chunks that answer QUESTION, grade the match, and answer.

  good match   answer from the chunks
  weak match   at a terminal, ask: 1 start anew (no context), 2 start over
               (rephrase), 3 continue anyway (default); in automation,
               continue without asking
  no match     answer without context: "No indexed context available.
               Using general knowledge."

With an LLM configured (ANTHROPIC_API_KEY or OPENAI_API_KEY) the answer is
generated and cites the chunks; without one, aur prints a grounded context
report: the grade and the ranked chunks with locations and snippets.

The words of QUESTION need no quotes (aur query how are cookies parsed);
QUESTION "-" reads the question from standard input. aur never prompts with
--json, when --non-interactive or AURORA_NON_INTERACTIVE is set, or when
standard input or output is not a terminal.`,
		Example: `  aur query "how does the indexer skip binary files?"
  echo "where are retries configured" | aur query -
  aur query --non-interactive --json --fail-on weak "database migrations"`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Query = strings.Join(args, " ")
			req, err := opts.request(opts.Query)
			if err != nil {
				return err
			}
			if opts.FailOn != "" {
				if _, ok := quality.ParseTier(opts.FailOn); !ok || opts.FailOn == "good" {
					return usageErrorf("--fail-on must be weak or no-match, got %q", opts.FailOn)
				}
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
			return queryRun(cmd, opts)
		},
	}
	opts.addFlags(cmd)
	cmd.Flags().StringVar(&opts.FailOn, "fail-on", "", "exit 3 when the match is at or below this tier: weak or no-match (for CI gates)")
	return cmd
}

// readQuery reads a query from r, at most maxLen characters (plus a margin
// so that an over-long query is reported as such by validation).
func readQuery(r io.Reader, maxLen int) (string, error) {
	if maxLen <= 0 {
		maxLen = 10000
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(4*maxLen+4)))
	if err != nil {
		return "", fmt.Errorf("read query from standard input: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

func queryRun(cmd *cobra.Command, opts *QueryOptions) error {
	f := opts.F
	ctx := cmd.Context()
	ios := f.IOStreams
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
	call := service.Call{Face: service.FaceCLI, Mode: mode(f, opts.JSON), Prompter: opts.Prompter, Answerer: opts.Answerer}
	if call.Prompter == nil && ios.CanPrompt() && !opts.JSON {
		// --json is for programs: a prompt would wedge the one reading it.
		call.Prompter = &huhPrompter{ios: ios, loc: loc}
	}
	if call.Answerer == nil {
		a, err := f.Answerer(ctx)
		if err != nil {
			return err
		}
		call.Answerer = a
	}
	streamed := false
	var stream termtext.Stream
	if _, isReport := call.Answerer.(*service.ReportAnswerer); !isReport && !opts.JSON && ios.IsStdoutTTY() {
		call.Stream = func(s string) {
			streamed = true
			fmt.Fprint(ios.Out, stream.Next(s))
		}
	}
	out, err := svc.Query(ctx, req, call)
	fmt.Fprint(ios.Out, stream.Flush())
	warnSemantic(f, out)
	var aerr *ask.AnswerError
	if errors.As(err, &aerr) && ctx.Err() == nil {
		return answerFailed(f, out, aerr, opts, loc, streamed)
	}
	if err != nil {
		return queryError(err)
	}
	if ra, isReport := call.Answerer.(*service.ReportAnswerer); isReport && !ra.Chosen {
		fmt.Fprintln(ios.ErrOut, "note: no LLM configured (set ANTHROPIC_API_KEY or OPENAI_API_KEY); answering with the grounded context report")
	}
	if opts.JSON {
		if err := printJSON(ios.Out, out.Result()); err != nil {
			return err
		}
	} else {
		printAnswer(f, out, &opts.RetrievalFlags, loc, streamed)
	}
	return failGate(f, out.Grade.Tier, opts.FailOn)
}

// answerFailed reports an LLM that failed after retrieval worked: the
// grounded context report (or, with --json, the usual object with a null
// answer and an error), a warning on stderr, and exit 1. Retrieval is
// what the user came for as much as the prose; a provider outage must not
// throw it away.
func answerFailed(f *Factory, out *service.Response, aerr *ask.AnswerError, opts *QueryOptions, loc locator, streamed bool) error {
	ios := f.IOStreams
	cs := ios.ColorScheme()
	msg := llm.Redact(aerr.Err.Error())
	f.Log().Warn().Err(aerr.Err).Msg("LLM failed; printing the grounded context report")
	if opts.JSON {
		if err := printJSON(ios.Out, out.Result()); err != nil {
			return err
		}
		fmt.Fprintf(ios.ErrOut, "aur: no answer from the LLM: %s\n", termtext.Block(msg))
		return &silentError{code: ExitError}
	}
	if streamed {
		fmt.Fprintln(ios.Out) // end the partial answer's line
	}
	fmt.Fprintf(ios.ErrOut, "aur: %s no answer from the LLM: %s\n", cs.Red("error:"), termtext.Block(msg))
	fmt.Fprintln(ios.ErrOut, "aur: printing the grounded context report instead")
	fmt.Fprint(ios.Out, printReport(out.Request(out.Thresholds), loc))
	return &silentError{code: ExitError}
}

// failGate returns an ExitGate error when tier is at or below failOn.
func failGate(f *Factory, tier quality.Tier, failOn string) error {
	if failOn == "" {
		return nil
	}
	gate, _ := quality.ParseTier(failOn)
	if tier.Rank() <= gate.Rank() {
		fmt.Fprintf(f.IOStreams.ErrOut, "aur: quality gate failed: %s match, --fail-on %s\n", service.TierWords(tier), failOn)
		return &silentError{code: ExitGate}
	}
	return nil
}

// printAnswer prints the human form of a query's outcome.
func printAnswer(f *Factory, out *service.Response, rf *RetrievalFlags, loc locator, streamed bool) {
	ios := f.IOStreams
	w := ios.Out
	cs := ios.ColorScheme()
	a := out.Answer
	if a == nil {
		return
	}
	if a.Provider == "" {
		// The grounded context report is the answer, printed with paths
		// from the working directory.
		fmt.Fprint(w, printReport(out.Request(out.Thresholds), loc))
		if rf.Explain && out.Retrieval != nil {
			for _, r := range out.Retrieval.Results {
				fmt.Fprintf(w, "%s %s\n", loc.at(r.Path, r.StartLine), termtext.Line(r.QualifiedName))
				printExplain(w, &r)
			}
		}
		return
	}
	fmt.Fprintln(ios.ErrOut, gradeLine(f, out))
	if out.Note != "" {
		fmt.Fprintln(ios.ErrOut, cs.Yellow(out.Note))
	}
	if !streamed {
		fmt.Fprint(w, termtext.Block(a.Text))
	}
	if !strings.HasSuffix(a.Text, "\n") {
		fmt.Fprintln(w)
	}
	if len(a.Citations) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, cs.Bold("Sources"))
		for _, c := range a.Citations {
			fmt.Fprintf(w, "  [%d] %s %s (lines %d-%d)\n", c.N, loc.at(c.File, c.StartLine), termtext.Line(c.Name), c.StartLine, c.EndLine)
		}
	}
	for _, s := range a.SecurityWarnings {
		fmt.Fprintf(ios.ErrOut, "%s %s\n", cs.Red("security warning:"), termtext.Line(s))
	}
}
