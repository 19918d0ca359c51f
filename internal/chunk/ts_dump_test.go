package chunk

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sitter "github.com/tree-sitter/go-tree-sitter"
	tsc "github.com/tree-sitter/tree-sitter-c/bindings/go"
	tscpp "github.com/tree-sitter/tree-sitter-cpp/bindings/go"
	tsjava "github.com/tree-sitter/tree-sitter-java/bindings/go"
	tsjs "github.com/tree-sitter/tree-sitter-javascript/bindings/go"
	tspy "github.com/tree-sitter/tree-sitter-python/bindings/go"
	tsrb "github.com/tree-sitter/tree-sitter-ruby/bindings/go"
	tsrs "github.com/tree-sitter/tree-sitter-rust/bindings/go"
	tsts "github.com/tree-sitter/tree-sitter-typescript/bindings/go"
)

func TestDump(t *testing.T) {
	f := os.Getenv("TSDUMP")
	if f == "" {
		t.Skip()
	}
	depth := 3
	if d := os.Getenv("TSDEPTH"); d != "" {
		fmt.Sscan(d, &depth)
	}
	src, _ := os.ReadFile(f)
	var l *sitter.Language
	switch filepath.Ext(f) {
	case ".py":
		l = sitter.NewLanguage(tspy.Language())
	case ".js":
		l = sitter.NewLanguage(tsjs.Language())
	case ".ts":
		l = sitter.NewLanguage(tsts.LanguageTypescript())
	case ".tsx":
		l = sitter.NewLanguage(tsts.LanguageTSX())
	case ".java":
		l = sitter.NewLanguage(tsjava.Language())
	case ".rs":
		l = sitter.NewLanguage(tsrs.Language())
	case ".c", ".h":
		l = sitter.NewLanguage(tsc.Language())
	case ".cpp":
		l = sitter.NewLanguage(tscpp.Language())
	case ".rb":
		l = sitter.NewLanguage(tsrb.Language())
	}
	p := sitter.NewParser()
	p.SetLanguage(l)
	tree := p.Parse(src, nil)
	c := tree.Walk()
	var rec func(d int)
	rec = func(d int) {
		n := c.Node()
		if n.IsNamed() || n.IsMissing() {
			txt := ""
			if n.ChildCount() == 0 || d == depth {
				txt = strings.ReplaceAll(n.Utf8Text(src), "\n", "⏎")
				if len(txt) > 40 {
					txt = txt[:40] + "…"
				}
			}
			fld := c.FieldName()
			if fld != "" {
				fld += ": "
			}
			fmt.Printf("%s%s%s [%d-%d] %s\n", strings.Repeat("  ", d), fld, n.Kind(), n.StartPosition().Row+1, n.EndPosition().Row+1, txt)
		}
		if d < depth && c.GotoFirstChild() {
			for {
				rec(d + 1)
				if !c.GotoNextSibling() {
					break
				}
			}
			c.GotoParent()
		}
	}
	rec(0)
}
