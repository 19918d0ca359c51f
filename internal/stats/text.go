package stats

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aurora-dev/aur/internal/resilience"
)

// Style decorates the human layouts; nil functions leave text as it is.
// The command layer passes colours when stdout is a terminal.
type Style struct {
	Bold func(string) string
	Good func(string) string // a met target
	Bad  func(string) string // a missed target, a critical alert
	Warn func(string) string // a warning
}

func apply(f func(string) string, s string) string {
	if f == nil {
		return s
	}
	return f(s)
}

// Column widths of the layouts: labels, then right-aligned values, as in
// the production guide's example.
const (
	labelWidth = 25
	valueWidth = 10
)

// printer keeps the first write error so the layouts read straight.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

func (p *printer) title(st Style, t string) {
	p.printf("%s\n%s\n", apply(st.Bold, t), strings.Repeat("-", utf8.RuneCountInString(t)))
}

// row prints "Label:          value" and the rest of the line.
func (p *printer) row(label, value, rest string) {
	p.printf("%-*s%*s%s\n", labelWidth, label+":", valueWidth, value, rest)
}

func (p *printer) sub(label, value, rest string) { p.row("  "+label, value, rest) }

// mark is the verdict of a target: ✓, ✗, or - without data.
func mark(st Style, met *bool) string {
	switch {
	case met == nil:
		return "-"
	case *met:
		return apply(st.Good, "✓")
	}
	return apply(st.Bad, "✗")
}

// Count formats a count with thousands separators: 1,234.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func share(count, total int64) string {
	if total == 0 {
		return "(-)"
	}
	return "(" + Percent(float64(count)/float64(total)) + ")"
}

// WriteRetrievalQuality prints the layout of the production guide's
// example output of `aur stats --retrieval-quality`.
func WriteRetrievalQuality(w io.Writer, rq *RetrievalQuality, st Style) error {
	p := &printer{w: w}
	p.title(st, "Retrieval Quality Metrics ("+rq.Window.Label()+")")
	p.row("Total Queries", Count(rq.TotalQueries), "")
	if rq.TotalQueries == 0 {
		p.printf("\nNo graded queries in this window.\n")
		return p.err
	}
	for _, t := range []struct {
		label string
		ts    TierStats
	}{{"No Match", rq.NoMatch}, {"Weak Match", rq.WeakMatch}, {"Good Match", rq.GoodMatch}} {
		p.row(t.label, Count(t.ts.Count), fmt.Sprintf(" %-8s %s Target %s",
			share(t.ts.Count, rq.TotalQueries), mark(st, t.ts.TargetMet), t.ts.Target))
	}
	c := rq.WeakChoices
	p.printf("\nUser Choices (Weak Match):\n")
	p.sub("Start Anew", Count(c.StartAnew.Count), " "+share(c.StartAnew.Count, c.Prompted))
	p.sub("Start Over", Count(c.StartOver.Count), " "+share(c.StartOver.Count, c.Prompted))
	p.sub("Continue Anyway", Count(c.Continue.Count), " "+share(c.Continue.Count, c.Prompted))
	if c.NotPrompted > 0 {
		p.sub("Not Prompted", Count(c.NotPrompted), " (non-interactive or headless)")
	}
	p.printf("\n")
	p.row("Avg Groundedness", strconv.FormatFloat(rq.AvgGroundedness, 'f', 2, 64), "")
	p.row("Avg High-Quality Chunks", strconv.FormatFloat(rq.AvgHighQualityChunks, 'f', 1, 64), "")
	writeHints(p, st, rq.Hints)
	return p.err
}

func writeHints(p *printer, st Style, hints []string) {
	if len(hints) == 0 {
		return
	}
	p.printf("\n%s\n", apply(st.Bold, "Hints:"))
	for _, h := range hints {
		p.printf("  %s\n", h)
	}
}

func ms(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " ms" }

var modeLabels = map[string]string{"interactive": "Interactive", "non_interactive": "Non-interactive", "headless": "Headless"}

// WriteOperational prints `aur stats`: counts, rates, latency, errors by
// type and the split by mode.
func WriteOperational(w io.Writer, op *Operational, st Style) error {
	p := &printer{w: w}
	p.title(st, "Operational Metrics ("+op.Window.Label()+")")
	p.row("Total Queries", Count(op.QueryCount), "")
	if op.ReplicaFallbacks > 0 {
		rest := ""
		if l := op.LastReplicaFallback; l != nil {
			rest = fmt.Sprintf("  (last %s, %s: %s)", l.Time.UTC().Format(time.RFC3339), l.Command, l.Reason)
		}
		p.row("Replica Fallbacks", Count(op.ReplicaFallbacks), rest)
	}
	if op.QueryCount == 0 {
		p.printf("\nNo queries in this window.\n")
		return p.err
	}
	p.row("Success Rate", Percent(op.SuccessRate), "  ("+Count(op.SuccessCount)+" ok)")
	p.row("Error Rate", Percent(op.ErrorRate), "  ("+Count(op.ErrorCount)+" errors)")
	p.row("Cache Hit Rate", Percent(op.CacheHitRate), "  ("+Count(op.CacheHits)+" hits)")
	p.row("Avg Latency", ms(op.AvgLatencyMs), "")
	p.row("P50 Latency", ms(op.P50LatencyMs), "")
	p.row("P95 Latency", ms(op.P95LatencyMs), "")
	p.row("P99 Latency", ms(op.P99LatencyMs), "")
	if len(op.ErrorsByType) > 0 {
		p.printf("\nErrors by Type:\n")
		types := slices.SortedFunc(maps.Keys(op.ErrorsByType), func(a, b string) int {
			return cmp.Or(cmp.Compare(op.ErrorsByType[b], op.ErrorsByType[a]), cmp.Compare(a, b))
		})
		for _, t := range types {
			p.sub(t, Count(op.ErrorsByType[t]), " "+share(op.ErrorsByType[t], op.ErrorCount))
		}
	}
	p.printf("\n%-*s%*s%*s%*s\n", labelWidth, "By Mode:", valueWidth, "Queries", 8, "Errors", 13, "Avg Latency")
	for _, m := range modeOrder(op.ByMode) {
		s := op.ByMode[m]
		label := modeLabels[m]
		if label == "" {
			label = m
		}
		p.printf("%-*s%*s%*s%*s\n", labelWidth, "  "+label, valueWidth, Count(s.QueryCount), 8, Count(s.ErrorCount), 13, ms(s.AvgLatencyMs))
	}
	return p.err
}

