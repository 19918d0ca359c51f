package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/service/servicetest"
)

// TestResidentService: a service searching the resident index answers
// every request as the one searching SQLite does (the engine-level
// parity is internal/query's TestResidentParity).
func TestResidentService(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	fx := servicetest.New(t, service.Deps{Log: zerolog.Nop(), Now: clock})
	res := query.NewResident(fx.DB, nil)
	if _, err := res.Build(ctx); err != nil {
		t.Fatal(err)
	}
	rsvc := service.New(servicetest.Settings(), service.Deps{DB: fx.DB, Log: zerolog.Nop(), Now: clock, Resident: res})
	reqs := []service.SearchRequest{
		{Query: "exponential backoff between attempts"},
		{Query: "retry until it succeeds", Files: true},
		{Query: "Backoff", ExcludeTests: true, Limit: 3},
		{Query: `"doubled each attempt" delay`},
		{Query: "retry", Paths: []string{"retry"}},
		{Query: "retry", Globs: []string{"*.go"}, Explain: true},
		{Query: servicetest.WeakQuery},
		{Query: "Backoff", Fixed: true},
	}
	st, err := rsvc.IndexStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Resident == nil || st.Resident.Generation == 0 || st.Resident.Chunks == 0 || st.Resident.LastError != "" {
		t.Errorf("index status: resident %+v", st.Resident)
	}
	if st, _ := fx.Svc.IndexStatus(ctx); st.Resident != nil {
		t.Errorf("index status without a resident index: %+v", st.Resident)
	}
	for _, req := range reqs {
		req.NoCache = true
		call := service.Call{Face: service.FaceHTTP}
		want, err := fx.Svc.Search(ctx, req, call)
		if err != nil {
			t.Fatalf("%+v: %v", req, err)
		}
		got, err := rsvc.Search(ctx, req, call)
		if err != nil {
			t.Fatalf("%+v: resident: %v", req, err)
		}
		if d := cmp.Diff(want.Outcome.Retrieval, got.Outcome.Retrieval); d != "" {
			t.Errorf("%+v: retrieval differs (-SQLite +resident):\n%s", req, d)
		}
		if want.Outcome.Grade != got.Outcome.Grade {
			t.Errorf("%+v: grade %+v, resident %+v", req, want.Outcome.Grade, got.Outcome.Grade)
		}
	}
}
