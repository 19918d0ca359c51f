package query

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/evaluate"
	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/store"
)

var residentNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// indexCopy copies dir to a temp dir and indexes it into a new store.
func indexCopy(t *testing.T, dir string) (*store.DB, string) {
	t.Helper()
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "corpus")
	if err := os.CopyFS(root, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reindex(t, db, root)
	return db, root
}

func reindex(t *testing.T, db *store.DB, root string) {
	t.Helper()
	sum, err := index.Run(context.Background(), db, index.Options{Root: root, Path: root, NoGit: true, Workers: 1,
		Now: func() time.Time { return residentNow }, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	if sum.TotalChunks == 0 {
		t.Fatal("no chunks")
	}
}

// residentCase is one question with its options.
type residentCase struct {
	q    string
	opts Options
}

// residentQuestions makes questions from the corpus's own text: its
// queries file, and per chunk its qualified name, its doc comment's first
// words, a line of its text (a pasted line: unquoted phrases), a quoted
// run of its words, a misspelled word of its doc, a hyphenated pair; each
// with one of the option sets the faces pass (filters, paths and globs,
// --files, tests ranked as code, --explain, limits).
func residentQuestions(t *testing.T, db *store.DB, ix *residentIndex, extra []string, max int) []residentCase {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(1))
	ids := slices.Clone(ix.ids)
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	ids = ids[:min(len(ids), max)]
	var chunks []store.Chunk
	for len(ids) > 0 {
		part := ids[:min(len(ids), 500)]
		ids = ids[len(part):]
		cs, err := db.ChunksByID(ctx, part)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(cs, func(a, b store.Chunk) int { return slices.Index(part, a.ID) - slices.Index(part, b.ID) })
		chunks = append(chunks, cs...)
	}
	words := func(s string, n int) string {
		f := strings.Fields(s)
		if len(f) > n {
			f = f[:n]
		}
		return strings.Join(f, " ")
	}
	qs := append([]string{}, extra...)
	for _, c := range chunks {
		if len(qs) >= max {
			break
		}
		if c.QualifiedName != "" {
			qs = append(qs, c.QualifiedName)
		}
		if d := words(c.Doc, 4+rng.Intn(8)); d != "" {
			qs = append(qs, d)
			// A misspelling: two neighbours of a long word swapped.
			for _, w := range strings.Fields(d) {
				if len(w) >= 7 && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == "" {
					i := 2 + rng.Intn(len(w)-4)
					qs = append(qs, strings.Replace(d, w, w[:i]+string(w[i+1])+string(w[i])+w[i+2:], 1))
					break
				}
			}
		}
		lines := strings.Split(c.Content, "\n")
		if l := strings.TrimSpace(lines[rng.Intn(len(lines))]); len(l) > 12 && len(l) < 200 {
			qs = append(qs, l)
		}
		if f := strings.Fields(c.Content); len(f) > 6 {
			i := rng.Intn(len(f) - 3)
			qs = append(qs, fmt.Sprintf("%q %s", strings.Join(f[i:i+3], " "), c.Name))
			qs = append(qs, f[i]+"-"+f[i+1]+" in "+path.Base(path.Dir(c.Path)))
		}
		if c.Name != "" && rng.Intn(4) == 0 {
			qs = append(qs, "test for "+c.Name)
		}
	}
	files := ix.files
	var out []residentCase
	for i, q := range qs {
		vq, err := Validate(q, 0)
		if err != nil {
			continue
		}
		o := Options{Limit: 10, Threshold: DefaultThreshold, Ranking: DefaultRanking, Now: residentNow}
		f := files[rng.Intn(len(files))].Path
		switch i % 12 {
		case 1:
			o.Filter.ExcludeTests = true
		case 2:
			o.Files = true
		case 3:
			o.Filter.Kinds = []string{"function", "method"}
		case 4:
			o.Filter.Languages = []string{ix.langs[rng.Intn(len(ix.langs))]}
		case 5:
			o.Paths.Prefixes = []string{path.Dir(f)}
		case 6:
			o.Paths.Globs = []string{"*" + path.Ext(f), "!*_test*"}
		case 7:
			o.Tests = true
		case 8:
			o.KeepAll = true
		case 9:
			o.Limit = 3
		case 10:
			o.Limit = 40
			o.Threshold = 0
		}
		out = append(out, residentCase{vq, o})
	}
	return out
}

// compareResident runs every case on SQLite and on the resident index and
// fails on any difference: results, order, scores (to 1e-9), files,
// evidence, grade, terms. It returns how many scores differed at all.
func compareResident(t *testing.T, db *store.DB, res *Resident, cases []residentCase) (n, inexact, mismatches int) {
	t.Helper()
	ctx := context.Background()
	se, re := NewEngine(db), NewResidentEngine(db, nil, res)
	approx := cmpopts.EquateApprox(0, 1e-9)
	for _, c := range cases {
		sr, err := se.Search(ctx, c.q, c.opts)
		if err != nil {
			t.Fatalf("SQLite %q: %v", c.q, err)
		}
		gen := sr.Generation
		if !res.Ready(gen) {
			t.Fatalf("resident index not ready for generation %d", gen)
		}
		rr, err := re.Search(ctx, c.q, c.opts)
		if err != nil {
			t.Fatalf("resident %q: %v", c.q, err)
		}
		if d := cmp.Diff(sr, rr, approx); d != "" {
			t.Errorf("%q %+v: resident differs (-SQLite +resident):\n%s", c.q, c.opts, d)
			mismatches++
			continue
		}
		if sg, rg := sr.Grade(quality.DefaultThresholds), rr.Grade(quality.DefaultThresholds); !cmp.Equal(sg, rg) {
			t.Errorf("%q: grade SQLite %+v, resident %+v", c.q, sg, rg)
			mismatches++
			continue
		}
		if !cmp.Equal(sr, rr) {
			inexact++
		}
		n++
	}
	return n, inexact, mismatches
}

// compareCandidates checks the candidate lists themselves against FTS5's
// ORDER BY bm25() LIMIT n, with short limits (ties at the cut-off) and
// other column weights.
func compareCandidates(t *testing.T, db *store.DB, ix *residentIndex, cases []residentCase) {
	t.Helper()
	ctx := context.Background()
	e := NewEngine(db)
	weights := []store.Weights{DefaultRanking.storeWeights(), {1, 1, 1, 1, 1}, {2.5, 0.1, 0.7, 1.3, 0.3333333333}}
	for i, c := range cases {
		terms, _, err := e.terms(ctx, c.q, 1000, 0)
		if err != nil {
			t.Fatal(err)
		}
		var present []Term
		var forms []string
		for _, tm := range terms {
			if tm.DF > 0 {
				present = append(present, tm)
				forms = append(forms, tm.forms()...)
			}
		}
		if len(present) == 0 {
			continue
		}
		w := weights[i%len(weights)]
		limit := []int{100, 7, 1, 30}[i%4]
		want, err := db.Candidates(ctx, matchExpr(present), w, c.opts.Filter, limit)
		if err != nil {
			t.Fatal(err)
		}
		var sc residentScratch
		got, ok := ix.candidates(forms, w, c.opts.Filter, limit, &sc)
		if ok && !slices.Equal(want, got) {
			t.Errorf("%q (weights %v, limit %d): candidates differ\n  FTS5     %v\n  resident %v", c.q, w, limit, want, got)
		}
	}
}

// TestResidentParity indexes the ranking fixture (a copy), builds the
// resident index and compares it with the SQLite path on the fixture's
// questions and several hundred made from the corpus, with access
// history (activation); then changes, adds and deletes files, re-indexes
// incrementally (FTS5 then holds deleted rows' tombstones) and compares
// again.
func TestResidentParity(t *testing.T) {
	ctx := context.Background()
	db, root := indexCopy(t, rankCorpus)
	res := NewResident(db, nil)
	b, err := res.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("resident build: %d chunks, %d tokens, %d postings, %v", b.Chunks, b.Tokens, b.Postings, b.Duration)
	ix := res.cur.Load()

	// Accesses, for activation: some chunks accessed by some questions.
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 40; i++ {
		ci := rng.Intn(len(ix.ids))
		toks := []string{"server", "shutdown", "request", "token", "parse", "cache"}[rng.Intn(6):]
		if err := db.RecordAccess(ctx, []int64{ix.keys[ci]}, residentNow.Add(-time.Duration(rng.Intn(100))*time.Hour), toks[:1+rng.Intn(len(toks))]); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(rankQuery)
	if err != nil {
		t.Fatal(err)
	}
	fq, err := evaluate.LoadQueries(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, q := range fq {
		extra = append(extra, q.Query)
	}
	if len(extra) < 50 {
		t.Fatalf("%d fixture questions read", len(extra))
	}
	cases := residentQuestions(t, db, ix, extra, 700)
	n, inexact, _ := compareResident(t, db, res, cases)
	compareCandidates(t, db, ix, cases)
	t.Logf("%d questions: identical; %d with a score differing below 1e-9", n, inexact)
	if n < 300 {
		t.Errorf("only %d questions compared", n)
	}

	// Incremental changes.
	var goFiles []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".py")) {
			goFiles = append(goFiles, p)
		}
		return nil
	})
	if len(goFiles) < 3 {
		t.Fatalf("%d source files", len(goFiles))
	}
	old, _ := os.ReadFile(goFiles[0])
	os.WriteFile(goFiles[0], append(old, []byte("\n// Resident checks parity after a change.\n")...), 0o644)
	os.Remove(goFiles[1])
	os.WriteFile(filepath.Join(root, "server", "extra_resident.go"), []byte("package server\n\n// DrainConnections closes idle keep-alive connections before shutdown.\nfunc DrainConnections(timeout int) error { return nil }\n"), 0o644)
	reindex(t, db, root)
	if res.Ready(ix.gen) {
		if g, _ := db.Generation(ctx); g == ix.gen {
			t.Fatal("re-index did not change the generation")
		}
	}
	if _, err := res.Build(ctx); err != nil {
		t.Fatalf("build after an incremental index run: %v", err)
	}
	ix = res.cur.Load()
	cases = residentQuestions(t, db, ix, append(extra, "drain idle keep-alive connections"), 300)
	n, _, _ = compareResident(t, db, res, cases)
	compareCandidates(t, db, ix, cases)
	t.Logf("after re-index: %d questions identical", n)
}

