package cli

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/stats"
)

// StatsOptions are the inputs of aur stats.
type StatsOptions struct {
	F *Factory

	RetrievalQuality bool
	Alerts           bool
	SLA              bool
	JSON             bool

	Since, From, To string
	Now             string // hidden --now, for reproducible tests

	Check        bool
	FailSeverity string
	Webhook      string

	// Resolved by the command from the flags and the configuration.
	Window stats.Window
	Fail   resilience.Severity
	Rules  []resilience.Rule // --alerts: defaults merged with alert_rules
	// Warnings about the configuration, printed on stderr by the run.
	Warnings []string

	// HTTPClient posts --webhook; nil means one with webhookTimeout.
	HTTPClient *http.Client
}

// webhookTimeout bounds a --webhook post, so a hung endpoint cannot hold a
// cron job.
const webhookTimeout = 10 * time.Second

// NewCmdStats builds aur stats.
func NewCmdStats(f *Factory, runF func(context.Context, *StatsOptions) error) *cobra.Command {
	opts := &StatsOptions{F: f}
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Report query metrics, retrieval quality, alerts and the SLA",
		Long: `Report on the queries recorded in the project database over a time window.

Views (one at a time):
  (default)            query count, success and error rates, latency (avg,
                       p50, p95, p99), cache hit rate, errors by type, by mode
  --retrieval-quality  no match, weak match and good match against their
                       targets (< 10%, < 20%, > 70%), the choices users made
                       on weak matches, average groundedness and high-quality
                       chunks, and hints for rates out of target
  --alerts             the alert rules that fire: the defaults (error rate,
                       p95 latency, cache hit rate, retrieval rates) and the
                       alert_rules of the configuration file
  --sla                availability, p95 latency and error rate against the
                       SLA (99.9%, < 500 ms, < 1%); default window 24h

The window is half-open, [from, to): --since 7d (h, d or w; the default),
or --from and --to as dates (local midnight) or RFC 3339 times; --to alone
ends a --since span there. Queries run by 'eval' are benchmarks and never
counted. Retrieval figures count successful queries that were graded.

Exit status: 0 ok; 1 runtime error (including a failed --webhook post);
2 bad flags or configuration; 3 with --check, when an alert at or above
--fail-severity fired (--alerts) or the SLA was missed (--sla).`,
		Example: `  aur stats
  aur stats --retrieval-quality --since 30d
  aur stats --alerts --check --fail-severity warning --webhook "$SLACK_WEBHOOK_URL"
  aur stats --sla --json
  aur stats --from 2025-01-01 --to 2025-02-01 --json`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.resolve(); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return statsRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.RetrievalQuality, "retrieval-quality", false, "report retrieval quality: no/weak/good match rates, weak-match choices")
	fl.BoolVar(&opts.Alerts, "alerts", false, "evaluate the alert rules and print those that fire")
	fl.BoolVar(&opts.SLA, "sla", false, "report availability, p95 latency and error rate against the SLA")
	fl.BoolVar(&opts.JSON, "json", false, "print as JSON")
	fl.StringVar(&opts.Since, "since", "", "window length back from now: Nh, Nd or Nw (default 7d, 24h with --sla)")
	fl.StringVar(&opts.From, "from", "", "window start: YYYY-MM-DD (local) or RFC 3339")
	fl.StringVar(&opts.To, "to", "", "window end, exclusive: YYYY-MM-DD (local) or RFC 3339 (default now)")
	fl.BoolVar(&opts.Check, "check", false, "exit 3 when an alert at or above --fail-severity fires (--alerts) or the SLA is missed (--sla)")
	fl.StringVar(&opts.FailSeverity, "fail-severity", "critical", "least severity that fails --check: info, warning or critical")
	fl.StringVar(&opts.Webhook, "webhook", "", "with --alerts, post fired alerts as JSON to this http(s) URL (Slack-compatible)")
	fl.StringVar(&opts.Now, "now", "", "pretend it is this RFC 3339 time (for tests)")
	_ = fl.MarkHidden("now")
	return cmd
}

