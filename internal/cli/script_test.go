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
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/aurora-dev/aur/internal/stats/statstest"
	"github.com/aurora-dev/aur/internal/store"
)

// TestMain lets the test binary double as the real aur: testscript puts it
// on the scripts' $PATH as "aur", and running it under that name runs Main.
func TestMain(m *testing.M) {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files and scripts with the current output")
	}
	testscript.Main(m, map[string]func(){
		"aur": func() { os.Exit(int(Main())) },
	})
}

// TestStatsScripts runs testdata/script/stats_*.txtar against the real aur
// binary. Each script gets its own $WORK, home and local webhook endpoints:
// $WEBHOOK_URL answers 200 and records what it is sent (the webhook command
// prints "posts: N" and a summary line per post since it last ran), $WEBHOOK_FAIL_URL answers 500.
func TestStatsScripts(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join("testdata", "script", "stats_*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatal("no testdata/script/stats_*.txtar: the end-to-end tests would pass vacuously")
	}
	hooks := &hookRecorder{posts: map[string][]string{}}
	srv := httptest.NewServer(hooks)
	t.Cleanup(srv.Close) // after the scripts, which run in parallel subtests
	testscript.Run(t, testscript.Params{
		Files:               scripts,
		RequireExplicitExec: true,
		UpdateScripts:       updating(),
		Setup: func(env *testscript.Env) error {
			id := filepath.Base(env.WorkDir)
			env.Setenv("HOME", filepath.Join(env.WorkDir, "fakehome"))
			env.Setenv("AURORA_HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("NO_COLOR", "1")
			env.Setenv("TZ", "UTC")
			env.Setenv("NOW", statstest.Now.Format("2006-01-02T15:04:05Z07:00"))
			env.Setenv("WEBHOOK_URL", srv.URL+"/ok/"+id)
			env.Setenv("WEBHOOK_FAIL_URL", srv.URL+"/fail/"+id)
			env.Setenv("WEBHOOK_HOST", strings.TrimPrefix(srv.URL, "http://"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"seedqueries": cmdSeedQueries,
			"webhook": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 0 {
					ts.Fatalf("usage: webhook")
				}
				posts := hooks.take(ts.Getenv("WEBHOOK_URL"))
				fmt.Fprintf(ts.Stdout(), "posts: %d\n", len(posts))
				for _, p := range posts {
					fmt.Fprintln(ts.Stdout(), p)
				}
			},
		},
	})
}

// cmdSeedQueries is the script command
//
//	seedqueries DB N [key=value ...]
//
// which appends N rows described as in package statstest to the queries
// table of DB (created if needed), relative to statstest.Now ($NOW).
func cmdSeedQueries(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: seedqueries DB N [key=value ...]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	b, err := statstest.Parse(n, args[2:])
	ts.Check(err)
	ctx := context.Background()
	db, err := store.Open(ctx, ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	ts.Check(db.InsertQueries(ctx, b.Records(statstest.Now)))
}

// hookRecorder answers /ok/ID with 200 and /fail/ID with 500, and keeps a
// one-line summary of each post per URL: the alert names and severities,
// and the first line of the text.
type hookRecorder struct {
	mu    sync.Mutex
	posts map[string][]string
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var p struct {
		Text   string `json:"text"`
		Alerts []struct {
			Rule struct{ Name, Severity string }
		} `json:"alerts"`
	}
	summary := "invalid JSON: " + string(body)
	if json.Unmarshal(body, &p) == nil {
		var names []string
		for _, a := range p.Alerts {
			names = append(names, a.Rule.Severity+":"+a.Rule.Name)
		}
		sort.Strings(names)
		first, _, _ := strings.Cut(p.Text, "\n")
		summary = fmt.Sprintf("%s %s | %s", r.Header.Get("Content-Type"), strings.Join(names, ","), first)
	}
	h.mu.Lock()
	h.posts["http://"+r.Host+r.URL.Path] = append(h.posts["http://"+r.Host+r.URL.Path], summary)
	h.mu.Unlock()
	if strings.HasPrefix(r.URL.Path, "/fail/") {
		http.Error(w, "no such channel", http.StatusInternalServerError)
		return
	}
	io.WriteString(w, "ok")
}

// take returns and forgets the posts to url.
func (h *hookRecorder) take(url string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.posts[url]
	delete(h.posts, url)
	return p
}
