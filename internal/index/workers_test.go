package index

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// A worker costs nothing until it has a file to parse: 10000 workers on
// a two-file tree once allocated a tokenizer each up front (about 290 KB,
// 2.9 GB in all). Now at most one worker per file starts.
func TestIdleWorkersAllocateNothing(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"a.go", "b.md"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte("package a\n\n// F does f.\nfunc F() {}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ix := newIndexer(t, root)
	ix.run("", nil) // warm up: migrations, parsers

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum := ix.run("", func(o *Options) { o.Workers = 10000; o.Force = true })
	runtime.ReadMemStats(&after)
	if sum.Indexed != 2 {
		t.Fatalf("indexed %d files, want 2", sum.Indexed)
	}
	// Two tokenizers and the parse itself take a few MB; 10000 idle
	// workers with their tokenizers would take gigabytes.
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Errorf("indexing 2 files with 10000 workers allocated %d MB, want < 64 MB", got>>20)
	}
}
