package query

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/store"
)

// semanticCorpus has a function whose words no question below uses
// (CleanCache: "wipe stale items" shares no word with it, but the fake
// embedder maps "wipe" to "clean"), an exact identifier (Download), and
// a decoy that means downloading more than Download's own text does
// (its words are the fake's synonyms of "download").
var semanticCorpus = map[string]string{
	"cache/cache.go": `package cache

// CleanCache removes every entry older than the limit.
func CleanCache(dir string, limit int) error {
	return removeOld(dir, limit)
}
`,
	"net/get.go": `package net

// Download copies a URL into a file.
func Download(url, path string) error {
	return copyURL(url, path)
}
`,
	"net/mirror.go": `package net

// Mirror fetches, retrieves and grabs remote pages.
func Mirror(site string) error {
	// fetch retrieve grab fetch retrieve grab
	return nil
}
`,
	"text/format.go": `package text

// Indent prefixes every line of s with tabs.
func Indent(s string, tabs int) string {
	return strings.Repeat("\t", tabs) + s
}
`,
}

// fakeQuestions embeds questions with the fake server through the real
// client and resilience policy.
type fakeQuestions struct{ e *llm.ResilientEmbedder }

func (f fakeQuestions) Model() string { return f.e.Model() }
func (f fakeQuestions) EmbedQuestion(ctx context.Context, q string) ([]float32, error) {
	v, err := f.e.Embed(ctx, []string{q})
	if err != nil {
		return nil, err
	}
	return v[0], nil
}

// fakeScale is the calibration for the fake's bag-of-words cosines,
// which are lower than a trained model's: one shared word of three in
// the question against a chunk of some twenty words is about 0.3.
var fakeScale = Semantic{Floor: 0.05, Ceil: 0.4, Weight: DefaultSemanticWeight}

func semanticSetup(t *testing.T) (*store.DB, *llmtest.EmbedServer, Semantic) {
	t.Helper()
	ctx := context.Background()
	db := indexFiles(t, semanticCorpus)
	srv := llmtest.NewEmbed(t, llmtest.EmbedOptions{})
	oe, err := llm.NewOpenAIEmbedder(llm.EmbedConfig{BaseURL: srv.URL, Model: "fake"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := llm.NewResilientEmbedder(oe, llm.Options{RPM: 1 << 20, MaxRetries: -1, Timeout: 5 * time.Second, BreakerThreshold: 1000})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := index.Embed(ctx, db, index.EmbedOptions{Embedder: e})
	if err != nil || sum.WithVector != sum.Chunks {
		t.Fatalf("embed: %+v, %v", sum, err)
	}
	sem := fakeScale
	sem.Embedder = fakeQuestions{e}
	return db, srv, sem
}

// TestSemanticFindsMeaning: a question sharing no word with the code is
// not found by words, and is found (high-quality, not no_match) with the
// semantic layer; the chunk grounds the question through its similarity.
func TestSemanticFindsMeaning(t *testing.T) {
	db, _, sem := semanticSetup(t)
	const q = "wipe stale items"
	lex := search(t, db, q, Options{Threshold: DefaultThreshold})
	if rankOf(lex, "CleanCache") != 0 {
		t.Fatalf("lexical search found CleanCache for %q: its words must be absent", q)
	}
	r := search(t, db, q, Options{Threshold: DefaultThreshold, Semantic: sem})
	if !r.Semantic || r.SemanticError != "" {
		t.Fatalf("semantic layer not used: %q", r.SemanticError)
	}
	if got := rankOf(r, "CleanCache"); got != 1 {
		t.Fatalf("CleanCache ranked %d for %q, want 1 (results %v)", got, q, names(r))
	}
	best := r.Results[0]
	if best.Lexical != 0 || best.Semantic <= 0 || best.Score < DefaultThreshold {
		t.Fatalf("best %s: lexical %.3f semantic %.3f score %.3f; want a semantic-only high-quality chunk",
			best.QualifiedName, best.Lexical, best.Semantic, best.Score)
	}
	// score = W·semantic for a chunk with no word of the question.
	if want := DefaultSemanticWeight * best.Semantic; abs(best.Score-want) > 1e-9 {
		t.Errorf("score %.6f, want %.2f × semantic = %.6f", best.Score, DefaultSemanticWeight, want)
	}
	if g := r.Grade(quality.DefaultThresholds); g.Tier == quality.NoMatch || g.Groundedness <= 0 {
		t.Errorf("grade %+v: a chunk found by meaning must ground the question", g)
	}
}

// TestSemanticKeepsExactIdentifier: an exact identifier stays first
// although the decoy is more similar in meaning, because its lexical
// score and its similarity add up (noisy-or).
func TestSemanticKeepsExactIdentifier(t *testing.T) {
	db, _, sem := semanticSetup(t)
	for _, q := range []string{"Download", "Indent"} {
		lex := search(t, db, q, Options{Threshold: DefaultThreshold})
		r := search(t, db, q, Options{Threshold: DefaultThreshold, Semantic: sem})
		if rankOf(lex, q) != 1 || rankOf(r, q) != 1 {
			t.Errorf("%q ranked %d by words, %d fused; want 1 both (fused: %v)", q, rankOf(lex, q), rankOf(r, q), names(r))
		}
		if r.Results[0].Score < lex.Results[0].Score {
			t.Errorf("%q: fused score %.3f below lexical %.3f", q, r.Results[0].Score, lex.Results[0].Score)
		}
	}
	r := search(t, db, "Download", Options{Threshold: DefaultThreshold, Semantic: sem})
	for _, x := range r.Results {
		if x.QualifiedName == "Mirror" && x.Similarity <= r.Results[0].Similarity {
			t.Fatalf("the decoy is not more similar (%.3f vs %.3f): the test proves nothing", x.Similarity, r.Results[0].Similarity)
		}
	}
}

// TestSemanticOutageAnswersLexically: with the endpoint down the search
// succeeds by words and says why the semantic layer was left out.
func TestSemanticOutageAnswersLexically(t *testing.T) {
	db, srv, sem := semanticSetup(t)
	srv.SetFault(llmtest.Unavailable)
	r, err := NewEngine(db).Search(context.Background(), "Download", Options{Limit: 10, Threshold: DefaultThreshold, Ranking: DefaultRanking, Semantic: sem})
	if err != nil {
		t.Fatalf("search failed with the endpoint down: %v", err)
	}
	if r.Semantic || !strings.Contains(r.SemanticError, "semantic retrieval unavailable") || rankOf(r, "Download") != 1 {
		t.Fatalf("semantic %v, error %q, rank %d; want a lexical answer with the reason", r.Semantic, r.SemanticError, rankOf(r, "Download"))
	}
	if r.Results[0].Similarity != 0 {
		t.Errorf("similarity %.3f without the endpoint", r.Results[0].Similarity)
	}
}

// TestSemanticFilters: chunks the vector search adds obey the filters.
func TestSemanticFilters(t *testing.T) {
	db, _, sem := semanticSetup(t)
	r := search(t, db, "wipe stale items", Options{Threshold: 0, Semantic: sem, Paths: PathFilter{Prefixes: []string{"net/"}}})
	for _, x := range r.Results {
		if !strings.HasPrefix(x.Path, "net/") {
			t.Errorf("%s outside net/ returned", x.Path)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
