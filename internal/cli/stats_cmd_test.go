package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aurora-dev/aur/internal/iostreams"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/stats"
	"github.com/aurora-dev/aur/internal/stats/statstest"
	"github.com/aurora-dev/aur/internal/store"
)

// updating reports whether -update was given: golden files and scripts
// are rewritten. The flag is registered in TestMain unless another test
// file of the package has registered it.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// statsEnv isolates a test from the real home, project and environment.
func statsEnv(t *testing.T) {
	t.Helper()
	t.Setenv("AURORA_HOME", filepath.Join(t.TempDir(), "home"))
	t.Setenv("HOME", t.TempDir())
	for _, v := range []string{"AURORA_DB_PATH", "AURORA_LOG_LEVEL", "AURORA_NON_INTERACTIVE", "NO_COLOR"} {
		t.Setenv(v, "")
	}
	t.Chdir(t.TempDir())
}

// seedDB writes the batches ("N key=value ...", as for seedqueries) into
// a new database and returns its path.
func seedDB(t *testing.T, batches ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "memory.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var recs []store.QueryRecord
	for _, b := range batches {
		fields := strings.Fields(b)
		n, err := strconv.Atoi(fields[0])
		if err != nil {
			t.Fatal(err)
		}
		batch, err := statstest.Parse(n, fields[1:])
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, batch.Records(statstest.Now)...)
	}
	if err := db.InsertQueries(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	return path
}

// runStats runs `aur --db DB stats ARGS...` as Run does, with the clock
// fixed at statstest.Now through the Factory and, if client is set, the
// webhook client replaced.
func runStats(t *testing.T, db string, client *http.Client, args ...string) (stdout, stderr string, code ExitCode) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := NewFactory(ios)
	f.Now = func() time.Time { return statstest.Now }
	defer f.Close()
	root := NewCmdRoot(f)
	if client != nil {
		stats, _, err := root.Find([]string{"stats"})
		if err != nil {
			t.Fatal(err)
		}
		root.RemoveCommand(stats)
		root.AddCommand(NewCmdStats(f, func(ctx context.Context, o *StatsOptions) error {
			o.HTTPClient = client
			return statsRun(ctx, o)
		}))
	}
	root.SetArgs(append([]string{"--db", db, "stats"}, args...))
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	ctx := context.Background()
	if err := root.ExecuteContext(ctx); err != nil {
		code = exitCode(ctx, err, f.started)
		fmt.Fprintf(errOut, "aur: %v\n", err)
	}
	return out.String(), errOut.String(), code
}

// testdataDir is absolute: the tests change directory.
var testdataDir, _ = filepath.Abs("testdata")

// golden compares got with testdata/<Test>/<name>.golden, rewriting it
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdataDir, strings.Split(t.Name(), "/")[0], name+".golden")
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// The datasets of the run-function tests.
var (
	// guideDataset is the production guide's example (see
	// internal/stats helpers_test.go for the arithmetic): 1,234 graded
	// queries, 98 no match, 247 weak (45/89/113), 889 good, 16 errors,
	// latencies 1..1250 ms, and rows the window leaves out.
	guideDataset = []string{
		"888 tier=good g=0.8 hq=5 mode=interactive latency=1..888 cache=0.5 age=1m..6d",
		"1 tier=good g=0.8 hq=5 mode=interactive latency=889 at=2025-06-08T12:00:00Z",
		"45 tier=weak g=0.5 hq=2 mode=interactive choice=start_anew latency=890..934",
		"89 tier=weak g=0.5 hq=2 mode=interactive choice=start_over latency=935..1023",
		"113 tier=weak g=0.5 hq=2 mode=interactive choice=continue latency=1024..1136",
		"98 tier=no_match mode=headless latency=1137..1234 age=2d",
		"10 err=timeout latency=1235..1244 age=3h",
		"6 err=rate_limit latency=1245..1250 age=3h",
		"500 tier=no_match command=eval latency=99999 age=1d",
		"100 tier=no_match latency=99999 age=8d",
		"1 tier=no_match latency=99999 at=2025-06-15T12:00:00Z",
	}
	// degradedDataset fires every kind of alert: 200 queries, 20 errors
	// (10% > 5%), 180 graded of which 110 weak (61.1% > 50%), 40 good
	// (22.2% < 50%, critical) and 30 no match (16.7%, under 20%), no cache
	// hits (info), and p95 (rank 190: the 10th slowest error) 10947.4 ms.
	degradedDataset = []string{
		"40 tier=good g=0.9 hq=4 mode=interactive latency=200..600",
		"110 tier=weak g=0.4 hq=1 choice=continue mode=interactive latency=300..900",
		"30 tier=no_match mode=headless latency=50..80",
		"20 err=timeout mode=non_interactive latency=10000..12000 age=2h",
	}
	// warningDataset only warns: 8% errors, all else healthy.
	warningDataset = []string{"92 g=0.9 hq=4 cache=1 latency=100", "8 err=timeout cache=1 latency=100"}
	// healthyDataset fires nothing and meets the SLA.
	healthyDataset = []string{"1000 g=0.9 hq=4 cache=0.5 latency=20..400 age=1h..20h"}
)

