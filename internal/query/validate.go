package query

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultMaxQueryLength is the default of AURORA_MAX_QUERY_LENGTH.
const DefaultMaxQueryLength = 10000

// ErrInvalidQuery is wrapped by every validation error; front ends map it
// to exit code 2.
var ErrInvalidQuery = errors.New("invalid query")

// Validate cleans a query and checks it: control characters and the
// markers the production guide strips (``` and <script>) are removed, white
// space is collapsed, and an empty or over-long query is an error. The
// length is counted in characters before cleaning, so a query cannot be
// padded past the limit with markers.
func Validate(q string, maxLen int) (string, error) {
	if maxLen <= 0 {
		maxLen = DefaultMaxQueryLength
	}
	if !utf8.ValidString(q) {
		q = strings.ToValidUTF8(q, " ")
	}
	if n := utf8.RuneCountInString(q); n > maxLen {
		return "", fmt.Errorf("%w: query is %d characters, longer than the maximum of %d (AURORA_MAX_QUERY_LENGTH)", ErrInvalidQuery, n, maxLen)
	}
	q = strings.ReplaceAll(q, "```", " ")
	q = replaceFold(q, "<script>", " ")
	q = replaceFold(q, "</script>", " ")
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, q)
	q = strings.Join(strings.Fields(q), " ")
	if q == "" {
		return "", fmt.Errorf("%w: query is empty", ErrInvalidQuery)
	}
	return q, nil
}

// replaceFold replaces every ASCII-case-insensitive occurrence of old
// (lower-case ASCII). Only ASCII letters are folded, so that lower has the
// same length as s and its indexes are s's: strings.ToLower changes the
// length of some characters (İ is two bytes, its lower case one), and
// cutting s at lower's indexes cut characters in half or ran past its end.
func replaceFold(s, old, repl string) string {
	lower := asciiLower(s)
	if !strings.Contains(lower, old) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}

// asciiLower lower-cases the ASCII letters of s, byte for byte.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
