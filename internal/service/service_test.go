package service_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/service/servicetest"
	"github.com/aurora-dev/aur/internal/store"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		name  string
		req   service.SearchRequest
		field string // "" for valid
	}{
		{"defaults", service.SearchRequest{Query: "x"}, ""},
		{"limit too big", service.SearchRequest{Limit: 1001}, "limit"},
		{"negative limit", service.SearchRequest{Limit: -1}, "limit"},
		{"unknown type", service.SearchRequest{Types: []string{"widget"}}, "types"},
		{"doc is section", service.SearchRequest{Types: []string{"DOC"}}, ""},
		{"tests contradict", service.SearchRequest{Tests: true, ExcludeTests: true}, "tests"},
		{"empty glob", service.SearchRequest{Globs: []string{"!"}}, "globs"},
		{"fixed and files", service.SearchRequest{Fixed: true, Files: true}, "fixed"},
		{"ignore case alone", service.SearchRequest{IgnoreCase: true}, "ignore_case"},
		{"empty path", service.SearchRequest{Paths: []string{" "}}, "paths"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Normalize()
			var ie *service.InvalidError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("Normalize: %v", err)
			case tc.field != "" && !errors.As(err, &ie):
				t.Fatalf("Normalize: %v, want an *InvalidError", err)
			case tc.field != "" && ie.Field != tc.field:
				t.Fatalf("field %q, want %q", ie.Field, tc.field)
			case tc.field != "" && !service.IsInvalid(err):
				t.Fatalf("IsInvalid(%v) = false", err)
			}
		})
	}
	r := service.SearchRequest{Types: []string{"Docs"}}
	if err := r.Normalize(); err != nil || r.Types[0] != "section" || r.Limit != service.DefaultLimit {
		t.Fatalf("got %+v, %v", r, err)
	}
}

// observed keeps the events an Observer hears.
type observed struct {
	queries []service.QueryEvent
	index   []service.IndexEvent
}

func (o *observed) ObserveQuery(e service.QueryEvent) { o.queries = append(o.queries, e) }
func (o *observed) ObserveIndex(e service.IndexEvent) { o.index = append(o.index, e) }

func TestQueryWeakContinuesWithoutPrompter(t *testing.T) {
	obs := &observed{}
	fx := servicetest.New(t, service.Deps{Observer: obs, Log: zerolog.Nop()})
	ctx := context.Background()
	resp, err := fx.Svc.Query(ctx, service.SearchRequest{Query: servicetest.WeakQuery}, service.Call{Face: service.FaceHTTP, Mode: store.ModeHeadless})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Grade.Tier != quality.Weak || resp.Choice != ask.ChoiceNone {
		t.Fatalf("tier %s choice %s, want weak none", resp.Grade.Tier, resp.Choice)
	}
	j := resp.Result()
	if j.Answer == nil || len(j.Results) == 0 || j.Root != fx.Root || j.Mode != store.ModeHeadless {
		t.Fatalf("result %+v", j)
	}
	if len(obs.queries) != 1 || obs.queries[0].Tier != quality.Weak || obs.queries[0].Face != service.FaceHTTP || obs.queries[0].ErrorType != "" {
		t.Fatalf("observed %+v", obs.queries)
	}
}

func TestSearchInvalid(t *testing.T) {
	obs := &observed{}
	fx := servicetest.New(t, service.Deps{Observer: obs, Log: zerolog.Nop()})
	ctx := context.Background()
	_, err := fx.Svc.Search(ctx, service.SearchRequest{Query: "   "}, service.Call{Face: service.FaceMCP})
	if !service.IsInvalid(err) || !errors.Is(err, query.ErrInvalidQuery) {
		t.Fatalf("empty query: %v", err)
	}
	_, err = fx.Svc.Search(ctx, service.SearchRequest{Query: "retry", Limit: 5000}, service.Call{Face: service.FaceMCP})
	if !service.IsInvalid(err) {
		t.Fatalf("limit: %v", err)
	}
	if len(obs.queries) != 2 || obs.queries[0].ErrorType != "invalid_query" || obs.queries[1].ErrorType != "invalid_request" {
		t.Fatalf("observed %+v", obs.queries)
	}
}

func TestQueryLogFlushesOnClose(t *testing.T) {
	fx := servicetest.New(t, service.Deps{Log: zerolog.Nop()})
	ql := service.NewQueryLog(fx.DB, zerolog.Nop(), nil)
	svc := service.New(fx.Svc.Settings(), service.Deps{DB: fx.DB, Recorder: ql, Log: zerolog.Nop()})
	ctx := context.Background()
	for i := 0; i < 20; i++ {
		resp, err := svc.Query(ctx, service.SearchRequest{Query: "exponential backoff retry"}, service.Call{Face: service.FaceHTTP})
		if err != nil {
			t.Fatal(err)
		}
		if resp.QueryID != 0 {
			t.Fatalf("query id %d from an asynchronous log", resp.QueryID)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := ql.Close(cctx); err != nil {
		t.Fatal(err)
	}
	var n, acc int
	if err := fx.DB.SQL().QueryRow(`SELECT count(*) FROM queries WHERE command = 'query'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := fx.DB.SQL().QueryRow(`SELECT count(*) FROM chunk_access`).Scan(&acc); err != nil {
		t.Fatal(err)
	}
	if n != 20 || acc == 0 {
		t.Fatalf("%d queries and %d accessed chunks recorded, want 20 and some", n, acc)
	}
	if _, err := ql.RecordQuery(ctx, store.QueryRecord{}, nil, nil); !errors.Is(err, service.ErrQueryLogClosed) {
		t.Fatalf("record after close: %v", err)
	}
}

func TestReindexOneAtATime(t *testing.T) {
	obs := &observed{}
	fx := servicetest.New(t, service.Deps{Observer: obs, Log: zerolog.Nop()})
	ctx := context.Background()
	sum, err := fx.Svc.Reindex(ctx, service.TriggerAPI, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Unchanged != len(servicetest.Files) || sum.Indexed != 0 {
		t.Fatalf("unchanged %d indexed %d, want %d and 0", sum.Unchanged, sum.Indexed, len(servicetest.Files))
	}
	st, err := fx.Svc.IndexStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.AgeSeconds == nil || st.Files != len(servicetest.Files) || st.LastRun == nil || st.LastRun.Trigger != service.TriggerAPI {
		t.Fatalf("status %+v", st)
	}
	if len(obs.index) != 1 || obs.index[0].Status != "done" {
		t.Fatalf("observed %+v", obs.index)
	}
}

func TestStatsWindow(t *testing.T) {
	fx := servicetest.New(t, service.Deps{Log: zerolog.Nop()})
	for _, bad := range [][2]string{{"bogus", ""}, {"sla", "7 parsecs"}} {
		if _, err := fx.Svc.StatsWindow(bad[0], bad[1], "", ""); !service.IsInvalid(err) {
			t.Errorf("view %q since %q: %v, want invalid", bad[0], bad[1], err)
		}
	}
	req, err := fx.Svc.StatsWindow("retrieval-quality", "30d", "", "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := fx.Svc.Stats(context.Background(), req)
	if err != nil || rep.Retrieval == nil {
		t.Fatalf("stats: %+v, %v", rep, err)
	}
	if !strings.Contains(req.Window.Label(), "30") {
		t.Fatalf("window %s", req.Window.Label())
	}
}