// TestStatsGolden checks the human layouts and the JSON of every view
// against golden files.
func TestStatsGolden(t *testing.T) {
	statsEnv(t)
	dbs := map[string]string{
		"guide":    seedDB(t, guideDataset...),
		"degraded": seedDB(t, degradedDataset...),
		"healthy":  seedDB(t, healthyDataset...),
		"none":     filepath.Join(t.TempDir(), "absent", "memory.db"),
	}
	views := map[string][]string{
		"operational": nil,
		"retrieval":   {"--retrieval-quality"},
		"alerts":      {"--alerts"},
		"sla":         {"--sla"},
	}
	for _, data := range []string{"guide", "degraded", "healthy", "none"} {
		for _, view := range []string{"operational", "retrieval", "alerts", "sla"} {
			for _, format := range []string{"text", "json"} {
				name := data + "_" + view + "_" + format
				t.Run(name, func(t *testing.T) {
					args := views[view]
					if format == "json" {
						args = append(args, "--json")
					}
					out, errOut, code := runStats(t, dbs[data], nil, args...)
					if code != ExitOK {
						t.Fatalf("exit %d: %s", code, errOut)
					}
					if format == "json" && !json.Valid([]byte(out)) {
						t.Fatalf("invalid JSON:\n%s", out)
					}
					golden(t, name, out)
				})
			}
		}
	}
	if _, err := os.Stat(dbs["none"]); !os.IsNotExist(err) {
		t.Errorf("aur stats created the database: %v", err)
	}
}

// TestStatsGuideNumbers checks the guide example's text line by line, so a
// regenerated golden file cannot quietly change a figure.
func TestStatsGuideNumbers(t *testing.T) {
	statsEnv(t)
	db := seedDB(t, guideDataset...)
	out, _, code := runStats(t, db, nil, "--retrieval-quality")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, line := range []string{
		"Retrieval Quality Metrics (Last 7 days)\n",
		"Total Queries:                1,234\n",
		"No Match:                        98 (7.9%)   ✓ Target < 10%\n",
		"Weak Match:                     247 (20.0%)  ✗ Target < 20%\n",
		"Good Match:                     889 (72.0%)  ✓ Target > 70%\n",
		"  Start Anew:                    45 (18.2%)\n",
		"  Start Over:                    89 (36.0%)\n",
		"  Continue Anyway:              113 (45.7%)\n",
		"Avg Groundedness:              0.68\n",
		"Avg High-Quality Chunks:        4.0\n",
		"  weak-match rate 20.0% ≥ 20%: consider lowering AURORA_ACTIVATION_THRESHOLD (e.g. 0.3 to 0.25)\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	out, _, _ = runStats(t, db, nil)
	for _, line := range []string{
		"Total Queries:                1,250\n",
		"Success Rate:                 98.7%  (1,234 ok)\n",
		"Error Rate:                    1.3%  (16 errors)\n",
		"Cache Hit Rate:               35.5%  (444 hits)\n",
		"Avg Latency:               625.5 ms\n",
		"P50 Latency:               625.0 ms\n",
		"P95 Latency:              1188.0 ms\n",
		"P99 Latency:              1238.0 ms\n",
		"  timeout:                       10 (62.5%)\n",
		"  rate_limit:                     6 (37.5%)\n",
		"  Interactive                 1,136       0     568.5 ms\n",
		"  Non-interactive                16      16    1242.5 ms\n",
		"  Headless                       98       0    1185.5 ms\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
}

func TestStatsCheckExitCodes(t *testing.T) {
	statsEnv(t)
	degraded, warning, healthy := seedDB(t, degradedDataset...), seedDB(t, warningDataset...), seedDB(t, healthyDataset...)
	for _, tc := range []struct {
		name    string
		db      string
		args    []string
		want    ExitCode
		wantErr string
	}{
		{"critical fires", degraded, []string{"--alerts", "--check"}, ExitGate, "aur: 1 alert at or above critical\n"},
		{"warnings count at warning", degraded, []string{"--alerts", "--check", "--fail-severity", "warning"}, ExitGate, "aur: 4 alerts at or above warning\n"},
		{"everything at info", degraded, []string{"--alerts", "--check", "--fail-severity", "info"}, ExitGate, "aur: 5 alerts at or above info\n"},
		{"no --check, no gate", degraded, []string{"--alerts"}, ExitOK, ""},
		{"warning below critical", warning, []string{"--alerts", "--check"}, ExitOK, ""},
		{"warning at warning", warning, []string{"--alerts", "--check", "--fail-severity", "WARNING"}, ExitGate, "aur: 1 alert at or above warning\n"},
		{"healthy", healthy, []string{"--alerts", "--check", "--fail-severity", "info"}, ExitOK, ""},
		{"sla missed", degraded, []string{"--sla", "--check"}, ExitGate, "aur: SLA not met over Last 24 hours\n"},
		{"sla met", healthy, []string{"--sla", "--check"}, ExitOK, ""},
		{"sla missed without --check", degraded, []string{"--sla"}, ExitOK, ""},
		{"json keeps the gate", degraded, []string{"--alerts", "--check", "--json"}, ExitGate, "aur: 1 alert at or above critical\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runStats(t, tc.db, nil, tc.args...)
			if code != tc.want || errOut != tc.wantErr {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, errOut, tc.want, tc.wantErr)
			}
			if out == "" {
				t.Error("nothing printed before the gate")
			}
		})
	}
}

