package chunk

/*
#include <stddef.h>

// ts_set_allocator is defined by the tree-sitter core that
// github.com/tree-sitter/go-tree-sitter compiles into the binary. It is
// declared weak because cgo links this package's C code on its own first,
// without that library.
extern void ts_set_allocator(void *(*)(size_t), void *(*)(size_t, size_t),
	void *(*)(void *, size_t), void (*)(void *)) __attribute__((weak));

static int ts_use_c_allocator(void) {
	if (!ts_set_allocator) return 0;
	ts_set_allocator(NULL, NULL, NULL, NULL);
	return 1;
}
*/
import "C"

// tsCAllocator reports whether tree-sitter allocates with plain C malloc.
//
// The bindings route every malloc and free of the tree-sitter core through
// a Go callback that calls C.malloc or C.free (so that Go code may plug in
// its own allocator). A C→Go→C round trip per allocation costs about a
// fifth of the parse time. Nothing here plugs in an allocator, so restore
// the core's own malloc and free; both sides end in the same C allocator,
// so memory allocated before this runs is still freed correctly. The file
// is Linux-only because other linkers treat the weak symbol differently.
var tsCAllocator = C.ts_use_c_allocator() == 1
