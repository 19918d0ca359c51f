package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/termtext"
	"github.com/aurora-dev/aur/internal/tokenize"
)

// reportAnswerer answers without an LLM: a grounded context report, the
// grade and the ranked chunks with locations, scores and snippets. It
// never invents anything, which is the point.
type reportAnswerer struct {
	// chosen is set when AURORA_LLM_PROVIDER=none asked for the report:
	// then there is nothing to point out.
	chosen bool
}

// CacheID lets context reports be cached with their retrieval.
func (a *reportAnswerer) CacheID() string { return "report" }

func (a *reportAnswerer) Answer(ctx context.Context, req ask.Request) (*ask.Answer, error) {
	// The answer (JSON "answer", and cached) names chunks relative to the
	// index root, whatever the working directory; text output renders the
	// report again with paths from the working directory (printReport).
	return &ask.Answer{Text: renderReport(req, func(s *query.Result) string {
		return fmt.Sprintf("%s:%d-%d", termtext.Line(s.Path), s.StartLine, s.EndLine)
	}, "")}, nil
}

// printReport renders the grounded context report for text output: each
// chunk at path:line from the working directory (see locator), its line
// range after its score.
func printReport(req ask.Request, l locator) string {
	return renderReport(req, func(s *query.Result) string { return l.at(s.Path, s.StartLine) }, "lines")
}

// renderReport writes the report: the grade, then each source at loc(s)
// with its name, score and (when lines is set) its line range, and a
// snippet. A name or path cannot break its line: the report is text for
// people (JSON has the results as fields).
func renderReport(req ask.Request, loc func(*query.Result) string, lines string) string {
	var b strings.Builder
	switch {
	case req.Tier == quality.NoMatch:
		fmt.Fprintln(&b, ask.NoMatchNote)
		fmt.Fprintln(&b, "No LLM is configured, so there is no general-knowledge answer either.")
		return b.String()
	case req.Choice == ask.ChoiceStartAnew:
		fmt.Fprintln(&b, "Nothing grounded was found: the weak context was set aside, and no LLM is configured to answer from general knowledge.")
		return b.String()
	}
	fmt.Fprintf(&b, "%s\n", gradeText(req.Grade, req.Thresholds))
	tk := tokenize.New()
	for i := range req.Sources {
		s := &req.Sources[i]
		name := s.QualifiedName
		if name == "" {
			name = "(" + s.Kind + ")"
		}
		fmt.Fprintf(&b, "\n[%d] %s  %s  score %.2f", i+1, loc(s), termtext.Line(name), s.Score)
		if lines != "" {
			fmt.Fprintf(&b, "  (%s %d-%d)", lines, s.StartLine, s.EndLine)
		}
		b.WriteString("\n")
		for _, l := range strings.Split(query.Snippet(tk, s.Content, req.Terms, 3), "\n") {
			fmt.Fprintf(&b, "    %s\n", termtext.Block(l))
		}
	}
	return b.String()
}

// gradeText describes a grade against its thresholds, without colour.
func gradeText(g quality.Grade, th quality.Thresholds) string {
	rel := func(ok bool) string {
		if ok {
			return ">="
		}
		return "<"
	}
	return fmt.Sprintf("%s: groundedness %.2f %s %.2f, %d high-quality chunks %s %d (score >= %.2f)",
		tierWords(g.Tier)+" match", g.Groundedness, rel(g.Groundedness >= th.Groundedness), th.Groundedness,
		g.HighQuality, rel(g.HighQuality >= th.MinHighQuality), th.MinHighQuality, th.Activation)
}
