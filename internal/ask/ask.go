// Package ask runs one question through aur's whole pipeline, the same for
// every front end (aur query, aur mem search, and later an MCP tool or an
// HTTP API):
//
//	validate -> retrieve -> grade -> [weak and a person is there: prompt]
//	         -> answer -> record
//
// The front end supplies two seams: a Prompter, present only when a person
// can answer (never in automation, so nothing ever blocks), and an
// Answerer, which turns the graded context into an answer (an LLM, or the
// grounded context report when none is configured). Every run appends a
// row to the queries table, errors included, and gives the chunks the user
// was shown an access event, which is what makes activation learn.
package ask

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/store"
)

// Choice is what the user chose at the weak-match prompt. The values are
// part of the JSON API and of the queries table.
type Choice string

const (
	ChoiceNone      Choice = "none"       // no prompt was shown
	ChoiceContinue  Choice = "continue"   // 3. continue anyway with the weak chunks
	ChoiceStartAnew Choice = "start_anew" // 1. drop the chunks, answer from general knowledge
	ChoiceStartOver Choice = "start_over" // 2. rephrase and retrieve again
)

// NoMatchNote is printed, and given to the answerer, when nothing indexed
// matches.
const NoMatchNote = "No indexed context available. Using general knowledge."

// StartAnewNote is given to the answerer when the user dropped weak
// context.
const StartAnewNote = "Weak indexed context was set aside at the user's request. Using general knowledge."

// WeakMatch is what the prompt shows about a weak retrieval.
type WeakMatch struct {
	Query      string
	Grade      quality.Grade
	Thresholds quality.Thresholds
	Results    []query.Result
}

// Prompter asks a person. Implementations exist only where a person can
// answer; tests script them.
type Prompter interface {
	// Weak asks what to do with a weak match.
	Weak(ctx context.Context, m WeakMatch) (Choice, error)
	// Rephrase asks for a new query, prefilled with the old one.
	Rephrase(ctx context.Context, previous string) (string, error)
}

// Request is what an Answerer gets.
type Request struct {
	Query      string
	Terms      []query.Term
	Grade      quality.Grade
	Thresholds quality.Thresholds
	Tier       quality.Tier
	Choice     Choice
	Sources    []query.Result // the context to answer from; empty for no match and start anew
	Note       string         // NoMatchNote, StartAnewNote or ""
	// Stream, if set, receives the answer's text as it is produced.
	Stream func(string)
}

