package query

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aurora-dev/aur/internal/evaluate"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/store"
)

// tuneSet is one indexed corpus and its questions.
type tuneSet struct {
	name string
	db   *store.DB
	qs   []evaluate.Query
}

// TestTuneFromEnv is a measuring tool for ranking and grading changes,
// skipped unless AUR_TUNE names sets as NAME=DB:QUERIES,... (realq or
// doc-sentence queries over an index built with aur mem index). It prints,
// per set and ranking variant, answer MRR@10 and R@10 for the tuning half
// (odd ids) and the test half (even ids), and the grade's calibration
// (per tier: questions and the share with an answer in the top 5).
// Constants are chosen on the tuning halves only. AUR_TUNE_RESIDENT=1
// searches through the resident index (see Resident), as aur serve does.
func TestTuneFromEnv(t *testing.T) {
	spec := os.Getenv("AUR_TUNE")
	if spec == "" {
		t.Skip("set AUR_TUNE=NAME=DB:QUERIES,...")
	}
	ctx := context.Background()
	var sets []tuneSet
	for _, s := range strings.Split(spec, ",") {
		name, paths, _ := strings.Cut(s, "=")
		dbPath, qPath, _ := strings.Cut(paths, ":")
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		f, err := os.Open(qPath)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := evaluate.LoadQueries(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, tuneSet{name, db, qs})
	}
	variants := []struct {
		name string
		r    Ranking
	}{{"default", DefaultRanking}}
	for _, v := range strings.Fields(os.Getenv("AUR_TUNE_VARIANTS")) {
		// field=value;field=value
		r := DefaultRanking
		for _, kv := range strings.Split(v, ";") {
			k, val, _ := strings.Cut(kv, "=")
			x, err := strconv.ParseFloat(val, 64)
			if err != nil {
				t.Fatalf("variant %q: %v", v, err)
			}
			switch k {
			case "doc":
				r.Weights[FieldDoc] = x
			case "name":
				r.Weights[FieldName] = x
			case "sig":
				r.Weights[FieldSignature] = x
			case "path":
				r.Weights[FieldPath] = x
			case "body":
				r.Weights[FieldBody] = x
			case "k1":
				r.K1 = x
			case "b":
				r.B = x
			case "test":
				r.TestFactor = x
			case "phrase":
				r.PhraseWeight = x
			case "cal":
				r.Calibration = x
			case "fcand":
				r.FileCandidates = int(x)
			case "cand":
				r.Candidates = int(x)
			case "bodytf":
				r.BodyTF = x
			case "type":
				r.TypeFactor = x
			case "common":
				r.CommonDF = x
			case "decay":
				r.FileDecay = x
			default:
				t.Fatalf("variant %q: unknown field %q", v, k)
			}
		}
		variants = append(variants, struct {
			name string
			r    Ranking
		}{v, r})
	}
	th := quality.DefaultThresholds
	if v := os.Getenv("AUR_TUNE_THRESHOLDS"); v != "" {
		fmt.Sscanf(v, "%g,%g,%d", &th.Activation, &th.Groundedness, &th.MinHighQuality)
	}
	var dump *os.File
	if p := os.Getenv("AUR_TUNE_DUMP"); p != "" {
		var err error
		if dump, err = os.Create(p); err != nil {
			t.Fatal(err)
		}
		defer dump.Close()
		fmt.Fprintln(dump, "set\tid\thalf\tstyle\trank\tfile_rank\ttier\tground\thq\ttop1\ttop2\ttop5")
	}
	for _, v := range variants {
		type acc struct {
			ranks, fileRanks []int
			tiers            map[quality.Tier][2]int
		}
		pooled := map[string]*acc{}
		for _, s := range sets {
			halves := map[string]*acc{"tune": {tiers: map[quality.Tier][2]int{}}, "test": {tiers: map[quality.Tier][2]int{}}}
			e := NewEngine(s.db)
			if os.Getenv("AUR_TUNE_RESIDENT") != "" {
				// The resident path of aur serve / aur mcp.
				res := NewResident(s.db, nil)
				if _, err := res.Build(ctx); err != nil {
					t.Fatal(err)
				}
				e = NewResidentEngine(s.db, nil, res)
			}
			for _, q := range s.qs {
				vq, err := Validate(q.Query, 0)
				if err != nil {
					t.Fatal(err)
				}
				files := os.Getenv("AUR_TUNE_FILES") != ""
				ret, err := e.Search(ctx, vq, Options{Limit: 10, Threshold: th.Activation, Ranking: v.r, Files: files})
				if err != nil {
					t.Fatal(err)
				}
				var hits []evaluate.Hit
				for _, x := range ret.Results {
					hits = append(hits, evaluate.Hit{File: x.Path, StartLine: x.StartLine, EndLine: x.EndLine, Name: x.QualifiedName})
				}
				sym, fr := evaluate.Ranks(hits, q)
				if files {
					var fs []string
					for _, f := range ret.Files {
						fs = append(fs, f.Path)
					}
					fr = evaluate.FileRank(fs, q)
				}
				g := ret.Grade(th)
				n, _ := strconv.Atoi(strings.TrimLeft(q.ID, "abcdefghijklmnopqrstuvwxyz"))
				half := "test"
				if n%2 == 1 {
					half = "tune"
				}
				a := halves[half]
				a.ranks = append(a.ranks, sym)
				a.fileRanks = append(a.fileRanks, fr)
				c := a.tiers[g.Tier]
				c[0]++
				if sym >= 1 && sym <= 5 {
					c[1]++
				}
				a.tiers[g.Tier] = c
				if dump != nil && v.name == "default" {
					sc := func(i int) float64 {
						if i < len(ret.Evidence) {
							return ret.Evidence[i].Score
						}
						return 0
					}
					fmt.Fprintf(dump, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%.3f\t%d\t%.3f\t%.3f\t%.3f\n", s.name, q.ID, half, q.Style,
						sym, fr, g.Tier, g.Groundedness, g.HighQuality, sc(0), sc(1), sc(4))
				}
			}
			if p := os.Getenv("AUR_TUNE_OFFTOPIC"); p != "" {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				tiers := map[quality.Tier][2]int{}
				for _, l := range strings.Split(string(b), "\n") {
					if l = strings.TrimSpace(l); l == "" || strings.HasPrefix(l, "#") {
						continue
					}
					ret, err := e.Search(ctx, l, Options{Limit: 10, Threshold: th.Activation, Ranking: v.r})
					if err != nil {
						t.Fatal(err)
					}
					c := tiers[ret.Grade(th).Tier]
					c[0]++
					tiers[ret.Grade(th).Tier] = c
				}
				t.Logf("%-40s %-8s off-topic: %s", v.name, s.name, tierLine(tiers))
			}
			for _, h := range []string{"tune", "test"} {
				a := halves[h]
				m, fm := evaluate.Metrics(a.ranks), evaluate.Metrics(a.fileRanks)
				t.Logf("%-40s %-8s %-4s MRR %.3f R10 %.3f | file MRR %.3f R10 %.3f | %s", v.name, s.name, h,
					m.MRR, m.Recall10, fm.MRR, fm.Recall10, tierLine(a.tiers))
				p := pooled[h]
				if p == nil {
					p = &acc{tiers: map[quality.Tier][2]int{}}
					pooled[h] = p
				}
				for k, c := range a.tiers {
					pc := p.tiers[k]
					p.tiers[k] = [2]int{pc[0] + c[0], pc[1] + c[1]}
				}
			}
		}
		for _, h := range []string{"tune", "test"} {
			t.Logf("%-40s pooled   %-4s calibration %s", v.name, h, tierLine(pooled[h].tiers))
		}
	}
}

func tierLine(m map[quality.Tier][2]int) string {
	var b strings.Builder
	for _, tier := range []quality.Tier{quality.Good, quality.Weak, quality.NoMatch} {
		c := m[tier]
		if c[0] == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s %d hit@5 %.2f  ", tier, c[0], float64(c[1])/float64(c[0]))
	}
	return b.String()
}
