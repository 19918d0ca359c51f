package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aurora-dev/aur/internal/iostreams"
	"github.com/aurora-dev/aur/internal/llm/llmtest"
)

// TestSemanticEndToEnd drives aur with the fake embeddings server: mem
// index embeds every chunk and a second run sends nothing; mem stats
// shows the coverage; a question sharing no word with the code finds it;
// with the endpoint down, search answers by words with one warning; the
// key is in no output and no log line.
func TestSemanticEndToEnd(t *testing.T) {
	const key = "sk-embed-e2e-0123456789abcdef"
	srv := llmtest.NewEmbed(t, llmtest.EmbedOptions{APIKey: key, Model: "fake-embed"})
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	t.Setenv("AURORA_HOME", home)
	t.Setenv("AURORA_DB_PATH", filepath.Join(dir, "memory.db"))
	t.Setenv("AURORA_LLM_PROVIDER", "none")
	t.Setenv("AURORA_EMBED_BASE_URL", srv.URL)
	t.Setenv("AURORA_EMBED_MODEL", "fake-embed")
	t.Setenv("AURORA_EMBED_API_KEY", key)
	t.Setenv("AURORA_EMBED_BATCH", "2")
	t.Setenv("AURORA_EMBED_MIN_SIMILARITY", "0.05") // the fake's bag-of-words scale
	t.Setenv("AURORA_EMBED_MAX_SIMILARITY", "0.4")
	t.Setenv("AURORA_MAX_RETRIES", "0")
	t.Setenv("AURORA_LOG_LEVEL", "debug")
	t.Chdir(dir)
	repo := filepath.Join(dir, "repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"cache.go": "package cache\n\n// CleanCache removes every entry older than the limit.\nfunc CleanCache(dir string, limit int) error {\n\treturn removeOld(dir, limit)\n}\n",
		"get.go":   "package cache\n\n// Download copies a URL into a file.\nfunc Download(url, path string) error {\n\treturn copyURL(url, path)\n}\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var all strings.Builder
	run := func(args ...string) (string, string, ExitCode) {
		ios, _, out, errOut := iostreams.Test()
		code := Run(context.Background(), ios, args)
		all.WriteString(out.String() + errOut.String())
		return out.String(), errOut.String(), code
	}

	out, errOut, code := run("mem", "index", "--no-git", "--json", "repo")
	if code != 0 {
		t.Fatalf("index: exit %d: %s", code, errOut)
	}
	var sum struct {
		TotalChunks int `json:"total_chunks"`
		Embeddings  *struct {
			WithVector int    `json:"with_vector"`
			Chunks     int    `json:"chunks"`
			Requests   int    `json:"requests"`
			Model      string `json:"model"`
		} `json:"embeddings"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Embeddings == nil {
		t.Fatalf("index --json: %v\n%s", err, out)
	}
	if e := sum.Embeddings; e.WithVector != sum.TotalChunks || e.Chunks != sum.TotalChunks || e.Model != "fake-embed" {
		t.Fatalf("embeddings %+v for %d chunks, want all embedded", *e, sum.TotalChunks)
	}
	n := srv.RequestCount()
	if _, errOut, code := run("mem", "index", "--no-git", "repo"); code != 0 || srv.RequestCount() != n {
		t.Fatalf("second index: exit %d, %d requests (want none): %s", code, srv.RequestCount()-n, errOut)
	}
	if out, _, code := run("mem", "stats"); code != 0 || !strings.Contains(out, "vectors    ") || !strings.Contains(out, "(100.0%), fake-embed") {
		t.Fatalf("mem stats: exit %d:\n%s", code, out)
	}

	out, errOut, code = run("mem", "search", "--no-cache", "--explain", "wipe stale items")
	if code != 0 || !strings.Contains(out, "CleanCache") || !strings.Contains(out, "fused = 1 − (1 − lexical 0.000)") {
		t.Fatalf("search by meaning: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}

	srv.SetFault(llmtest.Unavailable)
	out, errOut, code = run("mem", "search", "--no-cache", "Download")
	if code != 0 || !strings.Contains(out, "Download") {
		t.Fatalf("search with the endpoint down: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if n := strings.Count(errOut, "aur: warning:"); n != 1 || !strings.Contains(errOut, "semantic retrieval unavailable") {
		t.Errorf("want one warning about the endpoint; stderr:\n%s", errOut)
	}
	// --force re-creates every chunk: same texts, vectors reused, no request.
	if _, errOut, code := run("mem", "index", "--no-git", "--force", "repo"); code != 0 || strings.Contains(errOut, "warning") {
		t.Errorf("forced re-index with the endpoint down: exit %d, want 0 without a warning\n%s", code, errOut)
	}
	if err := os.WriteFile(filepath.Join(repo, "new.go"), []byte("package cache\n\n// Size reports the bytes in use.\nfunc Size() int64 { return 0 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = run("mem", "index", "--no-git", "repo")
	if code != 0 || !strings.Contains(errOut, "embedding stopped") || !strings.Contains(out, "vectors  2 of 3 chunks") {
		t.Errorf("index of a new file with the endpoint down: exit %d (want 0, a warning and 2 of 3 vectors)\nstdout: %s\nstderr: %s", code, out, errOut)
	}

	log, err := os.ReadFile(filepath.Join(home, "logs", "aurora.log"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(all.String(), key) || strings.Contains(string(log), key) {
		t.Error("the embeddings key appears in aur's output or log")
	}
	if !srv.Requests()[0].HasKey(key) {
		t.Error("the key was not sent to the endpoint")
	}
}