// modeOrder lists Modes, then any other recorded mode by name.
func modeOrder(byMode map[string]ModeStats) []string {
	out := slices.Clone(Modes)
	for _, m := range slices.Sorted(maps.Keys(byMode)) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// FormatMetric formats a metric's value for people: rates (and
// availability) as percentages, *_ms as milliseconds, others as numbers.
func FormatMetric(metric string, v float64) string {
	switch {
	case strings.HasSuffix(metric, "_rate") || metric == MetricAvailability:
		return Percent(v)
	case strings.HasSuffix(metric, "_ms"):
		return ms(v)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

func formatThreshold(metric string, v float64) string {
	switch {
	case strings.HasSuffix(metric, "_rate") || metric == MetricAvailability:
		return trimPercent(v)
	case strings.HasSuffix(metric, "_ms"):
		return strconv.FormatFloat(v, 'f', -1, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// WriteAlerts prints the alerts that fired, most severe first.
func WriteAlerts(w io.Writer, r *AlertReport, st Style) error {
	p := &printer{w: w}
	p.title(st, "Alerts ("+r.Window.Label()+")")
	p.row("Total Queries", Count(r.QueryCount), "")
	p.row("Rules Checked", Count(int64(len(r.Rules))), "")
	bySev := map[resilience.Severity]int{}
	for _, a := range r.Alerts {
		bySev[a.Rule.Severity]++
	}
	var parts []string
	for _, s := range []resilience.Severity{resilience.SeverityCritical, resilience.SeverityWarning, resilience.SeverityInfo} {
		if bySev[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", bySev[s], s))
		}
	}
	rest := ""
	if len(parts) > 0 {
		rest = " (" + strings.Join(parts, ", ") + ")"
	}
	p.row("Alerts Fired", Count(int64(len(r.Alerts))), rest)
	if len(r.Alerts) > 0 {
		p.printf("\n")
	}
	for _, a := range r.Alerts {
		sev := fmt.Sprintf("%-10s", "["+a.Rule.Severity.String()+"]")
		switch a.Rule.Severity.Rank() {
		case 3:
			sev = apply(st.Bad, sev)
		case 2:
			sev = apply(st.Warn, sev)
		}
		desc := a.Rule.Description
		if desc == "" {
			desc = a.Rule.Name
		}
		p.printf("%s %s: %s (%s = %s, threshold %s %s)\n", sev, a.Rule.Name, desc, a.Rule.Metric,
			FormatMetric(a.Rule.Metric, a.Value), symbol(a.Rule.Comparison), formatThreshold(a.Rule.Metric, a.Rule.Threshold))
	}
	if r.QueryCount == 0 {
		p.printf("\nNo queries in this window: no rate or latency rule has data.\n")
	}
	return p.err
}

// WriteSLA prints the SLA report: each figure against its target and the
// verdict.
func WriteSLA(w io.Writer, s *SLA, st Style) error {
	p := &printer{w: w}
	p.title(st, "SLA Report ("+s.Window.Label()+")")
	p.row("Total Queries", Count(s.QueryCount), "")
	pct2 := func(v float64) string { return strconv.FormatFloat(v*100, 'f', 2, 64) + "%" }
	met := func(f SLAFigure) string { return mark(st, &f.Met) }
	p.row("Availability", pct2(s.Availability.Value), "  "+met(s.Availability)+" Target "+s.Availability.Target.String())
	p.row("P95 Latency", strconv.FormatFloat(s.P95LatencyMs.Value, 'f', 0, 64)+" ms",
		"  "+met(s.P95LatencyMs)+" Target "+symbol(s.P95LatencyMs.Target.Comparison)+" "+formatThreshold("p95_latency_ms", s.P95LatencyMs.Target.Threshold))
	p.row("Error Rate", pct2(s.ErrorRate.Value), "  "+met(s.ErrorRate)+" Target "+s.ErrorRate.Target.String())
	p.printf("\n")
	if s.Met {
		p.printf("SLA met: %s\n", apply(st.Good, "yes"))
	} else {
		var missed []string
		for _, f := range []struct {
			name string
			f    SLAFigure
		}{{"availability", s.Availability}, {"p95 latency", s.P95LatencyMs}, {"error rate", s.ErrorRate}} {
			if !f.f.Met {
				missed = append(missed, f.name)
			}
		}
		p.printf("SLA met: %s (missed: %s)\n", apply(st.Bad, "no"), strings.Join(missed, ", "))
	}
	if s.QueryCount == 0 {
		p.printf("No queries in this window: nothing failed and nothing was slow.\n")
	}
	return p.err
}
