package query

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/store"
)

// scopeCorpus is code and its tests in four languages. Each test names
// and exercises the function it tests, and repeats its error message, so
// on words alone the test matches a question about the function about as
// well as the function does.
var scopeCorpus = map[string]string{
	"cookie/cookie.go": `package cookie

// ParseCookie parses a Cookie header value into its name and value pairs.
func ParseCookie(line string) ([]string, error) {
	if line == "" {
		return nil, errors.New("http: blank cookie header")
	}
	return strings.Split(line, ";"), nil
}
`,
	"cookie/cookie_test.go": `package cookie

func TestParseCookie(t *testing.T) {
	// ParseCookie parses a cookie header value: name and value pairs.
	for _, line := range []string{"a=1", "b=2; c=3"} {
		if _, err := ParseCookie(line); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ParseCookie(""); err.Error() != "http: blank cookie header" {
		t.Fatal("want http: blank cookie header")
	}
}
`,
	"pkg/retry.py": `def retry_request(request, attempts):
    """Retry a failed request with exponential backoff."""
    for i in range(attempts):
        if send(request):
            return True
    raise RuntimeError("gave up retrying the request after all attempts")
`,
	"tests/test_retry.py": `def test_retry_request():
    """Retry a failed request with exponential backoff until it succeeds."""
    assert retry_request(request, attempts=3)
`,
	"web/debounce.ts": `/** Debounce delays calling fn until the input has been idle for wait ms. */
export function debounce(fn: () => void, wait: number) {
  let t: any;
  return () => { clearTimeout(t); t = setTimeout(fn, wait); };
}
`,
	"web/debounce.test.ts": `// debounce delays calling fn until the input has been idle for wait ms
test("debounce delays calling fn until idle", () => {
  debounce(() => {}, 10);
});
`,
	"src/lib.rs": `/// Adds two numbers without overflow checks.
pub fn add_numbers(a: i32, b: i32) -> i32 { a + b }

#[cfg(test)]
mod tests {
    use super::*;

    /// Adds two numbers without overflow checks, checked.
    #[test]
    fn add_numbers_adds_two_numbers() { assert_eq!(add_numbers(1, 2), 3); }
}
`,
}

func indexScopeCorpus(t *testing.T) *store.DB {
	t.Helper()
	return indexFiles(t, scopeCorpus)
}

// indexFiles writes files (relative path -> content) to a temp dir and
// indexes it into a database in another, at a fixed time.
func indexFiles(t *testing.T, files map[string]string) *store.DB {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	for rel, src := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "scope.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	if _, err := index.Run(ctx, db, index.Options{Root: root, Path: root, NoGit: true, Workers: 1,
		Now: func() time.Time { return now }, Log: zerolog.Nop()}); err != nil {
		t.Fatal(err)
	}
	return db
}

func search(t *testing.T, db *store.DB, q string, opts Options) *Retrieval {
	t.Helper()
	opts.Limit, opts.Ranking = 10, DefaultRanking
	r, err := NewEngine(db).Search(context.Background(), q, opts)
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return r
}

func rankOf(r *Retrieval, name string) int {
	for i, x := range r.Results {
		if x.QualifiedName == name {
			return i + 1
		}
	}
	return 0
}

