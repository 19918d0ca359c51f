package store

import "strings"

// The trigram index (files_tri) holds, for each file, the distinct byte
// trigrams of its text with ASCII letters folded to lower case, each
// written as a six-digit hex token ("abc" -> "616263") for FTS5's
// unicode61 tokenizer. A substring's trigrams are a subset of the
// trigrams of any text that contains it, so the index narrows a substring
// search to a few candidates, which are then checked against the text.
//
// The indexer's parse workers compute the tokens, in parallel, so the one
// writer only stores one word per distinct trigram of a file.

const hexDigits = "0123456789abcdef"

// TrigramText returns the trigram tokens of s, space-separated, each
// distinct trigram once. seen is scratch space, cleared and reused.
func TrigramText(s string, seen map[uint32]struct{}, buf []byte) []byte {
	clear(seen)
	if len(s) < 3 {
		return buf
	}
	a, b := fold(s[0]), fold(s[1])
	for i := 2; i < len(s); i++ {
		c := fold(s[i])
		k := uint32(a)<<16 | uint32(b)<<8 | uint32(c)
		a, b = b, c
		if _, ok := seen[k]; ok {
			continue
		}
		seen[k] = struct{}{}
		buf = appendTrigram(buf, k)
	}
	return buf
}

func appendTrigram(buf []byte, k uint32) []byte {
	if len(buf) > 0 {
		buf = append(buf, ' ')
	}
	for shift := 20; shift >= 0; shift -= 4 {
		buf = append(buf, hexDigits[(k>>shift)&0xf])
	}
	return buf
}

func fold(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// needleTrigrams returns the distinct trigram words of s.
func needleTrigrams(s string) []string {
	seen := map[uint32]struct{}{}
	var out []string
	for i := 2; i < len(s); i++ {
		k := uint32(fold(s[i-2]))<<16 | uint32(fold(s[i-1]))<<8 | uint32(fold(s[i]))
		if _, ok := seen[k]; !ok {
			seen[k] = struct{}{}
			out = append(out, string(appendTrigram(nil, k)))
		}
	}
	return out
}

// trigramMatch is an FTS5 expression requiring the given trigram words.
func trigramMatch(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = `"` + w + `"`
	}
	return strings.Join(q, " AND ")
}