// resolve validates the flags and fills Window, Fail, Rules and Warnings. Every
// error is a usage error (exit 2).
func (o *StatsOptions) resolve() error {
	views := 0
	for _, v := range []bool{o.RetrievalQuality, o.Alerts, o.SLA} {
		if v {
			views++
		}
	}
	if views > 1 {
		return usageErrorf("--retrieval-quality, --alerts and --sla are exclusive: pick one view")
	}
	if o.Check && !o.Alerts && !o.SLA {
		return usageErrorf("--check needs --alerts or --sla")
	}
	if o.Webhook != "" {
		if !o.Alerts {
			return usageErrorf("--webhook needs --alerts")
		}
		if err := stats.ValidateWebhookURL(o.Webhook); err != nil {
			return usageErrorf("--webhook: %v", err)
		}
	}
	fail, err := resilience.ParseSeverity(o.FailSeverity)
	if err != nil {
		return usageErrorf("--fail-severity: %v", err)
	}
	o.Fail = fail
	now := o.F.Now()
	if o.Now != "" {
		if now, err = time.Parse(time.RFC3339, o.Now); err != nil {
			return usageErrorf("--now: want an RFC 3339 time: %v", err)
		}
	}
	spec := stats.WindowSpec{Since: o.Since, From: o.From, To: o.To, DefaultSince: "7d"}
	if o.SLA {
		spec.DefaultSince = stats.DefaultSLASince
	}
	if o.Window, err = spec.Resolve(now); err != nil {
		return usageErrorf("%v", err)
	}
	if o.Alerts {
		var extra []resilience.Rule
		if err := o.F.Config().Sub(config.KeyAlertRules, &extra); err != nil {
			return usageErrorf("configuration %s: %v", config.KeyAlertRules, err)
		}
		for i, r := range extra {
			if err := r.Validate(); err != nil {
				return usageErrorf("configuration %s[%d]: %v", config.KeyAlertRules, i, err)
			}
			// The decoder keeps what the file says ("GT", "Warning");
			// reports and JSON show the canonical spelling.
			extra[i].Severity, _ = resilience.ParseSeverity(string(r.Severity))
			extra[i].Comparison, _ = resilience.ParseComparison(string(r.Comparison))
			if !slices.Contains(stats.KnownMetrics(), r.Metric) {
				o.Warnings = append(o.Warnings, fmt.Sprintf("alert rule %q watches %q, which aur stats does not report: it never fires (known: %s)",
					r.Name, r.Metric, strings.Join(stats.KnownMetrics(), ", ")))
			}
		}
		o.Rules = stats.MergeRules(stats.DefaultRules(), extra)
	}
	return nil
}

func statsRun(ctx context.Context, opts *StatsOptions) error {
	f := opts.F
	ios := f.IOStreams
	for _, w := range opts.Warnings {
		fmt.Fprintf(ios.ErrOut, "warning: %s\n", w)
	}
	var src stats.Source = stats.NoData{}
	db, err := f.StoreIfExists(ctx)
	if f.usesPostgres() {
		// The whole team's query log of the project.
		p, perr := f.pgProject(ctx, "", false)
		if perr != nil {
			return perr
		}
		src, db, err = p, nil, nil
	}
	if err != nil {
		return err
	}
	if db != nil {
		src = db
	} else if !f.usesPostgres() {
		fmt.Fprintf(ios.ErrOut, "note: no queries recorded yet (no database at %s)\n", f.Config().DBPath)
	}
	req := service.StatsRequest{Window: opts.Window, Fail: opts.Fail}
	switch {
	case opts.RetrievalQuality:
		req.View = service.ViewRetrievalQuality
	case opts.SLA:
		req.View = service.ViewSLA
	case opts.Alerts:
		req.View = service.ViewAlerts
	}
	req.Adjust = func(op *stats.Operational) error {
		if err := countFallbacks(f, op); err != nil {
			fmt.Fprintf(ios.ErrOut, "warning: replica fallbacks not counted: %v\n", err)
		}
		return nil
	}
	rep, err := service.Stats(ctx, src, req, opts.Rules)
	if err != nil {
		return err
	}
	cs := ios.ColorScheme()
	st := stats.Style{Bold: cs.Bold, Good: cs.Green, Bad: cs.Red, Warn: cs.Yellow}
	out := ios.Out
	if opts.JSON {
		if err := printJSON(out, rep.Value()); err != nil {
			return err
		}
	}
	switch {
	case rep.Retrieval != nil:
		if opts.JSON {
			return nil
		}
		return stats.WriteRetrievalQuality(out, rep.Retrieval, st)
	case rep.SLA != nil:
		if !opts.JSON {
			if err := stats.WriteSLA(out, rep.SLA, st); err != nil {
				return err
			}
		}
		if opts.Check && !rep.SLA.Met {
			return &codedError{Code: ExitGate, Err: fmt.Errorf("SLA not met over %s", opts.Window.Label())}
		}
		return nil
	case rep.Alerts != nil:
		return alertsRun(ctx, opts, rep.Alerts, st)
	}
	if opts.JSON {
		return nil
	}
	return stats.WriteOperational(out, rep.Operational, st)
}

// alertsRun prints the alerts, then posts them to the webhook, then
// applies --check: a failed post (exit 1) outranks the gate (exit 3),
// because then nobody was told.
func alertsRun(ctx context.Context, opts *StatsOptions, r *stats.AlertReport, st stats.Style) error {
	f := opts.F
	if !opts.JSON {
		if err := stats.WriteAlerts(f.IOStreams.Out, r, st); err != nil {
			return err
		}
	}
	if opts.Webhook != "" && len(r.Alerts) > 0 {
		client := opts.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: webhookTimeout}
		}
		if err := stats.PostWebhook(ctx, client, opts.Webhook, stats.NewWebhookPayload(r, f.Config().ProjectRoot)); err != nil {
			return err
		}
		f.Log().Info().Int("alerts", len(r.Alerts)).Msg("stats: alerts posted to webhook")
	}
	if opts.Check && r.Failing > 0 {
		noun := "alerts"
		if r.Failing == 1 {
			noun = "alert"
		}
		return &codedError{Code: ExitGate, Err: fmt.Errorf("%d %s at or above %s", r.Failing, noun, opts.Fail)}
	}
	return nil
}
