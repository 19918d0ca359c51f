package chunk

import "bytes"

// lineIndex holds the byte offset of the start of every line of a file,
// plus one past the end, so line i (1-based) is src[off[i-1]:off[i]].
type lineIndex []int

func newLineIndex(src []byte) lineIndex {
	off := make(lineIndex, 1, bytes.Count(src, []byte{'\n'})+2)
	for i, b := range src {
		if b == '\n' {
			off = append(off, i+1)
		}
	}
	if off[len(off)-1] != len(src) {
		off = append(off, len(src))
	}
	return off
}

// lines is the number of lines.
func (li lineIndex) lines() int { return len(li) - 1 }

// text returns lines from..to (1-based, inclusive) without the final newline.
func (li lineIndex) text(src []byte, from, to int) string {
	if from < 1 {
		from = 1
	}
	if to > li.lines() {
		to = li.lines()
	}
	if from > to {
		return ""
	}
	return string(bytes.TrimRight(src[li[from-1]:li[to]], "\r\n"))
}

// lineOf returns the 1-based line of a byte offset.
func (li lineIndex) lineOf(off int) int {
	lo, hi := 0, len(li)-1
	for lo < hi {
		m := (lo + hi + 1) / 2
		if li[m] <= off {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return lo + 1
}

// windows cuts lines from..to into line-aligned windows of about
// opts.ChunkSize bytes, each starting so that it repeats about opts.Overlap
// bytes of the previous one. A single line longer than ChunkSize is a window
// of its own: windows never split a line, so line ranges stay exact.
func windows(src []byte, li lineIndex, from, to int, opts Options) []Chunk {
	opts = opts.normalized()
	var out []Chunk
	start := from
	for start <= to {
		end := start
		for end < to && li[end+1]-li[start-1] <= opts.ChunkSize {
			end++
		}
		text := li.text(src, start, end)
		if len(bytes.TrimSpace([]byte(text))) > 0 {
			out = append(out, Chunk{Kind: KindWindow, StartLine: start, EndLine: end, Content: text})
		}
		if end >= to {
			break
		}
		// Step back over whole lines worth about Overlap bytes, but always
		// move forward by at least one line.
		next := end + 1
		for next-1 > start+1 && li[end]-li[next-2] <= opts.Overlap {
			next--
		}
		start = next
	}
	return out
}

// windowChunker chunks any text file into windows.
type windowChunker struct{}

func (windowChunker) Chunk(_ string, src []byte, opts Options) ([]Chunk, error) {
	li := newLineIndex(src)
	return windows(src, li, 1, li.lines(), opts), nil
}

// minGapBytes is the amount of non-blank text a gap between definitions
// must hold to be worth a window of its own; smaller gaps are blank lines,
// closing braces or a lone import.
const minGapBytes = 32

// FillGaps returns defs plus windows over every stretch of lines that no
// chunk in defs covers and that holds at least minGapBytes of text. The
// result is sorted by start line.
func FillGaps(src []byte, defs []Chunk, opts Options) []Chunk {
	li := newLineIndex(src)
	return fillGaps(src, li, defs, opts)
}

func fillGaps(src []byte, li lineIndex, defs []Chunk, opts Options) []Chunk {
	n := li.lines()
	covered := make([]bool, n+2)
	for _, c := range defs {
		for l := max(c.StartLine, 1); l <= c.EndLine && l <= n; l++ {
			covered[l] = true
		}
	}
	out := defs
	for l := 1; l <= n; {
		if covered[l] {
			l++
			continue
		}
		g := l
		for l <= n && !covered[l] {
			l++
		}
		from, to := g, l-1
		// Trim blank lines at both ends so ranges are tight.
		for from <= to && len(bytes.TrimSpace(src[li[from-1]:li[from]])) == 0 {
			from++
		}
		for to >= from && len(bytes.TrimSpace(src[li[to-1]:li[to]])) == 0 {
			to--
		}
		if from > to || len(bytes.TrimSpace(src[li[from-1]:li[to]])) < minGapBytes {
			continue
		}
		out = append(out, windows(src, li, from, to, opts)...)
	}
	sortChunks(out)
	return out
}
