// Package termtext makes text that aur did not write safe to print at a
// terminal. Indexed code, file names, snippets and LLM answers can hold
// control characters; printed raw, an escape sequence such as OSC 52 (set
// the clipboard), OSC 0 (set the window title), ESC[2J (clear the screen)
// or ESC[8m (hide what follows) acts on the user's terminal instead of
// being read. Like git and ripgrep, aur shows such characters as visible
// escapes (\x1b, \u009b) in every text printer, whether or not stdout is a
// terminal: a file or pipe is often displayed later with cat or less -R.
// JSON output is not passed through here: encoding/json escapes control
// characters already, and programs want the exact bytes.
package termtext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line returns s escaped for one line of output: every control character,
// tab and newline included, is shown as an escape, so a file name holding
// a newline cannot split a result line and a tab cannot shift a
// tab-separated column.
func Line(s string) string { return escape(s, false) }

// Block returns s escaped for multi-line output: newlines and tabs are
// kept, every other control character is shown as an escape. Carriage
// returns are escaped too, as they would move the cursor back over text
// already printed.
func Block(s string) string { return escape(s, true) }

// needsEscape reports whether r must be shown as an escape. C0 and C1
// controls and DEL drive terminals; the bidirectional overrides and
// isolates reorder what is displayed (CVE-2021-42574, "Trojan Source").
func needsEscape(r rune, block bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return !block
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

func clean(s string, block bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			if block && (c == '\n' || c == '\t') {
				continue
			}
			return false
		}
		if c >= 0x80 {
			return cleanSlow(s[i:], block)
		}
	}
	return true
}

func cleanSlow(s string, block bool) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return false
			}
		}
		if needsEscape(r, block) {
			return false
		}
	}
	return true
}

func escape(s string, block bool) string {
	if clean(s, block) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			// A byte that is not UTF-8: some terminals read 0x9b alone as
			// CSI, so it is shown rather than passed on.
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !needsEscape(r, block):
			b.WriteString(s[i : i+n])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += n
	}
	return b.String()
}

// Stream escapes text that arrives in pieces (an LLM answer as it is
// generated) like Block. A piece that ends inside a multi-byte character
// keeps its tail until the next piece completes it, so a character split
// between pieces is printed whole, not as two invalid bytes.
type Stream struct {
	pending []byte
}

// Next returns the escaped form of everything received so far that forms
// whole characters.
func (s *Stream) Next(piece string) string {
	buf := append(s.pending, piece...)
	cut := len(buf)
	// Hold back an incomplete UTF-8 sequence at the end (at most 3 bytes).
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-3; i-- {
		c := buf[i]
		if c < 0x80 {
			break
		}
		if c >= 0xc0 { // a leading byte: is its sequence complete?
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	out := Block(string(buf[:cut]))
	s.pending = append(s.pending[:0], buf[cut:]...)
	return out
}

// Flush returns what Next held back, escaped.
func (s *Stream) Flush() string {
	out := Block(string(s.pending))
	s.pending = s.pending[:0]
	return out
}
