package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
	"github.com/aurora-dev/aur/internal/tokenize"
)

// RetrievalFlags are the flags aur query and aur mem search share.
type RetrievalFlags struct {
	Limit       int
	Types       []string
	Languages   []string
	JSON        bool
	Explain     bool
	ShowContent bool
	NoCache     bool
	// Scope.
	ExcludeTests bool
	Tests        bool
	Paths        []string
	Globs        []string
	Here         bool
}

func (r *RetrievalFlags) addFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.IntVarP(&r.Limit, "limit", "n", 10, "maximum number of chunks")
	fl.StringSliceVar(&r.Types, "type", nil, "only chunks of these kinds: function, method, class, struct, interface, enum, type, constant, variable, section, window")
	fl.StringSliceVar(&r.Languages, "lang", nil, "only chunks in these languages (go, python, typescript, ...)")
	fl.BoolVar(&r.JSON, "json", false, "print the result as JSON (see README for the schema)")
	fl.BoolVar(&r.Explain, "explain", false, "show how each result's score was computed")
	fl.BoolVar(&r.ShowContent, "show-content", false, "print each chunk's full source")
	fl.BoolVar(&r.NoCache, "no-cache", false, "bypass the query cache (AURORA_CACHE_TTL, AURORA_CACHE_PATH)")
	fl.BoolVar(&r.ExcludeTests, "exclude-tests", false, "leave test code out")
	fl.BoolVar(&r.Tests, "tests", false, "rank test code like other code (it is ranked down unless the question mentions tests)")
	fl.StringArrayVar(&r.Paths, "path", nil, "only files under this path, relative to the index root (repeatable)")
	fl.StringArrayVarP(&r.Globs, "glob", "g", nil, "only files matching this glob, ripgrep style; !GLOB excludes (repeatable)")
	fl.BoolVar(&r.Here, "here", false, "only files under the current directory")
}

var validKinds = []string{"function", "method", "class", "struct", "interface", "enum", "type", "constant", "variable", "section", "window"}

func (r *RetrievalFlags) validate() error {
	if r.Limit < 1 || r.Limit > 1000 {
		return usageErrorf("--limit must be between 1 and 1000, got %d", r.Limit)
	}
	for i, k := range r.Types {
		k = strings.ToLower(k)
		if k == "doc" || k == "docs" {
			k = "section"
		}
		r.Types[i] = k
		ok := false
		for _, v := range validKinds {
			ok = ok || v == k
		}
		if !ok {
			return usageErrorf("--type %q: want one of %s (doc means section)", k, strings.Join(validKinds, ", "))
		}
	}
	for i, l := range r.Languages {
		r.Languages[i] = strings.ToLower(l)
	}
	if r.ExcludeTests && r.Tests {
		return usageErrorf("--tests and --exclude-tests contradict each other")
	}
	for _, g := range r.Globs {
		if strings.TrimSpace(strings.TrimPrefix(g, "!")) == "" {
			return usageErrorf("--glob %q: empty pattern", g)
		}
	}
	return nil
}

// pathFilter turns --path, --glob and --here into a filter relative to
// the index root. --here needs the working directory inside the root.
func (r *RetrievalFlags) pathFilter(ctx context.Context, f *Factory, db *store.DB) (query.PathFilter, error) {
	pf := query.PathFilter{Globs: r.Globs}
	for _, p := range r.Paths {
		pf.Prefixes = append(pf.Prefixes, filepath.ToSlash(p))
	}
	if !r.Here {
		return pf, nil
	}
	root, err := db.Meta(ctx, store.MetaRoot)
	if err != nil {
		return pf, err
	}
	wd := f.Config().WorkDir
	rel, err := filepath.Rel(root, wd)
	if root == "" || err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return pf, usageErrorf("--here: the current directory %s is not inside the index root %s", wd, root)
	}
	if rel != "." {
		if len(pf.Prefixes) > 0 {
			// --path is relative to the root; --here narrows each.
			return pf, usageErrorf("--here cannot be combined with --path; give the paths relative to the root instead")
		}
		pf.Prefixes = []string{filepath.ToSlash(rel)}
	}
	return pf, nil
}

