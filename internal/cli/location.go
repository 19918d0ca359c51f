package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
)

// locator turns the store's paths (relative to the index root) into what
// text output prints: paths relative to the working directory when it is
// inside the root, absolute otherwise, so that path:line opens in an
// editor or a terminal's link handler from wherever aur was run. JSON
// keeps "file" relative to the root and adds "root" and "path" (absolute).
type locator struct {
	root string // absolute index root, "" if unknown
	wd   string // working directory, symlinks resolved
}

// metaReader reads facts of the index (its root): either store.
type metaReader interface {
	Meta(ctx context.Context, key string) (string, error)
}

// newLocator reads the index root from db.
func newLocator(ctx context.Context, f *Factory, db metaReader) (locator, error) {
	root, err := db.Meta(ctx, store.MetaRoot)
	if err != nil {
		return locator{}, err
	}
	wd := f.Config().WorkDir
	if real, err := filepath.EvalSymlinks(wd); err == nil {
		wd = real // the root is stored with symlinks resolved
	}
	return locator{root: root, wd: wd}, nil
}

// abs returns the absolute path of rel, or "" if the root is unknown.
func (l locator) abs(rel string) string {
	if l.root == "" {
		return ""
	}
	return filepath.Join(l.root, filepath.FromSlash(rel))
}

// path returns rel as text output shows it, not yet escaped.
func (l locator) path(rel string) string {
	if l.root == "" {
		return rel
	}
	a := l.abs(rel)
	if !index.Within(l.root, l.wd) {
		return a
	}
	if r, err := filepath.Rel(l.wd, a); err == nil {
		return r
	}
	return a
}

// at returns "path:line" for text output, escaped.
func (l locator) at(rel string, line int) string {
	return fmt.Sprintf("%s:%d", termtext.Line(l.path(rel)), line)
}
