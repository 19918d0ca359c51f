package index

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// Skip reasons, as reported in summaries and stored in skipped_files.
const (
	ReasonIgnored     = "ignored"      // .gitignore, .git/info/exclude or .auroraignore
	ReasonDefaultSkip = "default_skip" // a directory aur never indexes (.git, node_modules, ...)
	ReasonTooLarge    = "too_large"    // over --max-file-size
	ReasonBinary      = "binary"       // a NUL byte in the first 8000 bytes
	ReasonSymlinkOut  = "symlink_outside_root"
	ReasonSymlinkLoop = "symlink_loop"   // a link to an ancestor directory, or a cycle of links
	ReasonSymlinkDir  = "symlink_to_dir" // a link to a directory inside the root, indexed at its own path
	ReasonSymlinkGone = "symlink_broken" // a link whose target does not exist
	ReasonUnreadable  = "unreadable"
	ReasonSpecial     = "not_regular" // devices, sockets, fifos
	ReasonEmpty       = "empty"
)

// DefaultSkipDirs are directory names never descended into: VCS data,
// dependencies, virtual environments, caches and aur's own state.
var DefaultSkipDirs = []string{
	".git", ".hg", ".svn", ".bzr", ".aurora",
	"node_modules", "bower_components", "vendor", "third_party_deps",
	".next", ".nuxt", ".venv", "venv", ".tox", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache",
	".gradle", ".idea", ".vscode", ".cache",
}

// BuildOutputDirs are names that usually hold build output (dist, build,
// target, out, coverage) but are also ordinary package names (Go's
// go/build, cmd/dist). They are skipped when their parent directory holds
// a build manifest (manifests), which is where build tools put their
// output; elsewhere they are indexed like any directory.
var BuildOutputDirs = []string{"dist", "build", "target", "out", "coverage"}

// manifests mark a project directory whose build output sits beside them.
var manifests = map[string]bool{
	"package.json": true, "Cargo.toml": true, "pom.xml": true, "build.gradle": true,
	"build.gradle.kts": true, "setup.py": true, "pyproject.toml": true, "setup.cfg": true,
	"go.mod": true, "Makefile": true, "CMakeLists.txt": true, "meson.build": true,
	"Gemfile": true, "composer.json": true, "build.sbt": true, "mix.exs": true,
}

// hasManifest reports whether a directory's entries include a build
// manifest.
func hasManifest(ents []os.DirEntry) bool {
	for _, e := range ents {
		if manifests[e.Name()] && !e.IsDir() {
			return true
		}
	}
	return false
}

// isVirtualenv reports whether dir is a Python virtual environment, by the
// marker file every venv has, whatever the directory is called.
func isVirtualenv(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "pyvenv.cfg"))
	return err == nil
}

// walkEntry is a regular file found by the walk.
type walkEntry struct {
	rel  string // relative to the index root, forward slashes
	abs  string
	size int64
	mtim int64 // unix nanoseconds
}

// skipEntry is a file or directory the walk left out.
type skipEntry struct {
	rel, reason, detail string
	isDir               bool
}

type walker struct {
	root     string   // absolute, symlinks resolved
	base     []string // root's path components below the ignore base
	skipDirs map[string]bool
	maxSize  int64
	files    []walkEntry
	skipped  []skipEntry
	patterns []rule
	exclude  map[string]bool // absolute paths left out silently (the store's own files)
	noIgnore bool            // --no-ignore: read no ignore file
}

// rule is one line of an ignore file, with where it came from, so that a
// dry run can say which file and line left a path out.
type rule struct {
	p    gitignore.Pattern
	file string // the ignore file, relative to the index root (../.gitignore above it)
	line int
	text string
}

func (r *rule) String() string { return fmt.Sprintf("%s:%d: %s", r.file, r.line, r.text) }