// TestTestsNeverOutrankTheirCode: for a question not about tests, the test
// of a function ranks below the function, in every language; a question
// that mentions tests, or --tests, ranks them on words alone; and
// --exclude-tests drops them.
func TestTestsNeverOutrankTheirCode(t *testing.T) {
	db := indexScopeCorpus(t)
	for _, c := range []struct{ q, code, test string }{
		{"parse the cookie header value into name and value pairs", "ParseCookie", "TestParseCookie"},
		{"http: blank cookie header", "ParseCookie", "TestParseCookie"},
		{"retry a failed request with exponential backoff", "retry_request", "test_retry_request"},
		{"debounce delays calling fn until the input is idle", "debounce", ""},
		{"adds two numbers without overflow checks", "add_numbers", "add_numbers_adds_two_numbers"},
	} {
		r := search(t, db, c.q, Options{})
		code := rankOf(r, c.code)
		if code == 0 {
			t.Errorf("%q: %s not found: %v", c.q, c.code, names(r))
			continue
		}
		for i, x := range r.Results {
			if x.IsTest && i+1 < code {
				t.Errorf("%q: test %s (rank %d) outranks %s (rank %d)", c.q, x.QualifiedName, i+1, c.code, code)
			}
			if x.IsTest && !x.Demoted {
				t.Errorf("%q: test %s not demoted", c.q, x.QualifiedName)
			}
		}
		if c.test != "" {
			if rankOf(r, c.test) == 0 && len(r.Results) < 10 {
				t.Errorf("%q: test %s missing entirely: %v", c.q, c.test, names(r))
			}
		}
		ex := search(t, db, c.q, Options{Filter: store.Filter{ExcludeTests: true}})
		for _, x := range ex.Results {
			if x.IsTest {
				t.Errorf("%q with ExcludeTests: got test %s", c.q, x.QualifiedName)
			}
		}
	}
	// About tests: nothing is demoted, so the test of ParseCookie, which
	// holds "test" too, comes first.
	r := search(t, db, "test for parse cookie", Options{})
	if r.TestsDemoted || rankOf(r, "TestParseCookie") != 1 {
		t.Errorf("question about tests: demoted %v, got %v", r.TestsDemoted, names(r))
	}
	r = search(t, db, "parse cookie header", Options{Tests: true})
	for _, x := range r.Results {
		if x.Demoted {
			t.Errorf("--tests: %s demoted", x.QualifiedName)
		}
	}
}

func names(r *Retrieval) []string {
	var out []string
	for _, x := range r.Results {
		out = append(out, x.Path+":"+x.QualifiedName)
	}
	return out
}

// TestPathFilter: prefixes and ripgrep-style globs, with negation and
// "later wins".
func TestPathFilter(t *testing.T) {
	db := indexScopeCorpus(t)
	q := "adds two numbers cookie header retry request debounce"
	for _, c := range []struct {
		name string
		pf   PathFilter
		want map[string]bool // files allowed
	}{
		{"prefix", PathFilter{Prefixes: []string{"cookie"}}, map[string]bool{"cookie/cookie.go": true, "cookie/cookie_test.go": true}},
		{"prefix is a directory, not a string prefix", PathFilter{Prefixes: []string{"cook"}}, map[string]bool{}},
		{"glob by extension", PathFilter{Globs: []string{"*.py"}}, map[string]bool{"pkg/retry.py": true, "tests/test_retry.py": true}},
		{"negated glob", PathFilter{Globs: []string{"!*_test.go", "!tests/**", "!*.test.ts"}},
			map[string]bool{"cookie/cookie.go": true, "pkg/retry.py": true, "web/debounce.ts": true, "src/lib.rs": true}},
		{"later glob wins", PathFilter{Globs: []string{"*.go", "!cookie/*_test.go"}}, map[string]bool{"cookie/cookie.go": true}},
		{"prefix and glob", PathFilter{Prefixes: []string{"web"}, Globs: []string{"*.ts", "!*.test.ts"}}, map[string]bool{"web/debounce.ts": true}},
	} {
		r := search(t, db, q, Options{Paths: c.pf, Threshold: 0})
		got := map[string]bool{}
		for _, x := range r.Results {
			got[x.Path] = true
			if !c.want[x.Path] {
				t.Errorf("%s: got %s", c.name, x.Path)
			}
		}
		if len(c.want) > 0 && len(got) == 0 {
			t.Errorf("%s: no results", c.name)
		}
	}
	if _, err := NewEngine(db).Search(context.Background(), q, Options{Paths: PathFilter{Globs: []string{"!"}}}); err == nil {
		t.Error("empty glob accepted")
	}
}

