package query

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// PathFilter limits a search to files by path, relative to the index
// root: Prefixes (--path, --here) are directories or files; Globs (-g)
// follow ripgrep: gitignore-style patterns, a leading ! excludes, and when
// any pattern includes, a file must match one. Later globs win over
// earlier ones, as in ripgrep.
type PathFilter struct {
	Prefixes []string
	Globs    []string
}

// Empty reports whether the filter lets every file through.
func (p PathFilter) Empty() bool { return len(p.Prefixes) == 0 && len(p.Globs) == 0 }

type glob struct {
	neg bool
	pat gitignore.Pattern
}

// matcher compiles the filter; it fails on an empty pattern.
func (p PathFilter) matcher() (func(string) bool, error) {
	var prefixes []string
	for _, pre := range p.Prefixes {
		pre = strings.Trim(path.Clean("/"+strings.ReplaceAll(pre, "\\", "/")), "/")
		prefixes = append(prefixes, pre)
	}
	var globs []glob
	includes := false
	for _, g := range p.Globs {
		neg := strings.HasPrefix(g, "!")
		body := strings.TrimPrefix(g, "!")
		if strings.TrimSpace(body) == "" {
			return nil, fmt.Errorf("%w: empty glob %q", ErrInvalidQuery, g)
		}
		includes = includes || !neg
		globs = append(globs, glob{neg, gitignore.ParsePattern(body, nil)})
	}
	return func(p string) bool {
		if len(prefixes) > 0 {
			ok := false
			for _, pre := range prefixes {
				if pre == "" || p == pre || strings.HasPrefix(p, pre+"/") {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		if len(globs) == 0 {
			return true
		}
		parts := strings.Split(p, "/")
		keep := !includes
		for _, g := range globs {
			if g.pat.Match(parts, false) == gitignore.Exclude {
				// A gitignore "Exclude" is a match of the pattern.
				keep = !g.neg
			}
		}
		return keep
	}, nil
}

// resolve turns the filter into the ids of the files it keeps.
func (p PathFilter) resolve(ctx context.Context, db Store) ([]int64, error) {
	m, err := p.matcher()
	if err != nil {
		return nil, err
	}
	files, err := db.FilePaths(ctx)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, f := range files {
		if m(f.Path) {
			ids = append(ids, f.ID)
		}
	}
	return ids, nil
}
