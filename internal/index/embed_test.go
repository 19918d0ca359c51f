package index

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/store"
)

var embedCorpus = map[string]string{
	"cache/cache.go": `package cache

// CleanCache removes every entry older than the limit.
func CleanCache(dir string, limit int) error {
	return removeOld(dir, limit)
}

// Size reports the bytes in use.
func Size(dir string) int64 { return 0 }
`,
	"net/get.go": `package net

// Download copies a URL into a file.
func Download(url, path string) error { return nil }
`,
}

// testEmbedder is a real client of the fake server, with fast retries
// and no breaker state across tests.
func testEmbedder(t *testing.T, srv *llmtest.EmbedServer, model, key string, retries int) *llm.ResilientEmbedder {
	t.Helper()
	e, err := llm.NewOpenAIEmbedder(llm.EmbedConfig{BaseURL: srv.URL, Model: model, APIKey: llm.NewAPIKey(key)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := llm.NewResilientEmbedder(e, llm.Options{RPM: 1 << 20, MaxRetries: retries, BaseDelay: time.Millisecond,
		MaxDelay: time.Millisecond, Timeout: 5 * time.Second, BreakerThreshold: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func embed(t *testing.T, db *store.DB, e Embedder, batch int) *EmbedSummary {
	t.Helper()
	sum, err := Embed(context.Background(), db, EmbedOptions{Embedder: e, Batch: batch})
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	return sum
}

// TestEmbedIncremental: the first pass embeds every chunk in batches; a
// second pass sends no request; a changed file re-embeds only its changed
// chunk, reusing the vector of the unchanged one by hash.
func TestEmbedIncremental(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, embedCorpus)
	ix := newIndexer(t, root)
	ix.run("", nil)
	srv := llmtest.NewEmbed(t, llmtest.EmbedOptions{Model: "fake-embed"})
	e := testEmbedder(t, srv, "fake-embed", "", -1)

	s := embed(t, ix.db, e, 2)
	if s.Embedded != 3 || s.WithVector != 3 || s.Chunks != 3 || s.Requests != 2 || s.Dimensions != llmtest.DefaultEmbedDims {
		t.Fatalf("first pass: %+v, want 3 chunks embedded in 2 requests of 2, 256 dimensions", s)
	}
	if n := srv.RequestCount(); n != 2 {
		t.Fatalf("server saw %d requests, want 2", n)
	}

	s = embed(t, ix.db, e, 2)
	if n := srv.RequestCount(); n != 2 || s.Embedded != 0 || s.Requests != 0 || s.WithVector != 3 {
		t.Fatalf("second pass: %+v and %d requests in all, want no request", s, n)
	}

	// Editing Size's body re-creates every chunk of the file (new ids);
	// CleanCache's text is unchanged, so its vector is reused.
	writeTree(t, root, map[string]string{"cache/cache.go": embedCorpus["cache/cache.go"] + "\n// Limit is the default.\nconst Limit = 10\n"})
	ix.run("", nil)
	s = embed(t, ix.db, e, 64)
	if s.Embedded < 1 || s.Reused < 2 || s.WithVector != s.Chunks {
		t.Fatalf("after an edit: %+v, want the new chunk embedded and the unchanged ones reused", s)
	}
	if got := srv.Requests()[len(srv.Requests())-1].Inputs; len(got) != s.Embedded {
		t.Fatalf("last request embedded %d texts, want only the %d new ones", len(got), s.Embedded)
	}
}

// TestEmbedModelChange: vectors of another model are dropped, and the
// summary says how many and which model made them.
func TestEmbedModelChange(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, embedCorpus)
	ix := newIndexer(t, root)
	ix.run("", nil)
	srv := llmtest.NewEmbed(t, llmtest.EmbedOptions{})
	embed(t, ix.db, testEmbedder(t, srv, "model-a", "", -1), 64)
	s := embed(t, ix.db, testEmbedder(t, srv, "model-b", "", -1), 64)
	if s.Dropped != 3 || s.PreviousModel != "model-a (256 dimensions)" || s.Embedded != 3 || s.Model != "model-b" {
		t.Fatalf("model change: %+v, want 3 dropped from model-a and 3 embedded by model-b", s)
	}
	m, err := ix.db.EmbedModel(context.Background())
	if err != nil || m.Name != "model-b" || m.Dims != 256 {
		t.Fatalf("stored model %+v, %v", m, err)
	}
	// A dimension change of the same model drops them too.
	e, _ := llm.NewOpenAIEmbedder(llm.EmbedConfig{BaseURL: srv.URL, Model: "model-b", Dimensions: 64})
	r, _ := llm.NewResilientEmbedder(e, llm.Options{RPM: 1 << 20, MaxRetries: -1})
	s = embed(t, ix.db, r, 64)
	if s.Dropped != 3 || s.Dimensions != 64 || s.WithVector != 3 {
		t.Fatalf("dimension change: %+v, want 3 dropped and 3 made at 64", s)
	}
}

// TestEmbedOutage: transient faults are retried; a provider that stays
// down ends the pass with Error set and no error, the lexical index
// untouched and the vectors so far kept; the next pass does the rest.
func TestEmbedOutage(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, embedCorpus)
	ix := newIndexer(t, root)
	ix.run("", nil)
	srv := llmtest.NewEmbed(t, llmtest.EmbedOptions{Schedule: []llmtest.Fault{llmtest.RateLimited, llmtest.None, llmtest.Unavailable, llmtest.Unavailable}})
	e := testEmbedder(t, srv, "fake", "", 1)
	s := embed(t, ix.db, e, 1)
	if s.Error == "" || s.WithVector != 1 || s.Embedded != 1 {
		t.Fatalf("outage: %+v, want one chunk embedded (after a retried 429), then an error", s)
	}
	if n := srv.RequestCount(); n != 4 {
		t.Fatalf("%d requests, want 4 (429, ok, 503, 503)", n)
	}
	st, err := ix.db.Stats(context.Background())
	if err != nil || st.Chunks != 3 || st.Vectors == nil || st.Vectors.WithVector != 1 {
		t.Fatalf("stats after the outage: %+v, %v; want 3 chunks, 1 with a vector", st, err)
	}
	s = embed(t, ix.db, e, 1)
	if s.Error != "" || s.WithVector != 3 || s.Embedded != 2 {
		t.Fatalf("after recovery: %+v, want the 2 missing chunks embedded", s)
	}
}

// TestEmbedInterrupted: a cancelled context keeps what was written and
// says Interrupted.
func TestEmbedInterrupted(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, embedCorpus)
	ix := newIndexer(t, root)
	ix.run("", nil)
	srv := llmtest.NewEmbed(t, llmtest.EmbedOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := &cancelAfter{Embedder: testEmbedder(t, srv, "fake", "", -1), n: 1, cancel: cancel}
	s, err := Embed(ctx, ix.db, EmbedOptions{Embedder: e, Batch: 1})
	if !errors.Is(err, context.Canceled) || s == nil || !s.Interrupted || s.WithVector != 1 {
		t.Fatalf("Embed = %+v, %v; want interrupted after 1 vector", s, err)
	}
}

type cancelAfter struct {
	Embedder
	n      int
	cancel func()
}

func (c *cancelAfter) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if c.n == 0 {
		c.cancel()
		return nil, ctx.Err()
	}
	c.n--
	return c.Embedder.Embed(ctx, texts)
}

// TestEmbedKeyStaysOut: the key reaches the server and nothing else: not
// the summary, not the database.
func TestEmbedKeyStaysOut(t *testing.T) {
	const key = "sk-embed-test-0123456789abcdef"
	root := t.TempDir()
	writeTree(t, root, embedCorpus)
	ix := newIndexer(t, root)
	ix.run("", nil)
	srv := llmtest.NewEmbed(t, llmtest.EmbedOptions{APIKey: key})
	s := embed(t, ix.db, testEmbedder(t, srv, "fake", key, -1), 64)
	if s.WithVector != 3 || !srv.Requests()[0].HasKey(key) {
		t.Fatalf("%+v: want every chunk embedded with the key presented", s)
	}
	// A wrong key's error names no key.
	bad := embed(t, ix.db, testEmbedder(t, srv, "other", "sk-wrong-key-0123456789abcdef", -1), 64)
	if bad.Error == "" || bytes.Contains([]byte(bad.Error), []byte("sk-wrong")) {
		t.Fatalf("error %q: want an error without the key", bad.Error)
	}
	ix.db.Close()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(ix.db.Path() + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(key)) || bytes.Contains(b, []byte("sk-wrong")) {
			t.Fatalf("the key is in %s%s", ix.db.Path(), suffix)
		}
	}
}
