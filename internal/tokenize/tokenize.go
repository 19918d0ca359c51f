// Package tokenize is the identifier-aware tokenizer shared by the indexer
// and the query engine. Both sides must produce the same tokens for the
// same text, or lexical matching silently breaks; that is why it is one
// package that both import.
//
// Text is split on everything that is not a letter or digit; each word is
// then split at case changes, acronym boundaries and letter/digit
// boundaries ("HTTPServer" -> http, server; "base64Encode" -> base, 64,
// encode; "snake_case" is already two words). Parts are lower-cased and
// stemmed with the Snowball English stemmer, so "encoding", "encoded" and
// "Encode" meet at "encod". A word made of several parts is also kept whole,
// lower-cased and unstemmed ("encodetostring"), so an exact identifier
// query still prefers the exact identifier. English stop words, one-letter
// parts and single digits are dropped: they match everything and rank
// nothing.
package tokenize

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// MaxTokenLen bounds a token; longer runs (hashes, base64 blobs, minified
// code) are noise that would only bloat the index.
const MaxTokenLen = 48

// Tokenizer turns text into tokens. It memoizes stems, so reuse one per
// goroutine; it is not safe for concurrent use.
type Tokenizer struct {
	stems map[string]string
	parts []string
}

// New returns a Tokenizer.
func New() *Tokenizer {
	return &Tokenizer{stems: make(map[string]string, 1<<12)}
}

// maxStemCache bounds the memo; past it the cache is dropped and rebuilt,
// which keeps memory flat on huge or random input.
const maxStemCache = 1 << 18

// Each calls emit for every token of text, in order, duplicates included.
func (t *Tokenizer) Each(text string, emit func(tok string)) {
	t.each(text, nil, emit)
}

// each is Each, limited to the tokens of want unless it is nil.
func (t *Tokenizer) each(text string, want *Wanted, emit func(tok string)) {
	for len(text) > 0 {
		// Skip to the start of the next word.
		i := strings.IndexFunc(text, isWordRune)
		if i < 0 {
			return
		}
		text = text[i:]
		j := strings.IndexFunc(text, func(r rune) bool { return !isWordRune(r) })
		if j < 0 {
			j = len(text)
		}
		t.word(text[:j], want, emit)
		text = text[j:]
	}
}

// Tokens returns the tokens of text.
func (t *Tokenizer) Tokens(text string) []string {
	var out []string
	t.Each(text, func(tok string) { out = append(out, tok) })
	return out
}

// AppendJoined appends the tokens of text to b, separated by spaces. With
// unique set, a token already in seen is skipped and new ones are added to
// it. It is the form stored in the full-text index.
func (t *Tokenizer) AppendJoined(b []byte, text string, seen map[string]struct{}) []byte {
	t.Each(text, func(tok string) {
		if seen != nil {
			if _, ok := seen[tok]; ok {
				return
			}
			seen[tok] = struct{}{}
		}
		if len(b) > 0 && b[len(b)-1] != ' ' {
			b = append(b, ' ')
		}
		b = append(b, tok...)
	})
	return b
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// word emits the tokens of one alphanumeric run.
func (t *Tokenizer) word(w string, want *Wanted, emit func(string)) {
	if len(w) > MaxTokenLen {
		return
	}
	t.parts = splitParts(w, t.parts[:0])
	for _, p := range t.parts {
		if want != nil && !want.mayStemTo(p) {
			continue
		}
		if s := t.stem(p); s != "" && len(s) <= MaxTokenLen && (want == nil || want.set[s]) {
			emit(s)
		}
	}
	if len(t.parts) > 1 {
		if want != nil && !want.mayStemTo(w) {
			// The whole word, lower-cased, starts as its first part does.
			return
		}
		// Lower-casing can lengthen a word (Ⱥ is two bytes, ⱥ three): the
		// bound is checked again on what is emitted.
		whole := strings.ToLower(w)
		if len(whole) <= MaxTokenLen && !IsStopWord(whole) && (want == nil || want.set[whole]) {
			emit(whole)
		}
	}
}

// stem lower-cases and stems one part; "" means drop it.
func (t *Tokenizer) stem(p string) string {
	if len(p) == 1 && !isLetter(p[0]) {
		return ""
	}
	if s, ok := t.stems[p]; ok {
		return s
	}
	lower := strings.ToLower(p)
	var s string
	switch {
	case IsStopWord(lower):
		s = ""
	case isDigits(lower):
		s = lower
	default:
		s = english.Stem(lower, true)
	}
	if len(t.stems) >= maxStemCache {
		clear(t.stems)
	}
	t.stems[p] = s
	return s
}

func isLetter(b byte) bool { return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// splitParts splits an alphanumeric word at lower->upper changes, at the
// end of an acronym ("HTTPServer" -> HTTP, Server) and at letter/digit
// boundaries.
func splitParts(w string, out []string) []string {
	start := 0
	var prev rune
	prevClass := 0
	for i, r := range w {
		cls := class(r)
		if i > start {
			split := false
			switch {
			case cls != prevClass && (cls == classDigit || prevClass == classDigit):
				split = true
			case prevClass == classLower && cls == classUpper:
				split = true
			case prevClass == classUpper && cls == classLower:
				// "HTTPServer": the S starts the new part, so split before
				// the previous upper-case letter if there were several.
				j := i - utf8.RuneLen(prev)
				if j > start {
					out = append(out, w[start:j])
					start = j
				}
			}
			if split {
				out = append(out, w[start:i])
				start = i
			}
		}
		prev = r
		prevClass = cls
	}
	if start < len(w) {
		out = append(out, w[start:])
	}
	return out
}

const (
	classOther = iota
	classLower
	classUpper
	classDigit
)

func class(r rune) int {
	switch {
	case 'a' <= r && r <= 'z':
		return classLower
	case 'A' <= r && r <= 'Z':
		return classUpper
	case '0' <= r && r <= '9':
		return classDigit
	case unicode.IsUpper(r):
		return classUpper
	case unicode.IsDigit(r):
		return classDigit
	case unicode.IsLetter(r):
		return classLower
	}
	return classOther
}
