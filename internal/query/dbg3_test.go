package query

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/aurora-dev/aur/internal/evaluate"
	"github.com/aurora-dev/aur/internal/store"
)

func TestDebugMisses(t *testing.T) {
	ctx := context.Background()
	db, _ := store.Open(ctx, os.Getenv("AUR_EVAL_DB"))
	defer db.Close()
	f, _ := os.Open(os.Getenv("AUR_EVAL_QUERIES"))
	qs, _ := evaluate.LoadQueries(f)
	e := NewEngine(db)
	r := DefaultRanking
	r.B = 0.5
	notCand := 0
	for _, q := range qs {
		vq, _ := Validate(q.Query, 0)
		ret, _ := e.Search(ctx, vq, Options{Limit: 10, KeepAll: true, Ranking: r})
		rank := 0
		var tr *Result
		for i := range ret.All {
			x := ret.All[i]
			if evaluate.IsSymbolHit(evaluate.Hit{File: x.Path, StartLine: x.StartLine, EndLine: x.EndLine, Name: x.QualifiedName}, q) {
				rank = i + 1
				tr = &x
				break
			}
		}
		if rank >= 1 && rank <= 10 {
			continue
		}
		if rank == 0 {
			notCand++
		}
		line := fmt.Sprintf("rank %3d %s | %s %s", rank, q.Query, q.Name, q.File)
		if tr != nil {
			line += fmt.Sprintf(" | tgt %.3f top %.3f %s", tr.Score, ret.All[0].Score, ret.All[0].QualifiedName+" "+ret.All[0].Path)
			for _, p := range tr.Terms {
				line += fmt.Sprintf(" %s%v", p.Term, p.Fields)
			}
		}
		fmt.Println(line)
	}
	fmt.Println("not in candidates:", notCand)
}