// walk lists the files under root/sub (sub "" for the whole root),
// leaving out the absolute paths in exclude. Ignore files apply from the
// top of the git work tree holding root, or from root itself outside a
// repository; never from above (see gitTopLevel). noIgnore reads none.
func walk(root, sub string, maxSize int64, skipDirs, exclude []string, noIgnore bool) (*walker, error) {
	w, ignoreBase, err := newWalker(root, maxSize, skipDirs, exclude, noIgnore)
	if err != nil {
		return nil, err
	}
	// Ignore files of the ancestors of the start dir, from the base down;
	// the start dir's own are read by walkDir.
	dirs := append([]string{}, w.base...)
	if sub != "" {
		dirs = append(dirs, strings.Split(sub, "/")...)
	}
	for i := 0; i < len(dirs); i++ {
		dom := dirs[:i]
		w.patterns = append(w.patterns, w.dirPatterns(filepath.Join(ignoreBase, filepath.Join(dom...)), dom)...)
	}
	start := root
	if sub != "" {
		start = filepath.Join(root, filepath.FromSlash(sub))
	}
	w.walkDir(start, sub, w.patterns)
	return w, nil
}

// newWalker returns a walker over root holding the rules that apply from
// outside it: .git/info/exclude, and (by walk) the ignore files between
// the ignore base and the start directory. The ignore base is the top of
// the git work tree holding root, or root itself outside a repository.
func newWalker(root string, maxSize int64, skipDirs, exclude []string, noIgnore bool) (*walker, string, error) {
	w := &walker{root: root, maxSize: maxSize, skipDirs: map[string]bool{}, exclude: map[string]bool{}, noIgnore: noIgnore}
	for _, d := range skipDirs {
		w.skipDirs[d] = true
	}
	for _, p := range exclude {
		w.exclude[p] = true
	}
	// Ignore rules are anchored at the git work tree when the root is inside
	// one, so a .gitignore above the root still applies.
	ignoreBase := root
	if top := gitTopLevel(root); top != "" {
		ignoreBase = top
		w.patterns = append(w.patterns, w.readIgnoreFile(filepath.Join(top, ".git", "info", "exclude"), nil)...)
	}
	rel, err := filepath.Rel(ignoreBase, root)
	if err != nil {
		return nil, "", err
	}
	if rel != "." {
		w.base = strings.Split(filepath.ToSlash(rel), "/")
	}
	return w, ignoreBase, nil
}

func (w *walker) comps(rel string) []string {
	p := append([]string{}, w.base...)
	if rel != "" {
		p = append(p, strings.Split(rel, "/")...)
	}
	return p
}

// dirPatterns reads .gitignore and .auroraignore of one directory; domain
// is the directory's components below the ignore base.
func (w *walker) dirPatterns(dir string, domain []string) []rule {
	ps := w.readIgnoreFile(filepath.Join(dir, ".gitignore"), domain)
	return append(ps, w.readIgnoreFile(filepath.Join(dir, ".auroraignore"), domain)...)
}

func (w *walker) readIgnoreFile(path string, domain []string) []rule {
	if w.noIgnore {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	name, err := filepath.Rel(w.root, path)
	if err != nil {
		name = path
	}
	name = filepath.ToSlash(name)
	var ps []rule
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		s := strings.TrimRight(sc.Text(), "\r")
		if strings.HasPrefix(s, "#") || strings.TrimSpace(s) == "" {
			continue
		}
		ps = append(ps, rule{p: gitignore.ParsePattern(s, domain), file: name, line: n, text: s})
	}
	return ps
}

