package llm

import "strings"

// lineKind classifies a line of a Markdown answer.
type lineKind uint8

const (
	proseLine  lineKind = iota
	fenceLine           // a line opening or closing a fenced code block
	codeLine            // a line inside a fenced code block
	indentLine          // a line of an indented code block (or of an indented paragraph: see classifyLines)
)

// classifyLines marks each line as prose, fence, code or indented. Fences
// are runs of three or more backticks or tildes; a block closes at a run
// of the same character at least as long, and an unclosed block (an
// answer cut off at the token limit) runs to the end. Indentation before
// a fence is allowed (models indent fences inside list items).
//
// Indented code blocks, as in CommonMark, are lines indented by four or
// more columns that follow a blank line (or start the answer, or follow a
// heading or a fence) and run, blank lines included, to the next line
// indented less. Within a list item CommonMark would call some of these
// lines paragraph text; telling the two apart needs the list structure,
// so they are marked indentLine and each caller decides: the security
// scan reads them as code (a missed command is worse than a needless
// warning), citations as prose (a missed citation loses a source).
func classifyLines(lines []string) []lineKind {
	kinds := make([]lineKind, len(lines))
	open := ""
	indented := false // inside an indented block
	prevBlank := true // the line before was blank, a heading or a fence: an indented block may start
	for i, l := range lines {
		t := strings.TrimLeft(l, " \t")
		run := fenceRun(t)
		blank := strings.TrimSpace(l) == ""
		switch {
		case open != "" && run != "" && run[0] == open[0] && len(run) >= len(open) && strings.TrimSpace(t[len(run):]) == "":
			open = ""
			kinds[i] = fenceLine
		case open != "":
			kinds[i] = codeLine
		case indented && (blank || indentWidth(l) >= 4):
			kinds[i] = indentLine
		case run != "":
			// A fence wins over an indented block: models indent fences
			// in list items.
			indented = false
			open = run
			kinds[i] = fenceLine
		case !blank && prevBlank && indentWidth(l) >= 4:
			indented = true
			kinds[i] = indentLine
		default:
			indented = false
			kinds[i] = proseLine
		}
		prevBlank = blank || kinds[i] == fenceLine || (kinds[i] == proseLine && strings.HasPrefix(t, "#"))
	}
	// Blank lines that end an indented block belong to the prose after it.
	for i := len(lines) - 1; i >= 0 && kinds[i] == indentLine && strings.TrimSpace(lines[i]) == ""; i-- {
		kinds[i] = proseLine
	}
	return kinds
}

// indentWidth is the width of l's leading space, a tab counting as
// reaching the next multiple of four.
func indentWidth(l string) int {
	w := 0
	for _, c := range l {
		switch c {
		case ' ':
			w++
		case '\t':
			w += 4 - w%4
		default:
			return w
		}
	}
	return w
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
