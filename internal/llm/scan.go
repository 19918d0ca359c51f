package llm

import (
	"regexp"
	"strings"
)

// Severity of a Finding.
type Severity string

const (
	// SeverityHigh marks code that runs arbitrary commands or code, or
	// destroys data, if the user runs it.
	SeverityHigh Severity = "high"
	// SeverityMedium marks code that is dangerous with untrusted input or
	// weakens security (deserialisation, world-writable files, SQL that
	// looks like an injection).
	SeverityMedium Severity = "medium"
)

// Finding is a dangerous-looking line in a code block of an answer.
type Finding struct {
	Pattern     string   `json:"pattern"` // the rule's name, e.g. "pipe-to-shell"
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	Line        int      `json:"line"`    // 1-based line of the answer
	Snippet     string   `json:"snippet"` // the line, trimmed and cut to 120 bytes
}

// scanRule is one pattern. A line matches when re matches it (or fn
// accepts it), and, if set, and matches too and not does not. Rules marked
// code look at the line with its string literals blanked and its trailing
// comment cut (see codeView), so that print("never use eval()") is not
// eval; the others read the whole line, since a shell command in a string
// (os.system("rm -rf ~")) is still a shell command.
type scanRule struct {
	name, desc string
	sev        Severity
	// hint lists lower-case substrings of which a matching line holds at
	// least one: a cheap test that spares most lines the regexp.
	hint     []string
	re       *regexp.Regexp
	fn       func(line string) bool
	and, not *regexp.Regexp
	code     bool
}

func (r *scanRule) match(v *view) bool {
	line, lower := v.line, v.lower
	if r.code {
		line, lower = v.code, v.codeLower
	}
	hinted := len(r.hint) == 0
	for _, h := range r.hint {
		if strings.Contains(lower, h) {
			hinted = true
			break
		}
	}
	if !hinted {
		return false
	}
	if r.fn != nil {
		if !r.fn(line) {
			return false
		}
	} else if !r.re.MatchString(line) {
		return false
	}
	return (r.and == nil || r.and.MatchString(line)) && (r.not == nil || !r.not.MatchString(line))
}

// maxSnippet bounds Finding.Snippet.
const maxSnippet = 120

// maxScanLine bounds how much of one line is matched: generated code has
// no business being longer, and the bound keeps a pathological answer
// from costing more than a few milliseconds.
const maxScanLine = 4096

// ScanCode returns the dangerous-looking lines in answer's code blocks,
// fenced or indented (see scanRules for what is looked for), in line
// order, each rule at most once per line. Prose is not scanned: an answer
// may explain why eval( is dangerous. Whether to scan
// (AURORA_ENABLE_SECURITY_SCAN, on by default) and what to do with
// findings is the caller's choice.
//
// Before matching, the names a code block gives to dangerous modules and
// functions are resolved (import os as o; from os import system as run;
// sh = os.system; home = os.path.expanduser("~")), so o.system( is read as
// os.system( (see aliases).
func ScanCode(answer string) []Finding {
	lines := strings.Split(answer, "\n")
	kinds := classifyLines(lines)
	var code []int
	for i := range lines {
		if kinds[i] == codeLine || kinds[i] == indentLine {
			code = append(code, i)
		}
	}
	if len(code) == 0 {
		return nil
	}
	al := findAliases(lines, code)
	rules := scanRules()
	var out []Finding
	for _, i := range code {
		line := lines[i]
		if len(line) > maxScanLine {
			line = line[:maxScanLine]
		}
		views := []view{newView(line)}
		if n := al.resolve(line); n != line {
			views = append(views, newView(n))
		}
		for r := range rules {
			rule := &rules[r]
			for v := range views {
				if rule.match(&views[v]) {
					out = append(out, Finding{
						Pattern: rule.name, Description: rule.desc, Severity: rule.sev,
						Line: i + 1, Snippet: shorten(Redact(strings.TrimSpace(lines[i])), maxSnippet),
					})
					break
				}
			}
		}
	}
	return out
}

// view is a line as the rules read it.
type view struct {
	line, lower     string // the line, and in lower case
	code, codeLower string // its codeView, and in lower case
}

func newView(line string) view {
	code := codeView(line)
	return view{line: line, lower: strings.ToLower(line), code: code, codeLower: strings.ToLower(code)}
}

// codeView returns line with the contents of its quoted strings blanked
// (the quotes stay) and a trailing # or // comment cut, for rules about
// calls in the code itself rather than the text it handles.
func codeView(line string) string {
	if !strings.ContainsAny(line, `"'#/`) {
		return line
	}
	b := []byte(line)
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0 && c == '\\' && i+1 < len(b):
			b[i], b[i+1] = ' ', ' '
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			b[i] = ' '
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || b[i-1] == ' ' || b[i-1] == '\t'):
			return string(b[:i])
		case c == '/' && i+1 < len(b) && b[i+1] == '/' && strings.TrimSpace(string(b[:i])) == "":
			return string(b[:i])
		}
	}
	return string(b)
}
