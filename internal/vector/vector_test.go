package vector

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

func TestCosineOfQuantized(t *testing.T) {
	a := []float32{3, 4, 0, 0}
	b := []float32{4, 3, 0, 0}
	// cos = (12 + 12) / 25 = 0.96; int8 rounding stays within 1%.
	if got := Cosine(Normalize(a), Quantize(b)); math.Abs(got-0.96) > 0.01 {
		t.Errorf("Cosine = %.4f, want 0.96", got)
	}
	if got := Cosine(Normalize(a), Quantize([]float32{0, 0, 0, 0})); got != 0 {
		t.Errorf("Cosine with a zero vector = %v, want 0", got)
	}
	if got := Cosine(Normalize(a), Quantize(a[:3])); got != 0 {
		t.Errorf("Cosine of mismatched lengths = %v, want 0", got)
	}
}

func TestNearestBySignCode(t *testing.T) {
	// Four vectors of 70 dimensions (two words per code); the question
	// agrees in sign with id 30 everywhere, id 10 in all but one place.
	q := make([]float32, 70)
	for i := range q {
		q[i] = float32(i%3) - 1
	}
	flip := func(v []float32, k int) []float32 {
		w := slices.Clone(v)
		for i := range k {
			w[i] = -w[i] + 0.5
		}
		return w
	}
	vs := map[int64][]float32{10: flip(q, 1), 20: flip(q, 40), 30: q, 40: flip(q, 20)}
	c := Codes{Words: Words(70)}
	var ids, codes []byte
	for _, id := range []int64{10, 20, 30, 40} {
		ids = binary.LittleEndian.AppendUint64(ids, uint64(id))
		codes = append(codes, Signs(vs[id])...)
	}
	c.AppendPacked(ids, codes)
	if c.Len() != 4 {
		t.Fatalf("Len = %d, want 4", c.Len())
	}
	got := c.Nearest(Signs(q), 2)
	slices.Sort(got)
	if !slices.Equal(got, []int64{10, 30}) {
		t.Errorf("Nearest 2 = %v, want [10 30]", got)
	}
	if got := c.Nearest(Signs(q), 10); len(got) != 4 {
		t.Errorf("Nearest 10 of 4 = %v, want all 4", got)
	}
}
