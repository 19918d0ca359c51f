package index

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeTree creates files under root; a name ending in "/" is an empty
// directory.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tempRoot returns a fresh directory with symlinks resolved, as the CLI
// passes it to Run.
func tempRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlinks not supported: %v", err)
	}
}

// walked runs the walk and returns the files it found and "path reason"
// for each skip, both sorted.
func walked(t *testing.T, root, sub string, maxSize int64) (files, skips []string) {
	t.Helper()
	w, err := walk(root, sub, maxSize, DefaultSkipDirs, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	files = []string{}
	skips = []string{}
	for _, f := range w.files {
		files = append(files, f.rel)
	}
	for _, s := range w.skipped {
		skips = append(skips, s.rel+" "+s.reason)
	}
	sort.Strings(files)
	sort.Strings(skips)
	return files, skips
}

func TestWalkIgnoreRules(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{
		".git/info/exclude":      "excluded.txt\n",
		".git/HEAD":              "ref: refs/heads/main\n",
		".gitignore":             "# build output\ngenerated/\n*.log\n!keep.log\n",
		".auroraignore":          "scratch/\n*.tmp\n",
		"main.go":                "package main\n",
		"excluded.txt":           "from .git/info/exclude\n",
		"debug.log":              "ignored by *.log\n",
		"keep.log":               "re-included by !keep.log\n",
		"cache.tmp":              "ignored by .auroraignore\n",
		"scratch/notes.txt":      "ignored folder of .auroraignore\n",
		"generated/gen.go":       "package generated\n",
		"docs/.gitignore":        "draft.md\n/local.md\n",
		"docs/guide.md":          "# Guide\n",
		"docs/draft.md":          "# Draft\n",
		"docs/local.md":          "# Local\n",
		"docs/deep/draft.md":     "# Also ignored: unanchored pattern\n",
		"docs/deep/local.md":     "# Kept: /local.md is anchored to docs/\n",
		"local.md":               "# Kept: docs/.gitignore does not reach here\n",
		"node_modules/x/x.js":    "module.exports = 1\n",
		"vendor/lib/lib.go":      "package lib\n",
		"src/__pycache__/a.pyc":  "x",
		"src/app.py":             "print(1)\n",
		"src/sub/.gitignore":     "*.py\n!keep.py\n",
		"src/sub/drop.py":        "x = 1\n",
		"src/sub/keep.py":        "y = 2\n",
		"src/sub/deeper/also.py": "z = 3\n",
	})
	files, skips := walked(t, root, "", DefaultMaxFileSize)
	wantFiles := []string{
		".auroraignore", ".gitignore",
		"docs/.gitignore", "docs/deep/local.md", "docs/guide.md",
		"keep.log", "local.md", "main.go",
		"src/app.py", "src/sub/.gitignore", "src/sub/keep.py",
	}
	wantSkips := []string{
		".git default_skip",
		"cache.tmp ignored",
		"debug.log ignored",
		"docs/deep/draft.md ignored",
		"docs/draft.md ignored",
		"docs/local.md ignored",
		"excluded.txt ignored",
		"generated ignored",
		"node_modules default_skip",
		"scratch ignored",
		"src/__pycache__ default_skip",
		"src/sub/deeper/also.py ignored",
		"src/sub/drop.py ignored",
		"vendor default_skip",
	}
	if diff := cmp.Diff(wantFiles, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantSkips, skips); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

// A subdirectory walk must apply the ignore files of its ancestors, or
// indexing src/ would index what indexing the root leaves out.
func TestWalkSubdirUsesAncestorIgnores(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{
		".gitignore":          "*.gen.go\n",
		"src/.auroraignore":   "fixtures/\n",
		"src/a.go":            "package src\n",
		"src/a.gen.go":        "package src\n",
		"src/b/b.go":          "package b\n",
		"src/b/b.gen.go":      "package b\n",
		"src/b/fixtures/f.go": "package fixtures\n",
		"other.go":            "package other\n",
	})
	files, skips := walked(t, root, "src/b", DefaultMaxFileSize)
	if diff := cmp.Diff([]string{"src/b/b.go"}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"src/b/b.gen.go ignored", "src/b/fixtures ignored"}, skips); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

