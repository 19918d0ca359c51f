package ask

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/fixture"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/store"
)

// newIndex indexes the shared fixture tree (internal/fixture) into a real
// database in a temp dir.
func newIndex(t *testing.T) *store.DB {
	t.Helper()
	_, db := fixture.Index(t, fixture.Files)
	return db
}

// scripted answers prompts from a list and records what it was asked.
type scripted struct {
	choices   []Choice
	rephrases []string
	weakSeen  []WeakMatch
	rephrased []string
}

func (s *scripted) Weak(ctx context.Context, m WeakMatch) (Choice, error) {
	s.weakSeen = append(s.weakSeen, m)
	c := s.choices[0]
	s.choices = s.choices[1:]
	return c, nil
}

func (s *scripted) Rephrase(ctx context.Context, previous string) (string, error) {
	s.rephrased = append(s.rephrased, previous)
	q := s.rephrases[0]
	s.rephrases = s.rephrases[1:]
	return q, nil
}

// recorder is an Answerer that keeps its requests.
type recorder struct{ reqs []Request }

func (r *recorder) Answer(ctx context.Context, req Request) (*Answer, error) {
	r.reqs = append(r.reqs, req)
	return &Answer{Text: "ok"}, nil
}

func options(p Prompter, a Answerer) Options {
	return Options{
		Command:    "query",
		Mode:       store.ModeInteractive,
		Limit:      10,
		Thresholds: quality.DefaultThresholds,
		Prompter:   p,
		Answerer:   a,
		Now:        func() time.Time { return time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC) },
		Log:        zerolog.Nop(),
	}
}

type queryRow struct {
	query, tier, choice, mode, status string
}

