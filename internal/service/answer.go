package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/termtext"
	"github.com/aurora-dev/aur/internal/tokenize"
)

// LLMAnswerer answers with an LLM provider: a grounded prompt of numbered
// chunks, the answer's citations mapped back to chunks (which get an
// access event), and, unless switched off, a scan of the generated code
// for dangerous patterns.
type LLMAnswerer struct {
	p    llm.Provider
	scan bool
	id   string // provider, model, endpoint and scan setting: what makes an answer
}

// NewLLMAnswerer returns an answerer over p (usually an *llm.Resilient).
// id identifies what makes an answer (provider, model, endpoint, scan
// setting) in cache keys.
func NewLLMAnswerer(p llm.Provider, scan bool, id string) *LLMAnswerer {
	return &LLMAnswerer{p: p, scan: scan, id: id}
}

// Provider returns the provider.
func (a *LLMAnswerer) Provider() llm.Provider { return a.p }

// CacheID makes answers cacheable per provider and model.
func (a *LLMAnswerer) CacheID() string { return a.id }

// Answer asks the provider.
func (a *LLMAnswerer) Answer(ctx context.Context, req ask.Request) (*ask.Answer, error) {
	sources := make([]llm.Source, len(req.Sources))
	for i, s := range req.Sources {
		sources[i] = llm.Source{N: i + 1, File: s.Path, StartLine: s.StartLine, EndLine: s.EndLine,
			Name: s.QualifiedName, Content: s.Content}
	}
	var onToken func(string)
	if req.Stream != nil {
		onToken = req.Stream
	}
	c, err := a.p.Complete(ctx, llm.BuildPrompt(req.Query, sources, req.Note), onToken)
	if err != nil {
		return nil, err
	}
	ans := &ask.Answer{Text: c.Text, Provider: a.p.Name(), Model: c.Model}
	if ans.Model == "" {
		ans.Model = a.p.Model()
	}
	for _, ci := range llm.ParseCitations(c.Text, sources) {
		ans.Citations = append(ans.Citations, ask.Citation{N: ci.N, File: ci.File, StartLine: ci.StartLine, EndLine: ci.EndLine, Name: ci.Name})
		if ci.N >= 1 && ci.N <= len(req.Sources) {
			ans.Cited = append(ans.Cited, req.Sources[ci.N-1].Key)
		}
	}
	if a.scan {
		for _, f := range llm.ScanCode(c.Text) {
			ans.SecurityWarnings = append(ans.SecurityWarnings,
				fmt.Sprintf("line %d: %s (%s): %s", f.Line, f.Description, f.Pattern, f.Snippet))
		}
	}
	return ans, nil
}

// ReportAnswerer answers without an LLM: a grounded context report, the
// grade and the ranked chunks with locations, scores and snippets. It
// never invents anything, which is the point.
type ReportAnswerer struct {
	// Chosen is set when AURORA_LLM_PROVIDER=none asked for the report:
	// then there is nothing to point out.
	Chosen bool
}

// CacheID lets context reports be cached with their retrieval.
func (a *ReportAnswerer) CacheID() string { return "report" }

// Answer renders the report.
func (a *ReportAnswerer) Answer(ctx context.Context, req ask.Request) (*ask.Answer, error) {
	// The answer (JSON "answer", and cached) names chunks relative to the
	// index root, whatever the working directory; the CLI's text output
	// renders the report again with paths from the working directory.
	return &ask.Answer{Text: RenderReport(req, func(s *query.Result) string {
		return fmt.Sprintf("%s:%d-%d", termtext.Line(s.Path), s.StartLine, s.EndLine)
	}, "")}, nil
}

// RenderReport writes the grounded context report: the grade, then each
// source at loc(s) with its name, score and (when lines is set) its line
// range, and a snippet. A name or path cannot break its line: the report
// is text for people (JSON has the results as fields).
func RenderReport(req ask.Request, loc func(*query.Result) string, lines string) string {
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
	fmt.Fprintf(&b, "%s\n", GradeText(req.Grade, req.Thresholds))
	tk := tokenizers.Get().(*tokenize.Tokenizer)
	defer tokenizers.Put(tk)
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

// GradeText describes a grade against its thresholds, without colour.
func GradeText(g quality.Grade, th quality.Thresholds) string {
	rel := func(ok bool) string {
		if ok {
			return ">="
		}
		return "<"
	}
	return fmt.Sprintf("%s: groundedness %.2f %s %.2f, %d high-quality chunks %s %d (score >= %.2f)",
		TierWords(g.Tier)+" match", g.Groundedness, rel(g.Groundedness >= th.Groundedness), th.Groundedness,
		g.HighQuality, rel(g.HighQuality >= th.MinHighQuality), th.MinHighQuality, th.Activation)
}

// TierWords names a tier in prose: good, weak, no.
func TierWords(t quality.Tier) string {
	switch t {
	case quality.Good:
		return "good"
	case quality.Weak:
		return "weak"
	}
	return "no"
}
