package pgstore_test

import (
	"context"
	"testing"

	"github.com/aurora-dev/aur/internal/store"
)

// TestVerify: a freshly indexed project passes; a document frequency or
// a corpus statistic that no longer matches the chunks fails its check.
func TestVerify(t *testing.T) {
	url := newDatabase(t)
	db := open(t, url)
	ctx := context.Background()
	indexPG(t, db, "kappa", writeCorpus(t, goFiles("Kappa", 10)))
	p, err := db.Project(ctx, "kappa", false)
	if err != nil {
		t.Fatal(err)
	}
	status := func() map[string]string {
		t.Helper()
		r, err := p.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range r.Checks {
			out[c.Name] = c.Status
		}
		if r.Healthy != (len(r.Problems()) == 0) || r.Chunks == 0 || r.Files != 10 {
			t.Errorf("report %+v", r)
		}
		return out
	}
	for name, st := range status() {
		if st != store.CheckOK {
			t.Errorf("fresh project: %s %s", name, st)
		}
	}
	if _, err := db.Pool().Exec(ctx, `UPDATE terms SET df = df + 1 WHERE term = 'kappa'`); err != nil {
		t.Fatal(err)
	}
	if s := status(); s["terms"] != store.CheckFailed || s["meta"] != store.CheckOK {
		t.Errorf("after a wrong df: %v", s)
	}
	if _, err := db.Pool().Exec(ctx, `UPDATE projects SET chunk_count = chunk_count + 1`); err != nil {
		t.Fatal(err)
	}
	if s := status(); s["meta"] != store.CheckFailed {
		t.Errorf("after a wrong chunk count: %v", s)
	}
}
