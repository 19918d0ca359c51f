package chunk

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTSTables checks that every node kind and field named in the tables
// exists in its grammar, so a typo cannot silently disable a definition.
func TestTSTables(t *testing.T) {
	for _, s := range tsSpecs {
		c, ok := For(s.lang).(tsChunker)
		if !ok {
			t.Errorf("%s: not registered as a tree-sitter chunker", s.lang)
			continue
		}
		c.l.init()
		for _, p := range c.l.problems {
			t.Errorf("%s: %s", s.lang, p)
		}
		p, err := c.l.getParser()
		if err != nil {
			t.Errorf("%s: %v", s.lang, err)
			continue
		}
		c.l.putParser(p)
	}
}

// TestTSCAllocator checks that tree-sitter's allocations no longer go
// through Go callbacks (about a fifth of the parse time).
func TestTSCAllocator(t *testing.T) {
	if runtime.GOOS == "linux" && !tsCAllocator {
		t.Error("ts_set_allocator not found: tree-sitter still allocates through Go callbacks")
	}
}

// tsFixtures returns the golden fixtures of the tree-sitter languages.
func tsFixtures(t testing.TB) []string {
	files, err := filepath.Glob("testdata/golden/*")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, ".golden") {
			continue
		}
		if _, ok := For(LanguageOf(f)).(tsChunker); ok {
			out = append(out, f)
		}
	}
	if len(out) < 9 {
		t.Fatalf("found %d tree-sitter fixtures, want at least 9", len(out))
	}
	return out
}

