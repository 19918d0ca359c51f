package chunk

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// The tree-sitter chunker is one generic walker driven by a table per
// language (ts_langs.go). A table says which node kinds are definitions,
// which wrap a definition (export, decorators, templates), which are only
// containers to look through (namespaces, #ifdef, module-level if), which are
// comments, and how a name node spells a name. The walker visits only the
// top level and the bodies of types, so its cost is a few cgo calls per
// top-level statement; parsing dominates.

// tsSpec is the table of one language, written with node kind and field
// names as they appear in the grammar's node-types.json.
type tsSpec struct {
	lang     string
	language func() unsafe.Pointer
	// defs maps definition node kinds to what they become.
	defs map[string]tsDef
	// wrappers are node kinds that wrap definitions: the chunk's range and
	// doc comment are the wrapper's. The value says whether the signature
	// starts at the wrapper too ("export const f = ..." but not Python
	// decorators, whose arguments can run for pages).
	wrappers map[string]bool
	// transparent node kinds are looked through: their named children are
	// walked as if they stood where the node stands (namespaces, mod,
	// #ifdef, a module-level if or try in Python).
	transparent []string
	// comments are the comment node kinds; prefixes are other nodes that
	// belong to the definition after them (Rust attributes, decorators of
	// TypeScript class members). Both count towards the chunk's range;
	// only comments make its doc.
	comments []string
	prefixes []string
	// unwrap maps name node kinds to the field that holds the real name
	// ("" = the first named child): C declarators, generic types.
	unwrap map[string]string
	// qualified maps name node kinds of the form scope::name to their
	// {scope, name} fields; the scope becomes part of the qualified name.
	qualified map[string][2]string
	// heads maps name node kinds whose name is their text before the
	// child at a field: C++ "operator int" of "operator int() const".
	heads map[string]string
}

// tsDef describes one definition node kind.
type tsDef struct {
	// kind is the chunk kind; empty for nodes that are only walked for
	// their members (a Rust impl block).
	kind Kind
	// function definitions become KindMethod inside a type or with a
	// qualified name (C++ Foo::bar).
	function bool
	// name and body are field paths, dot-separated ("value.body").
	name string
	body string
	// members: walk the body for nested definitions, qualified by name.
	members bool
	// needBody skips nodes without a body: prototypes, abstract and
	// interface methods, C "struct foo;".
	needBody bool
	// when/whenKinds: only a definition if the child at field when is of
	// one of these kinds (JS "const f = () => {}" but not "const n = 1").
	when      string
	whenKinds []string
	// typeKinds refines the kind by the kind of the child at field "type"
	// when that child has a body (C "typedef struct {...} T" is a struct).
	typeKinds map[string]Kind
	// tail appends the text after the body to the signature
	// ("typedef struct point point_t").
	tail bool
	// docstring: the doc is the first string statement of the body (Python).
	docstring bool
}

// maxSignature caps a signature; beyond this it is cut with an ellipsis.
const maxSignature = 400

// errorSymbol is the kind id tree-sitter gives ERROR nodes.
const errorSymbol = math.MaxUint16

type tsRole uint8

const (
	roleNone tsRole = iota
	roleDef
	roleWrapper
	roleTransparent
	roleComment
	rolePrefix
)

type nameOp uint8

const (
	nameLeaf nameOp = iota
	nameUnwrap
	nameQualified
	nameHead
)

// tsKind is what the compiled table says about one node kind id.
type tsKind struct {
	role     tsRole
	def      *tsDefC
	sigOuter bool // wrapper: the signature starts at the wrapper
	name     nameOp
	field    uint16 // unwrap: field (0 = first named child); qualified: scope; head: where the name stops
	field2   uint16 // qualified: name field
}

// tsDefC is a tsDef with its names resolved to ids.
type tsDefC struct {
	tsDef
	namePath, bodyPath []uint16
	whenField          uint16
	whenIDs            []uint16
	typeField          uint16
	typeIDs            map[uint16]Kind
}

