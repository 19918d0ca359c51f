package query

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/evaluate"
	"github.com/aurora-dev/aur/internal/store"
)

// TestActivationReplayFromEnv measures what activation does on shared/eval
// (AUR_EVAL_DB, AUR_EVAL_QUERIES; skipped without them): MRR@10 on a cold
// index, then after replaying a usage history in which half of the
// information needs were met before (their target was accessed one to
// three times in the past week) among accesses to unrelated chunks.
func TestActivationReplayFromEnv(t *testing.T) {
	ctx := context.Background()
	db, qs := evalEnv(t, true)
	for _, w := range []float64{0.1, 0.2, 0.3, 0.5} {
		r := DefaultRanking
		r.ActivationWeight = w
		cold, repeated, fresh := replay(t, ctx, db, qs, r)
		t.Logf("w=%.2f MRR@10 cold %.3f | after history: repeated needs %.3f (cold %.3f), new needs %.3f (cold %.3f)",
			w, cold.all, repeated.after, repeated.before, fresh.after, fresh.before)
	}
}

type mrrPair struct{ before, after float64 }
type mrrAll struct{ all float64 }

func replay(t *testing.T, ctx context.Context, db *store.DB, qs []evaluate.Query, r Ranking) (mrrAll, mrrPair, mrrPair) {
	t.Helper()
	e := NewEngine(db)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	rank := func(q evaluate.Query) (int, *Result) {
		ret, err := e.Search(ctx, q.Query, Options{Limit: 10, Threshold: DefaultThreshold, Ranking: r, Now: now, KeepAll: true})
		if err != nil {
			t.Fatal(err)
		}
		var tgt *Result
		for i := range ret.All {
			x := ret.All[i]
			if evaluate.IsSymbolHit(evaluate.Hit{File: x.Path, StartLine: x.StartLine, EndLine: x.EndLine, Name: x.QualifiedName}, q) {
				tgt = &ret.All[i]
				break
			}
		}
		for i, x := range ret.Results {
			if evaluate.IsSymbolHit(evaluate.Hit{File: x.Path, StartLine: x.StartLine, EndLine: x.EndLine, Name: x.QualifiedName}, q) {
				return i + 1, tgt
			}
		}
		return 0, tgt
	}
	rr := func(k int) float64 {
		if k == 0 {
			return 0
		}
		return 1 / float64(k)
	}
	rng := rand.New(rand.NewSource(1))
	repeatedSet := map[string]bool{}
	cold := map[string]float64{}
	var coldSum float64
	type need struct {
		key    int64
		tokens []string
	}
	var needs []need
	var allTokens [][]string
	for _, q := range qs {
		k, tgt := rank(q)
		cold[q.ID] = rr(k)
		coldSum += rr(k)
		toks := analyze(e.tk, q.Query)
		allTokens = append(allTokens, toks)
		if rng.Intn(2) == 0 && tgt != nil {
			repeatedSet[q.ID] = true
			needs = append(needs, need{tgt.Key, toks})
		}
	}
	// History: each repeated need's target accessed 1-3 times in the last
	// week; as many unrelated chunks accessed the same way.
	var all []int64
	rows, err := db.SQL().Query(`SELECT key FROM chunks`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k int64
		rows.Scan(&k)
		all = append(all, k)
	}
	rows.Close()
	access := func(key int64, tokens []string) {
		for n := 1 + rng.Intn(3); n > 0; n-- {
			at := now.Add(-time.Duration(rng.Int63n(int64(7 * 24 * time.Hour))))
			if err := db.RecordAccess(ctx, []int64{key}, at, tokens); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Each met need: its target was used for that query; and some
	// unrelated chunk was used for some other query.
	for _, nd := range needs {
		access(nd.key, nd.tokens)
		access(all[rng.Intn(len(all))], allTokens[rng.Intn(len(allTokens))])
	}
	var rep, fresh mrrPair
	nrep, nfresh := 0, 0
	for _, q := range qs {
		k, _ := rank(q)
		if repeatedSet[q.ID] {
			rep.before += cold[q.ID]
			rep.after += rr(k)
			nrep++
		} else {
			fresh.before += cold[q.ID]
			fresh.after += rr(k)
			nfresh++
		}
	}
	rep.before /= float64(nrep)
	rep.after /= float64(nrep)
	fresh.before /= float64(nfresh)
	fresh.after /= float64(nfresh)
	// Reset the history for the next setting.
	if _, err := db.SQL().Exec(`DELETE FROM chunk_access`); err != nil {
		t.Fatal(err)
	}
	return mrrAll{coldSum / float64(len(qs))}, rep, fresh
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	_ = fmt.Sprint
}