// TestTSConcurrent chunks every fixture from 8 goroutines at once and
// checks each result equals a sequential run. Run it with -race.
func TestTSConcurrent(t *testing.T) {
	files := tsFixtures(t)
	type result struct {
		chunks []Chunk
		err    string
	}
	chunkFile := func(f string, src []byte) result {
		_, cs, err := File(f, src, DefaultOptions)
		r := result{chunks: cs}
		if err != nil {
			r.err = err.Error()
		}
		return r
	}
	srcs := map[string][]byte{}
	want := map[string]result{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs[f] = src
		want[f] = chunkFile(f, src)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(files)*5)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 5; round++ {
				for i := range files {
					f := files[(i+g)%len(files)]
					got := chunkFile(f, srcs[f])
					if d := cmp.Diff(want[f], got, cmp.AllowUnexported(result{})); d != "" {
						errs <- f + ": " + d
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// chunkOf chunks src as a file named name and returns the chunk whose
// qualified name is qn.
func chunkOf(t *testing.T, name, src, qn string) Chunk {
	t.Helper()
	_, cs, err := File(name, []byte(src), DefaultOptions)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var names []string
	for _, c := range cs {
		if c.QualifiedName == qn {
			return c
		}
		names = append(names, string(c.Kind)+" "+c.QualifiedName)
	}
	t.Fatalf("%s: no chunk %q; have %q", name, qn, names)
	return Chunk{}
}

// TestTSFacts pins the behaviour each language's table exists for, so it
// does not rest on golden files alone.
func TestTSFacts(t *testing.T) {
	tests := []struct {
		name, file, src, qn string
		want                Chunk // Content is not compared
	}{
		{
			name: "python method docstring and decorator",
			file: "a.py",
			src: "class Parser:\n    @staticmethod\n    def parse(data: bytes) -> 'Node':\n" +
				"        \"\"\"Parse data.\n\n        More.\n        \"\"\"\n        return None\n",
			qn: "Parser.parse",
			want: Chunk{Kind: KindMethod, Name: "parse", QualifiedName: "Parser.parse",
				Signature: "def parse(data: bytes) -> 'Node'", Doc: "Parse data.\n\nMore.",
				StartLine: 2, EndLine: 8},
		},
		{
			name: "python conditional top-level def",
			file: "a.py",
			src:  "import sys\nif sys.platform == 'win32':\n    def sep():\n        return '\\\\'\nelse:\n    def sep():\n        return '/'\n",
			qn:   "sep",
			want: Chunk{Kind: KindFunction, Name: "sep", QualifiedName: "sep", Signature: "def sep()",
				StartLine: 3, EndLine: 4},
		},
		{
			name: "javascript exported arrow function",
			file: "a.mjs",
			src:  "// add adds.\nexport const add = (a, b) => a + b;\n",
			qn:   "add",
			want: Chunk{Kind: KindFunction, Name: "add", QualifiedName: "add",
				Signature: "export const add = (a, b) =>", Doc: "add adds.", StartLine: 1, EndLine: 2},
		},
		{
			name: "typescript interface",
			file: "a.ts",
			src:  "/** Shape has an area. */\nexport interface Shape {\n  area(): number;\n}\n",
			qn:   "Shape",
			want: Chunk{Kind: KindInterface, Name: "Shape", QualifiedName: "Shape",
				Signature: "export interface Shape", Doc: "Shape has an area.", StartLine: 1, EndLine: 4},
		},
		{
			name: "java nested class method",
			file: "A.java",
			src:  "class Outer {\n  static class Inner {\n    /** Run it. */\n    void run() {}\n  }\n}\n",
			qn:   "Outer.Inner.run",
			want: Chunk{Kind: KindMethod, Name: "run", QualifiedName: "Outer.Inner.run",
				Signature: "void run()", Doc: "Run it.", StartLine: 3, EndLine: 4},
		},
		{
			name: "rust trait impl method qualifies with the type",
			file: "a.rs",
			src:  "impl<T> fmt::Display for Wrapper<T> {\n    /// Formats.\n    #[inline]\n    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { Ok(()) }\n}\n",
			qn:   "Wrapper.fmt",
			want: Chunk{Kind: KindMethod, Name: "fmt", QualifiedName: "Wrapper.fmt",
				Signature: "fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result", Doc: "Formats.",
				StartLine: 2, EndLine: 4},
		},
		{
			name: "rust function in a cfg(test) module is test code",
			file: "a.rs",
			src:  "fn add(a: i32) -> i32 { a }\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn adds() { assert_eq!(add(1), 1); }\n}\n",
			qn:   "adds",
			want: Chunk{Kind: KindFunction, Name: "adds", QualifiedName: "adds",
				Signature: "fn adds()", StartLine: 7, EndLine: 8, Test: true},
		},
		{
			name: "rust function outside a test module is not test code",
			file: "a.rs",
			src:  "fn add(a: i32) -> i32 { a }\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {}\n}\n",
			qn:   "add",
			want: Chunk{Kind: KindFunction, Name: "add", QualifiedName: "add",
				Signature: "fn add(a: i32) -> i32", StartLine: 1, EndLine: 1},
		},
		{
			name: "rust trait is an interface",
			file: "a.rs",
			src:  "pub trait Visit {\n    fn visit(&self);\n}\n",
			qn:   "Visit",
			want: Chunk{Kind: KindInterface, Name: "Visit", QualifiedName: "Visit",
				Signature: "pub trait Visit", StartLine: 1, EndLine: 3},
		},
		{
			name: "c typedef struct",
			file: "a.h",
			src:  "#ifndef A_H\n#define A_H\n/* A point. */\ntypedef struct {\n  int x, y;\n} point;\n#endif\n",
			qn:   "point",
			want: Chunk{Kind: KindStruct, Name: "point", QualifiedName: "point",
				Signature: "typedef struct point", Doc: "A point.", StartLine: 3, EndLine: 6},
		},
		{
			name: "c pointer-returning function",
			file: "a.c",
			src:  "static char **\nsplit(const char *s)\n{\n  return 0;\n}\n",
			qn:   "split",
			want: Chunk{Kind: KindFunction, Name: "split", QualifiedName: "split",
				Signature: "static char ** split(const char *s)", StartLine: 1, EndLine: 5},
		},
		{
			name: "cpp out-of-class method in a namespace",
			file: "a.cpp",
			src:  "namespace ns {\n// Bar bars.\nint Foo::bar(int x) const {\n  return x;\n}\n}\n",
			qn:   "Foo.bar",
			want: Chunk{Kind: KindMethod, Name: "bar", QualifiedName: "Foo.bar",
				Signature: "int Foo::bar(int x) const", Doc: "Bar bars.", StartLine: 2, EndLine: 5},
		},
		{
			name: "cpp destructor of a template",
			file: "a.hpp",
			src:  "template <typename T>\nVec<T>::~Vec() { delete[] data_; }\n",
			qn:   "Vec.~Vec",
			want: Chunk{Kind: KindMethod, Name: "~Vec", QualifiedName: "Vec.~Vec",
				Signature: "template <typename T> Vec<T>::~Vec()", StartLine: 1, EndLine: 2},
		},
		{
			name: "ruby method in class in module",
			file: "a.rb",
			src:  "module Api\n  class Client\n    # Fetch it.\n    def fetch(id)\n      id\n    end\n  end\nend\n",
			qn:   "Api.Client.fetch",
			want: Chunk{Kind: KindMethod, Name: "fetch", QualifiedName: "Api.Client.fetch",
				Signature: "def fetch(id)", Doc: "Fetch it.", StartLine: 3, EndLine: 6},
		},
		{
			name: "ruby class << self",
			file: "a.rb",
			src:  "class Cfg\n  class << self\n    def load; end\n  end\nend\n",
			qn:   "Cfg.load",
			want: Chunk{Kind: KindMethod, Name: "load", QualifiedName: "Cfg.load",
				Signature: "def load", StartLine: 3, EndLine: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := chunkOf(t, tt.file, tt.src, tt.qn)
			lines := strings.Split(tt.src, "\n")
			if want := strings.Join(lines[got.StartLine-1:got.EndLine], "\n"); got.Content != want {
				t.Errorf("content %q, want lines %d-%d %q", got.Content, got.StartLine, got.EndLine, want)
			}
			got.Content = ""
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("chunk differs (-want +got):\n%s", d)
			}
		})
	}
}

// TestTSNotEmitted checks what the chunkers deliberately leave to windows.
func TestTSNotEmitted(t *testing.T) {
	tests := []struct{ file, src, qn string }{
		{"a.py", "def outer():\n    def inner():\n        pass\n", "inner"},
		{"a.py", "def outer():\n    def inner():\n        pass\n", "outer.inner"},
		{"a.c", "int proto(int x);\nstruct fwd;\n", "proto"},
		{"a.c", "int proto(int x);\nstruct fwd;\n", "fwd"},
		{"A.java", "interface I { void m(); }\n", "I.m"},
		{"a.js", "const n = 1;\n", "n"},
	}
	for _, tt := range tests {
		_, cs, err := File(tt.file, []byte(tt.src), DefaultOptions)
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
		}
		for _, c := range cs {
			if c.QualifiedName == tt.qn {
				t.Errorf("%s: unexpected chunk %s %s", tt.file, c.Kind, c.QualifiedName)
			}
		}
	}
}

func TestTSSyntaxError(t *testing.T) {
	src := "def ok():\n    return 1\n\ndef bad(:\n    pass\n\ndef later():\n    return 2\n"
	_, cs, err := File("a.py", []byte(src), DefaultOptions)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *SyntaxError", err)
	}
	if se.Line != 4 {
		t.Errorf("error line %d, want 4 (%v)", se.Line, se)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.QualifiedName)
	}
	if len(names) == 0 || names[0] != "ok" {
		t.Errorf("chunks %q, want ok recovered first", names)
	}
}

func TestTSEmpty(t *testing.T) {
	for _, f := range []string{"a.py", "a.js", "a.ts", "a.tsx", "A.java", "a.rs", "a.c", "a.cpp", "a.rb"} {
		_, cs, err := File(f, nil, DefaultOptions)
		if err != nil || len(cs) != 0 {
			t.Errorf("%s: empty file gave %v, %v", f, cs, err)
		}
	}
}