// thresholds reads the grading thresholds from the configuration.
func thresholds(cfg *config.Config) (quality.Thresholds, error) {
	th := quality.Thresholds{
		Activation:     cfg.Float(config.KeyActivationThreshold),
		Groundedness:   cfg.Float(config.KeyGroundednessThreshold),
		MinHighQuality: cfg.Int(config.KeyMinHighQualityChunks),
	}
	if th.Activation < 0 || th.Activation > 1 {
		return th, usageErrorf("AURORA_ACTIVATION_THRESHOLD must be in [0,1], got %g", th.Activation)
	}
	if th.Groundedness < 0 || th.Groundedness > 1 {
		return th, usageErrorf("AURORA_GROUNDEDNESS_THRESHOLD must be in [0,1], got %g", th.Groundedness)
	}
	if th.MinHighQuality < 0 {
		return th, usageErrorf("AURORA_MIN_HIGH_QUALITY_CHUNKS must not be negative, got %d", th.MinHighQuality)
	}
	return th, nil
}

// mode tells how this invocation can interact: interactive when a person
// can answer prompts, non_interactive when prompts were switched off
// (--non-interactive, AURORA_NON_INTERACTIVE, or --json, which is for
// programs), headless when there is no terminal at all (cron, CI, pipes).
func mode(f *Factory, json bool) string {
	ios := f.IOStreams
	switch {
	case ios.CanPrompt() && !json:
		return store.ModeInteractive
	case f.Config().Bool(config.KeyNonInteractive) || ios.CanPrompt():
		return store.ModeNonInteractive
	}
	return store.ModeHeadless
}

// askOptions builds the pipeline options shared by query and search.
func askOptions(ctx context.Context, f *Factory, db *store.DB, command string, rf *RetrievalFlags) (ask.Options, error) {
	cfg := f.Config()
	th, err := thresholds(cfg)
	if err != nil {
		return ask.Options{}, err
	}
	paths, err := rf.pathFilter(ctx, f, db)
	if err != nil {
		return ask.Options{}, err
	}
	if err := checkLanguages(ctx, db, rf.Languages); err != nil {
		return ask.Options{}, err
	}
	var c ask.Cache
	if !rf.NoCache && !rf.Explain {
		c = f.Cache(ctx)
	}
	return ask.Options{
		Cache:      c,
		Command:    command,
		Mode:       mode(f, rf.JSON),
		MaxLength:  cfg.Int(config.KeyMaxQueryLength),
		Limit:      rf.Limit,
		Filter:     store.Filter{Kinds: rf.Types, Languages: rf.Languages, ExcludeTests: rf.ExcludeTests},
		Tests:      rf.Tests,
		Paths:      paths,
		Thresholds: th,
		Ranking:    query.DefaultRanking,
		Semantic:   semanticOptions(ctx, f, db),
		KeepAll:    rf.Explain,
		Now:        f.Now,
		Log:        *f.Log(),
		RecordFailed: func(err error) {
			if store.ErrorCode(err) == store.CodeReadOnly {
				f.warnOnce("record", "%s is read-only for this user: searching works, but queries are not recorded (aur stats, activation)",
					termtext.Line(db.Path()))
				return
			}
			f.warnOnce("record", "query not recorded (%v); aur stats and activation will not see it", err)
		},
	}, nil
}

// openIndex opens the project database, which must exist and hold an index.
func openIndex(f *Factory, cmd *cobra.Command) (*store.DB, error) {
	db, err := f.StoreIfExists(cmd.Context())
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, fmt.Errorf("no index at %s; run 'aur mem index' first (or pass --db)", f.Config().DBPath)
	}
	return db, nil
}

// resultJSON is the result schema shared by aur query --json and aur mem
// search --json (DESIGN.md "Result JSON"). Fields are added, never renamed.
type resultJSON struct {
	Query             string             `json:"query"`
	Tier              quality.Tier       `json:"tier"`
	Groundedness      float64            `json:"groundedness"`
	HighQualityChunks int                `json:"high_quality_chunks"`
	Thresholds        quality.Thresholds `json:"thresholds"`
	// Root is the absolute index root; each result's file is relative to it.
	Root             string           `json:"root,omitempty"`
	Results          []resultItemJSON `json:"results"`
	Answer           *string          `json:"answer"`
	Choice           ask.Choice       `json:"choice"`
	LatencyMS        float64          `json:"latency_ms"`
	QueryID          int64            `json:"query_id"`
	Mode             string           `json:"mode"`
	Note             string           `json:"note,omitempty"`
	CacheHit         bool             `json:"cache_hit"`
	Provider         string           `json:"provider,omitempty"`
	Model            string           `json:"model,omitempty"`
	Citations        []ask.Citation   `json:"citations,omitempty"`
	SecurityWarnings []string         `json:"security_warnings,omitempty"`
	PreviousQueries  []string         `json:"previous_queries,omitempty"`
	Terms            []query.Term     `json:"terms,omitempty"`
	// Error is set when retrieval worked and the LLM did not (answer is
	// null; the results are still there).
	Error *errorJSON `json:"error,omitempty"`
}