// tsLang is a compiled tsSpec plus a pool of parsers. It is built on first
// use, so languages that a run never meets cost nothing.
type tsLang struct {
	spec     *tsSpec
	once     sync.Once
	language *sitter.Language
	kinds    []tsKind
	bodyID   uint16 // the "body" field, used by typeKinds
	problems []string
	parsers  chan *sitter.Parser
}

func (l *tsLang) init() {
	l.once.Do(l.compile)
}

func (l *tsLang) compile() {
	s := l.spec
	l.language = sitter.NewLanguage(s.language())
	// An idle-parser list, not a sync.Pool: a pool drops items at any GC
	// and a dropped parser's C memory would leak (the bindings have no
	// finalizers). Parsers beyond the list's capacity are closed.
	l.parsers = make(chan *sitter.Parser, max(runtime.GOMAXPROCS(0), 4))

	// Map every kind id whose name we know, aliases included: several
	// ids can share one name.
	byName := map[string][]uint16{}
	for id := uint32(0); id < l.language.NodeKindCount(); id++ {
		if l.language.NodeKindIsNamed(uint16(id)) {
			n := l.language.NodeKindForId(uint16(id))
			byName[n] = append(byName[n], uint16(id))
		}
	}
	l.kinds = make([]tsKind, l.language.NodeKindCount())
	ids := func(name string) []uint16 {
		v, ok := byName[name]
		if !ok {
			l.problems = append(l.problems, "unknown node kind "+name)
		}
		return v
	}
	field := func(name string) uint16 {
		if name == "" {
			return 0
		}
		id := l.language.FieldIdForName(name)
		if id == 0 {
			l.problems = append(l.problems, "unknown field "+name)
		}
		return id
	}
	path := func(p string) []uint16 {
		if p == "" {
			return nil
		}
		var out []uint16
		for _, f := range strings.Split(p, ".") {
			out = append(out, field(f))
		}
		return out
	}
	setRole := func(name string, r tsRole, fn func(k *tsKind)) {
		for _, id := range ids(name) {
			k := &l.kinds[id]
			if k.role != roleNone && k.role != r {
				l.problems = append(l.problems, "node kind "+name+" has two roles")
			}
			k.role = r
			if fn != nil {
				fn(k)
			}
		}
	}
	l.bodyID = field("body")
	for name, d := range s.defs {
		c := &tsDefC{tsDef: d, namePath: path(d.name), bodyPath: path(d.body), whenField: field(d.when)}
		for _, k := range d.whenKinds {
			c.whenIDs = append(c.whenIDs, ids(k)...)
		}
		if d.typeKinds != nil {
			c.typeField = field("type")
			c.typeIDs = map[uint16]Kind{}
			for k, v := range d.typeKinds {
				for _, id := range ids(k) {
					c.typeIDs[id] = v
				}
			}
		}
		setRole(name, roleDef, func(k *tsKind) { k.def = c })
	}
	for name, outer := range s.wrappers {
		setRole(name, roleWrapper, func(k *tsKind) { k.sigOuter = outer })
	}
	for _, name := range s.transparent {
		setRole(name, roleTransparent, nil)
	}
	for _, name := range s.comments {
		setRole(name, roleComment, nil)
	}
	for _, name := range s.prefixes {
		setRole(name, rolePrefix, nil)
	}
	for name, f := range s.unwrap {
		fid := field(f)
		for _, id := range ids(name) {
			l.kinds[id].name, l.kinds[id].field = nameUnwrap, fid
		}
	}
	for name, f := range s.heads {
		fid := field(f)
		for _, id := range ids(name) {
			l.kinds[id].name, l.kinds[id].field = nameHead, fid
		}
	}
	for name, f := range s.qualified {
		scope, nm := field(f[0]), field(f[1])
		for _, id := range ids(name) {
			l.kinds[id].name, l.kinds[id].field, l.kinds[id].field2 = nameQualified, scope, nm
		}
	}
}

