package query

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
)

// TestSymbols: the identifiers a question names, and the words that are
// not identifiers.
func TestSymbols(t *testing.T) {
	cases := map[string][]string{
		"email.message_from_bytes policy=policy.default":             {"email.message_from_bytes", "policy.default"},
		"what does MaxConnsPerHost do once every connection is busy": {"MaxConnsPerHost"},
		"ProxyRequest.SetXForwarded X-Forwarded-For appends client":  {"ProxyRequest.SetXForwarded"},
		"LoggerAdapter.process extra kwargs":                         {"LoggerAdapter.process"},
		"Publish.#getManifest precedence":                            {"Publish.#getManifest"},
		"how are redirects followed by the client":                   nil,
		"dial tcp 10.0.2.15:8080: connect: connection refused":       nil, // numbers are not names
		"is it ok, i.e. allowed?":                                    nil, // nor abbreviations
		"__init__ of the handler":                                    nil, // underscores only at its ends: every class has one
		"a b_c":                                                      nil, // too short
	}
	for q, want := range cases {
		if got := symbols(q); !slices.Equal(got, want) {
			t.Errorf("symbols(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestSymbolCandidates: the chunk a question names is a candidate even
// when the question's words choose others first.
func TestSymbolCandidates(t *testing.T) {
	files := map[string]string{
		"email/__init__.py": `def message_from_bytes(s, *args):
    """Parse a bytes string into a Message object model."""
    return BytesParser(*args).parsebytes(s)
`,
	}
	for i := range 6 {
		files[fmt.Sprintf("email/policy%d.py", i)] = fmt.Sprintf(`def policy_default_%d(message):
    """The default policy for an email message's bytes: the policy default."""
    return message.policy.default_bytes(policy, default)
`, i)
	}
	db := indexFiles(t, files)
	opts := Options{KeepAll: true}
	opts.Limit, opts.Ranking = 10, DefaultRanking
	opts.Ranking.Candidates = 3 // fewer word candidates than decoys
	found := func(q string) bool {
		r, err := NewEngine(db).Search(context.Background(), q, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range r.All {
			if x.QualifiedName == "message_from_bytes" {
				return true
			}
		}
		return false
	}
	if found("email message from bytes policy default") {
		t.Fatal("the words alone chose message_from_bytes: the test would prove nothing")
	}
	if !found("email.message_from_bytes policy=policy.default") {
		t.Error("message_from_bytes, named by the question, is not a candidate")
	}
}

// TestTypeFactor: a type declaration, whose doc sums up its methods,
// ranks below the method that does what the question asks, unless the
// question names the type or asks about types; --files is unaffected.
func TestTypeFactor(t *testing.T) {
	db := indexFiles(t, map[string]string{
		"logging/handlers.py": `class WatchedFileHandler(FileHandler):
    """A handler that watches its log file and reopens it when log
    rotation moved or removed it."""

    level = 0
`,
		"logging/rotate.py": `def reopen_moved(h):
    """Reopen a file that was moved."""
    if h.moved():
        h.stream = h.open()
`,
	})
	score := func(r *Retrieval, name string) Result {
		for _, x := range r.All {
			if x.QualifiedName == name {
				return x
			}
		}
		t.Fatalf("%s not scored", name)
		return Result{}
	}
	run := func(q string, files bool, factor float64) *Retrieval {
		opts := Options{Limit: 10, KeepAll: true, Files: files, Ranking: DefaultRanking}
		opts.Ranking.TypeFactor = factor
		r, err := NewEngine(db).Search(context.Background(), q, opts)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	const q = "which handler reopens the log file when log rotation moved it"
	// The class holds more of the question than the function and leads
	// it; ranked down enough, it follows.
	cls, fn := score(run(q, false, 1), "WatchedFileHandler"), score(run(q, false, 1), "reopen_moved")
	if cls.Score <= fn.Score {
		t.Fatalf("class %.3f does not lead function %.3f: the test would prove nothing", cls.Score, fn.Score)
	}
	half := run(q, false, 0.5)
	if c, f := score(half, "WatchedFileHandler"), score(half, "reopen_moved"); !c.TypeDemoted || c.Score >= f.Score ||
		math.Abs(c.Score-0.5*cls.Score) > 1e-12 || f.Score != fn.Score {
		t.Errorf("factor 0.5: class %.3f (demoted %v), function %.3f; want %.3f below the function's %.3f",
			c.Score, c.TypeDemoted, f.Score, 0.5*cls.Score, fn.Score)
	}
	// Not when the question names the type or asks about classes, nor
	// for --files.
	for _, c := range []struct {
		q     string
		files bool
	}{
		{"what does WatchedFileHandler do when log rotation moved the file", false},
		{"which class reopens the log file when log rotation moved it", false},
		{q, true},
	} {
		if x := score(run(c.q, c.files, 0.5), "WatchedFileHandler"); x.TypeDemoted {
			t.Errorf("%q (files %v): the class was ranked down", c.q, c.files)
		}
	}
	if DefaultRanking.TypeFactor <= 0 || DefaultRanking.TypeFactor >= 1 {
		t.Errorf("DefaultRanking.TypeFactor = %v, want a factor in (0, 1)", DefaultRanking.TypeFactor)
	}
}
