package resilience

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// BreakerSnapshot is the part of a breaker's state that must outlive a
// process: aur is a command-line tool, each query a new process, so a
// breaker that forgot its failures at exit would never open.
type BreakerSnapshot struct {
	// Key names the breaker in its store (provider and endpoint); set by
	// the store.
	Key                 string    `json:"key,omitempty"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	OpenUntil           time.Time `json:"open_until,omitzero"`
}

// BreakerStore keeps breaker snapshots by key, shared by every process
// that uses the same store.
type BreakerStore interface {
	// Load returns the saved snapshot of key, or a zero one.
	Load(key string) (BreakerSnapshot, error)
	// Update applies fn to the saved snapshot of key and saves the result,
	// as one step that no other Update of key, in this process or
	// another, interleaves with; it returns what was saved. Read, then
	// write, without a lock loses updates: eight processes that each
	// read 0 failures and each save 1 never open the breaker.
	Update(key string, fn func(*BreakerSnapshot)) (BreakerSnapshot, error)
}

// FileBreakerStore keeps one small JSON file per key in Dir (aur uses
// $AURORA_HOME/state). Update holds an exclusive lock on a sidecar
// ".lock" file (flock(2), on Unix) for its read-modify-write; writes are
// atomic (temp file and rename), so Load needs no lock and sees one
// snapshot or the next, never half of one.
//
// File names: "breaker-<provider>-<hash>.json" for a key of the form
// "provider@endpoint" (the hash tells endpoints apart without putting a
// URL in a file name), "breaker-<key>.json" for a bare key.
type FileBreakerStore struct{ Dir string }

func (s FileBreakerStore) path(key string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
				return r
			}
			return '_'
		}, strings.ToLower(s))
	}
	name := clean(key)
	if provider, _, ok := strings.Cut(key, "@"); ok {
		sum := sha256.Sum256([]byte(key))
		name = clean(provider) + "-" + hex.EncodeToString(sum[:6])
	}
	return filepath.Join(s.Dir, "breaker-"+name+".json")
}

// Load returns the saved snapshot, or a zero one if there is none.
func (s FileBreakerStore) Load(key string) (BreakerSnapshot, error) {
	return s.read(key)
}

func (s FileBreakerStore) read(key string) (BreakerSnapshot, error) {
	snap := BreakerSnapshot{Key: key}
	p := s.path(key)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return snap, nil
	}
	if err != nil {
		return snap, fmt.Errorf("load breaker state: %w", err)
	}
	if err := json.Unmarshal(b, &snap); err != nil {
		return BreakerSnapshot{Key: key}, fmt.Errorf("load breaker state %s: %w", p, err)
	}
	snap.Key = key
	return snap, nil
}

// Update reads, changes and writes the snapshot of key under the key's
// lock. A snapshot that cannot be read (a corrupt file) is replaced, as a
// breaker without memory would start: closed.
func (s FileBreakerStore) Update(key string, fn func(*BreakerSnapshot)) (BreakerSnapshot, error) {
	// The state holds nothing secret, but the directory is AURORA_HOME's.
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return BreakerSnapshot{}, fmt.Errorf("save breaker state: %w", err)
	}
	unlock, err := lockFile(s.path(key) + ".lock")
	if err != nil {
		return BreakerSnapshot{}, fmt.Errorf("lock breaker state: %w", err)
	}
	defer unlock()
	snap, _ := s.read(key)
	fn(&snap)
	snap.Key = key
	return snap, s.write(key, snap)
}

func (s FileBreakerStore) write(key string, snap BreakerSnapshot) error {
	b, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.Dir, ".breaker-*")
	if err != nil {
		return fmt.Errorf("save breaker state: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("save breaker state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save breaker state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path(key)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save breaker state: %w", err)
	}
	return nil
}

// errRestored stands for a failure replayed from a snapshot.
var errRestored = errors.New("resilience: failure restored from a snapshot")

// restore replays a snapshot into a fresh breaker: its consecutive
// failures are fed to gobreaker as failures (so it trips at the same
// count), and a held-open period is kept as saved.
func (b *Breaker) restore(s BreakerSnapshot) {
	n := min(s.ConsecutiveFailures, b.cfg.FailureThreshold)
	for range n {
		done, err := b.cb.Allow()
		if err != nil {
			break
		}
		done(errRestored)
	}
	b.mu.Lock()
	if n >= b.cfg.FailureThreshold {
		b.openUntil = s.OpenUntil
	}
	b.mu.Unlock()
}

// follow makes the breaker hold open exactly as long as the shared
// snapshot says: the store, not this process's counts, decides, since
// other processes' calls count too.
func (b *Breaker) follow(s BreakerSnapshot) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.ConsecutiveFailures >= b.cfg.FailureThreshold {
		b.openUntil = s.OpenUntil
	} else {
		b.openUntil = time.Time{}
	}
}

// record adds one call's outcome to the shared snapshot: a failure counts
// (and the failure that reaches the threshold, or fails the trial request
// after an open period, opens the breaker from now), a success resets.
func (b *Breaker) record(failed bool) {
	now := b.clock.Now()
	s, err := b.store.Update(b.key, func(s *BreakerSnapshot) {
		if !failed {
			*s = BreakerSnapshot{}
			return
		}
		s.ConsecutiveFailures++
		if s.ConsecutiveFailures >= b.cfg.FailureThreshold && !now.Before(s.OpenUntil) {
			s.OpenUntil = now.Add(b.cfg.OpenTimeout)
		}
	})
	if err == nil {
		b.follow(s)
	}
}

// Persist makes the breaker share its state through store under key (aur
// uses the provider and its endpoint): it loads the state now, checks it
// again before each request, and adds each request's outcome to it. Errors
// of the store are returned by Persist (loading) and otherwise ignored: a
// breaker without memory is still a breaker.
func (b *Breaker) Persist(store BreakerStore, key string) error {
	if key == "" {
		key = b.name
	}
	s, err := store.Load(key)
	b.store, b.key = store, key
	if err != nil {
		return err
	}
	b.restore(s)
	return nil
}
