package query

// #cgo LDFLAGS: -lm
// #include <math.h>
import "C"

// clog is the C library's natural logarithm, the one FTS5's bm25() calls:
// Go's math.Log may differ from it in the last bit, and the resident
// index must order candidates exactly as bm25() does.
func clog(x float64) float64 { return float64(C.log(C.double(x))) }
