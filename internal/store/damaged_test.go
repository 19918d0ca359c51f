package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDamagedDatabaseIsRefusedUntilMovedAside(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "memory.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := db.QuickCheck(ctx); err != nil || !ok {
		t.Fatalf("quick_check of a new database = %v, %v", ok, err)
	}
	db.Close()

	MarkDamaged(path, errors.New("apply batch: database disk image is malformed"))
	_, err = Open(ctx, path)
	if !errors.Is(err, ErrDamaged) || ErrorCode(err) != CodeCorrupt || !IsCorrupt(err) {
		t.Fatalf("Open of a database marked damaged: %v (code %q), want ErrDamaged, corrupt", err, ErrorCode(err))
	}
	if !strings.Contains(err.Error(), "apply batch") {
		t.Errorf("the error does not say what found the damage: %v", err)
	}

	aside, err := MoveAside(path, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if want := path + ".broken-20260501T100000Z"; aside != want {
		t.Errorf("moved to %s, want %s", aside, want)
	}
	if _, err := os.Stat(aside); err != nil {
		t.Errorf("the damaged file is not kept: %v", err)
	}
	if damaged, _ := Damaged(path); damaged {
		t.Error("still marked damaged after MoveAside")
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open after MoveAside: %v", err)
	}
	db.Close()
}

func TestQuickCheckFindsDamage(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.ApplyBatch(ctx, []FileUpdate{{File: File{Path: "a.go", Language: "go"},
		Chunks: []IndexedChunk{chunkRow(1, "Alpha", strings.Repeat("alpha beta gamma ", 5000))}}}); err != nil {
		t.Fatal(err)
	}
	path := db.Path()
	db.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 16384; i < len(b); i++ {
		b[i] = byte(i)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, path)
	if err != nil {
		if !IsCorrupt(err) {
			t.Fatalf("Open of a damaged file: %v, want a corruption error", err)
		}
		return
	}
	defer db.Close()
	ok, err := db.QuickCheck(ctx)
	if ok || (err != nil && !IsCorrupt(err)) {
		t.Errorf("quick_check of a damaged file = %v, %v; want not ok or a corruption error", ok, err)
	}
}