func queryRows(t *testing.T, db *store.DB) []queryRow {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT query, tier, choice, mode, status FROM queries ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []queryRow
	for rows.Next() {
		var r queryRow
		if err := rows.Scan(&r.query, &r.tier, &r.choice, &r.mode, &r.status); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func accessCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM chunk_access`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// weakQuery grades weak on the fixture: it matches the retry code, but its
// last word is nowhere in the index, so groundedness stays below 0.7.
const weakQuery = fixture.WeakQuery

func TestWeakQueryIsWeak(t *testing.T) {
	db := newIndex(t)
	out, err := Run(context.Background(), db, weakQuery, options(nil, &recorder{}))
	if err != nil {
		t.Fatal(err)
	}
	if out.Grade.Tier != quality.Weak {
		t.Fatalf("tier %s (groundedness %.2f, %d chunks), want weak: the fixture no longer exercises the prompt",
			out.Grade.Tier, out.Grade.Groundedness, out.Grade.HighQuality)
	}
}

func TestContinueAnyway(t *testing.T) {
	db := newIndex(t)
	p := &scripted{choices: []Choice{ChoiceContinue}}
	a := &recorder{}
	out, err := Run(context.Background(), db, weakQuery, options(p, a))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.weakSeen) != 1 {
		t.Fatalf("prompted %d times, want 1", len(p.weakSeen))
	}
	if got := p.weakSeen[0].Thresholds.Groundedness; got != 0.7 {
		t.Errorf("prompt shows groundedness threshold %v", got)
	}
	if out.Choice != ChoiceContinue || len(a.reqs) != 1 || len(a.reqs[0].Sources) == 0 {
		t.Fatalf("continue: choice %s, %d answers, sources %d; want the weak chunks passed on", out.Choice, len(a.reqs), len(a.reqs[0].Sources))
	}
	if rows := queryRows(t, db); len(rows) != 1 || rows[0].choice != "continue" || rows[0].tier != "weak" {
		t.Errorf("recorded %+v, want one weak row with choice continue", rows)
	}
	if n := accessCount(t, db); n != len(out.Retrieval.Results) {
		t.Errorf("%d chunks accessed, want the %d shown", n, len(out.Retrieval.Results))
	}
}

func TestStartAnew(t *testing.T) {
	db := newIndex(t)
	p := &scripted{choices: []Choice{ChoiceStartAnew}}
	a := &recorder{}
	out, err := Run(context.Background(), db, weakQuery, options(p, a))
	if err != nil {
		t.Fatal(err)
	}
	if out.Choice != ChoiceStartAnew || len(a.reqs) != 1 {
		t.Fatalf("choice %s, %d answers", out.Choice, len(a.reqs))
	}
	if len(a.reqs[0].Sources) != 0 || a.reqs[0].Note != StartAnewNote {
		t.Errorf("start anew passed %d sources and note %q; want none and the start-anew note", len(a.reqs[0].Sources), a.reqs[0].Note)
	}
	if rows := queryRows(t, db); len(rows) != 1 || rows[0].choice != "start_anew" {
		t.Errorf("recorded %+v, want choice start_anew", rows)
	}
	if n := accessCount(t, db); n != 0 {
		t.Errorf("%d chunks accessed after start anew, want 0", n)
	}
}

func TestStartOver(t *testing.T) {
	db := newIndex(t)
	p := &scripted{choices: []Choice{ChoiceStartOver}, rephrases: []string{"retry with exponential backoff between attempts"}}
	a := &recorder{}
	out, err := Run(context.Background(), db, weakQuery, options(p, a))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.rephrased) != 1 || p.rephrased[0] != weakQuery {
		t.Fatalf("rephrase prefilled with %q, want the old query", p.rephrased)
	}
	if out.Query != "retry with exponential backoff between attempts" || len(out.Previous) != 1 {
		t.Fatalf("final query %q with %d previous rounds", out.Query, len(out.Previous))
	}
	if out.Grade.Tier != quality.Good {
		t.Errorf("rephrased query graded %s (groundedness %.2f, %d chunks), want good", out.Grade.Tier, out.Grade.Groundedness, out.Grade.HighQuality)
	}
	if len(p.weakSeen) != 1 {
		t.Errorf("prompted %d times; a good rephrasing needs no second prompt", len(p.weakSeen))
	}
	if len(a.reqs) != 1 || a.reqs[0].Query != out.Query {
		t.Errorf("answered %d times, for %q", len(a.reqs), a.reqs[0].Query)
	}
	rows := queryRows(t, db)
	if len(rows) != 2 || rows[0].choice != "start_over" || rows[1].query != out.Query || rows[1].choice != "none" {
		t.Errorf("recorded %+v, want the weak query with start_over then the rephrased one", rows)
	}
}

func TestNonInteractiveNeverPrompts(t *testing.T) {
	db := newIndex(t)
	a := &recorder{}
	opts := options(nil, a)
	opts.Mode = store.ModeHeadless
	out, err := Run(context.Background(), db, weakQuery, opts)
	if err != nil {
		t.Fatal(err)
	}
	if out.Choice != ChoiceNone || len(a.reqs[0].Sources) == 0 {
		t.Errorf("headless weak match: choice %s, %d sources; want none and the weak chunks", out.Choice, len(a.reqs[0].Sources))
	}
	if rows := queryRows(t, db); rows[0].mode != "headless" {
		t.Errorf("mode recorded %q", rows[0].mode)
	}
}

func TestNoMatch(t *testing.T) {
	db := newIndex(t)
	a := &recorder{}
	out, err := Run(context.Background(), db, "bake sourdough bread with rye flour", options(&scripted{}, a))
	if err != nil {
		t.Fatal(err)
	}
	if out.Grade.Tier != quality.NoMatch || out.Note != NoMatchNote || a.reqs[0].Note != NoMatchNote || len(a.reqs[0].Sources) != 0 {
		t.Errorf("tier %s note %q, answerer note %q with %d sources", out.Grade.Tier, out.Note, a.reqs[0].Note, len(a.reqs[0].Sources))
	}
}

func TestInvalidQueryRecorded(t *testing.T) {
	db := newIndex(t)
	_, err := Run(context.Background(), db, "   ", options(nil, &recorder{}))
	if err == nil {
		t.Fatal("empty query accepted")
	}
	rows := queryRows(t, db)
	if len(rows) != 1 || rows[0].status != "error" {
		t.Errorf("recorded %+v, want one error row", rows)
	}
}

// stoppedPrompter is a prompt that returns the default choice while the
// process is being stopped, as bubbletea does on SIGTERM with its own
// signal handler.
type stoppedPrompter struct{ cancel context.CancelCauseFunc }

var errTerminated = errors.New("terminated")

func (s *stoppedPrompter) Weak(ctx context.Context, m WeakMatch) (Choice, error) {
	s.cancel(errTerminated)
	return ChoiceContinue, nil
}

func (s *stoppedPrompter) Rephrase(ctx context.Context, previous string) (string, error) {
	return previous, nil
}

// A signal at the prompt is not the user's choice: the run stops with the
// signal, nothing is answered, and the query is recorded without a choice.
func TestSignalAtPromptRecordsNoChoice(t *testing.T) {
	db := newIndex(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	a := &recorder{}
	_, err := Run(ctx, db, weakQuery, options(&stoppedPrompter{cancel}, a))
	if !errors.Is(err, errTerminated) {
		t.Fatalf("err = %v, want the cancellation's cause", err)
	}
	if len(a.reqs) != 0 {
		t.Errorf("answered %d times after the signal", len(a.reqs))
	}
	if rows := queryRows(t, db); len(rows) != 1 || rows[0].choice != "none" {
		t.Errorf("recorded %+v, want one row with choice none", rows)
	}
}
