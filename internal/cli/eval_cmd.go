package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/evaluate"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/termtext"
)

// EvalOptions are the inputs of aur eval.
type EvalOptions struct {
	F            *Factory
	Queries      string
	JSON         bool
	Details      bool
	Limit        int
	Files        bool
	ExcludeTests bool
	Tests        bool
	Paths        []string
	Globs        []string
}

// NewCmdEval builds aur eval.
func NewCmdEval(f *Factory, runF func(context.Context, *EvalOptions) error) *cobra.Command {
	opts := &EvalOptions{F: f}
	cmd := &cobra.Command{
		Use:   "eval --queries FILE.jsonl",
		Short: "Measure retrieval quality on queries with known answers",
		Long: `Run a set of queries against the current index and report how well
retrieval finds their targets: MRR@10, Recall@1/5/10 and nDCG@10, at symbol
level (the target function) and file level (the target's file), plus how the
queries were graded.

FILE.jsonl has one query per line, as in shared/eval:
  {"id":"q1","query":"returns the base32 encoding of src",
   "file":"encoding/base32/base32.go","name":"Encoding.EncodeToString",
   "line":148,"end_line":152}
or with graded targets, as in shared/eval/realq (grade 2 is an answer):
  {"id":"h1","query":"how are redirects followed","targets":[{"file":"client.go",
   "name":"Client.do","line":597,"end_line":755,"grade":2}]}
file is relative to the index root. Matching follows shared/eval/score.py
(and score_targets.py): a result finds the symbol if it is in the target's
file and has its name, or its line range lies inside the target or covers
its first line (and is no longer than twice the target plus 20 lines).

The calibration table says what each grade is worth: for each tier, how
many questions got it and the share of them with an answer in the top 5.
A trustworthy grade has a high share for good and a low one for weak.
With --files, files are ranked (as aur mem search --files does) and
scored at file level.

Evaluation queries are not recorded and do not touch activation, so
running an evaluation never changes what it measures.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Queries == "" {
				return usageErrorf("--queries is required")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return evalRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Queries, "queries", "", "queries file (JSON lines)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&opts.Details, "details", false, "include each query's ranks (with --json) or list the misses")
	cmd.Flags().IntVar(&opts.Limit, "limit", evaluate.K, "results per query (metrics count the first 10)")
	cmd.Flags().BoolVar(&opts.Files, "files", false, "rank files instead of chunks (file-level metrics)")
	cmd.Flags().BoolVar(&opts.ExcludeTests, "exclude-tests", false, "leave test code out")
	cmd.Flags().BoolVar(&opts.Tests, "tests", false, "rank test code like other code")
	cmd.Flags().StringArrayVar(&opts.Paths, "path", nil, "only files under this path (repeatable)")
	cmd.Flags().StringArrayVarP(&opts.Globs, "glob", "g", nil, "only files matching this glob; !GLOB excludes (repeatable)")
	return cmd
}

func evalRun(cmd *cobra.Command, opts *EvalOptions) error {
	f := opts.F
	ctx := cmd.Context()
	fh, err := os.Open(opts.Queries)
	if err != nil {
		return usageErrorf("%v", err)
	}
	qs, err := evaluate.LoadQueries(fh)
	fh.Close()
	if err != nil {
		return usageErrorf("%s: %v", opts.Queries, err)
	}
	db, err := openSearchIndex(f, cmd)
	if err != nil {
		return err
	}
	set, err := serviceSettings(f)
	if err != nil {
		return err
	}
	svc := service.New(set, service.Deps{DB: db, Now: f.Now, Log: *f.Log(), Embedder: f.searchEmbedder()})
	rep, results, err := svc.Evaluate(ctx, qs, service.EvalRequest{Limit: opts.Limit, Files: opts.Files,
		ExcludeTests: opts.ExcludeTests, Tests: opts.Tests, Paths: opts.Paths, Globs: opts.Globs})
	if err != nil {
		return err
	}
	th := rep.Thresholds
	if !opts.Details {
		rep.Details = nil
	}
	if opts.JSON {
		return printJSON(f.IOStreams.Out, rep)
	}
	w := f.IOStreams.Out
	fmt.Fprintf(w, "queries: %d   no results: %d   mean latency: %.1f ms (in process)\n", rep.Queries, rep.NoResults, rep.MeanMS)
	fmt.Fprintf(w, "%-8s %8s %9s %9s %9s %9s\n", "level", "mrr@10", "recall@1", "recall@5", "recall@10", "ndcg@10")
	for _, l := range []struct {
		name string
		s    evaluate.Scores
	}{{"symbol", rep.Symbol}, {"file", rep.File}} {
		fmt.Fprintf(w, "%-8s %8.3f %9.3f %9.3f %9.3f %9.3f\n", l.name, l.s.MRR, l.s.Recall1, l.s.Recall5, l.s.Recall10, l.s.NDCG)
	}
	fmt.Fprintf(w, "\ngrades (threshold %.2f, groundedness %.2f, min chunks %d):\n", th.Activation, th.Groundedness, th.MinHighQuality)
	for _, b := range []string{"target_in_top5", "target_in_6_10", "target_missing"} {
		t := rep.Tiers[b]
		n := t[quality.Good] + t[quality.Weak] + t[quality.NoMatch]
		if n == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-15s %4d queries: good %5.1f%%  weak %5.1f%%  no match %5.1f%%\n", b, n,
			pct(t[quality.Good], n), pct(t[quality.Weak], n), pct(t[quality.NoMatch], n))
	}
	level := "symbol"
	if opts.Files {
		level = "file"
	}
	fmt.Fprintf(w, "\ncalibration (share of questions with an answer in the top 5, at %s level):\n", level)
	fmt.Fprintf(w, "  %-9s %8s %14s\n", "tier", "queries", "answer in top 5")
	for _, c := range rep.Calibration {
		share := "-"
		if c.Queries > 0 {
			share = fmt.Sprintf("%.0f%%", 100*c.AnswerInTop5)
		}
		fmt.Fprintf(w, "  %-9s %8d %14s\n", c.Tier, c.Queries, share)
	}
	if opts.Details {
		fmt.Fprintln(w, "\nmisses (target not in the top 10):")
		for _, r := range results {
			if r.SymbolRank == 0 {
				fmt.Fprintf(w, "  %s\tfile rank %d\t%s\n", termtext.Line(r.ID), r.FileRank, termtext.Line(r.Query))
			}
		}
	}
	return nil
}

func pct(a, n int) float64 {
	if n == 0 {
		return 0
	}
	return 100 * float64(a) / float64(n)
}