// TestPhrasesAndFixedStrings: a pasted message finds the code that emits
// it first; -F finds exact substrings, code before tests.
func TestPhrasesAndFixedStrings(t *testing.T) {
	db := indexScopeCorpus(t)
	r := search(t, db, `RuntimeError: gave up retrying the request after all attempts`, Options{})
	if rankOf(r, "retry_request") != 1 || r.Results[0].Phrase == 0 {
		t.Errorf("pasted error: %v (phrase %v)", names(r), r.Results)
	}
	f, err := NewEngine(db).SearchFixed(context.Background(), "blank cookie header", false, Options{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Results) != 2 || f.Results[0].QualifiedName != "ParseCookie" || f.Results[1].QualifiedName != "TestParseCookie" {
		t.Errorf("-F: %v, want ParseCookie then its test", names(f))
	}
	if f.Results[0].MatchLine != 6 {
		t.Errorf("-F match line %d, want 6", f.Results[0].MatchLine)
	}
	if g := f.Grade(quality.DefaultThresholds); g.Tier != quality.Good {
		t.Errorf("-F grade %s, want good", g.Tier)
	}
	// Case-sensitive by default, as grep -F is.
	f, _ = NewEngine(db).SearchFixed(context.Background(), "BLANK COOKIE", false, Options{Limit: 10})
	if len(f.Results) != 0 {
		t.Errorf("-F is case-sensitive: got %v", names(f))
	}
	f, _ = NewEngine(db).SearchFixed(context.Background(), "BLANK COOKIE", true, Options{Limit: 10})
	if len(f.Results) != 2 {
		t.Errorf("-F -i: got %v", names(f))
	}
	if _, err := NewEngine(db).SearchFixed(context.Background(), "ab", false, Options{}); err == nil {
		t.Error("-F with two characters accepted")
	}
}

// TestGradeIgnoresLimit: the grade is the same whatever the limit.
func TestGradeIgnoresLimit(t *testing.T) {
	db := indexScopeCorpus(t)
	for _, q := range []string{"parse the cookie header value", "retry a failed request", "sourdough bread"} {
		var tiers []quality.Tier
		for _, n := range []int{1, 2, 10} {
			r, err := NewEngine(db).Search(context.Background(), q, Options{Limit: n, Threshold: DefaultThreshold})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Results) > n {
				t.Fatalf("limit %d: %d results", n, len(r.Results))
			}
			tiers = append(tiers, r.Grade(quality.DefaultThresholds).Tier)
		}
		if tiers[0] != tiers[1] || tiers[1] != tiers[2] {
			t.Errorf("%q: tiers by limit 1, 2, 10: %v", q, tiers)
		}
	}
}

// TestFilesRanking: --files aggregates chunks per file, best first, each
// file once with its best chunks.
func TestFilesRanking(t *testing.T) {
	db := indexScopeCorpus(t)
	r := search(t, db, "parse cookie header value", Options{Files: true})
	if len(r.Results) != 0 || len(r.Files) == 0 || r.Files[0].Path != "cookie/cookie.go" {
		t.Fatalf("files: %+v", r.Files)
	}
	seen := map[string]bool{}
	for i, f := range r.Files {
		if seen[f.Path] {
			t.Errorf("file %s twice", f.Path)
		}
		seen[f.Path] = true
		if len(f.Chunks) == 0 || f.Chunks[0].Path != f.Path {
			t.Errorf("file %s: chunks %v", f.Path, f.Chunks)
		}
		if i > 0 && f.Score > r.Files[i-1].Score {
			t.Errorf("files out of order at %d", i)
		}
	}
}

// TestActivationIsBounded: use alone never takes a score to the cap, and
// a fully activated chunk overtakes an unused one only when their lexical
// scores are within w·(1 − lexical) of each other.
func TestActivationIsBounded(t *testing.T) {
	r := DefaultRanking
	w := r.ActivationWeight
	for l1 := 0.0; l1 < 1; l1 += 0.01 {
		if h := r.hybrid(l1, 1); h >= 1 || h < l1 {
			t.Fatalf("hybrid(%.2f, 1) = %.4f, want in [lexical, 1)", l1, h)
		}
		if h := r.hybrid(l1, 0); h != l1 {
			t.Fatalf("hybrid(%.2f, 0) = %.4f, want the lexical score", l1, h)
		}
		for l2 := l1; l2 < 1; l2 += 0.01 {
			overtakes := r.hybrid(l1, 1) > r.hybrid(l2, 0)
			if overtakes && l2-l1 > w*l1*(1-l1)+1e-12 {
				t.Fatalf("a used chunk at lexical %.2f overtakes an unused one at %.2f", l1, l2)
			}
		}
	}
}
