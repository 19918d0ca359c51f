package pgstore_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aurora-dev/aur/internal/pgstore"
	"github.com/aurora-dev/aur/internal/resilience"
)

// TestTransientErrors classifies real failures: no server listening and
// a connection the server ended are retried; a bad statement is not.
func TestTransientErrors(t *testing.T) {
	url := newDatabase(t)
	ctx := context.Background()

	// Nobody listens on a port just released.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	start := time.Now()
	_, err = pgstore.Open(ctx, "postgres://nobody@"+addr+"/x?sslmode=disable&connect_timeout=2", pgstore.Options{})
	var re *resilience.RetryError
	if !errors.As(err, &re) || !pgstore.Transient(err) || re.Attempts != 4 {
		t.Errorf("Open with no server: %v (want 4 attempts of a transient error)", err)
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Errorf("Open gave up after %v: no backoff between attempts", d)
	}

	db := open(t, url)
	_, err = db.Pool().Exec(ctx, "SELEC 1")
	if err == nil || pgstore.Transient(err) {
		t.Errorf("syntax error: %v, transient %v", err, pgstore.Transient(err))
	}

	// A backend the server terminates (as on a restart): 57P01.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := db.Pool().Exec(ctx, `SELECT pg_terminate_backend($1)`, conn.PgConn().PID()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	_, err = conn.Exec(ctx, "SELECT 1")
	if err == nil || !pgstore.Transient(err) {
		t.Errorf("query on a terminated connection: %v, transient %v", err, pgstore.Transient(err))
	}
}
