package service

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/store"
)

// Faces, the values of QueryEvent.Face (a metrics label).
const (
	FaceCLI  = "cli"
	FaceHTTP = "http"
	FaceMCP  = "mcp"
)

// Commands, as recorded in the queries table.
const (
	CommandQuery  = "query"
	CommandSearch = "search"
)

// Settings are the plain values a service runs with, read from the
// configuration by the face that builds it.
type Settings struct {
	Thresholds     quality.Thresholds
	MaxQueryLength int
	// Ranking is query.DefaultRanking when zero.
	Ranking query.Ranking
	// Index configures Reindex.
	Index IndexSettings
	// AlertRules are the rules of the alerts view (the defaults merged
	// with the configuration's); nil means stats.DefaultRules.
	AlertRules []resilience.Rule
	// Semantic configures the semantic layer (with Deps.Embedder).
	Semantic SemanticSettings
}

// Deps are what a service works with. DB is required.
type Deps struct {
	DB Store
	// Cache serves repeated questions; nil means none.
	Cache ask.Cache
	// Answerer answers Query; nil means the grounded context report.
	Answerer ask.Answerer
	// Recorder writes the query log; nil writes each record at once.
	Recorder ask.Recorder
	// Observer hears of every query and index run; nil means nobody.
	Observer Observer
	Log      zerolog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// RecordFailed hears of a query that could not be recorded.
	RecordFailed func(error)
	// Snippets is how many snippets a long-running face remembers; 0
	// remembers none.
	Snippets int
	// Embedder, if set, adds the semantic layer to every search and an
	// embedding pass to every Reindex; nil searches by words only.
	Embedder Embedder
	// Resident, if set, is the in-memory copy of the search index the
	// engines search once it holds the current generation (the
	// long-running faces; see query.Resident); nil searches SQLite.
	Resident *query.Resident
}

// Call is what a face adds to a request: how it can interact.
type Call struct {
	// Face labels metrics: FaceCLI, FaceHTTP or FaceMCP.
	Face string
	// Mode is recorded with the query: store.ModeInteractive,
	// ModeNonInteractive or ModeHeadless.
	Mode string
	// Prompter asks a person about a weak match; nil never asks (every
	// server face), so a weak match continues with its chunks.
	Prompter ask.Prompter
	// Answerer overrides the service's (tests).
	Answerer ask.Answerer
	// Stream receives the answer's text as it is produced.
	Stream func(string)
}

// Service answers questions over one project database. It is safe for
// concurrent use.
type Service struct {
	db      Store
	set     Settings
	d       Deps
	engines sync.Pool
	index   indexState
	snip    *snippetMemo
	semLog  semanticLog
}

// New returns a service over d.DB.
func New(set Settings, d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if set.Ranking.Candidates == 0 {
		set.Ranking = query.DefaultRanking
	}
	s := &Service{db: d.DB, set: set, d: d}
	if d.Snippets > 0 {
		s.snip = newSnippetMemo(d.Snippets)
	}
	// The engines share one cache of document frequencies: a server
	// asks about the same words again and again.
	dfs := query.NewDFCache()
	s.engines.New = func() any {
		if sdb, ok := d.DB.(*store.DB); ok && d.Resident != nil {
			return query.NewResidentEngine(sdb, dfs, d.Resident)
		}
		return query.NewSharedEngine(d.DB, dfs)
	}
	return s
}

// DB returns the SQLite store, nil when the service runs over
// PostgreSQL.
func (s *Service) DB() *store.DB {
	db, _ := s.db.(*store.DB)
	return db
}

// Store returns the store, whichever backend.
func (s *Service) Store() Store { return s.db }

// Settings returns the settings.
func (s *Service) Settings() Settings { return s.set }

// Answerer returns the answerer Query uses: the configured one, or the
// grounded context report.
func (s *Service) Answerer() ask.Answerer {
	if s.d.Answerer != nil {
		return s.d.Answerer
	}
	return &ReportAnswerer{}
}

// Search retrieves and grades, without an answer (aur mem search).
func (s *Service) Search(ctx context.Context, req SearchRequest, c Call) (*Response, error) {
	return s.run(ctx, CommandSearch, req, c)
}

// Query retrieves, grades and answers (aur query). A weak match prompts
// only through c.Prompter; without one it continues. When the answerer
// fails after retrieval worked, Query returns the response (with Error
// set and the results) and an *ask.AnswerError.
func (s *Service) Query(ctx context.Context, req SearchRequest, c Call) (*Response, error) {
	return s.run(ctx, CommandQuery, req, c)
}