func TestStatsFlags(t *testing.T) {
	statsEnv(t)
	week := 7 * 24 * time.Hour
	now := statstest.Now
	configDir := t.TempDir()
	goodConfig := filepath.Join(configDir, "good.yaml")
	badConfig := filepath.Join(configDir, "bad.yaml")
	os.WriteFile(goodConfig, []byte(`alert_rules:
  - name: high_error_rate
    metric: error_rate
    threshold: 0.02
    comparison: GT
    severity: Warning
    description: Error rate exceeds 2%
  - name: low_groundedness
    metric: avg_groundedness
    threshold: 0.5
    comparison: lt
    severity: info
`), 0o644)
	typoConfig := filepath.Join(configDir, "typo.yaml")
	os.WriteFile(typoConfig, []byte(`alert_rules:
  - name: errors
    metric: eror_rate
    threshold: 0.02
    comparison: gt
    severity: warning
`), 0o644)
	os.WriteFile(badConfig, []byte(`alert_rules:
  - name: broken
    metric: error_rate
    threshold: 0.02
    comparison: about
    severity: urgent
`), 0o644)
	for _, tc := range []struct {
		name     string
		args     []string
		check    func(t *testing.T, o *StatsOptions)
		wantCode ExitCode
		wantErr  string
	}{
		{name: "defaults", check: func(t *testing.T, o *StatsOptions) {
			want := stats.Window{From: now.Add(-week), To: now, Since: "7d"}
			if o.Window != want || o.Fail != resilience.SeverityCritical || o.Rules != nil {
				t.Errorf("window %+v fail %q rules %v", o.Window, o.Fail, o.Rules)
			}
		}},
		{name: "sla defaults to a day", args: []string{"--sla"}, check: func(t *testing.T, o *StatsOptions) {
			if o.Window.Since != "24h" || !o.Window.From.Equal(now.Add(-24*time.Hour)) {
				t.Errorf("window %+v", o.Window)
			}
		}},
		{name: "sla with since", args: []string{"--sla", "--since", "2w"}, check: func(t *testing.T, o *StatsOptions) {
			if o.Window.Since != "2w" || !o.Window.From.Equal(now.Add(-2*week)) {
				t.Errorf("window %+v", o.Window)
			}
		}},
		{name: "from and to", args: []string{"--from", "2025-06-01", "--to", "2025-06-03T00:00:00Z"}, check: func(t *testing.T, o *StatsOptions) {
			if !o.Window.From.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) || !o.Window.To.Equal(time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("window %+v", o.Window)
			}
		}},
		{name: "hidden now", args: []string{"--now", "2025-01-01T00:00:00Z", "--since", "1d"}, check: func(t *testing.T, o *StatsOptions) {
			if !o.Window.To.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("window %+v", o.Window)
			}
		}},
		{name: "alerts take the default rules", args: []string{"--alerts", "--check", "--fail-severity", "warning"}, check: func(t *testing.T, o *StatsOptions) {
			if diff := cmp.Diff(stats.DefaultRules(), o.Rules); diff != "" || !o.Check || o.Fail != resilience.SeverityWarning {
				t.Errorf("rules (-want +got):\n%s check %v fail %q", diff, o.Check, o.Fail)
			}
		}},
		{name: "configured rules merge", args: []string{"--config", goodConfig, "--alerts"}, check: func(t *testing.T, o *StatsOptions) {
			if len(o.Rules) != 8 || o.Rules[0].Threshold != 0.02 || o.Rules[0].Severity != resilience.SeverityWarning ||
				o.Rules[0].Comparison != resilience.CompareGT || o.Rules[7].Name != "low_groundedness" {
				t.Errorf("rules %+v", o.Rules)
			}
		}},
		{name: "unknown metric warns", args: []string{"--config", typoConfig, "--alerts"}, check: func(t *testing.T, o *StatsOptions) {
			if len(o.Warnings) != 1 || !strings.Contains(o.Warnings[0], `alert rule "errors" watches "eror_rate", which aur stats does not report`) {
				t.Errorf("warnings %q", o.Warnings)
			}
		}},
		{name: "webhook", args: []string{"--alerts", "--webhook", "https://hooks.example.com/x"}, check: func(t *testing.T, o *StatsOptions) {
			if o.Webhook != "https://hooks.example.com/x" {
				t.Errorf("webhook %q", o.Webhook)
			}
		}},
		{name: "bad span", args: []string{"--since", "7x"}, wantCode: ExitUsage, wantErr: "--since: invalid span \"7x\""},
		{name: "zero span", args: []string{"--since", "0d"}, wantCode: ExitUsage, wantErr: "invalid span"},
		{name: "from after to", args: []string{"--from", "2025-06-10", "--to", "2025-06-01"}, wantCode: ExitUsage, wantErr: "the window is empty"},
		{name: "bad from", args: []string{"--from", "last week"}, wantCode: ExitUsage, wantErr: "--from: invalid time"},
		{name: "since with from", args: []string{"--since", "7d", "--from", "2025-06-01"}, wantCode: ExitUsage, wantErr: "exclusive"},
		{name: "two views", args: []string{"--alerts", "--sla"}, wantCode: ExitUsage, wantErr: "pick one view"},
		{name: "check alone", args: []string{"--check"}, wantCode: ExitUsage, wantErr: "--check needs --alerts or --sla"},
		{name: "check with retrieval quality", args: []string{"--retrieval-quality", "--check"}, wantCode: ExitUsage, wantErr: "--check needs"},
		{name: "webhook without alerts", args: []string{"--webhook", "https://x.example/y"}, wantCode: ExitUsage, wantErr: "--webhook needs --alerts"},
		{name: "webhook not a URL", args: []string{"--alerts", "--webhook", "hooks.example.com/x"}, wantCode: ExitUsage, wantErr: "invalid webhook URL"},
		{name: "bad severity", args: []string{"--alerts", "--check", "--fail-severity", "urgent"}, wantCode: ExitUsage, wantErr: "invalid severity"},
		{name: "bad now", args: []string{"--now", "noon"}, wantCode: ExitUsage, wantErr: "--now"},
		{name: "argument", args: []string{"extra"}, wantCode: ExitUsage, wantErr: "takes 0 argument"},
		{name: "unknown flag", args: []string{"--bogus"}, wantCode: ExitUsage, wantErr: "unknown flag"},
		{name: "invalid configured rule", args: []string{"--config", badConfig, "--alerts"}, wantCode: ExitUsage, wantErr: "alert_rules[0]"},
		{name: "invalid configured rule ignored without --alerts", args: []string{"--config", badConfig}, check: func(t *testing.T, o *StatsOptions) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := NewFactory(ios)
			f.Now = func() time.Time { return now }
			defer f.Close()
			var got *StatsOptions
			root := NewCmdRoot(f)
			old, _, err := root.Find([]string{"stats"})
			if err != nil {
				t.Fatal(err)
			}
			root.RemoveCommand(old)
			root.AddCommand(NewCmdStats(f, func(_ context.Context, o *StatsOptions) error {
				got = o
				return nil
			}))
			root.SetArgs(append([]string{"stats"}, tc.args...))
			root.SetOut(io.Discard)
			root.SetErr(io.Discard)
			err = root.ExecuteContext(context.Background())
			if tc.wantCode != ExitOK {
				if err == nil {
					t.Fatalf("no error, want exit %d", tc.wantCode)
				}
				if code := exitCode(context.Background(), err, f.started); code != tc.wantCode || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("exit %d (%v), want %d with %q", code, err, tc.wantCode, tc.wantErr)
				}
				if got != nil {
					t.Error("runF reached despite the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("runF not reached")
			}
			tc.check(t, got)
		})
	}
}

