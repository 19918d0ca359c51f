package llm

import "strings"

// lineKind classifies a line of a Markdown answer.
type lineKind uint8

const (
	proseLine lineKind = iota
	fenceLine          // a line opening or closing a fenced code block
	codeLine           // a line inside a fenced code block
)

// classifyLines marks each line as prose, fence or code. Fences are runs of
// three or more backticks or tildes; a block closes at a run of the same
// character at least as long, and an unclosed block (an answer cut off at
// the token limit) runs to the end. Indentation before a fence is allowed
// (models indent fences inside list items). Indented code blocks are not
// recognised: models fence their code.
func classifyLines(lines []string) []lineKind {
	kinds := make([]lineKind, len(lines))
	open := ""
	for i, l := range lines {
		t := strings.TrimLeft(l, " \t")
		run := fenceRun(t)
		switch {
		case open == "" && run != "":
			open = run
			kinds[i] = fenceLine
		case open == "":
			kinds[i] = proseLine
		case run != "" && run[0] == open[0] && len(run) >= len(open) && strings.TrimSpace(t[len(run):]) == "":
			open = ""
			kinds[i] = fenceLine
		default:
			kinds[i] = codeLine
		}
	}
	return kinds
}

// fenceRun returns the leading run of three or more backticks or tildes of
// t, or "".
func fenceRun(t string) string {
	if t == "" || (t[0] != '`' && t[0] != '~') {
		return ""
	}
	n := 1
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 {
		return ""
	}
	return t[:n]
}

// stripInlineCode blanks out the inline code spans of a prose line (text
// between equal runs of backticks), keeping its length, so that a[1]
// written as code is not read as a citation.
func stripInlineCode(line string) string {
	if !strings.Contains(line, "`") {
		return line
	}
	b := []byte(line)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		n := 1
		for i+n < len(b) && b[i+n] == '`' {
			n++
		}
		closeAt := findRun(b, i+n, n)
		if closeAt < 0 {
			i += n // an unmatched run is literal text
			continue
		}
		for j := i; j < closeAt+n; j++ {
			b[j] = ' '
		}
		i = closeAt + n
	}
	return string(b)
}

// findRun returns the index of the next run of exactly n backticks in b at
// or after from, or -1.
func findRun(b []byte, from, n int) int {
	for i := from; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		m := 1
		for i+m < len(b) && b[i+m] == '`' {
			m++
		}
		if m == n {
			return i
		}
		i += m
	}
	return -1
}