// Options returns the pipeline options of a request, for faces that need
// them (the CLI's --here needs none of them). req must be normalized.
func (s *Service) Options(command string, req SearchRequest, c Call) ask.Options {
	var cache ask.Cache
	if !req.NoCache && !req.Explain {
		cache = s.d.Cache
	}
	o := ask.Options{
		Cache:     cache,
		Command:   command,
		Mode:      c.Mode,
		MaxLength: s.set.MaxQueryLength,
		Limit:     req.Limit,
		Filter:    store.Filter{Kinds: req.Types, Languages: req.Langs, ExcludeTests: req.ExcludeTests},
		Tests:     req.Tests,
		Paths:     query.PathFilter{Prefixes: req.Paths, Globs: req.Globs},
		Fixed:     req.Fixed, IgnoreCase: req.IgnoreCase, Files: req.Files,
		Thresholds:   s.set.Thresholds,
		Ranking:      s.set.Ranking,
		KeepAll:      req.Explain,
		Prompter:     c.Prompter,
		Stream:       c.Stream,
		Now:          s.d.Now,
		Log:          s.d.Log,
		RecordFailed: s.d.RecordFailed,
		Recorder:     s.d.Recorder,
	}
	// The question's vector is cached with the retrievals (not under
	// --no-cache, so that a bypass really asks the endpoint).
	o.Semantic = s.semantic(req, cache)
	if o.Mode == "" {
		o.Mode = store.ModeHeadless
	}
	if command == CommandQuery {
		o.Answerer = c.Answerer
		if o.Answerer == nil {
			o.Answerer = s.Answerer()
		}
	}
	return o
}

func (s *Service) run(ctx context.Context, command string, req SearchRequest, c Call) (*Response, error) {
	start := time.Now()
	if err := req.Normalize(); err != nil {
		s.observe(QueryEvent{Face: c.Face, Command: command, ErrorType: "invalid_request", LatencyMS: msSince(start)})
		return nil, err
	}
	opts := s.Options(command, req, c)
	db := s.db
	if sn, ok := s.db.(Snapshotter); ok {
		snap, done, err := sn.Snapshot(ctx)
		if err != nil {
			return nil, err
		}
		defer done()
		db = snap
	}
	eng := s.engines.Get().(*query.Engine)
	if db != s.db {
		eng = query.NewEngine(db)
	}
	opts.Engine = eng
	out, err := ask.Run(ctx, db, req.Query, opts)
	if db == s.db {
		s.engines.Put(eng)
	}

	ev := QueryEvent{Face: c.Face, Command: command, CacheLookup: opts.Cache != nil}
	if out != nil {
		ev.Tier, ev.Stages, ev.CacheHit = out.Grade.Tier, out.Stages, out.CacheHit
		ev.LatencyMS = out.LatencyMS
	}
	if ev.LatencyMS == 0 {
		ev.LatencyMS = msSince(start)
	}
	var aerr *ask.AnswerError
	switch {
	case errors.As(err, &aerr):
		ev.ErrorType = resilience.ErrorType(aerr.Err)
	case IsInvalid(err):
		ev.ErrorType, ev.Tier = "invalid_query", ""
	case err != nil:
		ev.ErrorType, ev.Tier = resilience.ErrorType(err), ""
	}
	s.observe(ev)
	if err != nil && aerr == nil {
		return nil, err
	}
	resp := &Response{Outcome: out, Req: req, Thresholds: s.set.Thresholds, Mode: opts.Mode, snippets: s.snip}
	if opts.Semantic.Embedder != nil && out != nil {
		resp.SemanticWarning = semanticWarning(out.Retrieval)
		s.semLog.note(s.d.Log, resp.SemanticWarning)
	}
	// From the query's snapshot: a second connection per request would
	// deadlock a bounded pool under load.
	resp.Root, _ = db.Meta(ctx, store.MetaRoot)
	if aerr != nil {
		resp.Error = &ErrorBody{Code: resilience.ErrorType(aerr.Err), Message: llm.Redact(aerr.Err.Error())}
		return resp, err
	}
	return resp, nil
}

func (s *Service) observe(ev QueryEvent) {
	if s.d.Observer != nil {
		s.d.Observer.ObserveQuery(ev)
	}
}

// Ready checks that the database opens and answers a query.
func (s *Service) Ready(ctx context.Context) error {
	_, err := s.db.Stamp(ctx)
	return err
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}
