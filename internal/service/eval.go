package service

import (
	"context"
	"fmt"
	"time"

	"github.com/aurora-dev/aur/internal/evaluate"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/store"
)

// EvalReport is aur eval --json.
type EvalReport struct {
	evaluate.Report
	Tiers       map[string]map[quality.Tier]int `json:"tiers"`
	Calibration []CalibrationRow                `json:"calibration"`
	MeanMS      float64                         `json:"mean_latency_ms"`
	Thresholds  quality.Thresholds              `json:"thresholds"`
}

// CalibrationRow is one tier's line of the calibration table.
type CalibrationRow struct {
	Tier         quality.Tier `json:"tier"`
	Queries      int          `json:"queries"`
	AnswerInTop5 float64      `json:"answer_in_top5"`
}

// EvalRequest scopes an evaluation, as aur eval's flags do.
type EvalRequest struct {
	Limit               int
	Files               bool
	ExcludeTests, Tests bool
	Paths, Globs        []string
}

// Evaluate runs qs against the index and measures how well retrieval
// finds their targets (aur eval). Evaluation queries are not recorded and
// do not touch activation, so an evaluation never changes what it
// measures. It returns the report and each query's ranks.
func (s *Service) Evaluate(ctx context.Context, qs []evaluate.Query, req EvalRequest) (*EvalReport, []evaluate.QueryResult, error) {
	eng := s.engines.Get().(*query.Engine)
	defer s.engines.Put(eng)
	th := s.set.Thresholds
	rep := &EvalReport{Thresholds: th, Tiers: map[string]map[quality.Tier]int{
		"target_in_top5": {}, "target_in_6_10": {}, "target_missing": {}}}
	var results []evaluate.QueryResult
	empty := 0
	cal := map[quality.Tier][2]int{}
	var total time.Duration
	for _, q := range qs {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		start := time.Now()
		vq, err := query.Validate(q.Query, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("query %s: %w", q.ID, err)
		}
		r, err := eng.Search(ctx, vq, query.Options{Limit: req.Limit, Threshold: th.Activation, Now: s.d.Now(),
			Filter: store.Filter{ExcludeTests: req.ExcludeTests}, Tests: req.Tests, Files: req.Files,
			Paths: query.PathFilter{Prefixes: req.Paths, Globs: req.Globs}})
		if err != nil {
			return nil, nil, fmt.Errorf("query %s: %w", q.ID, err)
		}
		total += time.Since(start)
		hits := make([]evaluate.Hit, len(r.Results))
		for i, x := range r.Results {
			hits[i] = evaluate.Hit{File: x.Path, StartLine: x.StartLine, EndLine: x.EndLine, Name: x.QualifiedName}
		}
		if len(hits) == 0 {
			empty++
		}
		sym, file := evaluate.Ranks(hits, q)
		if req.Files {
			var files []string
			for _, fr := range r.Files {
				files = append(files, fr.Path)
			}
			if len(files) == 0 {
				empty++
			}
			sym, file = 0, evaluate.FileRank(files, q)
		}
		g := r.Grade(th)
		found := sym
		if req.Files {
			found = file
		}
		c := cal[g.Tier]
		c[0]++
		if found >= 1 && found <= 5 {
			c[1]++
		}
		cal[g.Tier] = c
		bucket := "target_missing"
		switch {
		case sym >= 1 && sym <= 5:
			bucket = "target_in_top5"
		case sym > 5:
			bucket = "target_in_6_10"
		}
		rep.Tiers[bucket][g.Tier]++
		results = append(results, evaluate.QueryResult{ID: q.ID, Query: q.Query, SymbolRank: sym, FileRank: file, Tier: string(g.Tier)})
	}
	rep.Report = evaluate.Summarize(results, empty)
	for _, t := range []quality.Tier{quality.Good, quality.Weak, quality.NoMatch} {
		c := cal[t]
		row := CalibrationRow{Tier: t, Queries: c[0]}
		if c[0] > 0 {
			row.AnswerInTop5 = Round3(float64(c[1]) / float64(c[0]))
		}
		rep.Calibration = append(rep.Calibration, row)
	}
	rep.MeanMS = Round3(float64(total.Microseconds()) / 1000 / float64(len(qs)))
	return rep, results, nil
}