// TestResidentFallsBack checks that a search uses SQLite until the
// resident index holds the store's generation, and builds it in the
// background when started.
func TestResidentFallsBack(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, _ := indexCopy(t, rankCorpus)
	built := make(chan ResidentBuild, 4)
	res := NewResident(db, func(b ResidentBuild) { built <- b })
	e := NewResidentEngine(db, nil, res)
	opts := Options{Limit: 10, Threshold: DefaultThreshold, Now: residentNow}
	r, err := e.Search(ctx, "graceful shutdown", opts) // not started: SQLite
	if err != nil || len(r.Results) == 0 {
		t.Fatalf("search before start: %v, %d results", err, len(r.Results))
	}
	res.Start(ctx)
	select {
	case b := <-built:
		if b.Err != nil {
			t.Fatal(b.Err)
		}
	case <-time.After(time.Minute):
		t.Fatal("no build")
	}
	gen, _ := db.Generation(ctx)
	if !res.Ready(gen) {
		t.Fatal("not ready after the build")
	}
	r2, err := e.Search(ctx, "graceful shutdown", opts)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r, r2); d != "" {
		t.Errorf("resident differs:\n%s", d)
	}
}

// TestResidentBuildDoesNotBlockWriters: a build reads in one read
// transaction; an index run (a writer) must go on meanwhile. (The store's
// connections begin immediate transactions, which take the write lock:
// a build through BeginTx held it for its whole scan.)
func TestResidentBuildDoesNotBlockWriters(t *testing.T) {
	ctx := context.Background()
	db, root := indexCopy(t, rankCorpus)
	inScan, release := make(chan bool), make(chan bool)
	done := make(chan error, 1)
	go func() {
		first := true
		done <- db.ScanResident(ctx, store.ResidentSink{
			Generation: func(int64) {},
			File:       func(int64, string) error { return nil },
			Chunk: func(*store.Chunk) error {
				if first {
					first = false
					inScan <- true
					<-release
				}
				return nil
			},
			DocSize: func(int64, []int64) error { return nil },
			Vocab:   func(string, int) error { return nil },
			Totals:  func(int64, []int64) {},
		})
	}()
	<-inScan
	start := time.Now()
	os.WriteFile(filepath.Join(root, "server", "writer_resident.go"), []byte("package server\n\n// Writer goes on during a scan.\nfunc Writer() {}\n"), 0o644)
	reindex(t, db, root)
	if err := db.RecordAccess(ctx, []int64{1}, residentNow, []string{"writer"}); err != nil {
		t.Errorf("write during a resident scan: %v", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("writes during a resident scan waited %v", d)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestResidentRefusesADisagreeingIndex: an FTS5 index whose tokens are
// not what the tokenizer makes of the chunks (an index written by another
// tokenizer) fails the build, and searches go on on SQLite.
func TestResidentRefusesADisagreeingIndex(t *testing.T) {
	ctx := context.Background()
	db, _ := indexCopy(t, rankCorpus)
	c := store.IndexedChunk{Chunk: store.Chunk{Key: 42, Kind: "function", Name: "Odd", QualifiedName: "Odd",
		StartLine: 1, EndLine: 1, Content: "func Odd() {}", Language: "go", BodyTerms: 2},
		Terms: store.Terms{Name: "odd", Path: "odd", Body: "func odd oldstem"}} // "oldstem": not the tokenizer's
	err := db.ApplyBatch(ctx, []store.FileUpdate{{File: store.File{Path: "odd.go", Hash: "x", Language: "go"}, Chunks: []store.IndexedChunk{c}}})
	if err != nil {
		t.Fatal(err)
	}
	res := NewResident(db, nil)
	if _, err := res.Build(ctx); !errors.Is(err, errResidentMismatch) {
		t.Fatalf("build: %v, want a mismatch", err)
	}
	if st := res.Status(); st.Generation != 0 || st.LastError == "" {
		t.Errorf("status %+v", st)
	}
	e := NewResidentEngine(db, nil, res)
	r, err := e.Search(ctx, "graceful shutdown", Options{Now: residentNow})
	if err != nil || len(r.Results) == 0 {
		t.Fatalf("search on SQLite: %v, %d results", err, len(r.Results))
	}
}

// TestResidentTokensFTS5DoesNotSee: a character Go's Unicode tables call
// a letter and SQLite's older unicode61 tables a separator (U+1CF2, a
// Vedic sign, found in the Python standard library) makes a token FTS5
// never indexes. The copy builds anyway (the token has no document
// frequency, as on SQLite, and FTS5's column sizes lack it) and answers
// exactly as SQLite does, questions holding the token included.
func TestResidentTokensFTS5DoesNotSee(t *testing.T) {
	ctx := context.Background()
	db, root := indexCopy(t, rankCorpus)
	src := "package server\n\n// VedicSigns lists the marks \u1cf2 and \u1cf3 of the Vedic extensions block for the renderer.\n" +
		"func VedicSigns() []string { return []string{\"\u1cf2\", \"x\u1cf2y\"} }\n"
	if err := os.WriteFile(filepath.Join(root, "server", "vedic.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	reindex(t, db, root)
	res := NewResident(db, nil)
	if _, err := res.Build(ctx); err != nil {
		t.Fatalf("build: %v", err)
	}
	ix := res.cur.Load()
	qs := []string{"vedic signs renderer", "marks \u1cf2 of the vedic extensions", "x\u1cf2y", "\u1cf2", "renderer marks block"}
	var cases []residentCase
	for _, q := range qs {
		vq, err := Validate(q, 0)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, residentCase{vq, Options{Limit: 10, Threshold: DefaultThreshold, Now: residentNow}})
	}
	cases = append(cases, residentQuestions(t, db, ix, qs, 100)...)
	n, _, _ := compareResident(t, db, res, cases)
	if n < len(qs) {
		t.Fatalf("%d questions compared", n)
	}
}
