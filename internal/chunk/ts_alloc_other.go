//go:build !linux

package chunk

// tsCAllocator reports whether tree-sitter allocates with plain C malloc;
// see ts_alloc_linux.go. Elsewhere the bindings' Go callbacks stay in place.
const tsCAllocator = false
