package query

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzValidate checks Validate on any input and limit: it never panics;
// it accepts only inputs within the limit; what it returns is valid UTF-8
// (with no replacement character that the input did not have) without
// control characters, markers (``` and <script> in any case) or runs of
// white space; and validating that again changes nothing.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		"how are retries configured?", "", "   ", "```area``` <script>alert(1)</script>",
		"<SCRIPT>x</Script>", "a\x00b\x1fc\u0085d", "\xff\xfe query", "İİİ<script>x", "ȺȺȺ<script>x", "ǅ<sCrIpT>",
		"````", "<scr<script>ipt>", strings.Repeat("é", 20),
	} {
		f.Add(s, 10000)
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, q string, maxLen int) {
		out, err := Validate(q, maxLen)
		if err != nil {
			if !errors.Is(err, ErrInvalidQuery) {
				t.Fatalf("Validate(%q, %d): error %v does not wrap ErrInvalidQuery", q, maxLen, err)
			}
			return
		}
		limit := maxLen
		if limit <= 0 {
			limit = DefaultMaxQueryLength
		}
		if n := utf8.RuneCountInString(strings.ToValidUTF8(q, " ")); n > limit {
			t.Fatalf("Validate(%q, %d) accepted %d characters", q, maxLen, n)
		}
		lower := strings.ToLower(out)
		switch {
		case out == "", !utf8.ValidString(out):
			t.Fatalf("Validate(%q) = %q: empty or invalid UTF-8", q, out)
		case strings.ContainsFunc(out, unicode.IsControl):
			t.Fatalf("Validate(%q) = %q: control character", q, out)
		case strings.Contains(out, "```"), strings.Contains(lower, "<script>"), strings.Contains(lower, "</script>"):
			t.Fatalf("Validate(%q) = %q: a marker survived", q, out)
		case strings.ContainsRune(out, utf8.RuneError) && utf8.ValidString(q) && !strings.ContainsRune(q, utf8.RuneError):
			t.Fatalf("Validate(%q) = %q: text was cut inside a character", q, out)
		case out != strings.Join(strings.Fields(out), " "):
			t.Fatalf("Validate(%q) = %q: white space not collapsed", q, out)
		}
		if again, err := Validate(out, 0); err != nil || again != out {
			t.Fatalf("Validate(Validate(%q)) = %q, %v; want %q", q, again, err, out)
		}
	})
}
