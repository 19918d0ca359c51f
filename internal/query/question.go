package query

import (
	"slices"
	"strings"
	"unicode"

	"github.com/aurora-dev/aur/internal/chunk"
)

// What a question says about itself, besides its words and phrases: the
// identifiers it names, and whether it asks about tests or types.

// maxSymbols bounds the identifiers taken from a question.
const maxSymbols = 4

// symbols returns the identifiers a question names, at most maxSymbols:
// words holding an underscore or a lower-case letter followed by an
// upper-case one (message_from_bytes, formatTime, ReadHeaderTimeout),
// alone or qualified (email.message_from_bytes, Transport.NewClientConn),
// and dotted names whose parts are words (LoggerAdapter.process). The
// chunks named so are candidates (Engine.symbolCandidates) however many
// other chunks hold the symbol's words more often; they are scored like
// any other. (Lifting them as a held phrase is lifted was measured and
// left out: doc-like questions name other functions in passing, "is
// like NewReader but uses a preset dictionary".)
func symbols(q string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(q, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '.' && r != '#' && r != '$'
	}) {
		w = strings.Trim(w, ".")
		if len(w) < 4 {
			continue
		}
		parts := strings.Split(w, ".")
		ok := identLike(parts[len(parts)-1])
		if !ok && len(parts) > 1 {
			ok = true
			for _, p := range parts {
				if letters(p) < 2 || !hasLetter(p) {
					ok = false
				}
			}
		}
		if !ok || slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, w) }) {
			continue
		}
		if out = append(out, w); len(out) == maxSymbols {
			break
		}
	}
	return out
}

// identLike reports whether w is written as an identifier: an underscore
// between letters or digits, or a lower-case letter followed by an
// upper-case one.
func identLike(w string) bool {
	var prev rune
	for _, r := range w {
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			return true
		}
		prev = r
	}
	return strings.Trim(w, "_#$") != "" && strings.Contains(strings.Trim(w, "_#$"), "_")
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// typeKinds are the chunk kinds Ranking.TypeFactor applies to.
var typeKinds = map[string]bool{string(chunk.KindClass): true, string(chunk.KindStruct): true,
	string(chunk.KindInterface): true, string(chunk.KindEnum): true, string(chunk.KindType): true}

// typeWords are the words that make a question about types: then type
// declarations are not demoted.
var typeWords = map[string]bool{"class": true, "classes": true, "struct": true, "structs": true, "interface": true,
	"interfaces": true, "enum": true, "enums": true, "type": true, "types": true, "trait": true, "traits": true}

// aboutTypes reports whether the query asks about types.
func aboutTypes(q string) bool { return hasWord(q, typeWords) }

// mentions reports whether the query names name as a word of its own
// (ASCII case folded): "how does the Server shut down" names Server.
func mentions(q, name string) bool {
	if name == "" {
		return false
	}
	lq, ln := strings.ToLower(q), strings.ToLower(name)
	for i := 0; ; {
		j := strings.Index(lq[i:], ln)
		if j < 0 {
			return false
		}
		a, b := i+j, i+j+len(ln)
		if (a == 0 || !identRune(lq[a-1])) && (b == len(lq) || !identRune(lq[b])) {
			return true
		}
		i = a + 1
	}
}

func identRune(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 0x80
}

// testWords are the words that make a question about tests: then test
// code is not demoted.
var testWords = map[string]bool{"test": true, "tests": true, "testing": true, "spec": true, "specs": true}

// aboutTests reports whether the query asks about tests.
func aboutTests(q string) bool { return hasWord(q, testWords) }

// hasWord reports whether one of the query's words (runs of letters,
// lower-cased) is in words.
func hasWord(q string, words map[string]bool) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r)
	}) {
		if words[w] {
			return true
		}
	}
	return false
}
