// Command serveload is the load benchmark of aur serve (bench/serve.sh runs
// it): C concurrent clients send POST /v1/search for a fixed list of
// questions to a server on loopback, and it reports throughput, latency
// percentiles, errors and lock errors. Optionally, while they do, it
// changes files under the index root and re-indexes (POST /v1/index) in a
// loop, or measures how long a saved file takes to become searchable
// (with aur serve --watch).
//
// It is bounded: at most -requests requests and -duration of time per
// phase, and it refuses any address but loopback.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type report struct {
	Phase       string  `json:"phase"`
	Clients     int     `json:"clients"`
	Requests    int     `json:"requests"`
	Seconds     float64 `json:"seconds"`
	Throughput  float64 `json:"requests_per_second"`
	P50MS       float64 `json:"p50_ms"`
	P95MS       float64 `json:"p95_ms"`
	P99MS       float64 `json:"p99_ms"`
	MaxMS       float64 `json:"max_ms"`
	Errors      int     `json:"errors"`
	LockErrors  int     `json:"lock_errors"`
	CacheHits   int     `json:"cache_hits"`
	Reindexes   int     `json:"reindexes,omitempty"`
	Reindex409  int     `json:"reindex_conflicts,omitempty"`
	ReindexErrs int     `json:"reindex_errors,omitempty"`
	Changes     int     `json:"file_changes,omitempty"`
	// Save to searchable (the watch phase).
	Saves       int      `json:"saves,omitempty"`
	SaveP50MS   float64  `json:"save_to_searchable_p50_ms,omitempty"`
	SaveP95MS   float64  `json:"save_to_searchable_p95_ms,omitempty"`
	SaveMaxMS   float64  `json:"save_to_searchable_max_ms,omitempty"`
	FirstErrors []string `json:"first_errors,omitempty"`
}