// kind returns the table entry of a node kind id. ERROR nodes are looked
// through, so definitions that survive inside them are still found.
func (l *tsLang) kind(id uint16) tsKind {
	if id == errorSymbol {
		return tsKind{role: roleTransparent}
	}
	if int(id) < len(l.kinds) {
		return l.kinds[id]
	}
	return tsKind{}
}

// getParser returns an idle parser or a new one. It fails only when the
// grammar's ABI does not match the library's, which TestTSTables catches.
func (l *tsLang) getParser() (*sitter.Parser, error) {
	select {
	case p := <-l.parsers:
		return p, nil
	default:
	}
	p := sitter.NewParser()
	if err := p.SetLanguage(l.language); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (l *tsLang) putParser(p *sitter.Parser) {
	select {
	case l.parsers <- p:
	default:
		p.Close()
	}
}

// tsChunker chunks one language with tree-sitter.
type tsChunker struct{ l *tsLang }

func newTSChunker(s *tsSpec) tsChunker { return tsChunker{&tsLang{spec: s}} }

// Chunk parses src and returns its definitions plus windows over the code
// between them. A tree with errors still yields every definition the parser
// recovered, together with a *SyntaxError naming the first bad line.
func (c tsChunker) Chunk(_ string, src []byte, opts Options) ([]Chunk, error) {
	l := c.l
	l.init()
	li := newLineIndex(src)
	p, err := l.getParser()
	if err != nil {
		return windows(src, li, 1, li.lines(), opts), fmt.Errorf("tree-sitter %s: %w", l.spec.lang, err)
	}
	tree := p.Parse(src, nil)
	l.putParser(p)
	if tree == nil {
		// Parse returns nil only when cancelled or timed out, and we set
		// neither; keep the file searchable anyway.
		return windows(src, li, 1, li.lines(), opts), &SyntaxError{Msg: "tree-sitter returned no tree"}
	}
	defer tree.Close()
	root := tree.RootNode()
	cur := root.Walk()
	defer cur.Close()

	w := tsWalker{l: l, src: src, li: li, cur: cur}
	w.walkLevel(*root)
	chunks := fillGaps(src, li, w.defs, opts)
	markTests(chunks, w.tests)
	if root.HasError() {
		return chunks, firstError(*root, cur, src)
	}
	return chunks, nil
}

// firstError locates the first syntax error: it follows the first child
// that has an error down the tree and reports the innermost ERROR node on
// that path, or a MISSING node. The innermost ERROR matters because
// tree-sitter's recovery can wrap everything from line 1 up to a bad line
// in one ERROR node whose first children are all valid.
func firstError(root sitter.Node, cur *sitter.TreeCursor, src []byte) *SyntaxError {
	n := root
	var bad *sitter.Node
	for {
		var next *sitter.Node
		cur.Reset(n)
		if cur.GotoFirstChild() {
			for {
				c := cur.Node()
				if c.IsMissing() {
					return &SyntaxError{Line: startLine(c), Msg: fmt.Sprintf("missing %q", c.Kind())}
				}
				if c.HasError() {
					next = c
					break
				}
				if !cur.GotoNextSibling() {
					break
				}
			}
		}
		if next == nil {
			break
		}
		if next.IsError() {
			bad = next
		}
		n = *next
	}
	if bad == nil {
		return &SyntaxError{Line: startLine(&n), Msg: "invalid syntax"}
	}
	return &SyntaxError{Line: startLine(bad), Msg: "unexpected " + quoteSnippet(src[bad.StartByte():bad.EndByte()])}
}

// quoteSnippet quotes the first line of b, cut to a readable length.
func quoteSnippet(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if len(s) > 40 {
		s = truncateUTF8(s, 40) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// startLine and endLine are the 1-based first and last lines of a node. A
// node that ends at column 0 (a comment or #include that owns its newline)
// ends on the line before.
func startLine(n *sitter.Node) int { return int(n.StartPosition().Row) + 1 }

func endLine(n *sitter.Node) int {
	s, e := n.StartPosition(), n.EndPosition()
	if e.Column == 0 && e.Row > s.Row {
		return int(e.Row)
	}
	return int(e.Row) + 1
}
