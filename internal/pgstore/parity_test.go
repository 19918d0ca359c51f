package pgstore_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aurora-dev/aur/internal/evaluate"
	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/pgstore"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/store"
)

const (
	rankCorpus  = "../../testdata/rank/corpus"
	rankQueries = "../../testdata/rank/queries.jsonl"
)

func hitKey(r query.Result) string {
	return fmt.Sprintf("%s:%d-%d:%s", r.Path, r.StartLine, r.EndLine, r.QualifiedName)
}

// TestParityWithSQLite indexes the ranking fixture into SQLite and into
// PostgreSQL and runs every fixture query on both the way aur mem search
// does: the top 10 must overlap by at least 90% and the tiers agree on at
// least 95% of the queries (the bar). In fact the backends hand
// the engine the same statistics and candidates, so the test also
// requires the corpus statistics and document frequencies to be equal,
// and reports any query whose ranking differs at all.
func TestParityWithSQLite(t *testing.T) {
	url := newDatabase(t)
	ctx := context.Background()
	root, err := filepath.Abs(rankCorpus)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(rankQueries)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := evaluate.LoadQueries(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}

	sq, err := store.Open(ctx, filepath.Join(t.TempDir(), "rank.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	if _, err := index.Run(ctx, sq, indexOptions(root)); err != nil {
		t.Fatal(err)
	}
	db := open(t, url)
	sum := indexPG(t, db, "rank", root)
	if sum.TotalChunks == 0 {
		t.Fatal("no chunks indexed into PostgreSQL")
	}
	pg, err := db.Project(ctx, "rank", false)
	if err != nil {
		t.Fatal(err)
	}

	sc, err := sq.Corpus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := pg.Corpus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Chunks != pc.Chunks || sc.AvgBodyTerms != pc.AvgBodyTerms {
		t.Errorf("corpus stats: SQLite %+v, PostgreSQL %+v", sc, pc)
	}

	se, pe := query.NewEngine(sq), query.NewEngine(pg)
	opts := query.Options{Limit: 10, Threshold: query.DefaultThreshold, Ranking: query.DefaultRanking, Now: fixedNow}
	overlap, total, tiersAgree, same := 0, 0, 0, 0
	for _, q := range qs {
		vq, err := query.Validate(q.Query, 0)
		if err != nil {
			t.Fatal(err)
		}
		sr, err := se.Search(ctx, vq, opts)
		if err != nil {
			t.Fatalf("SQLite %s: %v", q.ID, err)
		}
		pr, err := pe.Search(ctx, vq, opts)
		if err != nil {
			t.Fatalf("PostgreSQL %s: %v", q.ID, err)
		}
		var toks []string
		for _, term := range sr.Terms {
			toks = append(toks, term.Text)
			toks = append(toks, term.Alts...)
		}
		sdf, _ := sq.DocFreq(ctx, toks)
		pdf, _ := pg.DocFreq(ctx, toks)
		if fmt.Sprint(sdf) != fmt.Sprint(pdf) {
			t.Errorf("%s: document frequencies differ: SQLite %v, PostgreSQL %v", q.ID, sdf, pdf)
		}
		var sk, pk []string
		for _, r := range sr.Results {
			sk = append(sk, hitKey(r))
		}
		for _, r := range pr.Results {
			pk = append(pk, hitKey(r))
		}
		n := max(len(sk), len(pk))
		total += n
		for _, k := range sk {
			if slices.Contains(pk, k) {
				overlap++
			}
		}
		if slices.Equal(sk, pk) {
			same++
		} else {
			t.Logf("%s %q: rankings differ\n  SQLite     %v\n  PostgreSQL %v", q.ID, q.Query, sk, pk)
		}
		st, pt := sr.Grade(quality.DefaultThresholds).Tier, pr.Grade(quality.DefaultThresholds).Tier
		if st == pt {
			tiersAgree++
		} else {
			t.Logf("%s %q: tier SQLite %s, PostgreSQL %s", q.ID, q.Query, st, pt)
		}
	}
	ov := 1.0
	if total > 0 {
		ov = float64(overlap) / float64(total)
	}
	ta := float64(tiersAgree) / float64(len(qs))
	t.Logf("%d queries: top-10 overlap %.1f%%, tiers agree %.1f%%, identical rankings %d", len(qs), 100*ov, 100*ta, same)
	if ov < 0.9 {
		t.Errorf("top-10 overlap %.1f%% < 90%%", 100*ov)
	}
	if ta < 0.95 {
		t.Errorf("tiers agree on %.1f%% < 95%%", 100*ta)
	}

	// Fixed strings: the same chunks from the trigram paths of both.
	for _, needle := range []string{"Shutdown", "ctx.Done()", "request id"} {
		si, err := sq.Substring(ctx, needle, false, store.Filter{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		pi, err := pg.Substring(ctx, needle, false, store.Filter{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(si) != len(pi) {
			t.Errorf("substring %q: SQLite %d chunks, PostgreSQL %d", needle, len(si), len(pi))
		}
	}

	// Names: the same chunks hold every word of a symbol on both.
	for _, toks := range [][]string{{"str", "split"}, {"inventori", "repositori"}, {"inventori", "repositori", "restock"}, {"nosuchnam"}} {
		si, err := sq.NameCandidates(ctx, toks, store.Filter{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		pi, err := pg.NameCandidates(ctx, toks, store.Filter{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		sk, pk := keysOf(t, sq, si), keysOf(t, pg, pi)
		if !slices.Equal(sk, pk) {
			t.Errorf("names holding %q: SQLite %v, PostgreSQL %v", toks, sk, pk)
		}
		if want := toks[0] != "nosuchnam"; (len(sk) > 0) != want {
			t.Errorf("names holding %q: %d chunks", toks, len(sk))
		}
	}
}

// keysOf returns the keys of the chunks with the given ids, sorted.
func keysOf(t *testing.T, s query.Store, ids []int64) []int64 {
	t.Helper()
	cs, err := s.ChunksByID(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	var keys []int64
	for _, c := range cs {
		keys = append(keys, c.Key)
	}
	slices.Sort(keys)
	return keys
}

// TestParseMatch checks the reading of the engine's MATCH expressions.
func TestParseMatch(t *testing.T) {
	got, err := pgstore.ParseMatch(`"server" OR "shut" OR "a""b"`)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"server", "shut", `a"b`}; !slices.Equal(got, want) {
		t.Errorf("ParseMatch = %q, want %q", got, want)
	}
	if _, err := pgstore.ParseMatch(`server`); err == nil {
		t.Error("ParseMatch accepted an unquoted token")
	}
}
