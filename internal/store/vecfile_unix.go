//go:build unix

package store

import (
	"os"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/aurora-dev/aur/internal/vector"
)

// mapCodes maps the side file read-only and returns codes whose IDs and
// Bits are views of the mapping (no copy). The mapping is released when
// the codes become unreachable: searches in flight keep them alive.
func mapCodes(f *os.File, size int64, n, words int) (*vector.Codes, error) {
	mem, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	// The scan reads every code: ask for the pages ahead (a hint).
	_ = syscall.Madvise(mem, syscall.MADV_WILLNEED)
	ids := unsafe.Slice((*int64)(unsafe.Pointer(&mem[vecHeaderSize])), n)
	bits := unsafe.Slice((*uint64)(unsafe.Pointer(&mem[vecHeaderSize+8*n])), n*words)
	c := &vector.Codes{Words: words, IDs: ids, Bits: bits}
	runtime.AddCleanup(c, func(m []byte) { _ = syscall.Munmap(m) }, mem)
	return c, nil
}
