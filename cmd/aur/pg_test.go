package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/rogpeppe/go-internal/testscript"
)

// pgURLEnv names the PostgreSQL server of the PostgreSQL scripts (see
// internal/pgstore's tests); .ci/run sets it.
const pgURLEnv = "AUR_TEST_PG_URL"

// TestPostgresScripts runs the scripts in testdata/pgscript, each with
// AURORA_STORE_URL pointing at a database of its own on the test server
// (made before, dropped after).
func TestPostgresScripts(t *testing.T) {
	base := os.Getenv(pgURLEnv)
	if base == "" {
		t.Skipf("%s is not set: no PostgreSQL server to test against (.ci/run starts one)", pgURLEnv)
	}
	fixture, err := filepath.Abs(fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	p := scriptParams(filepath.Join("testdata", "pgscript"), fixture)
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		ctx := context.Background()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			return err
		}
		var b [6]byte
		rand.Read(b[:])
		name := "aur_script_" + hex.EncodeToString(b[:])
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			admin.Close(ctx)
			return err
		}
		env.Defer(func() {
			admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
			admin.Close(ctx)
		})
		u, err := url.Parse(base)
		if err != nil {
			return err
		}
		u.Path = "/" + name
		env.Setenv("AURORA_STORE_URL", u.String())
		return nil
	}
	testscript.Run(t, p)
}
