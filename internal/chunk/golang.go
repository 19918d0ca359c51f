package chunk

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

func init() { register(LangGo, goChunker{}) }

// goChunker chunks Go with the standard library's go/parser: exact, and
// about seven times faster than the tree-sitter Go grammar on GOROOT/src.
type goChunker struct{}

func (goChunker) Chunk(path string, src []byte, opts Options) ([]Chunk, error) {
	fset := token.NewFileSet()
	f, perr := parser.ParseFile(fset, path, src, parser.ParseComments|parser.SkipObjectResolution)
	li := newLineIndex(src)
	var defs []Chunk
	if f != nil {
		tf := fset.File(f.Pos())
		line := func(p token.Pos) int { return tf.Line(p) }
		off := func(p token.Pos) int { return tf.Offset(p) }
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				defs = append(defs, goFunc(src, li, d, line, off))
			case *ast.GenDecl:
				switch d.Tok {
				case token.TYPE:
					defs = append(defs, goTypes(src, li, d, line, off)...)
				case token.CONST, token.VAR:
					if c, ok := goValues(src, li, d, line); ok {
						defs = append(defs, c)
					}
				}
			}
		}
	}
	chunks := fillGaps(src, li, defs, opts)
	if perr != nil {
		se := &SyntaxError{Msg: perr.Error()}
		if el, ok := perr.(scanner.ErrorList); ok && len(el) > 0 {
			se.Line, se.Msg = el[0].Pos.Line, el[0].Msg
		}
		return chunks, se
	}
	return chunks, nil
}

func goFunc(src []byte, li lineIndex, d *ast.FuncDecl, line func(token.Pos) int, off func(token.Pos) int) Chunk {
	c := Chunk{Kind: KindFunction, Name: d.Name.Name, QualifiedName: d.Name.Name}
	if d.Recv != nil && len(d.Recv.List) > 0 {
		c.Kind = KindMethod
		if r := recvName(d.Recv.List[0].Type); r != "" {
			c.QualifiedName = r + "." + d.Name.Name
		}
	}
	sigEnd := d.End()
	if d.Body != nil {
		sigEnd = d.Body.Lbrace
	}
	c.Signature = collapse(string(src[off(d.Type.Pos()):off(sigEnd)]))
	c.StartLine = line(d.Pos())
	if d.Doc != nil {
		c.Doc = d.Doc.Text()
		c.StartLine = line(d.Doc.Pos())
	}
	c.EndLine = line(d.End())
	c.Content = li.text(src, c.StartLine, c.EndLine)
	return c
}

// goTypes returns one chunk per type spec. An ungrouped declaration
// ("type T struct{...}") spans the whole declaration; in a grouped one
// ("type ( A int; B string )") each spec spans its own lines.
func goTypes(src []byte, li lineIndex, d *ast.GenDecl, line func(token.Pos) int, off func(token.Pos) int) []Chunk {
	var out []Chunk
	for _, s := range d.Specs {
		ts, ok := s.(*ast.TypeSpec)
		if !ok {
			continue
		}
		c := Chunk{Kind: KindType, Name: ts.Name.Name, QualifiedName: ts.Name.Name}
		switch ts.Type.(type) {
		case *ast.StructType:
			c.Kind = KindStruct
		case *ast.InterfaceType:
			c.Kind = KindInterface
		}
		doc := ts.Doc
		start, end := ts.Pos(), ts.End()
		if !d.Lparen.IsValid() {
			start, end = d.Pos(), d.End()
			if doc == nil {
				doc = d.Doc
			}
		}
		c.StartLine, c.EndLine = line(start), line(end)
		if doc != nil {
			c.Doc = doc.Text()
			c.StartLine = line(doc.Pos())
		}
		// The signature is the header: "type Name[T any] struct" without
		// the field list, which is in the content.
		sig := "type " + string(src[off(ts.Name.Pos()):off(ts.Type.Pos())])
		switch t := ts.Type.(type) {
		case *ast.StructType:
			sig += "struct"
		case *ast.InterfaceType:
			sig += "interface"
		default:
			sig += string(src[off(t.Pos()):off(t.End())])
		}
		c.Signature = collapse(sig)
		c.Content = li.text(src, c.StartLine, c.EndLine)
		out = append(out, c)
	}
	return out
}

// goValues makes a chunk of a documented const or var declaration (a
// single one or a group), named after its first name: package-level
// values with a doc comment are part of an API ("the default timeout",
// "the header that carries the request id"). Undocumented ones stay in
// the windows between definitions.
func goValues(src []byte, li lineIndex, d *ast.GenDecl, line func(token.Pos) int) (Chunk, bool) {
	doc := d.Doc
	var first *ast.ValueSpec
	for _, s := range d.Specs {
		if vs, ok := s.(*ast.ValueSpec); ok {
			if first == nil {
				first = vs
			}
			if doc == nil && !d.Lparen.IsValid() {
				doc = vs.Doc
			}
		}
	}
	if first == nil || len(first.Names) == 0 || doc == nil {
		return Chunk{}, false
	}
	kind := KindConstant
	if d.Tok == token.VAR {
		kind = KindVariable
	}
	name := first.Names[0].Name
	c := Chunk{Kind: kind, Name: name, QualifiedName: name, Doc: doc.Text(),
		StartLine: line(doc.Pos()), EndLine: line(d.End())}
	c.Signature = collapse(li.text(src, line(d.Pos()), line(d.Pos())))
	c.Content = li.text(src, c.StartLine, c.EndLine)
	return c, true
}

// recvName returns the receiver's type name without pointer or type
// parameters: "*Map[K, V]" -> "Map".
func recvName(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// collapse folds runs of white space into one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
