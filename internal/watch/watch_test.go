package watch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/service/servicetest"
	"github.com/aurora-dev/aur/internal/watch"
)

// watching starts a watcher over a fixture and returns a function that
// waits until a search for q finds (or, with want false, no longer finds)
// a result in file, and how long that took.
func watching(t *testing.T) (*servicetest.Fixture, func(q, file string, want bool) time.Duration) {
	t.Helper()
	fx := servicetest.New(t, service.Deps{Log: zerolog.Nop()})
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- watch.Run(ctx, watch.Options{
			Root: fx.Root, Debounce: 50 * time.Millisecond, Log: zerolog.Nop(),
			Ready: func(int) { close(ready) },
			Reindex: func(ctx context.Context, paths []string) error {
				_, err := fx.Svc.Reindex(ctx, service.TriggerWatch, paths)
				if errors.Is(err, service.ErrIndexBusy) {
					return watch.ErrBusy
				}
				return err
			},
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("watch: %v", err)
		}
	})
	<-ready
	found := func(q, file string) bool {
		resp, err := fx.Svc.Search(context.Background(), service.SearchRequest{Query: q, NoCache: true}, service.Call{Face: service.FaceCLI})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range resp.Retrieval.Results {
			if r.Path == file {
				return true
			}
		}
		return false
	}
	wait := func(q, file string, want bool) time.Duration {
		t.Helper()
		start := time.Now()
		for time.Since(start) < 15*time.Second {
			if found(q, file) == want {
				return time.Since(start)
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("search %q: %s found=%v never came", q, file, want)
		return 0
	}
	return fx, wait
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatchKeepsIndexCurrent(t *testing.T) {
	fx, wait := watching(t)
	root := fx.Root

	// An edit in place.
	write(t, filepath.Join(root, "retry/retry.go"), servicetest.Files["retry/retry.go"]+
		"\n// Zorblax computes the zorblax factor of a retry.\nfunc Zorblax() int { return 42 }\n")
	d := wait("zorblax factor", "retry/retry.go", true)
	t.Logf("edit in place: searchable after %v", d)

	// An editor's atomic save: write a temporary file, rename it over.
	tmp := filepath.Join(root, "config/.config.go.tmp")
	write(t, tmp, "package config\n\n// Quuxwidget loads the quuxwidget settings.\nfunc Quuxwidget() {}\n")
	if err := os.Rename(tmp, filepath.Join(root, "config/config.go")); err != nil {
		t.Fatal(err)
	}
	d = wait("quuxwidget settings", "config/config.go", true)
	t.Logf("atomic rename save: searchable after %v", d)
	wait("environment overrides", "config/config.go", false) // the old content is gone

	// A new directory, two levels deep, created after the watch started.
	write(t, filepath.Join(root, "newpkg/deep/flib.go"), "package deep\n\n// Flibbertigibbet chatters.\nfunc Flibbertigibbet() {}\n")
	d = wait("flibbertigibbet chatters", "newpkg/deep/flib.go", true)
	t.Logf("new directory: searchable after %v", d)

	// A deletion.
	if err := os.Remove(filepath.Join(root, "cache/cache.go")); err != nil {
		t.Fatal(err)
	}
	wait("least recently used cache", "cache/cache.go", false)

	// A removed directory takes its files along.
	if err := os.RemoveAll(filepath.Join(root, "newpkg")); err != nil {
		t.Fatal(err)
	}
	wait("flibbertigibbet chatters", "newpkg/deep/flib.go", false)

	// Ignore rules apply: a file in an ignored directory is not indexed,
	// and a new .gitignore takes effect.
	write(t, filepath.Join(root, ".gitignore"), "generated/\n")
	write(t, filepath.Join(root, "generated/snark.go"), "package generated\n\n// Snarkhunt hunts snarks.\nfunc Snarkhunt() {}\n")
	write(t, filepath.Join(root, "retry/jitter.go"), servicetest.Files["retry/jitter.go"]+"\n// Bandersnatch is frumious.\nfunc Bandersnatch() {}\n")
	wait("bandersnatch frumious", "retry/jitter.go", true)
	time.Sleep(300 * time.Millisecond) // past another debounce
	wait("snarkhunt hunts snarks", "generated/snark.go", false)
	st, err := fx.Svc.IndexStatus(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"generated/snark.go"} {
		for _, p := range st.Skipped {
			if p.Path == f {
				t.Errorf("%s recorded as skipped by a watch batch", f)
			}
		}
	}
	if st.LastRun == nil || st.LastRun.Trigger != service.TriggerWatch {
		t.Fatalf("last run %+v", st.LastRun)
	}
}