func main() {
	addrFile := flag.String("addr-file", "", "file aur serve --addr-file wrote")
	addr := flag.String("addr", "", "server address HOST:PORT (loopback only)")
	clients := flag.Int("clients", 8, "concurrent clients")
	duration := flag.Duration("duration", 20*time.Second, "longest a phase runs")
	maxReq := flag.Int("requests", 20000, "most requests in a phase")
	queries := flag.String("queries", "bench/queries.txt", "questions, one a line")
	noCache := flag.Bool("no-cache", false, "send no_cache: every request retrieves")
	phase := flag.String("phase", "search", "search | reindex | watch")
	root := flag.String("root", "", "index root (reindex and watch phases change files under it)")
	saves := flag.Int("saves", 20, "watch phase: how many saves to time")
	flag.Parse()

	if *addrFile != "" {
		var v struct{ Addr string }
		b, err := os.ReadFile(*addrFile)
		check(err)
		check(json.Unmarshal(b, &v))
		*addr = v.Addr
	}
	host, _, err := net.SplitHostPort(*addr)
	check(err)
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fatalf("refusing %s: loopback addresses only", *addr)
	}
	qs := readLines(*queries)
	base := "http://" + *addr
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}}

	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	rep := report{Phase: *phase, Clients: *clients}
	var bg sync.WaitGroup
	var changes, reindexes, conflicts, rerrs atomic.Int64
	if *phase == "reindex" {
		files := goFiles(*root)
		bg.Add(2)
		go func() { // a file changes every 50 ms
			defer bg.Done()
			r := rand.New(rand.NewPCG(1, 2))
			for i := 0; ctx.Err() == nil; i++ {
				touch(files[r.IntN(len(files))], fmt.Sprintf("serveload change %d", i))
				changes.Add(1)
				sleep(ctx, 50*time.Millisecond)
			}
		}()
		go func() { // and the index is refreshed, one run after another
			defer bg.Done()
			for ctx.Err() == nil {
				resp, err := client.Post(base+"/v1/index", "application/json", nil)
				if err != nil {
					rerrs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch resp.StatusCode {
				case 200:
					reindexes.Add(1)
				case 409:
					conflicts.Add(1)
				default:
					rerrs.Add(1)
				}
				sleep(ctx, 100*time.Millisecond)
			}
		}()
	}
	if *phase == "watch" {
		measureSaves(ctx, client, base, *root, *saves, &rep)
		out(rep)
		return
	}

	var mu sync.Mutex
	var lat []float64
	var sent atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			var mine []float64
			for i := c; ctx.Err() == nil && sent.Add(1) <= int64(*maxReq); i++ {
				body, _ := json.Marshal(map[string]any{"query": qs[i%len(qs)], "limit": 10, "no_cache": *noCache})
				t0 := time.Now()
				resp, err := client.Post(base+"/v1/search", "application/json", bytes.NewReader(body))
				var b []byte
				if err == nil {
					b, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				d := float64(time.Since(t0).Microseconds()) / 1000
				mu.Lock()
				switch {
				case err != nil && ctx.Err() != nil:
					// The phase ended during the request.
				case err != nil:
					rep.Errors++
					note(&rep, err.Error())
				case resp.StatusCode != 200:
					rep.Errors++
					s := string(b)
					if strings.Contains(s, "locked") || strings.Contains(s, "busy") {
						rep.LockErrors++
					}
					note(&rep, fmt.Sprintf("%d %s", resp.StatusCode, s))
				default:
					mine = append(mine, d)
					if bytes.Contains(b, []byte(`"cache_hit":true`)) {
						rep.CacheHits++
					}
				}
				mu.Unlock()
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	rep.Seconds = time.Since(start).Seconds()
	cancel()
	bg.Wait()
	slices.Sort(lat)
	rep.Requests = len(lat) + rep.Errors
	rep.Throughput = float64(len(lat)) / rep.Seconds
	rep.P50MS, rep.P95MS, rep.P99MS = rank(lat, 50), rank(lat, 95), rank(lat, 99)
	if len(lat) > 0 {
		rep.MaxMS = lat[len(lat)-1]
	}
	rep.Reindexes, rep.Reindex409, rep.ReindexErrs, rep.Changes = int(reindexes.Load()), int(conflicts.Load()), int(rerrs.Load()), int(changes.Load())
	out(rep)
}

// measureSaves saves a file with a new word, -saves times, and times
// each until a search finds it (aur serve --watch must be running).
func measureSaves(ctx context.Context, client *http.Client, base, root string, n int, rep *report) {
	files := goFiles(root)
	r := rand.New(rand.NewPCG(3, 4))
	var ds []float64
	for i := 0; i < n && ctx.Err() == nil; i++ {
		word := fmt.Sprintf("zqxsave%dw%d", i, r.IntN(1e6))
		f := files[r.IntN(len(files))]
		rel, _ := filepath.Rel(root, f)
		t0 := time.Now()
		touch(f, "Function "+word+" marks a save.")
		for ctx.Err() == nil {
			body, _ := json.Marshal(map[string]any{"query": word, "no_cache": true, "limit": 3})
			resp, err := client.Post(base+"/v1/search", "application/json", bytes.NewReader(body))
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if bytes.Contains(b, []byte(`"file":"`+filepath.ToSlash(rel)+`"`)) {
					ds = append(ds, float64(time.Since(t0).Microseconds())/1000)
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		sleep(ctx, 300*time.Millisecond)
	}
	slices.Sort(ds)
	rep.Saves = len(ds)
	rep.SaveP50MS, rep.SaveP95MS = rank(ds, 50), rank(ds, 95)
	if len(ds) > 0 {
		rep.SaveMaxMS = ds[len(ds)-1]
	}
}

// touch appends a comment line to a Go file, in place, as an editor's
// save does.
func touch(path, text string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return
	}
	fmt.Fprintf(f, "\n// %s\n", text)
	f.Close()
}

func goFiles(root string) []string {
	if root == "" {
		fatalf("-root is required for this phase")
	}
	var out []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") &&
			!strings.Contains(p, "/testdata/") && !strings.Contains(p, "/vendor/") {
			out = append(out, p)
		}
		return nil
	})
	if len(out) == 0 {
		fatalf("no Go files under %s", root)
	}
	return out
}

// rank is the nearest-rank percentile of sorted values.
func rank(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func note(r *report, s string) {
	if len(r.FirstErrors) < 5 {
		r.FirstErrors = append(r.FirstErrors, s)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func readLines(path string) []string {
	f, err := os.Open(path)
	check(err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s := strings.TrimSpace(sc.Text()); s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		fatalf("no questions in %s", path)
	}
	return out
}

func out(r report) {
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

func check(err error) {
	if err != nil {
		fatalf("%v", err)
	}
}

func fatalf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "serveload: "+format+"\n", a...)
	os.Exit(2)
}
