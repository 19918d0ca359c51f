package termtext

import "testing"

func TestLineAndBlock(t *testing.T) {
	for _, c := range []struct{ in, line, block string }{
		{"plain text", "plain text", "plain text"},
		{"héllo wörld ✓", "héllo wörld ✓", "héllo wörld ✓"},
		{"a\tb\nc", `a\tb\nc`, "a\tb\nc"},
		// OSC 52 (clipboard), terminated by BEL.
		{"// \x1b]52;c;cm0gLXJmIC8=\x07", `// \x1b]52;c;cm0gLXJmIC8=\x07`, `// \x1b]52;c;cm0gLXJmIC8=\x07`},
		// OSC 0 (title), clear screen, conceal.
		{"\x1b]0;pwned\x1b\\", `\x1b]0;pwned\x1b\`, `\x1b]0;pwned\x1b\`},
		{"\x1b[2J\x1b[8mhidden", `\x1b[2J\x1b[8mhidden`, `\x1b[2J\x1b[8mhidden`},
		{"over\rwrite", `over\rwrite`, `over\rwrite`},
		{"del\x7f", `del\x7f`, `del\x7f`},
		// C1 CSI as a character and as a lone byte.
		{"c1\u009b2J", `c1\u009b2J`, `c1\u009b2J`},
		{"raw\x9b2J", `raw\x9b2J`, `raw\x9b2J`},
		// Trojan Source: right-to-left override.
		{"admin\u202e txt", `admin\u202e txt`, `admin\u202e txt`},
	} {
		if got := Line(c.in); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
		if got := Block(c.in); got != c.block {
			t.Errorf("Block(%q) = %q, want %q", c.in, got, c.block)
		}
		// Escaping is idempotent: printed text has nothing left to escape.
		if got := Line(Line(c.in)); got != Line(c.in) {
			t.Errorf("Line is not idempotent on %q: %q", c.in, got)
		}
	}
}

func TestStreamKeepsSplitCharactersWhole(t *testing.T) {
	var s Stream
	in := "é✓\x1b[2J"
	got := ""
	for i := 0; i < len(in); i++ {
		got += s.Next(in[i : i+1])
	}
	got += s.Flush()
	if want := `é✓\x1b[2J`; got != want {
		t.Errorf("streamed byte by byte: %q, want %q", got, want)
	}
	// A stream that ends inside a character shows the stray bytes.
	s = Stream{}
	got = s.Next("ok\xe2\x9c") + s.Flush()
	if want := `ok\xe2\x9c`; got != want {
		t.Errorf("truncated: %q, want %q", got, want)
	}
}
