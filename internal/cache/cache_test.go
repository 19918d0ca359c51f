package cache

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock for TTL tests.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func openTest(t *testing.T, path string, opts Options) *Cache {
	t.Helper()
	c, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func mustGet(t *testing.T, c *Cache, key string) ([]byte, bool) {
	t.Helper()
	v, ok, err := c.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v, ok
}

func mustPut(t *testing.T, c *Cache, key, value string) {
	t.Helper()
	if err := c.Put(context.Background(), key, []byte(value)); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// rows counts the persistent entries, expired or not.
func rows(t *testing.T, c *Cache) int {
	t.Helper()
	var n int
	if err := c.db.QueryRow("SELECT count(*) FROM cache_entries").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHitAndMiss(t *testing.T) {
	c := openTest(t, filepath.Join(t.TempDir(), "cache.db"), Options{})
	if v, ok := mustGet(t, c, "absent"); ok || v != nil {
		t.Fatalf("Get(absent) = %q, %v; want miss", v, ok)
	}
	mustPut(t, c, "k", "answer")
	v, ok := mustGet(t, c, "k")
	if !ok || string(v) != "answer" {
		t.Fatalf("Get(k) = %q, %v; want answer, true", v, ok)
	}
	// The returned slice is the caller's: scribbling on it changes nothing.
	v[0] = 'X'
	if v, _ := mustGet(t, c, "k"); string(v) != "answer" {
		t.Fatalf("after caller edit Get(k) = %q", v)
	}
	// Put overwrites, in both layers.
	mustPut(t, c, "k", "second")
	if v, _ := mustGet(t, c, "k"); string(v) != "second" {
		t.Fatalf("after overwrite Get(k) = %q", v)
	}
	c.hot.Purge()
	if v, _ := mustGet(t, c, "k"); string(v) != "second" {
		t.Fatalf("after overwrite, from the file, Get(k) = %q", v)
	}
	// An empty value is a hit, not a miss.
	mustPut(t, c, "empty", "")
	if v, ok := mustGet(t, c, "empty"); !ok || len(v) != 0 {
		t.Fatalf("Get(empty) = %q, %v", v, ok)
	}
	c.hot.Purge()
	if v, ok := mustGet(t, c, "empty"); !ok || len(v) != 0 {
		t.Fatalf("Get(empty) from the file = %q, %v", v, ok)
	}
}

func TestTTLExpiry(t *testing.T) {
	for _, hot := range []int{0, -1} { // with and without the hot layer
		t.Run(fmt.Sprintf("hot=%d", hot), func(t *testing.T) {
			clk := newClock()
			c := openTest(t, filepath.Join(t.TempDir(), "cache.db"), Options{HotSize: hot, TTL: 10 * time.Minute, Now: clk.Now})
			mustPut(t, c, "k", "v")
			clk.Advance(10*time.Minute - time.Millisecond)
			if _, ok := mustGet(t, c, "k"); !ok {
				t.Fatal("miss 1 ms before expiry")
			}
			clk.Advance(time.Millisecond)
			if _, ok := mustGet(t, c, "k"); ok {
				t.Fatal("hit at expiry (TTL is exclusive)")
			}
			// The hot layer dropped it and the file does not serve it.
			if c.hot != nil && c.hot.Contains("k") {
				t.Error("expired entry still in the hot layer")
			}
			// A new Put revives the key for another TTL.
			mustPut(t, c, "k", "v2")
			if v, ok := mustGet(t, c, "k"); !ok || string(v) != "v2" {
				t.Fatalf("after re-Put Get = %q, %v", v, ok)
			}
		})
	}
}

func TestTTLDefaultAndNegative(t *testing.T) {
	clk := newClock()
	c := openTest(t, filepath.Join(t.TempDir(), "cache.db"), Options{Now: clk.Now})
	mustPut(t, c, "k", "v")
	clk.Advance(DefaultTTL - time.Second)
	if _, ok := mustGet(t, c, "k"); !ok {
		t.Fatal("default TTL expired early")
	}
	clk.Advance(time.Second)
	if _, ok := mustGet(t, c, "k"); ok {
		t.Fatal("default TTL did not expire at 600 s")
	}
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), Options{TTL: -time.Second}); err == nil {
		t.Fatal("Open with a negative TTL: no error")
	}
}

func TestKeyWithGenerationInvalidates(t *testing.T) {
	c := openTest(t, filepath.Join(t.TempDir(), "cache.db"), Options{})
	settings := "activation=0.3 groundedness=0.7 min_hq=3 k=10"
	k1 := Key("how are retries configured", settings, "generation=7")
	mustPut(t, c, k1, "answer from generation 7")
	if _, ok := mustGet(t, c, Key("how are retries configured", settings, "generation=7")); !ok {
		t.Fatal("same parts, same key: want a hit")
	}
	// A re-index bumps the generation: the old entry is unreachable.
	if _, ok := mustGet(t, c, Key("how are retries configured", settings, "generation=8")); ok {
		t.Fatal("new generation hit the old entry")
	}
	// So do other settings.
	if _, ok := mustGet(t, c, Key("how are retries configured", "activation=0.25 groundedness=0.7 min_hq=3 k=10", "generation=7")); ok {
		t.Fatal("other settings hit the entry")
	}
}

func TestKey(t *testing.T) {
	if Key("ab", "c") == Key("a", "bc") {
		t.Error(`Key("ab","c") == Key("a","bc")`)
	}
	if Key("a", "") == Key("a") {
		t.Error(`Key("a","") == Key("a")`)
	}
	if Key("q") != Key("q") {
		t.Error("Key is not deterministic")
	}
	if k := Key("q"); len(k) != 64 || strings.Trim(k, "0123456789abcdef") != "" {
		t.Errorf("Key = %q, want 64 hex digits", k)
	}
}

func TestHotLayerEvictionBound(t *testing.T) {
	c := openTest(t, filepath.Join(t.TempDir(), "cache.db"), Options{HotSize: 3})
	for i := range 10 {
		mustPut(t, c, fmt.Sprint("k", i), fmt.Sprint("v", i))
		if n := c.hot.Len(); n > 3 {
			t.Fatalf("after %d puts the hot layer holds %d entries, bound 3", i+1, n)
		}
	}
	// The three most recent are hot; the others were evicted from memory
	// but are still in the file. Take the file away to tell them apart.
	if _, err := c.db.Exec("DELETE FROM cache_entries"); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		_, ok := mustGet(t, c, fmt.Sprint("k", i))
		if want := i >= 7; ok != want {
			t.Errorf("k%d: hit = %v, want %v (LRU keeps the last 3)", i, ok, want)
		}
	}
	// A Get refreshes recency: touch k7, add one, k8 goes first.
	mustGet(t, c, "k7")
	mustPut(t, c, "k10", "v10")
	if c.hot.Contains("k8") || !c.hot.Contains("k7") {
		t.Errorf("hot keys %v: want k7 kept and k8 evicted", c.hot.Keys())
	}
}

