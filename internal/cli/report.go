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
	var b strings.Builder
	switch {
	case req.Tier == quality.NoMatch:
		fmt.Fprintln(&b, ask.NoMatchNote)
		fmt.Fprintln(&b, "No LLM is configured, so there is no general-knowledge answer either.")
		return &ask.Answer{Text: b.String()}, nil
	case req.Choice == ask.ChoiceStartAnew:
		fmt.Fprintln(&b, "Nothing grounded was found: the weak context was set aside, and no LLM is configured to answer from general knowledge.")
		return &ask.Answer{Text: b.String()}, nil
	}
	fmt.Fprintf(&b, "%s\n", gradeText(req.Grade, req.Thresholds))
	tk := tokenize.New()
	for i, s := range req.Sources {
		name := s.QualifiedName
		if name == "" {
			name = "(" + s.Kind + ")"
		}
		// The report is text for people (JSON has the results as fields):
		// a name or path cannot break its line.
		fmt.Fprintf(&b, "\n[%d] %s:%d-%d  %s  score %.2f\n", i+1, termtext.Line(s.Path), s.StartLine, s.EndLine, termtext.Line(name), s.Score)
		for _, l := range strings.Split(query.Snippet(tk, s.Content, req.Terms, 3), "\n") {
			fmt.Fprintf(&b, "    %s\n", termtext.Block(l))
		}
	}
	return &ask.Answer{Text: b.String()}, nil
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
