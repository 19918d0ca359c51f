package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/pgstore"
)

// URLEnv names the PostgreSQL server the tests use: a URL whose role may
// create databases (each test makes its own and drops it). .ci/run
// starts a server and sets it; without it these tests skip.
const URLEnv = "AUR_TEST_PG_URL"

// newDatabase creates an empty database on the test server and returns
// its URL; it is dropped when the test ends.
func newDatabase(t *testing.T) string {
	t.Helper()
	base := os.Getenv(URLEnv)
	if base == "" {
		t.Skipf("%s is not set: no PostgreSQL server to test against (.ci/run starts one)", URLEnv)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", URLEnv, err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "aur_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		t.Fatalf("create database: %v", err)
	}
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return replaceDatabase(base, cfg.Database, name)
}

// replaceDatabase puts name in place of the database of a postgres://
// URL (keeping its query parameters).
func replaceDatabase(url, old, name string) string {
	u, q := url, ""
	for i := 0; i < len(url); i++ {
		if url[i] == '?' {
			u, q = url[:i], url[i:]
			break
		}
	}
	// postgres://user@host:port/db
	slash := -1
	for i := len("postgres://"); i < len(u); i++ {
		if u[i] == '/' {
			slash = i
			break
		}
	}
	if slash < 0 {
		return u + "/" + name + q
	}
	_ = old
	return u[:slash+1] + name + q
}

func open(t *testing.T, url string) *pgstore.DB {
	t.Helper()
	db, err := pgstore.Open(context.Background(), url, pgstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

var fixedNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// indexPG runs one index run of root into project name and commits it.
func indexPG(t *testing.T, db *pgstore.DB, name, root string) *index.Summary {
	t.Helper()
	ctx := context.Background()
	p, err := db.Project(ctx, name, true)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := p.BeginIndex(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Rollback(ctx)
	sum, err := index.Run(ctx, ix, indexOptions(root))
	if err != nil {
		t.Fatalf("index %s: %v", root, err)
	}
	if err := ix.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return sum
}

func indexOptions(root string) index.Options {
	return index.Options{Root: root, Path: root, NoGit: true, Workers: 1,
		Now: func() time.Time { return fixedNow }, Log: zerolog.Nop()}
}

// writeCorpus writes files under a new directory.
func writeCorpus(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