func TestHotLayerOff(t *testing.T) {
	c := openTest(t, filepath.Join(t.TempDir(), "cache.db"), Options{HotSize: -1})
	if c.hot != nil {
		t.Fatal("HotSize -1: hot layer exists")
	}
	mustPut(t, c, "k", "v")
	if v, ok := mustGet(t, c, "k"); !ok || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, ok)
	}
}

func TestPersistsAcrossOpen(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sub", "cache.db")
	c, err := Open(ctx, path, Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, c, "k", "kept")
	mustPut(t, c, "short", "gone")
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	c2, err := Open(ctx, path, Options{Now: clk.Now, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if v, ok := mustGet(t, c2, "k"); !ok || string(v) != "kept" {
		t.Fatalf("after reopen Get = %q, %v", v, ok)
	}
	// An entry keeps the expiry of its Put, not the reopening's TTL.
	clk.Advance(DefaultTTL)
	if _, ok := mustGet(t, c2, "short"); ok {
		t.Fatal("entry outlived the TTL it was stored with")
	}
	var mode string
	c2.db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

func TestPruneIsBounded(t *testing.T) {
	clk := newClock()
	c := openTest(t, filepath.Join(t.TempDir(), "cache.db"), Options{Now: clk.Now, TTL: time.Minute, HotSize: -1})
	for i := range 200 {
		mustPut(t, c, fmt.Sprint("old", i), "x")
	}
	clk.Advance(time.Minute) // every "old" entry has expired
	mustPut(t, c, "new", "y")
	if got, want := rows(t, c), 200-pruneBatch+1; got != want {
		t.Fatalf("after one Put %d rows, want %d (pruneBatch %d deleted)", got, want, pruneBatch)
	}
	for range 3 {
		mustPut(t, c, "new", "y")
	}
	if got := rows(t, c); got != 1 {
		t.Fatalf("after four Puts %d rows, want 1", got)
	}
	if _, ok := mustGet(t, c, "new"); !ok {
		t.Fatal("live entry pruned")
	}
}

func TestCorruptFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.db")
	garbage := bytes.Repeat([]byte("not a database\n"), 512)
	if err := os.WriteFile(path, garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Open(context.Background(), path, Options{})
	if err == nil {
		c.Close()
		t.Fatal("Open on a corrupt file: no error")
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "delete the file") {
		t.Errorf("error %q does not name the file and the remedy", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, garbage) {
		t.Error("Open changed the corrupt file")
	}
	// The caller keeps a nil cache and goes on: it never hits and never fails.
	var nc *Cache
	if err := nc.Put(context.Background(), "k", []byte("v")); err != nil {
		t.Errorf("nil Put: %v", err)
	}
	if v, ok, err := nc.Get(context.Background(), "k"); v != nil || ok || err != nil {
		t.Errorf("nil Get = %q, %v, %v", v, ok, err)
	}
	if err := nc.Close(); err != nil {
		t.Errorf("nil Close: %v", err)
	}
}

func TestUnreadablePath(t *testing.T) {
	// A directory where the file should be: unreadable as a database.
	path := filepath.Join(t.TempDir(), "cache.db")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if c, err := Open(context.Background(), path, Options{}); err == nil {
		c.Close()
		t.Fatal("Open on a directory: no error")
	}
}

func TestRefusesOtherDatabases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "memory.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE chunks(id INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if c, err := Open(context.Background(), path, Options{}); err == nil {
		c.Close()
		t.Fatal("Open on another database: no error")
	} else if !strings.Contains(err.Error(), "not an aur cache") {
		t.Errorf("error = %v", err)
	}

	newer := filepath.Join(t.TempDir(), "cache.db")
	c := openTest(t, newer, Options{})
	if _, err := c.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if c, err := Open(context.Background(), newer, Options{}); !errors.Is(err, ErrNewerSchema) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("Open on a newer schema = %v, want ErrNewerSchema", err)
	}
}

// TestConcurrentUse runs goroutines on two caches over one file (two
// processes, in effect) under -race.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	clk := newClock()
	a := openTest(t, path, Options{HotSize: 8, Now: clk.Now})
	b := openTest(t, path, Options{HotSize: 8, Now: clk.Now})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		c := a
		if g%2 == 1 {
			c = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				key := Key("q", fmt.Sprint(i%16))
				want := fmt.Sprint("v", i%16)
				if err := c.Put(ctx, key, []byte(want)); err != nil {
					errs <- err
					return
				}
				v, ok, err := c.Get(ctx, key)
				if err != nil {
					errs <- err
					return
				}
				if ok && string(v) != want {
					errs <- fmt.Errorf("Get(%d) = %q, want %q", i%16, v, want)
					return
				}
				if i%10 == 0 {
					clk.Advance(time.Second)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range 16 {
		if _, ok := mustGet(t, b, Key("q", fmt.Sprint(i))); !ok {
			t.Errorf("key %d missing after the run", i)
		}
	}
}