// errorJSON is an error in a JSON result: a stable code (http_503,
// timeout, breaker_open, ...) and a message for people.
type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type resultItemJSON struct {
	File string `json:"file"` // relative to the index root
	// Root is the absolute index root and Path the file's absolute path.
	Root      string            `json:"root,omitempty"`
	Path      string            `json:"path,omitempty"`
	StartLine int               `json:"start_line"`
	EndLine   int               `json:"end_line"`
	Name      string            `json:"name"`
	Kind      string            `json:"kind"`
	Language  string            `json:"language"`
	Score     float64           `json:"score"`
	Scores    scoresJSON        `json:"scores"`
	Signature string            `json:"signature,omitempty"`
	Snippet   string            `json:"snippet"`
	Content   string            `json:"content,omitempty"`
	Explain   []query.TermScore `json:"explain,omitempty"`
	// Set for a --files result: the file's best chunks.
	Chunks []resultItemJSON `json:"chunks,omitempty"`
	// Set for a --fixed-strings result: the line of the first match.
	MatchLine int  `json:"match_line,omitempty"`
	Test      bool `json:"test,omitempty"`
}

type scoresJSON struct {
	Lexical    float64 `json:"lexical"`
	Activation float64 `json:"activation"`
}

func round3(x float64) float64 {
	if x < 0 {
		return -round3(-x)
	}
	return float64(int64(x*1000+0.5)) / 1000
}

func toJSON(o *ask.Outcome, th quality.Thresholds, mode string, rf *RetrievalFlags, loc locator) resultJSON {
	j := resultJSON{
		Query:             o.Query,
		Tier:              o.Grade.Tier,
		Groundedness:      round3(o.Grade.Groundedness),
		HighQualityChunks: o.Grade.HighQuality,
		Thresholds:        th,
		Root:              loc.root,
		Results:           []resultItemJSON{},
		Choice:            o.Choice,
		LatencyMS:         round3(o.LatencyMS),
		QueryID:           o.QueryID,
		Mode:              mode,
		Note:              o.Note,
		CacheHit:          o.CacheHit,
	}
	for _, p := range o.Previous {
		j.PreviousQueries = append(j.PreviousQueries, p.Query)
	}
	if o.Answer != nil {
		j.Answer = &o.Answer.Text
		j.Provider, j.Model = o.Answer.Provider, o.Answer.Model
		j.Citations = o.Answer.Citations
		j.SecurityWarnings = o.Answer.SecurityWarnings
	}
	if o.Retrieval == nil {
		return j
	}
	if rf.Explain {
		j.Terms = o.Retrieval.Terms
	}
	tk := tokenize.New()
	item := func(r *query.Result) resultItemJSON {
		it := resultItemJSON{
			File: r.Path, Root: loc.root, Path: loc.abs(r.Path),
			StartLine: r.StartLine, EndLine: r.EndLine, Name: r.QualifiedName,
			Kind: r.Kind, Language: r.Language, Score: round3(r.Score),
			Scores:    scoresJSON{Lexical: round3(r.Lexical), Activation: round3(r.Activation)},
			Signature: r.Signature,
			Snippet:   query.Snippet(tk, r.Content, o.Retrieval.Terms, 3),
			MatchLine: r.MatchLine,
			Test:      r.IsTest,
		}
		if rf.ShowContent {
			it.Content = r.Content
		}
		if rf.Explain {
			it.Explain = r.Terms
		}
		return it
	}
	for i := range o.Retrieval.Results {
		j.Results = append(j.Results, item(&o.Retrieval.Results[i]))
	}
	for _, fr := range o.Retrieval.Files {
		// A file result reads like its best chunk (so file:start_line
		// still opens something), scored as the file, with its chunks.
		it := item(&fr.Chunks[0])
		it.Score = round3(fr.Score)
		for i := range fr.Chunks {
			it.Chunks = append(it.Chunks, item(&fr.Chunks[i]))
		}
		j.Results = append(j.Results, it)
	}
	return j
}