// Citation is a source the answer refers to.
type Citation struct {
	N         int    `json:"n"`
	File      string `json:"file"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Name      string `json:"name"`
}

// Answer is an Answerer's output.
type Answer struct {
	Text             string     `json:"text"`
	Provider         string     `json:"provider,omitempty"` // "" for the context report
	Model            string     `json:"model,omitempty"`
	Citations        []Citation `json:"citations,omitempty"`
	SecurityWarnings []string   `json:"security_warnings,omitempty"`
	// Cited are the chunk keys the answer cites; they get an access event.
	Cited []int64 `json:"cited,omitempty"`
}

// Answerer turns graded context into an answer.
type Answerer interface {
	Answer(ctx context.Context, req Request) (*Answer, error)
}

// Cache stores encoded retrievals and answers (internal/cache satisfies
// it). Errors are logged and otherwise ignored: a broken cache must never
// break a query.
type Cache interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte) error
}

// CacheIdentity is implemented by answerers whose answers may be cached;
// the identity (e.g. "openai/gpt-4o-mini") is part of the cache key.
type CacheIdentity interface {
	CacheID() string
}

// Options configure a run.
type Options struct {
	Command   string // query | search
	Mode      string // store.ModeInteractive, ModeNonInteractive or ModeHeadless
	MaxLength int
	Limit     int
	Filter    store.Filter
	// Paths limits the search to files by prefix and glob.
	Paths query.PathFilter
	// Tests ranks test code like other code (--tests).
	Tests bool
	// Fixed searches for the query as an exact substring (--fixed-strings),
	// case-insensitively with IgnoreCase.
	Fixed, IgnoreCase bool
	// Files ranks files instead of chunks (--files).
	Files      bool
	Thresholds quality.Thresholds
	Ranking    query.Ranking
	Prompter   Prompter // nil: never prompt
	Answerer   Answerer // nil: retrieval only (aur mem search)
	Stream     func(string)
	KeepAll    bool
	// Cache, if set, serves repeated questions: the key is the validated
	// query, every retrieval setting and the index generation, so any
	// re-index invalidates it. A cached run is still recorded (with
	// cache_hit) and still gives its chunks access events.
	Cache Cache
	Now   func() time.Time
	Log   zerolog.Logger
	// RecordFailed, if set, hears of a query that could not be recorded
	// (a full disk), so the front end can say so once.
	RecordFailed func(error)
	// Recorder, if set, writes the query log instead of the store itself:
	// a long-running server batches records off the request path (see
	// service.QueryLog). nil writes each record at once, in the caller's
	// goroutine, and fills in its query id.
	Recorder Recorder
	// Engine, if set, is the search engine to use (it must be over the
	// same store); nil makes one for the run. Engines are not safe for
	// concurrent use: a server keeps a pool.
	Engine *query.Engine
	// Semantic is the semantic layer (query.Semantic); zero for words only.
	Semantic query.Semantic
}

// Recorder writes query records. RecordQuery returns the record's id, or
// 0 when the record is written later.
type Recorder interface {
	RecordQuery(ctx context.Context, rec store.QueryRecord, accessed []int64, tokens []string) (int64, error)
}

// Stages are the milliseconds a round spent in each stage of the
// pipeline: retrieval (the cache lookup included), grading, and, for the
// final round, answering (the answer cache included). Their sum is about
// the round's LatencyMS.
type Stages struct {
	RetrieveMS float64 `json:"retrieve_ms"`
	GradeMS    float64 `json:"grade_ms"`
	AnswerMS   float64 `json:"answer_ms"`
}

// Round is one retrieval of a run; "start over" adds rounds.
type Round struct {
	Query     string
	Retrieval *query.Retrieval
	Grade     quality.Grade
	Choice    Choice
	QueryID   int64
	LatencyMS float64
	CacheHit  bool
	Stages    Stages
	cacheKey  string
}

// Outcome is the result of a run: its final round, the answer, and the
// rounds before it.
type Outcome struct {
	Round
	Answer   *Answer
	Note     string
	Previous []Round
}

// ErrAborted is returned when the user leaves a prompt (Ctrl-C, Esc).
var ErrAborted = errors.New("aborted at the prompt")

// AnswerError is returned by Run when retrieval worked and the answerer
// (the LLM) failed. The Outcome returned with it holds the retrieval and
// its grade (and Outcome.Request what the answerer was asked), so that a
// front end can still show the grounded context instead of nothing.
type AnswerError struct {
	Err error
}

func (e *AnswerError) Error() string { return e.Err.Error() }
func (e *AnswerError) Unwrap() error { return e.Err }

// Run answers raw with the store db.
func Run(ctx context.Context, db Store, raw string, opts Options) (*Outcome, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Ranking.Candidates == 0 {
		opts.Ranking = query.DefaultRanking
	}
	eng := opts.Engine
	if eng == nil {
		eng = query.NewEngine(db)
	}
	out := &Outcome{}
	q := raw
	for {
		r, err := retrieve(ctx, db, eng, q, opts)
		if err != nil {
			return out, err
		}
		if r.Grade.Tier == quality.Weak && opts.Prompter != nil {
			opts.Log.Info().Str("query", r.Query).Float64("groundedness", r.Grade.Groundedness).
				Int("high_quality_chunks", r.Grade.HighQuality).Msg("retrieval quality is weak; asking the user")
			choice, err := opts.Prompter.Weak(ctx, WeakMatch{Query: r.Query, Grade: r.Grade, Thresholds: opts.Thresholds, Results: r.Retrieval.Results})
			if err == nil && ctx.Err() != nil {
				// The process is being stopped (SIGTERM, SIGHUP): whatever
				// the prompt returned, the user did not choose it.
				err = context.Cause(ctx)
			}
			if err != nil {
				// Leaving the prompt is the user's choice, not a failure of
				// the service: recorded as a query without a choice.
				r.Choice = ChoiceNone
				record(ctx, db, r, opts, nil, "")
				return out, err
			}
			r.Choice = choice
		} else if r.Grade.Tier == quality.Weak {
			opts.Log.Info().Str("query", r.Query).Float64("groundedness", r.Grade.Groundedness).
				Int("high_quality_chunks", r.Grade.HighQuality).Msg("retrieval quality is weak; continuing (non-interactive)")
		}
		if r.Choice == ChoiceStartOver {
			record(ctx, db, r, opts, nil, "")
			out.Previous = append(out.Previous, *r)
			nq, err := opts.Prompter.Rephrase(ctx, r.Query)
			if err != nil {
				return out, err
			}
			q = nq
			continue
		}
		out.Round = *r
		break
	}

	// Answer from what the user kept.
	switch {
	case out.Grade.Tier == quality.NoMatch:
		out.Note = NoMatchNote
		opts.Log.Info().Str("query", out.Query).Msg("no indexed context; using general knowledge")
	case out.Choice == ChoiceStartAnew:
		out.Note = StartAnewNote
	}
	sources := out.sources()
	var cited []int64
	if opts.Answerer != nil {
		start := time.Now()
		akey := answerKey(&out.Round, opts)
		a, hit := cachedAnswer(ctx, opts, akey)
		if !hit {
			var err error
			req := out.Request(opts.Thresholds)
			req.Stream = opts.Stream
			a, err = opts.Answerer.Answer(ctx, req)
			if err != nil {
				out.Stages.AnswerMS = msSince(start)
				out.LatencyMS += out.Stages.AnswerMS
				record(ctx, db, &out.Round, opts, nil, errorType(err))
				return out, &AnswerError{Err: err}
			}
			putCache(ctx, opts, akey, a)
		}
		out.CacheHit = out.CacheHit && hit
		out.Stages.AnswerMS = msSince(start)
		out.LatencyMS += out.Stages.AnswerMS
		out.Answer = a
		cited = a.Cited
	}
	var shown []int64
	for _, s := range sources {
		shown = append(shown, s.Key)
	}
	record(ctx, db, &out.Round, opts, append(shown, cited...), "")
	return out, nil
}

// sources are the chunks the answer is given: none for no match, none
// when the user set weak ones aside.
func (o *Outcome) sources() []query.Result {
	if o.Retrieval == nil || o.Grade.Tier == quality.NoMatch || o.Choice == ChoiceStartAnew {
		return nil
	}
	return o.Retrieval.Results
}

// Request is what the answerer is asked for this outcome (without a
// Stream): a front end renders the grounded context report from it.
func (o *Outcome) Request(th quality.Thresholds) Request {
	var terms []query.Term
	if o.Retrieval != nil {
		terms = o.Retrieval.Terms
	}
	return Request{Query: o.Query, Terms: terms, Grade: o.Grade, Thresholds: th, Tier: o.Grade.Tier,
		Choice: o.Choice, Sources: o.sources(), Note: o.Note}
}

func retrieve(ctx context.Context, db Store, eng *query.Engine, raw string, opts Options) (*Round, error) {
	start := time.Now()
	q, err := query.Validate(raw, opts.MaxLength)
	if err != nil {
		r := &Round{Query: raw, LatencyMS: msSince(start)}
		record(ctx, db, r, opts, nil, "invalid_query")
		return nil, err
	}
	key := ""
	if opts.Cache != nil && !opts.KeepAll {
		stamp, err := db.Stamp(ctx)
		if err == nil {
			key = retrievalKey(db.Path(), q, stamp, opts)
			if ret, ok := cachedRetrieval(ctx, opts, key); ok {
				r := &Round{Query: q, Retrieval: ret, Choice: ChoiceNone, CacheHit: true, cacheKey: key}
				r.Stages.RetrieveMS = msSince(start)
				gstart := time.Now()
				r.Grade = Grade(ret, opts.Thresholds)
				r.Stages.GradeMS = msSince(gstart)
				r.LatencyMS = msSince(start)
				return r, nil
			}
		}
	}
	qo := query.Options{Limit: opts.Limit, Threshold: opts.Thresholds.Activation, Filter: opts.Filter,
		Paths: opts.Paths, Tests: opts.Tests, Files: opts.Files, Ranking: opts.Ranking, Now: opts.Now(), KeepAll: opts.KeepAll,
		Semantic: opts.Semantic}
	var ret *query.Retrieval
	if opts.Fixed {
		ret, err = eng.SearchFixed(ctx, raw, opts.IgnoreCase, qo)
	} else {
		ret, err = eng.Search(ctx, q, qo)
	}
	if errors.Is(err, query.ErrInvalidQuery) {
		r := &Round{Query: q, LatencyMS: msSince(start)}
		record(ctx, db, r, opts, nil, "invalid_query")
		return nil, err
	}
	if err != nil {
		r := &Round{Query: q, LatencyMS: msSince(start)}
		record(ctx, db, r, opts, nil, errorType(err))
		return nil, fmt.Errorf("search: %w", err)
	}
	if key != "" && ret.SemanticError == "" {
		// A retrieval that fell back to words is not kept: the next
		// question may reach the endpoint again.
		putRetrieval(ctx, opts, key, ret)
	}
	r := &Round{Query: q, Retrieval: ret, Choice: ChoiceNone, cacheKey: key}
	r.Stages.RetrieveMS = msSince(start)
	gstart := time.Now()
	r.Grade = Grade(ret, opts.Thresholds)
	r.Stages.GradeMS = msSince(gstart)
	r.LatencyMS = msSince(start)
	return r, nil
}

// Grade grades a retrieval.
func Grade(r *query.Retrieval, th quality.Thresholds) quality.Grade {
	return r.Grade(th)
}

// record appends the round to the queries table and logs it. A failure to
// record is logged, never returned: the user's answer matters more than
// the bookkeeping.
func record(ctx context.Context, db Store, r *Round, opts Options, accessed []int64, errType string) {
	if db.ReadOnly() {
		if opts.RecordFailed != nil {
			opts.RecordFailed(store.ErrReadOnly)
		}
		return
	}
	rec := store.QueryRecord{
		Time:      opts.Now(),
		Query:     r.Query,
		Command:   opts.Command,
		Mode:      opts.Mode,
		Choice:    string(r.Choice),
		LatencyMS: r.LatencyMS,
		Status:    store.StatusOK,
		CacheHit:  r.CacheHit,
	}
	if rec.Choice == "" {
		rec.Choice = string(ChoiceNone)
	}
	if r.Retrieval != nil {
		rec.Tier = string(r.Grade.Tier)
		rec.Groundedness = r.Grade.Groundedness
		rec.HQChunks = r.Grade.HighQuality
		rec.Results = len(r.Retrieval.Results)
	}
	if errType != "" {
		rec.Status, rec.ErrorType = store.StatusError, errType
	}
	if r.Choice == ChoiceStartAnew || opts.Command != "query" {
		// The user set the chunks aside: they did not prove useful. And
		// only questions count as use: a script calling aur mem search in
		// a loop must not rewrite the ranking.
		accessed = nil
	}
	var tokens []string
	if r.Retrieval != nil {
		for _, t := range r.Retrieval.Terms {
			tokens = append(tokens, t.Text)
		}
	}
	var rw Recorder = db
	if opts.Recorder != nil {
		rw = opts.Recorder
	}
	id, err := rw.RecordQuery(context.WithoutCancel(ctx), rec, accessed, tokens)
	if err != nil {
		if store.IsCorrupt(err) {
			// The answer came from the cache or from sound pages, but the
			// database is damaged: remember it (store.MarkDamaged), so that
			// later runs do not rely on it (they fall back to a replica).
			store.MarkDamaged(db.Path(), err)
		}
		opts.Log.Warn().Err(err).Msg("query not recorded")
		if opts.RecordFailed != nil {
			opts.RecordFailed(err)
		}
	}
	r.QueryID = id
	ev := opts.Log.Info()
	if rec.Status != store.StatusOK {
		ev = opts.Log.Warn().Str("error_type", rec.ErrorType)
	}
	ev.Int64("query_id", id).Str("command", rec.Command).Str("mode", rec.Mode).Str("tier", rec.Tier).
		Float64("groundedness", rec.Groundedness).Int("high_quality_chunks", rec.HQChunks).
		Str("choice", rec.Choice).Float64("latency_ms", rec.LatencyMS).Bool("cache_hit", rec.CacheHit).
		Msgf("Query: %s", rec.Query)
}

// errorType names an error for the queries table and metrics: the
// resilience package's labels (http_503, timeout, breaker_open, ...) for
// provider failures, invalid_query for validation.
func errorType(err error) string {
	if errors.Is(err, query.ErrInvalidQuery) {
		return "invalid_query"
	}
	return resilience.ErrorType(err)
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}
