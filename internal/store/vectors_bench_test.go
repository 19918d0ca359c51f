package store

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/vector"
)

// TestVectorScanFromEnv measures NearestChunks on AUR_BENCH_VECTORS
// synthetic vectors of AUR_BENCH_DIMS (default 768) dimensions: the time
// to load the packed sign codes (what every aur query process pays once;
// mapping the side file, or reading the segments without one), that and
// the first query together, the per-query time once they are loaded
// (aur serve), the recall@10 of
// the sign-code pass with rescoring against an exact scan, and the bytes
// per vector on disk. Skipped without AUR_BENCH_VECTORS; no assertions on
// time.
//
//	AUR_BENCH_VECTORS=1000000 go test -tags "sqlite_fts5 sqlite_math_functions" \
//	  -run VectorScanFromEnv -v -timeout 30m ./internal/store
//
// The vectors are clustered (2,000 random centres, each vector a centre
// plus noise), and each question is a stored vector plus more noise, so
// that nearest neighbours exist as they do for real embeddings; uniform
// random vectors have none, and recall on them means nothing.
func TestVectorScanFromEnv(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("AUR_BENCH_VECTORS"))
	if n <= 0 {
		t.Skip("set AUR_BENCH_VECTORS")
	}
	dims := 768
	if d, _ := strconv.Atoi(os.Getenv("AUR_BENCH_DIMS")); d > 0 {
		dims = d
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vec.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	centres := make([][]float32, 2000)
	for i := range centres {
		centres[i] = randVec(rng, dims, nil, 1)
	}
	// The float vectors are kept for the exact scan of recall@10 up to
	// 200k (3 GB at a million); above, only the questions' targets.
	keep := n <= 200_000
	var vecs [][]float32
	targets := map[int][]float32{}
	for range 50 {
		targets[rng.IntN(n)] = nil
	}
	start := time.Now()
	if _, err := db.db.ExecContext(ctx, `INSERT INTO files(id, path, hash, size, mtime_ns, language, indexed_at) VALUES (1, 'f', '', 0, 0, 'go', 0)`); err != nil {
		t.Fatal(err)
	}
	const batch = 10000
	for base := 0; base < n; base += batch {
		tx, err := db.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := tx.PrepareContext(ctx, `INSERT INTO chunks(id, key, file_id, kind, name, qualified_name, signature, doc, start_line, end_line, content, language)
			VALUES (?, ?, 1, 'function', '', '', '', '', 1, 1, '', 'go')`)
		for i := base; i < min(n, base+batch); i++ {
			if _, err := st.ExecContext(ctx, i+1, i+1); err != nil {
				t.Fatal(err)
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		ws := make([]VectorWrite, 0, batch)
		for i := base; i < min(n, base+batch); i++ {
			v := randVec(rng, dims, centres[rng.IntN(len(centres))], 0.5)
			if keep {
				vecs = append(vecs, v)
			}
			if _, ok := targets[i]; ok {
				targets[i] = v
			}
			ws = append(ws, VectorWrite{ChunkID: int64(i + 1), Hash: int64(i + 1), Vec: v})
		}
		if err := db.PutVectors(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.FinishVectors(ctx, true); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d vectors of %d dimensions written in %s", n, dims, time.Since(start).Round(time.Millisecond))
	if _, err := db.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err == nil {
		t.Logf("database: %.1f MB, %.0f bytes per vector (chunk rows nearly empty)", float64(fi.Size())/1e6, float64(fi.Size())/float64(n))
	}

	var load, first, warm []time.Duration
	hits := 0
	qi := 0
	for _, tv := range targets {
		q := randVec(rng, dims, tv, 0.3)
		db.vectors = vectorCache{} // a new process: the codes are read again
		t0 := time.Now()
		if _, err := db.codes(ctx, vector.Words(dims)); err != nil {
			t.Fatal(err)
		}
		load = append(load, time.Since(t0))
		// The first search of a process also touches every page of
		// mapped codes (VectorFileSuffix); the second is aur serve's.
		if _, err := db.NearestChunks(ctx, q, 10); err != nil {
			t.Fatal(err)
		}
		first = append(first, time.Since(t0))
		t0 = time.Now()
		got, err := db.NearestChunks(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		warm = append(warm, time.Since(t0))
		if keep && qi < 20 {
			// Recall@10 against an exact scan of the float vectors.
			exact := exactTop(q, vecs, 10)
			for _, h := range got {
				if slices.Contains(exact, h.ID) {
					hits++
				}
			}
		}
		qi++
	}
	t.Logf("load codes (once per process): p50 %s p95 %s", pct(load, 50), pct(load, 95))
	t.Logf("load and first query (a new process): p50 %s p95 %s", pct(first, 50), pct(first, 95))
	t.Logf("query, codes loaded:           p50 %s p95 %s", pct(warm, 50), pct(warm, 95))
	if keep {
		t.Logf("recall@10 of sign codes + rescoring against exact: %.3f", float64(hits)/float64(20*10))
	}
}

func randVec(rng *rand.Rand, dims int, centre []float32, noise float64) []float32 {
	v := make([]float32, dims)
	for i := range v {
		x := rng.NormFloat64() * noise / math.Sqrt(float64(dims))
		if centre != nil {
			x += float64(centre[i])
		}
		v[i] = float32(x)
	}
	return vector.Normalize(v)
}

func exactTop(q []float32, vecs [][]float32, k int) []int64 {
	type c struct {
		id int64
		s  float64
	}
	all := make([]c, len(vecs))
	for i, v := range vecs {
		var s float64
		for j := range v {
			s += float64(q[j]) * float64(v[j])
		}
		all[i] = c{int64(i + 1), s}
	}
	slices.SortFunc(all, func(a, b c) int {
		if a.s > b.s {
			return -1
		}
		if a.s < b.s {
			return 1
		}
		return 0
	})
	out := make([]int64, k)
	for i := range out {
		out[i] = all[i].id
	}
	return out
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}
