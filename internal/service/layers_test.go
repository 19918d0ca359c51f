package service_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayers keeps the faces thin and the layers layers (STYLE.md rules
// 2, 15, 16): only internal/cli imports cobra and huh, only
// internal/config imports viper, no package imports internal/cli, and
// the domain packages know nothing of the faces.
func TestLayers(t *testing.T) {
	only := map[string]string{
		"github.com/spf13/cobra":                 "internal/cli",
		"github.com/charmbracelet/huh":           "internal/cli",
		"github.com/spf13/viper":                 "internal/config",
		"github.com/aurora-dev/aur/internal/cli": "cmd/aur",
	}
	// Packages below the faces must not import them.
	faces := []string{"internal/service", "internal/server", "internal/mcpserver", "internal/metrics", "internal/cli"}
	domain := []string{"internal/ask", "internal/store", "internal/query", "internal/quality", "internal/index",
		"internal/stats", "internal/resilience", "internal/llm", "internal/cache", "internal/watch"}
	root := filepath.Join("..", "..")
	files := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		pkg := filepath.ToSlash(filepath.Dir(rel))
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		for _, im := range f.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			if owner, ok := only[path]; ok && pkg != owner {
				t.Errorf("%s imports %s, which only %s may", rel, path, owner)
			}
			for _, d := range domain {
				if pkg != d {
					continue
				}
				for _, fc := range faces {
					if path == "github.com/aurora-dev/aur/"+fc {
						t.Errorf("%s (a domain package) imports the face %s", rel, fc)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("checked only %d files: the walk is looking in the wrong place", files)
	}
}
