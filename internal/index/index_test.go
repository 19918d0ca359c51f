package index

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

// openStore opens a store in a real file of a temp dir.
func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "memory.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// clock is an injected Now that moves one second per call.
type clock struct{ t time.Time }

func (c *clock) now() time.Time {
	c.t = c.t.Add(time.Second)
	return c.t
}

// indexer runs Run on one root with a fake clock, counting the files
// each run read (the total reported to Progress).
type indexer struct {
	t     *testing.T
	db    *store.DB
	root  string
	clock *clock
	read  int // files read by the last run
}

func newIndexer(t *testing.T, root string) *indexer {
	return &indexer{t: t, db: openStore(t), root: root, clock: &clock{time.Unix(1_700_000_000, 0)}}
}

func (ix *indexer) run(sub string, mod func(*Options)) *Summary {
	ix.t.Helper()
	ix.read = 0
	opts := Options{
		Root:  ix.root,
		Path:  filepath.Join(ix.root, filepath.FromSlash(sub)),
		NoGit: true,
		Now:   ix.clock.now,
		Progress: func(done, total int) {
			ix.read = total
		},
	}
	if mod != nil {
		mod(&opts)
	}
	sum, err := Run(context.Background(), ix.db, opts)
	if err != nil {
		ix.t.Fatalf("Run(%q): %v", sub, err)
	}
	return sum
}

// paths returns the indexed paths.
func (ix *indexer) paths() map[string]store.File {
	ix.t.Helper()
	files, err := ix.db.FilesUnder(context.Background(), "")
	if err != nil {
		ix.t.Fatal(err)
	}
	return files
}

func (ix *indexer) count(query string, args ...any) int {
	ix.t.Helper()
	var n int
	if err := ix.db.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		ix.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// setMtime moves a file's mtime, so the walk sees it as possibly changed.
func setMtime(t *testing.T, path string, d time.Duration) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, fi.ModTime().Add(d), fi.ModTime().Add(d)); err != nil {
		t.Fatal(err)
	}
}

const goSrc = `package lib

// Add returns a plus b.
func Add(a, b int) int {
	return a + b
}

// Sub returns a minus b.
func Sub(a, b int) int {
	return a - b
}
`

