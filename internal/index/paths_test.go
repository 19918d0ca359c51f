package index

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aurora-dev/aur/internal/store"
)

// TestRunFiles: a run over named paths indexes what changed among them,
// walks a named directory, deletes what vanished (a file, a directory's
// files), leaves everything else alone, and follows the ignore rules.
func TestRunFiles(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, root, map[string]string{
		".gitignore":  "gen/\n",
		"a/one.go":    "package a\n\nfunc One() {}\n",
		"a/two.go":    "package a\n\nfunc Two() {}\n",
		"b/three.go":  "package b\n\nfunc Three() {}\n",
		"b/c/four.go": "package c\n\nfunc Four() {}\n",
	})
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	run := func(files []string) *Summary {
		t.Helper()
		sum, err := Run(ctx, db, Options{Root: root, Path: root, NoGit: true, Files: files})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if s := run(nil); s.Indexed != 5 {
		t.Fatalf("first run indexed %d", s.Indexed)
	}
	writeTree(t, root, map[string]string{
		"a/one.go":     "package a\n\nfunc OneChanged() {}\n",
		"d/new.go":     "package d\n\nfunc New() {}\n",
		"gen/skip.go":  "package gen\n",
		"a/notes.tmp~": "",
	})
	if err := os.Remove(filepath.Join(root, "a/two.go")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "b/c")); err != nil {
		t.Fatal(err)
	}
	s := run([]string{"a/one.go", "./a/two.go", "d", "d/new.go", "gen/skip.go", "b/c", "gone.go", "../outside.go", "a/notes.tmp~"})
	// A temporary file still there is indexed as a full run would.
	if s.Indexed != 3 || s.Deleted != 2 || s.Unchanged != 0 {
		t.Fatalf("indexed %d deleted %d unchanged %d, want 3, 2, 0 (%+v)", s.Indexed, s.Deleted, s.Unchanged, s)
	}
	files, err := db.FilesUnder(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", "a/one.go", "a/notes.tmp~", "b/three.go", "d/new.go"}
	if len(files) != len(want) {
		t.Fatalf("files %v, want %v", files, want)
	}
	for _, p := range want {
		if _, ok := files[p]; !ok {
			t.Errorf("%s not indexed", p)
		}
	}
	// Named again unchanged: nothing to do.
	if s := run([]string{"a/one.go"}); s.Indexed != 0 || s.Unchanged != 1 {
		t.Fatalf("unchanged file: %+v", s)
	}
}
