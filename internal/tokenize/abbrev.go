package tokenize

import (
	"strings"
	"sync"
)

// abbreviations pairs words with the short forms programmers write for
// them. A query term matches its partners too (see Tokenizer.Related), so
// "source length" finds `src`, `len`, and "buf" finds "buffer". The list is
// about programming in general, not about any one code base or domain:
// names of mathematical functions (cos, sqrt, log, ...) were taken out,
// since each served a single question of the doc-sentence evaluation set
// and no other code.
var abbreviations = [][2]string{
	{"absolute", "abs"}, {"accumulator", "acc"}, {"address", "addr"}, {"allocate", "alloc"},
	{"allocation", "alloc"}, {"application", "app"}, {"argument", "arg"}, {"arguments", "args"},
	{"array", "arr"}, {"attribute", "attr"}, {"authentication", "auth"}, {"authorization", "auth"},
	{"average", "avg"}, {"binary", "bin"}, {"boolean", "bool"}, {"buffer", "buf"},
	{"calculate", "calc"}, {"capacity", "cap"}, {"certificate", "cert"}, {"character", "char"},
	{"checksum", "crc"}, {"client", "cli"}, {"column", "col"}, {"command", "cmd"},
	{"compare", "cmp"}, {"comparison", "cmp"}, {"concatenate", "concat"}, {"condition", "cond"},
	{"configuration", "config"}, {"configuration", "cfg"}, {"connection", "conn"}, {"constant", "const"},
	{"context", "ctx"}, {"coordinate", "coord"},
	{"count", "cnt"}, {"counter", "ctr"}, {"current", "cur"}, {"database", "db"},
	{"decimal", "dec"}, {"declaration", "decl"}, {"decrement", "dec"}, {"default", "def"},
	{"definition", "def"}, {"delete", "del"}, {"delimiter", "delim"}, {"descriptor", "desc"},
	{"destination", "dst"}, {"destination", "dest"}, {"dictionary", "dict"}, {"difference", "diff"},
	{"dimension", "dim"}, {"directory", "dir"}, {"document", "doc"}, {"duration", "dur"},
	{"element", "elem"}, {"environment", "env"}, {"error", "err"}, {"escape", "esc"},
	{"evaluate", "eval"}, {"event", "evt"}, {"exception", "exc"}, {"execute", "exec"},
	{"expression", "expr"}, {"extension", "ext"},
	{"field", "fld"}, {"format", "fmt"}, {"frequency", "freq"},
	{"function", "func"}, {"function", "fn"}, {"generate", "gen"}, {"generator", "gen"},
	{"hexadecimal", "hex"}, {"horizontal", "horiz"}, {"identifier", "id"}, {"identifier", "ident"},
	{"image", "img"}, {"implementation", "impl"}, {"increment", "inc"}, {"index", "idx"},
	{"information", "info"}, {"initialize", "init"}, {"initialization", "init"}, {"integer", "int"},
	{"interface", "iface"}, {"iterator", "iter"}, {"iterate", "iter"}, {"keyboard", "kbd"},
	{"language", "lang"}, {"length", "len"}, {"library", "lib"},
	{"manager", "mgr"}, {"maximum", "max"}, {"memory", "mem"}, {"message", "msg"},
	{"middleware", "mw"}, {"minimum", "min"}, {"module", "mod"},
	{"multiply", "mul"}, {"multiplication", "mul"}, {"number", "num"}, {"object", "obj"},
	{"operation", "op"}, {"operator", "op"}, {"option", "opt"}, {"options", "opts"},
	{"package", "pkg"}, {"parameter", "param"}, {"parameters", "params"}, {"password", "pwd"},
	{"pointer", "ptr"}, {"position", "pos"}, {"previous", "prev"}, {"process", "proc"},
	{"product", "prod"}, {"property", "prop"}, {"random", "rand"},
	{"receive", "recv"}, {"receiver", "recv"}, {"reference", "ref"},
	{"register", "reg"}, {"regular expression", "regexp"}, {"remove", "rm"},
	{"repository", "repo"}, {"request", "req"}, {"response", "resp"}, {"result", "res"},
	{"return", "ret"}, {"second", "sec"}, {"sequence", "seq"},
	{"signal", "sig"}, {"signature", "sig"}, {"source", "src"}, {"specification", "spec"},
	{"standard", "std"}, {"statement", "stmt"}, {"statistics", "stats"},
	{"string", "str"}, {"structure", "struct"}, {"subtract", "sub"}, {"synchronize", "sync"},
	{"system", "sys"}, {"temporary", "tmp"}, {"temporary", "temp"},
	{"timestamp", "ts"}, {"transaction", "tx"}, {"utility", "util"}, {"value", "val"},
	{"variable", "var"}, {"vertical", "vert"}, {"window", "win"},
}

// related maps a token to the tokens it is interchangeable with. It is
// built on first use (stemming the list takes a fraction of a millisecond
// that commands which never tokenize a query should not pay at start-up).
var related = sync.OnceValue(func() map[string][]string {
	tk := New()
	related := map[string][]string{}
	add := func(a, b string) {
		for _, x := range related[a] {
			if x == b {
				return
			}
		}
		related[a] = append(related[a], b)
	}
	for _, p := range abbreviations {
		// Multi-word forms ("square root") relate through their last word.
		long := tk.Tokens(p[0])
		short := tk.Tokens(p[1])
		if len(long) == 0 || len(short) == 0 {
			continue
		}
		l, s := long[len(long)-1], short[0]
		if l == s {
			continue
		}
		add(l, s)
		add(s, l)
	}
	return related
})

// Related returns the tokens interchangeable with tok (its abbreviations
// or its long forms), or nil.
func Related(tok string) []string { return related()[tok] }

// Variants returns the stems a word may also be indexed under because
// of the stemmer's undoubling: Porter2 removes the last of a double
// consonant (bb dd ff gg mm nn pp rr tt) left after taking off -ed or
// -ing, but keeps it in a word that ends so: "add" and "sniff" stay,
// "adding" and "sniffed" become "ad" and "snif". A stem ending in such a
// double also matches its undoubled form, and one ending in one of those
// consonants its doubled form (which, for most words, no chunk holds).
func Variants(stem string) []string {
	n := len(stem)
	if n < 2 {
		return nil
	}
	last := stem[n-1]
	if !strings.ContainsRune("bdfgmnprt", rune(last)) {
		return nil
	}
	if stem[n-2] == last {
		return []string{stem[:n-1]}
	}
	return []string{stem + string(last)}
}
