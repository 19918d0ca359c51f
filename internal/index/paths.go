package index

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Matcher decides, for paths under one root, what a full walk would: the
// same default skips and ignore files (.gitignore, .auroraignore,
// .git/info/exclude), read once per directory and remembered. The
// watcher uses it to leave ignored directories unwatched, and Run (with
// Options.Files) to index changed paths without walking the tree. It is
// not safe for concurrent use, and it does not notice ignore files that
// change: make a new one then.
type Matcher struct {
	w    *walker
	memo map[string]dirRules
	// manifests remembers whether a directory holds a build manifest.
	manifests map[string]bool
}

type dirRules struct {
	rules    []rule // the rules that apply inside the directory
	excluded bool   // the directory itself is skipped or ignored
}

// NewMatcher returns a matcher for root (absolute, symlinks resolved).
func NewMatcher(root string, skipDirs []string, noIgnore bool) (*Matcher, error) {
	if skipDirs == nil {
		skipDirs = DefaultSkipDirs
	}
	w, ignoreBase, err := newWalker(root, DefaultMaxFileSize, skipDirs, nil, noIgnore)
	if err != nil {
		return nil, err
	}
	// The ignore files between the ignore base and the root apply from
	// outside, as walk reads them.
	for i := 0; i < len(w.base); i++ {
		dom := w.base[:i]
		w.patterns = append(w.patterns, w.dirPatterns(filepath.Join(ignoreBase, filepath.Join(dom...)), dom)...)
	}
	return &Matcher{w: w, memo: map[string]dirRules{}, manifests: map[string]bool{}}, nil
}

// DirExcluded tells whether the directory rel (relative to the root,
// forward slashes; "" is the root) is left out by a default skip or an
// ignore rule, itself or through an ancestor.
func (m *Matcher) DirExcluded(rel string) bool {
	return m.rulesFor(rel).excluded
}

// IsIgnoreFile tells whether name is a file whose change changes what is
// ignored.
func IsIgnoreFile(name string) bool {
	return name == ".gitignore" || name == ".auroraignore"
}

func (m *Matcher) rulesFor(rel string) dirRules {
	if r, ok := m.memo[rel]; ok {
		return r
	}
	w := m.w
	var r dirRules
	if rel == "" {
		r.rules = w.patterns
	} else {
		parent := path.Dir(rel)
		if parent == "." {
			parent = ""
		}
		pr := m.rulesFor(parent)
		r.rules, r.excluded = pr.rules, pr.excluded
		if !r.excluded {
			name := path.Base(rel)
			abs := filepath.Join(w.root, filepath.FromSlash(rel))
			fi, err := os.Lstat(abs)
			switch {
			case err == nil && fi.Mode()&fs.ModeSymlink != 0:
				r.excluded = true // directories behind links are never walked
			case w.skipDirs[name] || (m.hasManifest(parent) && slices.Contains(BuildOutputDirs, name)) || isVirtualenv(abs):
				r.excluded = true
			case ignored(pr.rules, w.comps(rel), true) != nil:
				r.excluded = true
			}
		}
	}
	if !r.excluded {
		dir := filepath.Join(w.root, filepath.FromSlash(rel))
		if own := w.dirPatterns(dir, w.comps(rel)); len(own) > 0 {
			r.rules = append(r.rules[:len(r.rules):len(r.rules)], own...)
		}
	}
	m.memo[rel] = r
	return r
}

func (m *Matcher) hasManifest(rel string) bool {
	if v, ok := m.manifests[rel]; ok {
		return v
	}
	ents, err := os.ReadDir(filepath.Join(m.w.root, filepath.FromSlash(rel)))
	v := err == nil && hasManifest(ents)
	m.manifests[rel] = v
	return v
}

// walkPaths decides each of rels (relative to the root) as a full walk
// would, without listing the tree: a file is listed or skipped, a
// directory walked as a whole; a path that does not exist is returned in
// missing. The walker's files and skipped entries are the result.
func (m *Matcher) walkPaths(rels []string, maxSize int64, exclude []string) (w *walker, missing []string) {
	w = m.w
	w.files, w.skipped = nil, nil
	w.maxSize = maxSize
	w.exclude = map[string]bool{}
	for _, p := range exclude {
		w.exclude[p] = true
	}
	for _, rel := range rels {
		abs := filepath.Join(w.root, filepath.FromSlash(rel))
		fi, err := os.Lstat(abs)
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, rel)
			continue
		}
		if err != nil {
			w.skipped = append(w.skipped, skipEntry{rel: rel, reason: ReasonUnreadable, detail: err.Error()})
			continue
		}
		parent := path.Dir(rel)
		if parent == "." {
			parent = ""
		}
		pr := m.rulesFor(parent)
		if pr.excluded {
			w.skipped = append(w.skipped, skipEntry{rel: rel, reason: ReasonIgnored, detail: "in an ignored directory", isDir: fi.IsDir()})
			continue
		}
		if fi.IsDir() {
			// A new or moved-in directory: its rules may be new too.
			delete(m.memo, rel)
		}
		w.entry(filepath.Dir(abs), parent, fs.FileInfoToDirEntry(fi), pr.rules, m.hasManifest(parent))
	}
	return w, missing
}

// cleanRels normalizes paths relative to the root: forward slashes, no
// "./", no duplicates, none outside the root, and none below another
// (a directory's walk covers what is under it).
func cleanRels(rels []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rels {
		r = path.Clean(filepath.ToSlash(r))
		if r == "." || r == ".." || strings.HasPrefix(r, "../") || strings.HasPrefix(r, "/") {
			continue
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	slices.Sort(out)
	// Drop paths below another path of the list.
	kept := out[:0]
	for _, r := range out {
		covered := false
		for d := path.Dir(r); d != "."; d = path.Dir(d) {
			if seen[d] {
				covered = true
				break
			}
		}
		if !covered {
			kept = append(kept, r)
		}
	}
	return kept
}
