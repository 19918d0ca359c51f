package query

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aurora-dev/aur/internal/evaluate"
	"github.com/aurora-dev/aur/internal/store"
)

// TestEvalFromEnv runs shared/eval queries against an index, when
// AUR_EVAL_DB and AUR_EVAL_QUERIES name them (see README "Retrieval
// quality"); it is a measuring tool, skipped otherwise.
func TestEvalFromEnv(t *testing.T) {
	ctx := context.Background()
	db, qs := evalEnv(t, false)
	e := NewEngine(db)
	run := func(name string, r Ranking, threshold float64) {
		var res []evaluate.QueryResult
		empty := 0
		for _, q := range qs {
			vq, err := Validate(q.Query, 0)
			if err != nil {
				t.Fatal(err)
			}
			ret, err := e.Search(ctx, vq, Options{Limit: 10, Threshold: threshold, Ranking: r})
			if err != nil {
				t.Fatal(err)
			}
			var hits []evaluate.Hit
			for _, x := range ret.Results {
				hits = append(hits, evaluate.Hit{File: x.Path, StartLine: x.StartLine, EndLine: x.EndLine, Name: x.QualifiedName})
			}
			if len(hits) == 0 {
				empty++
			}
			s, fr := evaluate.Ranks(hits, q)
			res = append(res, evaluate.QueryResult{ID: q.ID, SymbolRank: s, FileRank: fr})
		}
		rep := evaluate.Summarize(res, empty)
		t.Logf("%-28s sym MRR %.3f R1 %.3f R5 %.3f R10 %.3f | file MRR %.3f R10 %.3f | empty %d",
			name, rep.Symbol.MRR, rep.Symbol.Recall1, rep.Symbol.Recall5, rep.Symbol.Recall10, rep.File.MRR, rep.File.Recall10, empty)
	}
	run("default t=0", DefaultRanking, 0)
	if os.Getenv("AUR_EVAL_SWEEP") == "" {
		run("default t=0.3", DefaultRanking, DefaultThreshold)
		return
	}
	for _, b := range []float64{0.25, 0.5, 1} {
		r := DefaultRanking
		r.BodyTF = b
		run(fmt.Sprintf("bodytf %.2f", b), r, 0)
		run(fmt.Sprintf("bodytf %.2f t.3", b), r, 0.3)
	}
}

// evalEnv opens the index named by AUR_EVAL_DB (a copy of it in a temp dir
// when copy is set, for tests that write) and loads AUR_EVAL_QUERIES; it
// skips the test when either is unset.
func evalEnv(t *testing.T, copy bool) (*store.DB, []evaluate.Query) {
	t.Helper()
	dbPath, qPath := os.Getenv("AUR_EVAL_DB"), os.Getenv("AUR_EVAL_QUERIES")
	if dbPath == "" || qPath == "" {
		t.Skip("set AUR_EVAL_DB and AUR_EVAL_QUERIES")
	}
	if copy {
		dst := filepath.Join(t.TempDir(), "eval.db")
		copyFile(t, dbPath, dst)
		dbPath = dst
	}
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f, err := os.Open(qPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := evaluate.LoadQueries(f)
	if err != nil {
		t.Fatal(err)
	}
	return db, qs
}
