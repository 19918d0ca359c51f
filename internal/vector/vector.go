package vector

import (
	"encoding/binary"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
)

// Scale is the int8 value of a unit vector's component 1.0.
const Scale = 127

// Normalize returns v scaled to unit length (a copy); a zero vector
// stays zero.
func Normalize(v []float32) []float32 {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if ss == 0 {
		return out
	}
	inv := 1 / math.Sqrt(ss)
	for i, x := range v {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

// Quantize returns the int8 code of v (normalised first), as bytes.
func Quantize(v []float32) []byte {
	u := Normalize(v)
	out := make([]byte, len(u))
	for i, x := range u {
		q := math.Round(float64(x) * Scale)
		out[i] = byte(int8(max(-Scale, min(Scale, q))))
	}
	return out
}

// Signs returns the sign bits of v, one per dimension (1 for > 0),
// packed into little-endian 64-bit words: (len(v)+63)/64 words.
func Signs(v []float32) []byte {
	words := Words(len(v))
	out := make([]byte, 8*words)
	for i, x := range v {
		if x > 0 {
			out[i/8] |= 1 << (i % 8)
		}
	}
	return out
}

// Words is the number of 64-bit words of a sign code of dims dimensions.
func Words(dims int) int { return (dims + 63) / 64 }

// Cosine is the cosine similarity of a unit float vector q and an int8
// code c (Quantize): Σ q_i·c_i / (‖c‖). Dividing by the code's own norm
// rather than Scale removes most of the quantisation error.
func Cosine(q []float32, c []byte) float64 {
	if len(q) != len(c) {
		return 0
	}
	var dot, nn float64
	for i, b := range c {
		x := float64(int8(b))
		dot += float64(q[i]) * x
		nn += x * x
	}
	if nn == 0 {
		return 0
	}
	return dot / math.Sqrt(nn)
}

// Codes is a packed set of sign codes with their chunk ids, in the order
// they were added.
type Codes struct {
	Words int
	IDs   []int64
	Bits  []uint64 // Words per id
}

// AppendPacked adds ids (little-endian int64s) and their sign codes
// (Signs of each, concatenated), as stored.
func (c *Codes) AppendPacked(ids, codes []byte) {
	n := len(ids) / 8
	if c.Words == 0 || n == 0 || len(codes) != n*8*c.Words {
		return
	}
	for i := range n {
		c.IDs = append(c.IDs, int64(binary.LittleEndian.Uint64(ids[8*i:])))
	}
	for i := 0; i+8 <= len(codes); i += 8 {
		c.Bits = append(c.Bits, binary.LittleEndian.Uint64(codes[i:]))
	}
}

// parallelMin is the number of codes from which Nearest uses every CPU.
const parallelMin = 50_000

// distances fills dist[lo:hi] with Hamming distances to q and counts
// them in hist.
func (c *Codes) distances(q []uint64, dist []uint16, hist []int, lo, hi int) {
	w := c.Words
	for i := lo; i < hi; i++ {
		row := c.Bits[i*w : i*w+w]
		d := 0
		for j, x := range row {
			d += bits.OnesCount64(x ^ q[j])
		}
		dist[i] = uint16(d)
		hist[d]++
	}
}

// Grow makes room for n more codes.
func (c *Codes) Grow(n int) {
	c.IDs = slices.Grow(c.IDs, n)
	c.Bits = slices.Grow(c.Bits, n*c.Words)
}

// Len is the number of codes.
func (c *Codes) Len() int { return len(c.IDs) }

// Nearest returns the ids of the n codes closest to q's sign code by
// Hamming distance (ties by position), in no particular order.
func (c *Codes) Nearest(qcode []byte, n int) []int64 {
	if c.Len() == 0 || n <= 0 || len(qcode) != 8*c.Words {
		return nil
	}
	q := make([]uint64, c.Words)
	for i := range q {
		q[i] = binary.LittleEndian.Uint64(qcode[8*i:])
	}
	// A histogram of distances finds the cut-off in one pass, then a
	// second pass collects everything within it: no heap, no sort of all
	// the distances.
	maxD := 64 * c.Words
	dist := make([]uint16, c.Len())
	hist := make([]int, maxD+1)
	// Above parallelMin codes the scan is split over the CPUs: it is
	// memory-bound XOR and popcount, and two cores halve it.
	parts := 1
	if c.Len() >= parallelMin {
		parts = min(runtime.GOMAXPROCS(0), 8)
	}
	hists := make([][]int, parts)
	var wg sync.WaitGroup
	step := (c.Len() + parts - 1) / parts
	for p := range parts {
		lo, hi := p*step, min(c.Len(), (p+1)*step)
		hists[p] = make([]int, maxD+1)
		wg.Go(func() { c.distances(q, dist, hists[p], lo, hi) })
	}
	wg.Wait()
	for _, h := range hists {
		for d, k := range h {
			hist[d] += k
		}
	}
	cut, seen := 0, 0
	for cut = 0; cut <= maxD; cut++ {
		seen += hist[cut]
		if seen >= n {
			break
		}
	}
	// Everything nearer than the cut-off, then as many at it as fit:
	// the caller rescores them, so their order does not matter. (Sparse
	// or clustered codes put thousands at one distance; sorting them all
	// cost more than the scan.)
	out := make([]int64, 0, n)
	for i, d := range dist {
		if int(d) < cut {
			out = append(out, c.IDs[i])
		}
	}
	for i, d := range dist {
		if len(out) == n {
			break
		}
		if int(d) == cut {
			out = append(out, c.IDs[i])
		}
	}
	return out
}