// hook is a local webhook endpoint that records what it is sent and
// answers with status.
type hook struct {
	mu     sync.Mutex
	bodies []map[string]any
	status int
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.bodies = append(h.bodies, body)
	h.mu.Unlock()
	if h.status != 0 {
		http.Error(w, "boom", h.status)
		return
	}
	io.WriteString(w, "ok")
}

func TestStatsWebhook(t *testing.T) {
	statsEnv(t)
	degraded, healthy := seedDB(t, degradedDataset...), seedDB(t, healthyDataset...)

	t.Run("posts the alerts", func(t *testing.T) {
		h := &hook{}
		srv := httptest.NewServer(h)
		defer srv.Close()
		out, errOut, code := runStats(t, degraded, srv.Client(), "--alerts", "--webhook", srv.URL+"/services/T0/B0/secret")
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(out, "Alerts Fired:                     5") {
			t.Errorf("stdout:\n%s", out)
		}
		if len(h.bodies) != 1 {
			t.Fatalf("%d posts, want 1", len(h.bodies))
		}
		body := h.bodies[0]
		text, _ := body["text"].(string)
		alerts, _ := body["alerts"].([]any)
		if !strings.HasPrefix(text, "aur: 5 alerts for ") || !strings.Contains(text, "[critical] low_good_match_rate:") || len(alerts) != 5 {
			t.Errorf("payload %v", body)
		}
		first, _ := alerts[0].(map[string]any)
		rule, _ := first["rule"].(map[string]any)
		if rule["name"] != "low_good_match_rate" || rule["severity"] != "critical" || first["value"] != 40.0/180 {
			t.Errorf("first alert %v", first)
		}
	})

	t.Run("nothing to post", func(t *testing.T) {
		h := &hook{}
		srv := httptest.NewServer(h)
		defer srv.Close()
		if _, errOut, code := runStats(t, healthy, srv.Client(), "--alerts", "--webhook", srv.URL); code != ExitOK || len(h.bodies) != 0 {
			t.Errorf("exit %d (%s), %d posts; want 0 and none", code, errOut, len(h.bodies))
		}
	})

	t.Run("failure is an error after the alerts", func(t *testing.T) {
		h := &hook{status: http.StatusInternalServerError}
		srv := httptest.NewServer(h)
		defer srv.Close()
		out, errOut, code := runStats(t, degraded, srv.Client(), "--alerts", "--check", "--webhook", srv.URL+"/services/secret")
		if code != ExitError {
			t.Errorf("exit %d, want %d (a failed post outranks the gate)", code, ExitError)
		}
		if !strings.Contains(out, "[critical] low_good_match_rate") {
			t.Errorf("alerts not printed before the failure:\n%s", out)
		}
		want := "aur: post alerts to " + srv.URL + "/...: HTTP 500 Internal Server Error: boom\n"
		if errOut != want {
			t.Errorf("stderr %q, want %q", errOut, want)
		}
	})
}

func TestStatsNoDatabase(t *testing.T) {
	statsEnv(t)
	db := filepath.Join(t.TempDir(), "memory.db")
	out, errOut, code := runStats(t, db, nil, "--retrieval-quality", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if errOut != "note: no queries recorded yet (no database at "+db+")\n" {
		t.Errorf("stderr %q", errOut)
	}
	var rq stats.RetrievalQuality
	if err := json.Unmarshal([]byte(out), &rq); err != nil {
		t.Fatal(err)
	}
	if rq.TotalQueries != 0 || rq.NoMatch.Count != 0 || rq.NoMatch.TargetMet != nil {
		t.Errorf("report %+v, want zeros", rq)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Error("the database was created")
	}
}