// ignored returns the rule that excludes path, or nil: the last rule that
// matches decides, as in git.
func ignored(ps []rule, path []string, isDir bool) *rule {
	for i := len(ps) - 1; i >= 0; i-- {
		if m := ps[i].p.Match(path, isDir); m > gitignore.NoMatch {
			if m == gitignore.Exclude {
				return &ps[i]
			}
			return nil
		}
	}
	return nil
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func (w *walker) walkDir(abs, rel string, inherited []rule) {
	ps := inherited
	if own := w.dirPatterns(abs, w.comps(rel)); len(own) > 0 {
		ps = append(inherited[:len(inherited):len(inherited)], own...)
	}
	ents, err := os.ReadDir(abs)
	if err != nil {
		w.skipped = append(w.skipped, skipEntry{rel: rel, reason: ReasonUnreadable, detail: err.Error(), isDir: true})
		return
	}
	manifest := hasManifest(ents)
	for _, e := range ents {
		w.entry(abs, rel, e, ps, manifest)
	}
}

// entry decides one entry of the directory dirAbs (dirRel relative to
// the root), whose rules are ps and whose listing holds a build manifest
// when manifest is set: a file is listed or skipped, a directory walked.
func (w *walker) entry(dirAbs, dirRel string, e fs.DirEntry, ps []rule, manifest bool) {
	name := e.Name()
	r := joinRel(dirRel, name)
	a := filepath.Join(dirAbs, name)
	if w.exclude[a] {
		return
	}
	typ := e.Type()
	isDir := typ.IsDir()
	if typ&fs.ModeSymlink != 0 {
		// Links to files inside the root are read like files. Links to
		// directories are never followed: one outside the root would
		// index foreign files, one inside it would index its target a
		// second time (bypassing the target's ignore rules) or loop.
		// Real directories cannot form cycles, so no visited set is
		// needed, and the result does not depend on the walk order.
		target, err := filepath.EvalSymlinks(a)
		if err != nil {
			// EvalSymlinks reports a cycle of links as "too many links",
			// a dangling link as a not-exist error.
			reason := ReasonSymlinkLoop
			if errors.Is(err, fs.ErrNotExist) {
				reason = ReasonSymlinkGone
			}
			w.skipped = append(w.skipped, skipEntry{rel: r, reason: reason, detail: err.Error()})
			return
		}
		if !Within(w.root, target) {
			w.skipped = append(w.skipped, skipEntry{rel: r, reason: ReasonSymlinkOut, detail: target})
			return
		}
		fi, err := os.Stat(target)
		if err != nil {
			w.skipped = append(w.skipped, skipEntry{rel: r, reason: ReasonUnreadable, detail: err.Error()})
			return
		}
		if fi.IsDir() {
			reason := ReasonSymlinkDir
			if Within(target, dirAbs) {
				reason = ReasonSymlinkLoop
			}
			w.skipped = append(w.skipped, skipEntry{rel: r, reason: reason, detail: target, isDir: true})
			return
		}
	}
	if isDir {
		if w.skipDirs[name] || (manifest && slices.Contains(BuildOutputDirs, name)) || isVirtualenv(a) {
			w.skipped = append(w.skipped, skipEntry{rel: r, reason: ReasonDefaultSkip, isDir: true})
			return
		}
		if by := ignored(ps, w.comps(r), true); by != nil {
			w.skipped = append(w.skipped, skipEntry{rel: r, reason: ReasonIgnored, detail: by.String(), isDir: true})
			return
		}
		w.walkDir(a, r, ps)
		return
	}
	if by := ignored(ps, w.comps(r), false); by != nil {
		w.skipped = append(w.skipped, skipEntry{rel: r, reason: ReasonIgnored, detail: by.String()})
		return
	}
	fi, err := os.Stat(a)
	if err != nil {
		w.skipped = append(w.skipped, skipEntry{rel: r, reason: ReasonUnreadable, detail: err.Error()})
		return
	}
	if !fi.Mode().IsRegular() {
		w.skipped = append(w.skipped, skipEntry{rel: r, reason: ReasonSpecial})
		return
	}
	if fi.Size() > w.maxSize {
		w.skipped = append(w.skipped, skipEntry{rel: r, reason: ReasonTooLarge, detail: humanBytes(fi.Size())})
		return
	}
	w.files = append(w.files, walkEntry{rel: r, abs: a, size: fi.Size(), mtim: fi.ModTime().UnixNano()})
}

// within reports whether path is root or below it.
// Within reports whether path is root or below it; both must be clean
// absolute paths.
func Within(root, path string) bool {
	if path == root {
		return true
	}
	return strings.HasPrefix(path, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator))
}

// gitTopLevel returns the nearest ancestor of dir (or dir) holding .git,
// or "".
func gitTopLevel(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}
