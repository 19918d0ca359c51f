package chunk

import (
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Kind is what a chunk is. The values are part of the JSON API and of the
// --type filter, so they are never renamed.
type Kind string

// Chunk kinds.
const (
	KindFunction  Kind = "function"
	KindMethod    Kind = "method"
	KindClass     Kind = "class"
	KindStruct    Kind = "struct"
	KindInterface Kind = "interface"
	KindEnum      Kind = "enum"
	KindType      Kind = "type"     // other type declarations: aliases, typedefs, traits, modules
	KindConstant  Kind = "constant" // a documented constant declaration (Go)
	KindVariable  Kind = "variable" // a documented package-level variable (Go)
	KindSection   Kind = "section"  // a Markdown section
	KindWindow    Kind = "window"   // a line window of other text or of top-level code
)

// Chunk is one retrieval unit of a file.
type Chunk struct {
	Kind Kind `json:"kind"`
	// Name is the short name ("Serve"); QualifiedName adds the receiver or
	// enclosing type ("Server.Serve", "Class.method"). Windows have neither
	// a name nor a qualified name of their own; Markdown sections use the
	// heading text.
	Name          string `json:"name"`
	QualifiedName string `json:"qualified_name"`
	// Signature is the declaration line(s) without the body, e.g.
	// "func (s *Server) Serve(l net.Listener) error".
	Signature string `json:"signature,omitempty"`
	// Doc is the doc comment or docstring, without comment markers.
	Doc string `json:"doc,omitempty"`
	// StartLine and EndLine are 1-based and inclusive; the range includes
	// the doc comment when the language puts it before the definition.
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Content   string `json:"-"`
	// Test is set for test code inside a file that is not all tests (a
	// Rust #[cfg(test)] module); whole test files are recognised by path
	// (IsTestPath).
	Test bool `json:"test,omitempty"`
}

// Options control window sizes. Sizes are in bytes of text.
type Options struct {
	ChunkSize int // target window size; default 2000
	Overlap   int // text repeated between consecutive windows; default 200
}

// DefaultOptions are the defaults of aur mem index --chunk-size/--overlap.
var DefaultOptions = Options{ChunkSize: 2000, Overlap: 200}

func (o Options) normalized() Options {
	if o.ChunkSize <= 0 {
		o.ChunkSize = DefaultOptions.ChunkSize
	}
	if o.Overlap < 0 || o.Overlap >= o.ChunkSize {
		o.Overlap = 0
	}
	return o
}

// A Chunker splits one file of its language into chunks. Implementations
// must be safe for concurrent use: the indexer calls Chunk from several
// goroutines at once.
type Chunker interface {
	// Chunk returns the chunks of src, ordered by StartLine. A syntax
	// error is reported as a *SyntaxError together with the chunks that
	// could still be recovered (plus windows over the rest), so that a
	// broken file is still searchable.
	Chunk(path string, src []byte, opts Options) ([]Chunk, error)
}

// SyntaxError reports that a file did not parse cleanly. The chunks
// returned with it are still usable.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return "syntax error at line " + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return "syntax error: " + e.Msg
}

// Language names, as stored in the database and accepted by --lang.
const (
	LangGo         = "go"
	LangPython     = "python"
	LangJavaScript = "javascript"
	LangTypeScript = "typescript"
	LangTSX        = "tsx"
	LangJava       = "java"
	LangRust       = "rust"
	LangC          = "c"
	LangCPP        = "cpp"
	LangRuby       = "ruby"
	LangMarkdown   = "markdown"
	LangText       = "text"
)

var extLang = map[string]string{
	".go":       LangGo,
	".py":       LangPython,
	".pyi":      LangPython,
	".js":       LangJavaScript,
	".mjs":      LangJavaScript,
	".cjs":      LangJavaScript,
	".jsx":      LangJavaScript,
	".ts":       LangTypeScript,
	".mts":      LangTypeScript,
	".cts":      LangTypeScript,
	".tsx":      LangTSX,
	".java":     LangJava,
	".rs":       LangRust,
	".c":        LangC,
	".h":        LangC,
	".cc":       LangCPP,
	".cpp":      LangCPP,
	".cxx":      LangCPP,
	".hh":       LangCPP,
	".hpp":      LangCPP,
	".hxx":      LangCPP,
	".rb":       LangRuby,
	".md":       LangMarkdown,
	".markdown": LangMarkdown,
}

// LanguageOf returns the language of a file by its name; "text" for
// anything without a dedicated chunker.
func LanguageOf(path string) string {
	if l, ok := extLang[strings.ToLower(filepath.Ext(path))]; ok {
		return l
	}
	return LangText
}

var chunkers = map[string]Chunker{}

// register adds a chunker for a language; called from init functions of
// the files implementing each language family.
func register(lang string, c Chunker) { chunkers[lang] = c }

// For returns the chunker of a language. Languages without one, and
// "text", get the window chunker.
func For(lang string) Chunker {
	if c, ok := chunkers[lang]; ok {
		return c
	}
	return windowChunker{}
}

// File chunks src as the language of path says.
func File(path string, src []byte, opts Options) (lang string, chunks []Chunk, err error) {
	lang = LanguageOf(path)
	chunks, err = For(lang).Chunk(path, src, opts.normalized())
	return lang, chunks, err
}

// sortChunks orders chunks by start line, longer (enclosing) chunks first.
func sortChunks(cs []Chunk) {
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].StartLine != cs[j].StartLine {
			return cs[i].StartLine < cs[j].StartLine
		}
		return cs[i].EndLine > cs[j].EndLine
	})
}
