package store

import (
	"context"
	"path/filepath"
	"testing"
)

// A read-only open reads, refuses writes with a read-only error, and does
// not create a missing database.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "none.db"), ReadOnly()); err == nil {
		t.Fatal("ReadOnly open of a missing database succeeded")
	}
	rw := openTest(t)
	if err := rw.SetMeta(ctx, MetaRoot, "/src"); err != nil {
		t.Fatal(err)
	}
	path := rw.Path()
	rw.Close()

	db, err := Open(ctx, path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	if root, err := db.Meta(ctx, MetaRoot); err != nil || root != "/src" {
		t.Errorf("Meta = %q, %v; want /src", root, err)
	}
	err = db.SetMeta(ctx, MetaRoot, "/elsewhere")
	if ErrorCode(err) != CodeReadOnly {
		t.Errorf("SetMeta on a read-only store: %v (code %q), want a read-only error", err, ErrorCode(err))
	}
}
