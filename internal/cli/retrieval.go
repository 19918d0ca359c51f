package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
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

// request turns the flags into the service's request for q, checked as
// every face checks it; an invalid field is a usage error in the flags'
// words. --here is applied by the run function (it needs the index root).
func (r *RetrievalFlags) request(q string) (service.SearchRequest, error) {
	req := service.SearchRequest{
		Query: q, Limit: r.Limit, Types: r.Types, Langs: r.Languages,
		ExcludeTests: r.ExcludeTests, Tests: r.Tests, Globs: r.Globs,
		Explain: r.Explain, ShowContent: r.ShowContent, NoCache: r.NoCache,
	}
	for _, p := range r.Paths {
		req.Paths = append(req.Paths, filepath.ToSlash(p))
	}
	if r.Limit == 0 {
		// The flag's default is 10: 0 on the command line is out of range,
		// not "the default" as in a JSON request.
		return req, usageErrorf("--limit must be between 1 and %d, got 0", service.MaxLimit)
	}
	if err := req.Normalize(); err != nil {
		return req, invalidError(err)
	}
	r.Types, r.Languages = req.Types, req.Langs
	return req, nil
}

// invalidError turns the service's invalid-request error into a usage
// error in the CLI's words.
func invalidError(err error) error {
	var ie *service.InvalidError
	if errors.As(err, &ie) {
		return usageErrorf("%s", ie.FlagError())
	}
	return err
}

// here narrows req to the current directory (--here), which must be
// inside the index root.
func (r *RetrievalFlags) here(ctx context.Context, f *Factory, db metaReader, req *service.SearchRequest) error {
	if !r.Here {
		return nil
	}
	root, err := db.Meta(ctx, store.MetaRoot)
	if err != nil {
		return err
	}
	wd := f.Config().WorkDir
	rel, err := filepath.Rel(root, wd)
	if root == "" || err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return usageErrorf("--here: the current directory %s is not inside the index root %s", wd, root)
	}
	if rel != "." {
		if len(req.Paths) > 0 {
			// --path is relative to the root; --here narrows each.
			return usageErrorf("--here cannot be combined with --path; give the paths relative to the root instead")
		}
		req.Paths = []string{filepath.ToSlash(rel)}
	}
	return nil
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

// newService builds the service a command's question goes through:
// the project database db, the query cache unless the request bypasses
// it, and a warning, once, when a query cannot be recorded.
func newService(ctx context.Context, f *Factory, db service.Store, req service.SearchRequest) (*service.Service, error) {
	set, err := serviceSettings(f)
	if err != nil {
		return nil, err
	}
	if err := checkLanguages(ctx, db, req.Langs); err != nil {
		return nil, err
	}
	var c ask.Cache
	if !req.NoCache && !req.Explain {
		c = f.Cache(ctx)
	}
	return service.New(set, service.Deps{
		DB: db, Cache: c, Now: f.Now, Log: *f.Log(), Embedder: f.searchEmbedder(),
		RecordFailed: func(err error) {
			if store.ErrorCode(err) == store.CodeReadOnly {
				f.warnOnce("record", "%s is read-only for this user: searching works, but queries are not recorded (aur stats, activation)",
					termtext.Line(db.Path()))
				return
			}
			f.warnOnce("record", "query not recorded (%v); aur stats and activation will not see it", err)
		},
	}), nil
}

// serviceSettings reads the service's settings from the configuration.
func serviceSettings(f *Factory) (service.Settings, error) {
	cfg := f.Config()
	th, err := thresholds(cfg)
	if err != nil {
		return service.Settings{}, err
	}
	return service.Settings{
		Thresholds:     th,
		MaxQueryLength: cfg.Int(config.KeyMaxQueryLength),
		Ranking:        query.DefaultRanking,
		Index: service.IndexSettings{
			ChunkSize:   cfg.Int(config.KeyChunkSize),
			Overlap:     cfg.Int(config.KeyOverlap),
			MaxFileSize: int64(cfg.Int(config.KeyMaxFileSize)),
		},
		Semantic: semanticSettings(cfg),
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