func TestRunIncremental(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{
		"lib/math.go": goSrc,
		"lib/str.go":  "package lib\n\nfunc Upper(s string) string { return s }\n",
		"README.md":   "# Lib\n\nMath helpers.\n\n## Usage\n\nCall Add.\n",
	})
	ix := newIndexer(t, root)

	s := ix.run("", nil)
	if s.Indexed != 3 || s.Unchanged != 0 || s.Deleted != 0 || s.TotalFiles != 3 {
		t.Fatalf("first run: %+v", s)
	}
	if s.ChunksByLanguage["go"] == 0 || s.ChunksByLanguage["markdown"] == 0 {
		t.Errorf("first run chunks by language = %v", s.ChunksByLanguage)
	}
	if root2, _ := ix.db.Meta(context.Background(), store.MetaRoot); root2 != root {
		t.Errorf("meta root = %q, want %q", root2, root)
	}

	// Nothing changed: nothing is even read.
	s = ix.run("", nil)
	if s.Indexed != 0 || s.Unchanged != 3 || ix.read != 0 {
		t.Errorf("no-change run: indexed %d, unchanged %d, read %d; want 0, 3, 0", s.Indexed, s.Unchanged, ix.read)
	}

	// Touched but identical: read and hashed, not re-parsed, and its new
	// mtime recorded so the next run does not read it again.
	before := ix.paths()["lib/math.go"]
	setMtime(t, filepath.Join(root, "lib/math.go"), time.Hour)
	s = ix.run("", nil)
	if s.Indexed != 0 || s.Unchanged != 3 || ix.read != 1 {
		t.Errorf("touch run: indexed %d, unchanged %d, read %d; want 0, 3, 1", s.Indexed, s.Unchanged, ix.read)
	}
	after := ix.paths()["lib/math.go"]
	if after.IndexedAt != before.IndexedAt {
		t.Errorf("touched file re-parsed: indexed_at %d -> %d", before.IndexedAt, after.IndexedAt)
	}
	if after.MtimeNS == before.MtimeNS {
		t.Errorf("touched file's new mtime not recorded")
	}
	if s = ix.run("", nil); ix.read != 0 {
		t.Errorf("run after touch read %d files, want 0", ix.read)
	}

	// Edited: re-parsed, chunks replaced.
	writeTree(t, root, map[string]string{"lib/str.go": "package lib\n\nfunc Lower(s string) string { return s }\n"})
	setMtime(t, filepath.Join(root, "lib/str.go"), 2*time.Hour)
	s = ix.run("", nil)
	if s.Indexed != 1 || s.Unchanged != 2 {
		t.Errorf("edit run: indexed %d, unchanged %d; want 1, 2", s.Indexed, s.Unchanged)
	}
	if n := ix.count(`SELECT count(*) FROM chunks WHERE name = 'Upper'`); n != 0 {
		t.Errorf("old chunk Upper still indexed")
	}
	if n := ix.count(`SELECT count(*) FROM chunks WHERE name = 'Lower'`); n != 1 {
		t.Errorf("new chunk Lower indexed %d times, want 1", n)
	}

	// Deleted: file and chunks gone, FTS rows with them.
	if err := os.Remove(filepath.Join(root, "README.md")); err != nil {
		t.Fatal(err)
	}
	s = ix.run("", nil)
	if s.Deleted != 1 || s.Indexed != 0 || s.TotalFiles != 2 {
		t.Errorf("delete run: %+v", s)
	}
	if n := ix.count(`SELECT count(*) FROM chunks WHERE language = 'markdown'`); n != 0 {
		t.Errorf("%d markdown chunks left after deleting README.md", n)
	}
	if n, m := ix.count(`SELECT count(*) FROM chunks`), ix.count(`SELECT count(*) FROM chunks_fts`); n != m {
		t.Errorf("%d chunks but %d FTS rows", n, m)
	}

	// Renamed: one deletion, one new file.
	if err := os.Rename(filepath.Join(root, "lib/str.go"), filepath.Join(root, "lib/strings.go")); err != nil {
		t.Fatal(err)
	}
	s = ix.run("", nil)
	if s.Deleted != 1 || s.Indexed != 1 || s.Unchanged != 1 {
		t.Errorf("rename run: deleted %d, indexed %d, unchanged %d; want 1, 1, 1", s.Deleted, s.Indexed, s.Unchanged)
	}

	// Forced: everything re-parsed.
	s = ix.run("", func(o *Options) { o.Force = true })
	if s.Indexed != 2 || s.Unchanged != 0 {
		t.Errorf("force run: indexed %d, unchanged %d; want 2, 0", s.Indexed, s.Unchanged)
	}
	if v, err := ix.db.IntegrityCheck(context.Background()); err != nil || v != "ok" {
		t.Errorf("integrity_check = %q, %v", v, err)
	}
}

// A chunk's key names the chunk, not its position: lines inserted above
// a function leave its key alone, so its access history survives.
func TestChunkKeyStableAcrossEdits(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{"lib/math.go": goSrc})
	ix := newIndexer(t, root)
	ix.run("", nil)

	key := func(qname string) (key int64, start int) {
		t.Helper()
		err := ix.db.SQL().QueryRow(`SELECT key, start_line FROM chunks WHERE qualified_name = ?`, qname).Scan(&key, &start)
		if err != nil {
			t.Fatalf("chunk %s: %v", qname, err)
		}
		return key, start
	}
	k1, s1 := key("Sub")
	a1, _ := key("Add")

	edited := strings.Replace(goSrc, "package lib\n", "package lib\n\nimport \"fmt\"\n\nvar _ = fmt.Sprint\n", 1)
	edited = strings.Replace(edited, "return a + b", "return b + a", 1) // Add's body changes too
	writeTree(t, root, map[string]string{"lib/math.go": edited})
	setMtime(t, filepath.Join(root, "lib/math.go"), time.Hour)
	if s := ix.run("", nil); s.Indexed != 1 {
		t.Fatalf("edit not indexed: %+v", s)
	}
	k2, s2 := key("Sub")
	a2, _ := key("Add")
	if s2 == s1 {
		t.Fatalf("Sub still starts at line %d; the edit did not move it", s1)
	}
	if k2 != k1 {
		t.Errorf("Sub's key changed from %d to %d when lines were inserted above it", k1, k2)
	}
	if a2 != a1 {
		t.Errorf("Add's key changed from %d to %d when its body changed", a1, a2)
	}
}

