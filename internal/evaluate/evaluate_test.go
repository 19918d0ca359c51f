package evaluate

import (
	"math"
	"strings"
	"testing"
)

func TestIsSymbolHit(t *testing.T) {
	q := Query{File: "net/http/server.go", Name: "Server.Serve", Line: 100, EndLine: 139} // 40 lines
	tests := []struct {
		name string
		h    Hit
		want bool
	}{
		{"same name", Hit{File: q.File, Name: "Server.Serve", StartLine: 1, EndLine: 2}, true},
		{"pointer receiver", Hit{File: q.File, Name: "(*Server).Serve"}, true},
		{"generic receiver", Hit{File: q.File, Name: "(*Server[T]).Serve"}, true},
		{"qualified suffix", Hit{File: q.File, Name: "http.Server.Serve"}, true},
		{"other file", Hit{File: "net/http/client.go", Name: "Server.Serve"}, false},
		{"inside", Hit{File: q.File, StartLine: 110, EndLine: 120}, true},
		{"covers, small", Hit{File: q.File, StartLine: 90, EndLine: 189}, true},   // 100 lines <= 2*40+20
		{"covers, too big", Hit{File: q.File, StartLine: 1, EndLine: 101}, false}, // 101 lines
		{"elsewhere in file", Hit{File: q.File, Name: "Server.Close", StartLine: 200, EndLine: 210}, false},
	}
	for _, tt := range tests {
		if got := IsSymbolHit(tt.h, q); got != tt.want {
			t.Errorf("%s: IsSymbolHit = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMetrics(t *testing.T) {
	// Ranks 1, 2, 0, 5: MRR = (1 + 0.5 + 0 + 0.2)/4 = 0.425;
	// R@1 = 1/4, R@5 = 3/4, R@10 = 3/4;
	// nDCG = (1 + 1/log2(3) + 0 + 1/log2(6))/4 = (1 + 0.6309 + 0.3869)/4 = 0.5045.
	s := Metrics([]int{1, 2, 0, 5})
	want := Scores{MRR: 0.425, Recall1: 0.25, Recall5: 0.75, Recall10: 0.75, NDCG: 0.5045}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"mrr", s.MRR, want.MRR}, {"r1", s.Recall1, want.Recall1}, {"r5", s.Recall5, want.Recall5},
		{"r10", s.Recall10, want.Recall10}, {"ndcg", s.NDCG, want.NDCG}} {
		if math.Abs(c.got-c.want) > 1e-4 {
			t.Errorf("%s = %.4f, want %.4f", c.name, c.got, c.want)
		}
	}
}

func TestLoadQueries(t *testing.T) {
	qs, err := LoadQueries(strings.NewReader(`{"id":"q1","query":"a b","file":"x.go","name":"F","line":3,"end_line":9}

{"query":"c","file":"y.go","line":4}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[1].ID == "" || qs[1].EndLine != 4 {
		t.Errorf("queries = %+v", qs)
	}
	if _, err := LoadQueries(strings.NewReader("")); err == nil {
		t.Error("empty file: want error")
	}
	if _, err := LoadQueries(strings.NewReader(`{"query":"x"}`)); err == nil {
		t.Error("missing file: want error")
	}
}
