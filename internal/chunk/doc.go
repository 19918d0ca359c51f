// Package chunk turns one source file into retrieval units ("chunks"):
// functions, methods, types, document sections and, for everything else,
// line-aligned windows.
//
// Every language family has one Chunker. Go uses the standard library's
// go/parser (exact and, on GOROOT/src, about seven times faster than the
// tree-sitter Go grammar); Python, JavaScript, TypeScript/TSX, Java, Rust, C,
// C++ and Ruby use the official tree-sitter grammars; Markdown is split by
// headings; any other text becomes windows. Chunkers are pure: bytes in,
// chunks out, no I/O, so they are easy to test with golden files.
//
// Top-level code between definitions (imports, constants, script code) is
// not lost: FillGaps covers every gap larger than a few lines with windows,
// so every line of a file that matters is searchable.
package chunk