// Indexing a subdirectory only looks at, and only changes, files under it.
func TestRunSubdirIsolation(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{
		"a/one.txt":  "one\n",
		"a/two.txt":  "two\n",
		"ab/x.txt":   "a sibling whose name starts like a/\n",
		"b/three.go": "package b\n",
		"top.md":     "# Top\n",
	})
	ix := newIndexer(t, root)
	ix.run("", nil)

	// Remove a file outside a/ and one inside it; index a/ only.
	for _, p := range []string{"b/three.go", "a/two.txt"} {
		if err := os.Remove(filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	writeTree(t, root, map[string]string{"ab/y.txt": "new outside a/\n"})
	s := ix.run("a", nil)
	if s.FilesSeen != 1 || s.Deleted != 1 || s.Unchanged != 1 || s.Indexed != 0 {
		t.Errorf("subdir run: seen %d, deleted %d, unchanged %d, indexed %d; want 1, 1, 1, 0",
			s.FilesSeen, s.Deleted, s.Unchanged, s.Indexed)
	}
	files := ix.paths()
	if _, ok := files["b/three.go"]; !ok {
		t.Errorf("b/three.go, outside a/, was dropped by indexing a/")
	}
	if _, ok := files["ab/y.txt"]; ok {
		t.Errorf("ab/y.txt, outside a/, was indexed by indexing a/")
	}
	if _, ok := files["a/two.txt"]; ok {
		t.Errorf("a/two.txt was deleted but is still indexed")
	}

	// The whole root catches up.
	s = ix.run("", nil)
	if s.Deleted != 1 || s.Indexed != 1 {
		t.Errorf("root run: deleted %d, indexed %d; want 1, 1", s.Deleted, s.Indexed)
	}
}

func TestRunSkipsBinaryAndLarge(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{
		"ok.txt":    "text\n",
		"logo.png":  "PNG\x00\x01\x02\x03",
		"big.txt":   strings.Repeat("x", 5000),
		"empty.txt": "",
	})
	ix := newIndexer(t, root)
	s := ix.run("", func(o *Options) { o.MaxFileSize = 4096 })
	if s.Indexed != 2 || s.FilesSeen != 2 || s.Skipped[ReasonBinary] != 1 || s.Skipped[ReasonTooLarge] != 1 {
		t.Errorf("summary: indexed %d, seen %d, skipped %v", s.Indexed, s.FilesSeen, s.Skipped)
	}
	got := map[string]string{}
	for _, p := range s.Problems {
		got[p.Path] = p.Reason
	}
	if got["logo.png"] != ReasonBinary || got["big.txt"] != ReasonTooLarge {
		t.Errorf("problems = %v", s.Problems)
	}
	st, err := ix.db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Skipped) != 2 {
		t.Errorf("stored skipped files = %v, want logo.png and big.txt", st.Skipped)
	}
}

