package store

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/aurora-dev/aur/internal/vector"
)

// vecDB is a database of n chunks with random vectors of dims dimensions.
func vecDB(t *testing.T, n, dims int) (*DB, [][]float32) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "vec.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.db.ExecContext(ctx, `INSERT INTO files(id, path, hash, size, mtime_ns, language, indexed_at) VALUES (1, 'f', '', 0, 0, 'go', 0)`); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var vecs [][]float32
	var ws []VectorWrite
	for i := range n {
		if _, err := db.db.ExecContext(ctx, `INSERT INTO chunks(id, key, file_id, kind, name, qualified_name, signature, doc, start_line, end_line, content, language)
			VALUES (?, ?, 1, 'function', '', '', '', '', 1, 1, '', 'go')`, i+1, i+1); err != nil {
			t.Fatal(err)
		}
		v := randVec(rng, dims, nil, 1)
		vecs = append(vecs, v)
		ws = append(ws, VectorWrite{ChunkID: int64(i + 1), Hash: int64(i + 1), Vec: v})
	}
	if _, err := db.SetEmbedModel(ctx, EmbedModel{Name: "m", Dims: dims}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutVectors(ctx, ws); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishVectors(ctx, true); err != nil {
		t.Fatal(err)
	}
	return db, vecs
}

func nearestIDs(t *testing.T, db *DB, q []float32, k int) []int64 {
	t.Helper()
	hits, err := db.NearestChunks(context.Background(), q, k)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// TestVectorFile: an embedding pass leaves the side file of the packed
// codes beside the database, a new process's search maps it (and finds
// what the segments find), a missing or stale file is ignored and
// written again, and a model change removes it.
func TestVectorFile(t *testing.T) {
	const n, dims = 300, 96
	db, vecs := vecDB(t, n, dims)
	ctx := context.Background()
	path := db.Path() + VectorFileSuffix
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no side file after the pass: %v", err)
	}
	words := vector.Words(dims)
	if want := int64(vecHeaderSize + 8*n*(1+words)); fi.Size() != want {
		t.Fatalf("side file of %d bytes, want %d", fi.Size(), want)
	}
	q := vecs[7]
	fromFile := nearestIDs(t, db, q, 5)
	if fromFile[0] != 8 {
		t.Fatalf("nearest to chunk 8's own vector: %v", fromFile)
	}

	// The segments give the same answer (no side file).
	os.Remove(path)
	db.ResetVectorCache()
	if got := nearestIDs(t, db, q, 5); !slices.Equal(got, fromFile) {
		t.Fatalf("from the segments %v, from the file %v", got, fromFile)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("a search that read the segments did not write the side file: %v", err)
	}

	// The mapping is what a search uses: a file whose ids all say chunk
	// 42 (header intact) makes every hit chunk 42.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		binary.LittleEndian.PutUint64(b[vecHeaderSize+8*i:], 42)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db.ResetVectorCache()
	if got := nearestIDs(t, db, q, 5); !slices.Equal(got, []int64{42}) {
		t.Fatalf("with the doctored file: %v, want [42] (the file not used?)", got)
	}

	// A stale version, a wrong size or a bad magic: ignored, rewritten.
	for name, doctor := range map[string]func([]byte) []byte{
		"version": func(b []byte) []byte { b[24] ^= 0xff; return b },
		"size":    func(b []byte) []byte { return b[:len(b)-8] },
		"magic":   func(b []byte) []byte { b[0] = 'X'; return b },
	} {
		if err := os.WriteFile(path, doctor(slices.Clone(b)), 0o600); err != nil {
			t.Fatal(err)
		}
		db.ResetVectorCache()
		if got := nearestIDs(t, db, q, 5); !slices.Equal(got, fromFile) {
			t.Fatalf("%s: %v, want %v from the segments", name, got, fromFile)
		}
		db.ResetVectorCache()
		if got := nearestIDs(t, db, q, 5); !slices.Equal(got, fromFile) {
			t.Fatalf("%s: after rewriting, %v, want %v", name, got, fromFile)
		}
	}
	runtime.GC() // unmaps the codes no longer referenced

	// Another model drops the vectors and the file.
	if _, err := db.SetEmbedModel(ctx, EmbedModel{Name: "other", Dims: dims}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("side file after a model change: %v", err)
	}
	db.ResetVectorCache()
	if _, err := db.NearestChunks(ctx, q, 5); err == nil {
		t.Fatal("a search after the model change found vectors")
	}
}

// TestVectorFileReadOnly: a read-only database reads the segments and
// writes nothing beside itself.
func TestVectorFileReadOnly(t *testing.T) {
	db, vecs := vecDB(t, 50, 64)
	path := db.Path()
	os.Remove(path + VectorFileSuffix)
	db.Close()
	ro, err := Open(context.Background(), path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if got := nearestIDs(t, ro, vecs[3], 3); len(got) == 0 || got[0] != 4 {
		t.Fatalf("read-only search: %v", got)
	}
	if _, err := os.Stat(path + VectorFileSuffix); !os.IsNotExist(err) {
		t.Fatalf("a read-only database wrote its side file: %v", err)
	}
}
