package chunk

import (
	"strings"
	"unicode/utf8"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// tsWalker collects the definitions of one parsed file.
type tsWalker struct {
	l     *tsLang
	src   []byte
	li    lineIndex
	cur   *sitter.TreeCursor
	defs  []Chunk
	scope []string      // names of the enclosing types
	stack []sitter.Node // children of the levels being walked
	// frames locate each level being walked within the one around it,
	// so a doc comment can be found before the level's first definition
	// (Python and Ruby put a comment before a class's first method
	// beside the body, not in it).
	frames []tsFrame
	lead   []*sitter.Node // scratch for leading
	// tests are the line ranges of test modules (Rust #[cfg(test)] mod):
	// every chunk inside one is test code.
	tests [][2]int
}

// tsFrame is the node list a level hangs from and the level's index in it.
type tsFrame struct {
	nodes []sitter.Node
	i     int
}

// children appends the named children of n to the walker's stack and
// returns them. The slice stays valid while deeper levels push more.
func (w *tsWalker) children(n sitter.Node) []sitter.Node {
	base := len(w.stack)
	w.cur.Reset(n)
	if w.cur.GotoFirstChild() {
		for {
			if c := w.cur.Node(); c.IsNamed() {
				w.stack = append(w.stack, *c)
			}
			if !w.cur.GotoNextSibling() {
				break
			}
		}
	}
	return w.stack[base:len(w.stack):len(w.stack)]
}

// walkLevel visits the named children of n: the top level of a file, the
// body of a type, or a transparent node.
func (w *tsWalker) walkLevel(n sitter.Node) {
	base := len(w.stack)
	level := w.children(n)
	for i := range level {
		c := level[i]
		switch k := w.l.kind(c.KindId()); k.role {
		case roleDef:
			w.def(level, i, c, c, true)
		case roleWrapper:
			w.unwrap(level, i, c, c, k.sigOuter)
		case roleTransparent:
			if i > 0 && w.isTestModule(level[i-1], c) {
				w.tests = append(w.tests, [2]int{int(level[i-1].StartPosition().Row) + 1, int(c.EndPosition().Row) + 1})
			}
			w.walkInner(level, i)
		}
	}
	w.stack = w.stack[:base]
}

// isTestModule reports whether n is a Rust module marked #[cfg(test)] by
// the attribute prev right before it.
func (w *tsWalker) isTestModule(prev, n sitter.Node) bool {
	if w.l.spec.lang != LangRust || n.Kind() != "mod_item" || prev.Kind() != "attribute_item" {
		return false
	}
	a := strings.Join(strings.Fields(string(w.src[prev.StartByte():prev.EndByte()])), "")
	return strings.Contains(a, "cfg(test)")
}

// markTests flags the chunks that lie inside a test module.
func markTests(chunks []Chunk, tests [][2]int) {
	for i := range chunks {
		for _, r := range tests {
			if chunks[i].StartLine >= r[0] && chunks[i].EndLine <= r[1] {
				chunks[i].Test = true
			}
		}
	}
}

// walkInner walks nodes[i] as a level of its own.
func (w *tsWalker) walkInner(nodes []sitter.Node, i int) {
	w.frames = append(w.frames, tsFrame{nodes, i})
	w.walkLevel(nodes[i])
	w.frames = w.frames[:len(w.frames)-1]
}

// unwrap finds the definitions inside wrapper n, whose outermost wrapper
// outer is level[i].
func (w *tsWalker) unwrap(level []sitter.Node, i int, outer, n sitter.Node, sigOuter bool) {
	base := len(w.stack)
	kids := w.children(n)
	for j, c := range kids {
		switch k := w.l.kind(c.KindId()); k.role {
		case roleDef:
			w.def(level, i, outer, c, sigOuter)
		case roleWrapper:
			w.unwrap(level, i, outer, c, sigOuter && k.sigOuter)
		case roleTransparent:
			w.walkInner(kids, j)
		}
	}
	w.stack = w.stack[:base]
}

// def emits the definition n, found at level[i] (or inside the wrapper
// level[i] = outer), and walks its members.
func (w *tsWalker) def(level []sitter.Node, i int, outer, n sitter.Node, sigOuter bool) {
	d := w.l.kind(n.KindId()).def
	if d.whenField != 0 {
		v := n.ChildByFieldId(d.whenField)
		if v == nil || !hasKind(d.whenIDs, v.KindId()) {
			return
		}
	}
	body := fieldPath(n, d.bodyPath)
	if body == nil && d.needBody {
		return
	}
	var parts []string
	if nn := fieldPath(n, d.namePath); nn != nil {
		parts = w.nameParts(*nn, parts)
	}
	if len(parts) == 0 || parts[len(parts)-1] == "" {
		return
	}
	depth := len(w.scope)
	w.scope = append(w.scope, parts...)
	defer func() { w.scope = w.scope[:depth] }()

	self := -1 // index of this definition's chunk in w.defs
	if d.kind != "" {
		self = len(w.defs)
		kind := d.kind
		if d.function && len(w.scope) > 1 {
			kind = KindMethod
		}
		if d.typeIDs != nil {
			if t := n.ChildByFieldId(d.typeField); t != nil && t.ChildByFieldId(w.l.bodyID) != nil {
				if k, ok := d.typeIDs[t.KindId()]; ok {
					kind = k
				}
			}
		}
		sigStart := w.skipPrefixes(n)
		if sigOuter {
			sigStart = w.skipPrefixes(outer)
		}
		start, doc := w.leading(level, i)
		if d.docstring && body != nil {
			if s := w.docstring(*body); s != "" {
				doc = s
			}
		}
		end := endLine(&outer)
		w.defs = append(w.defs, Chunk{
			Kind:          kind,
			Name:          parts[len(parts)-1],
			QualifiedName: strings.Join(w.scope, "."),
			Signature:     w.signature(n, body, sigStart, d.tail),
			Doc:           doc,
			StartLine:     start,
			EndLine:       end,
			Content:       w.li.text(w.src, start, end),
		})
	}
	if d.members && body != nil {
		base := len(w.stack)
		kids := w.children(n)
		for j := range kids {
			if kids[j].Equals(*body) {
				w.walkInner(kids, j)
				break
			}
		}
		w.stack = w.stack[:base]
		if self >= 0 && len(w.defs) > self+1 {
			w.headerOnly(self, w.defs[self+1].StartLine)
		}
	}
}

// headerOnly cuts the chunk at i (a class, struct, trait...) down to the
// lines before its first member, which have chunks of their own: its
// header, docstring and leading fields. Storing the whole class as well
// would store and index every method twice (on the Python standard
// library, a third of all chunk text). Lines between and after the members
// (fields, closing braces) are covered by gap windows when they hold text.
func (w *tsWalker) headerOnly(i, firstMember int) {
	c := &w.defs[i]
	end := firstMember - 1
	for end > c.StartLine && len(strings.TrimSpace(w.li.text(w.src, end, end))) == 0 {
		end--
	}
	if end < c.StartLine || end >= c.EndLine {
		return
	}
	c.EndLine = end
	c.Content = w.li.text(w.src, c.StartLine, end)
}

func hasKind(ids []uint16, id uint16) bool {
	for _, k := range ids {
		if k == id {
			return true
		}
	}
	return false
}

// fieldPath follows a path of fields from n; nil if any step is missing.
func fieldPath(n sitter.Node, path []uint16) *sitter.Node {
	if len(path) == 0 {
		return nil
	}
	p := &n
	for _, f := range path {
		if p = p.ChildByFieldId(f); p == nil {
			return nil
		}
	}
	return p
}

// nameParts appends the parts of the name spelt by n: "Foo::bar" gives
// Foo and bar, a C declarator "*(*f)(int)" gives f, "Vec<T>" gives Vec.
func (w *tsWalker) nameParts(n sitter.Node, parts []string) []string {
	k := w.l.kind(n.KindId())
	switch k.name {
	case nameUnwrap:
		var c *sitter.Node
		if k.field != 0 {
			c = n.ChildByFieldId(k.field)
		} else {
			c = n.NamedChild(0)
		}
		if c == nil {
			return parts
		}
		return w.nameParts(*c, parts)
	case nameQualified:
		if s := n.ChildByFieldId(k.field); s != nil {
			parts = w.nameParts(*s, parts)
		}
		if c := n.ChildByFieldId(k.field2); c != nil {
			return w.nameParts(*c, parts)
		}
		return parts
	case nameHead:
		if c := n.ChildByFieldId(k.field); c != nil {
			return append(parts, collapseSpace(w.src[n.StartByte():c.StartByte()]))
		}
	}
	return append(parts, collapseSpace(w.src[n.StartByte():n.EndByte()]))
}

// leading returns the first line of the definition at level[i] including
// the comments and prefixes (attributes) right before it, and the doc text
// of those comments. A comment belongs to the definition when nothing but
// comments and prefixes stand between them, no blank line separates them,
// and the comment starts its line (it does not trail code). At the start
// of a level the search goes on in the enclosing one.
func (w *tsWalker) leading(level []sitter.Node, i int) (start int, doc string) {
	next := &level[i]
	start = startLine(next)
	w.lead = w.lead[:0]
	nodes, j, f := level, i-1, len(w.frames)
	for {
		if j < 0 {
			if f == 0 {
				break
			}
			f--
			nodes, j = w.frames[f].nodes, w.frames[f].i-1
			continue
		}
		c := &nodes[j]
		role := w.l.kind(c.KindId()).role
		if role != roleComment && role != rolePrefix {
			break
		}
		if endLine(c) < startLine(next)-1 || !w.startsLine(c.StartByte()) {
			break
		}
		if role == roleComment {
			w.lead = append(w.lead, c)
		}
		next, start = c, startLine(c)
		j--
	}
	var b strings.Builder
	for k := len(w.lead) - 1; k >= 0; k-- {
		c := w.lead[k]
		if t := stripComment(w.src[c.StartByte():c.EndByte()]); t != "" {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(t)
		}
	}
	return start, b.String()
}

// startsLine reports whether only blanks precede offset off on its line.
func (w *tsWalker) startsLine(off uint) bool {
	for k := int(off) - 1; k >= 0; k-- {
		switch w.src[k] {
		case '\n':
			return true
		case ' ', '\t', '\r', '\f', '\v':
		default:
			return false
		}
	}
	return true
}

// signature is the definition's text from sigStart up to its body (plus,
// with tail, what follows the body), whitespace collapsed. Without a body
// it ends at the last field child, which drops a trailing "; end".
func (w *tsWalker) signature(n sitter.Node, body *sitter.Node, sigStart uint, tail bool) string {
	var s string
	if body != nil {
		s = collapseSpace(w.src[sigStart:w.headEnd(n, body.StartByte())])
		if tail {
			t := strings.TrimSuffix(collapseSpace(w.src[body.EndByte():n.EndByte()]), ";")
			if t != "" {
				s += " " + t
			}
		}
	} else {
		end := n.EndByte()
		w.cur.Reset(n)
		if w.cur.GotoFirstChild() {
			for {
				if w.cur.FieldId() != 0 {
					end = w.cur.Node().EndByte()
				}
				if !w.cur.GotoNextSibling() {
					break
				}
			}
		}
		s = collapseSpace(w.src[sigStart:end])
	}
	s = strings.TrimSpace(strings.TrimRight(s, "{:; \t"))
	if len(s) > maxSignature {
		s = truncateUTF8(s, maxSignature) + "…"
	}
	return s
}

// skipPrefixes returns where n starts after its leading prefix children
// (JavaScript decorators), which stay in the range but not the signature.
func (w *tsWalker) skipPrefixes(n sitter.Node) uint {
	w.cur.Reset(n)
	if !w.cur.GotoFirstChild() {
		return n.StartByte()
	}
	for {
		c := w.cur.Node()
		if role := w.l.kind(c.KindId()).role; role != rolePrefix && role != roleComment {
			return c.StartByte()
		}
		if !w.cur.GotoNextSibling() {
			return n.StartByte()
		}
	}
}

// headEnd returns where the header of n ends given that its body starts
// at bodyStart: before any comments right in front of the body, as in
// "def f(x):  # note", and before a syntax error.
func (w *tsWalker) headEnd(n sitter.Node, bodyStart uint) uint {
	end := bodyStart
	w.cur.Reset(n)
	if !w.cur.GotoFirstChild() {
		return end
	}
	comment := false
	for {
		c := w.cur.Node()
		if c.StartByte() >= bodyStart {
			break
		}
		if c.KindId() == errorSymbol {
			if !comment {
				end = c.StartByte()
			}
			break
		}
		if w.l.kind(c.KindId()).role == roleComment {
			if !comment {
				end, comment = c.StartByte(), true
			}
		} else {
			end, comment = bodyStart, false
		}
		if !w.cur.GotoNextSibling() {
			break
		}
	}
	return end
}

// docstring returns the cleaned text of a Python docstring: the first
// statement of body when it is a lone string.
func (w *tsWalker) docstring(body sitter.Node) string {
	var first *sitter.Node
	for i := uint(0); i < body.NamedChildCount(); i++ {
		c := body.NamedChild(i)
		if w.l.kind(c.KindId()).role != roleComment {
			first = c
			break
		}
	}
	if first == nil || first.Kind() != "expression_statement" || first.NamedChildCount() != 1 {
		return ""
	}
	s := first.NamedChild(0)
	if k := s.Kind(); k != "string" && k != "concatenated_string" {
		return ""
	}
	return cleanDocstring(w.src[s.StartByte():s.EndByte()])
}

// cleanDocstring strips the prefix and quotes of a Python string literal
// and removes the indentation of its continuation lines, like
// inspect.cleandoc.
func cleanDocstring(b []byte) string {
	s := strings.TrimLeft(string(b), "rRuUbBfF")
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if strings.HasPrefix(s, q) && strings.HasSuffix(s, q) && len(s) >= 2*len(q) {
			s = s[len(q) : len(s)-len(q)]
			break
		}
	}
	lines := strings.Split(s, "\n")
	indent := -1
	for _, l := range lines[1:] {
		if t := strings.TrimLeft(l, " \t"); t != "" {
			if d := len(l) - len(t); indent < 0 || d < indent {
				indent = d
			}
		}
	}
	lines[0] = strings.TrimSpace(lines[0])
	for i := 1; i < len(lines); i++ {
		if len(lines[i]) >= indent && indent > 0 {
			lines[i] = lines[i][indent:]
		}
		lines[i] = strings.TrimRight(lines[i], " \t\r")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n ")
}

// stripComment removes comment markers: //, ///, //!, #, /* */ with the
// leading * of each line, and Ruby's =begin/=end.
func stripComment(b []byte) string {
	s := strings.TrimSpace(string(b))
	var lines []string
	switch {
	case strings.HasPrefix(s, "/*"):
		lines = strings.Split(strings.TrimSuffix(strings.TrimLeft(s[2:], "*!"), "*/"), "\n")
		for i, l := range lines {
			l = strings.TrimSpace(l)
			if strings.HasPrefix(l, "*") {
				l = strings.TrimPrefix(l[1:], " ")
			}
			lines[i] = l
		}
	case strings.HasPrefix(s, "=begin"):
		lines = strings.Split(s, "\n")[1:]
		if n := len(lines); n > 0 && strings.HasPrefix(lines[n-1], "=end") {
			lines = lines[:n-1]
		}
	default:
		lines = strings.Split(s, "\n")
		for i, l := range lines {
			l = strings.TrimSpace(l)
			for _, p := range []string{"///", "//!", "//", "#"} {
				if strings.HasPrefix(l, p) {
					l = strings.TrimPrefix(l[len(p):], " ")
					break
				}
			}
			lines[i] = strings.TrimRight(l, " \t\r")
		}
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n ")
}

// collapseSpace turns every run of white space into one space.
func collapseSpace(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	space := false
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			space = true
			continue
		}
		if space && sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		space = false
		sb.WriteByte(c)
	}
	return sb.String()
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