// A file that was indexed and then became binary must lose its chunks,
// not keep stale ones forever.
func TestRunFileBecomesBinary(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{"data.txt": "searchable words\n", "other.txt": "other\n"})
	ix := newIndexer(t, root)
	ix.run("", nil)

	writeTree(t, root, map[string]string{"data.txt": "now\x00binary\n"})
	setMtime(t, filepath.Join(root, "data.txt"), time.Hour)
	dry := ix.run("", func(o *Options) { o.DryRun = true })
	if dry.Deleted != 1 || dry.Skipped[ReasonBinary] != 1 || dry.Indexed != 0 {
		t.Errorf("dry run: deleted %d, binary %d, indexed %d; want 1, 1, 0", dry.Deleted, dry.Skipped[ReasonBinary], dry.Indexed)
	}
	gen := func() string {
		g, err := ix.db.Meta(context.Background(), store.MetaGeneration)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	before := gen()
	s := ix.run("", nil)
	if s.Deleted != 1 || s.Skipped[ReasonBinary] != 1 || s.TotalFiles != 1 {
		t.Errorf("run: deleted %d, binary %d, total files %d; want 1, 1, 1", s.Deleted, s.Skipped[ReasonBinary], s.TotalFiles)
	}
	if after := gen(); after == before {
		t.Errorf("generation still %s after a file left the index: cached query results would go stale", after)
	}
	if _, ok := ix.paths()["data.txt"]; ok {
		t.Errorf("data.txt still indexed after it became binary")
	}
	if n := ix.count(`SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH 'searchabl OR searchable'`); n != 0 {
		t.Errorf("%d FTS rows still match the old content", n)
	}
}

func TestRunDryRun(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{
		".gitignore": "*.log\n",
		"a.go":       "package a\n",
		"b.log":      "ignored\n",
		"c.bin":      "\x00\x01",
	})
	// No store at all: the plan still says what would happen.
	s, err := Run(context.Background(), nil, Options{Root: root, Path: root, DryRun: true, NoGit: true})
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for _, p := range s.Plan {
		plan = append(plan, strings.TrimSpace(p.Action+" "+p.Path+" "+p.Reason))
	}
	want := "index .gitignore|index a.go|skip b.log ignored|skip c.bin binary"
	if got := strings.Join(plan, "|"); got != want {
		t.Errorf("plan = %s\nwant   %s", got, want)
	}
	if s.Indexed != 2 || s.SkippedTotal != 2 {
		t.Errorf("dry run: indexed %d, skipped %d; want 2, 2", s.Indexed, s.SkippedTotal)
	}

	// With a store: nothing is written.
	ix := newIndexer(t, root)
	ix.run("", nil)
	runs := ix.count(`SELECT count(*) FROM index_runs`)
	writeTree(t, root, map[string]string{"d.go": "package a\n"})
	s = ix.run("", func(o *Options) { o.DryRun = true })
	if s.Indexed != 1 || s.Unchanged != 2 {
		t.Errorf("dry run with store: indexed %d, unchanged %d; want 1, 2", s.Indexed, s.Unchanged)
	}
	if _, ok := ix.paths()["d.go"]; ok {
		t.Errorf("dry run indexed d.go")
	}
	if n := ix.count(`SELECT count(*) FROM index_runs`); n != runs {
		t.Errorf("dry run recorded an index run")
	}
}

func TestRunOutsideRoot(t *testing.T) {
	root := tempRoot(t)
	other := tempRoot(t)
	_, err := Run(context.Background(), nil, Options{Root: root, Path: other, DryRun: true})
	if !errors.Is(err, ErrOutsideRoot) {
		t.Errorf("Run outside the root = %v, want ErrOutsideRoot", err)
	}
}

func TestRunGitHistory(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	root := tempRoot(t)
	writeTree(t, root, map[string]string{"a.go": "package a\n", "b.md": "# B\n"})
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=Test", "-c", "user.email=test@example.com",
			"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	writeTree(t, root, map[string]string{"a.go": "package a\n\nfunc A() {}\n"})
	git("commit", "-q", "-am", "two")

	ix := newIndexer(t, root)
	withGit := func(o *Options) { o.NoGit = false }
	s := ix.run("", withGit)
	if s.GitHistoryFiles != 2 {
		t.Errorf("git_history_files = %d, want 2", s.GitHistoryFiles)
	}
	var n, oldest int64
	if err := ix.db.SQL().QueryRow(`SELECT n, oldest FROM file_history WHERE path = 'a.go'`).Scan(&n, &oldest); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("a.go has %d commits recorded, want 2", n)
	}
	// Same HEAD: history is not re-read, and the count is still a count.
	if s = ix.run("", withGit); s.GitHistoryFiles != 2 {
		t.Errorf("second run: git_history_files = %d, want 2", s.GitHistoryFiles)
	}
}