// The root below a git work tree still obeys the work tree's ignore
// files, anchored where git anchors them.
func TestWalkRootInsideGitTree(t *testing.T) {
	top := tempRoot(t)
	writeTree(t, top, map[string]string{
		".git/HEAD":         "ref: refs/heads/main\n",
		".git/info/exclude": "*.secret\n",
		".gitignore":        "/proj/out.txt\ntmp/\n",
		"proj/a.txt":        "a\n",
		"proj/out.txt":      "ignored by an anchored pattern above the root\n",
		"proj/k.secret":     "ignored by info/exclude\n",
		"proj/tmp/x.txt":    "ignored folder\n",
	})
	files, skips := walked(t, filepath.Join(top, "proj"), "", DefaultMaxFileSize)
	if diff := cmp.Diff([]string{"a.txt"}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"k.secret ignored", "out.txt ignored", "tmp ignored"}, skips); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

func TestWalkSizeLimit(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{
		"small.txt": strings.Repeat("a", 100),
		"exact.txt": strings.Repeat("b", 200),
		"big.txt":   strings.Repeat("c", 201),
	})
	files, skips := walked(t, root, "", 200)
	if diff := cmp.Diff([]string{"exact.txt", "small.txt"}, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"big.txt too_large"}, skips); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

func TestWalkSymlinks(t *testing.T) {
	outside := tempRoot(t)
	writeTree(t, outside, map[string]string{"secret.txt": "not ours\n", "dir/x.txt": "not ours\n"})
	root := tempRoot(t)
	writeTree(t, root, map[string]string{
		"real/a.txt": "a\n",
		"z/b.txt":    "b\n",
		"sub/c.txt":  "c\n",
	})
	symlink(t, filepath.Join(outside, "secret.txt"), filepath.Join(root, "out-file.txt"))
	symlink(t, filepath.Join(outside, "dir"), filepath.Join(root, "out-dir"))
	symlink(t, "real/a.txt", filepath.Join(root, "alias.txt"))         // file inside: read
	symlink(t, "z", filepath.Join(root, "a-link"))                     // sorts before its target
	symlink(t, "..", filepath.Join(root, "sub", "up"))                 // loop to the root
	symlink(t, ".", filepath.Join(root, "sub", "self"))                // loop to itself
	symlink(t, "nowhere.txt", filepath.Join(root, "dangling.txt"))     // broken
	symlink(t, "cycle-b", filepath.Join(root, "cycle-a"))              // a cycle of links
	symlink(t, "cycle-a", filepath.Join(root, "cycle-b"))              //
	symlink(t, "../real/a.txt", filepath.Join(root, "sub", "a-again")) // file inside, from below

	done := make(chan struct{})
	var files, skips []string
	go func() {
		defer close(done)
		files, skips = walked(t, root, "", DefaultMaxFileSize)
	}()
	<-done // a loop would hang here until the test timeout

	wantFiles := []string{"alias.txt", "real/a.txt", "sub/a-again", "sub/c.txt", "z/b.txt"}
	wantSkips := []string{
		"a-link symlink_to_dir",
		"cycle-a symlink_loop",
		"cycle-b symlink_loop",
		"dangling.txt symlink_broken",
		"out-dir symlink_outside_root",
		"out-file.txt symlink_outside_root",
		"sub/self symlink_loop",
		"sub/up symlink_loop",
	}
	if diff := cmp.Diff(wantFiles, files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantSkips, skips); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

func TestIsBinary(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"empty", nil, false},
		{"text", []byte("hello\nworld\n"), false},
		{"utf8", []byte("héllo wörld ✓"), false},
		{"nul at start", []byte("\x00abc"), true},
		{"nul inside sniff window", append([]byte(strings.Repeat("a", sniffLen-1)), 0), true},
		{"nul after sniff window", append([]byte(strings.Repeat("a", sniffLen)), 0), false},
	} {
		if got := isBinary(tc.b); got != tc.want {
			t.Errorf("%s: isBinary = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// Build-output names are skipped beside a build manifest only: Go's
// go/build is a package, a JavaScript project's dist/ is output.
func TestWalkBuildOutputDirs(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{
		"go/build/build.go":       "package build\n",
		"cmd/dist/main.go":        "package main\n",
		"web/package.json":        "{}\n",
		"web/src/app.js":          "export const a = 1\n",
		"web/dist/app.min.js":     "export const a=1\n",
		"svc/Cargo.toml":          "[package]\n",
		"svc/target/debug/out.rs": "fn main() {}\n",
		"tools/env/pyvenv.cfg":    "home = /usr\n",
		"tools/env/lib/site.py":   "x = 1\n",
	})
	files, skips := walked(t, root, "", 1<<20)
	for _, want := range []string{"go/build/build.go", "cmd/dist/main.go", "web/src/app.js"} {
		if !slices.Contains(files, want) {
			t.Errorf("%s not walked; files %v", want, files)
		}
	}
	for _, skipped := range []string{"web/dist/app.min.js", "svc/target/debug/out.rs", "tools/env/lib/site.py"} {
		if slices.Contains(files, skipped) {
			t.Errorf("%s walked, want it skipped as build output or a virtualenv", skipped)
		}
	}
	for _, want := range []string{"web/dist " + ReasonDefaultSkip, "svc/target " + ReasonDefaultSkip, "tools/env " + ReasonDefaultSkip} {
		if !slices.Contains(skips, want) {
			t.Errorf("skip %q missing; skips %v", want, skips)
		}
	}
}

// An ignored path carries the file, line and pattern that excluded it;
// with noIgnore no ignore file is read.
func TestWalkNamesIgnoreRule(t *testing.T) {
	root := tempRoot(t)
	writeTree(t, root, map[string]string{
		".git/HEAD":         "ref: refs/heads/main\n",
		".git/info/exclude": "# local\nsecret.txt\n",
		".gitignore":        "# logs\n\n*.log\n!keep.log\n",
		"sub/.auroraignore": "tmp/\n",
		"debug.log":         "x\n",
		"keep.log":          "x\n",
		"secret.txt":        "x\n",
		"sub/tmp/a.go":      "package a\n",
		"main.go":           "package main\n",
	})
	w, err := walk(root, "", DefaultMaxFileSize, DefaultSkipDirs, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range w.skipped {
		if s.reason == ReasonIgnored {
			got[s.rel] = s.detail
		}
	}
	want := map[string]string{
		"debug.log":  ".gitignore:3: *.log",
		"secret.txt": ".git/info/exclude:2: secret.txt",
		"sub/tmp":    "sub/.auroraignore:1: tmp/",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ignore details (-want +got):\n%s", diff)
	}

	w, err = walk(root, "", DefaultMaxFileSize, DefaultSkipDirs, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range w.skipped {
		if s.reason == ReasonIgnored {
			t.Errorf("noIgnore: %s ignored (%s)", s.rel, s.detail)
		}
	}
	if len(w.files) != 7 {
		var names []string
		for _, f := range w.files {
			names = append(names, f.rel)
		}
		t.Errorf("noIgnore walked %v, want every file but .git's", names)
	}
}

// Ignore files above the git work tree, or above the root outside one,
// do not apply.
func TestWalkIgnoresNothingFromAbove(t *testing.T) {
	for _, repo := range []bool{true, false} {
		outer := tempRoot(t)
		writeTree(t, outer, map[string]string{
			".gitignore":    "*\n",
			".auroraignore": "*\n",
			"proj/a.go":     "package a\n",
		})
		if repo {
			writeTree(t, outer, map[string]string{"proj/.git/HEAD": "ref: refs/heads/main\n"})
		}
		files, _ := walked(t, filepath.Join(outer, "proj"), "", DefaultMaxFileSize)
		if !slices.Equal(files, []string{"a.go"}) {
			t.Errorf("repo %v: walked %v, want a.go: an ignore file above applied", repo, files)
		}
	}
}
