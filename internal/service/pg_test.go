package service_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/pgstore"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
)

// pgSnap is a PostgreSQL project as the CLI hands it to the service
// (internal/cli's pgStore): each query reads one snapshot.
type pgSnap struct{ *pgstore.Project }

func (s pgSnap) Snapshot(ctx context.Context) (service.Store, func(), error) {
	snap, done, err := s.Project.Snapshot(ctx)
	if err != nil {
		return nil, nil, err
	}
	return pgSnap{snap}, done, nil
}

// TestPostgresServiceUnderLoad: a service over a PostgreSQL project with
// a pool of two connections answers 8 concurrent clients (more than the
// pool): a request must never need a second connection while holding
// its snapshot's, or a bounded pool deadlocks.
func TestPostgresServiceUnderLoad(t *testing.T) {
	base := os.Getenv("AUR_TEST_PG_URL")
	if base == "" {
		t.Skip("AUR_TEST_PG_URL is not set: no PostgreSQL server to test against (.ci/run starts one)")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	name := "aur_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	db, err := pgstore.Open(ctx, u.String(), pgstore.Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.Project(ctx, "repo", true)
	if err != nil {
		t.Fatal(err)
	}
	root, err := os.MkdirTemp("", "aur-pg-service")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(root)
	os.WriteFile(root+"/shapes.go", []byte("package shapes\n\n// Circle is round.\ntype Circle struct{ R float64 }\n\n// Area of the circle.\nfunc (c Circle) Area() float64 { return 3.14 * c.R * c.R }\n"), 0o644)
	ix, err := p.BeginIndex(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := index.Run(ctx, ix, index.Options{Root: root, Path: root, NoGit: true, Log: zerolog.Nop()}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	ql := service.NewQueryLog(p, zerolog.Nop(), nil)
	svc := service.New(service.Settings{Thresholds: quality.DefaultThresholds, MaxQueryLength: 10000},
		service.Deps{DB: pgSnap{p}, Recorder: ql, Log: zerolog.Nop()})
	rctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				resp, err := svc.Search(rctx, service.SearchRequest{Query: "circle area"},
					service.Call{Face: service.FaceHTTP, Mode: store.ModeHeadless})
				if err != nil {
					t.Error(err)
					return
				}
				if len(resp.Retrieval.Results) == 0 || resp.Root != root {
					t.Errorf("results %d, root %q", len(resp.Retrieval.Results), resp.Root)
					return
				}
			}
		}()
	}
	wg.Wait()
	if rctx.Err() != nil {
		t.Fatal("8 clients over a pool of 2 did not finish: deadlock")
	}
	if err := ql.Close(ctx); err != nil {
		t.Fatal(err)
	}
	gs, err := p.QueryGroups(ctx, store.QueryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, g := range gs {
		n += g.Count
	}
	if n != 40 {
		t.Errorf("%d queries recorded, want 40", n)
	}
}
