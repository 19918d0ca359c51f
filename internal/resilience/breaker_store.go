package resilience

import (
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
	ConsecutiveFailures int       `json:"consecutive_failures"`
	OpenUntil           time.Time `json:"open_until,omitzero"`
}

// BreakerStore loads and saves breaker snapshots by provider.
type BreakerStore interface {
	Load(provider string) (BreakerSnapshot, error)
	Save(provider string, s BreakerSnapshot) error
}

// FileBreakerStore keeps one small JSON file per provider in Dir
// (aur uses $AURORA_HOME/state). Writes are atomic (temp file and rename),
// so concurrent aur processes see one snapshot or the other, never half.
type FileBreakerStore struct{ Dir string }

func (s FileBreakerStore) path(provider string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, strings.ToLower(provider))
	return filepath.Join(s.Dir, "breaker-"+name+".json")
}

// Load returns the saved snapshot, or a zero one if there is none.
func (s FileBreakerStore) Load(provider string) (BreakerSnapshot, error) {
	var snap BreakerSnapshot
	b, err := os.ReadFile(s.path(provider))
	if errors.Is(err, os.ErrNotExist) {
		return snap, nil
	}
	if err != nil {
		return snap, fmt.Errorf("load breaker state: %w", err)
	}
	if err := json.Unmarshal(b, &snap); err != nil {
		return BreakerSnapshot{}, fmt.Errorf("load breaker state %s: %w", s.path(provider), err)
	}
	return snap, nil
}

// Save writes the snapshot.
func (s FileBreakerStore) Save(provider string, snap BreakerSnapshot) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("save breaker state: %w", err)
	}
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
		return err
	}
	return os.Rename(tmp.Name(), s.path(provider))
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

// snapshot returns what to save after a request.
func (b *Breaker) snapshot() BreakerSnapshot {
	s := BreakerSnapshot{ConsecutiveFailures: int(b.cb.Counts().ConsecutiveFailures)}
	b.mu.Lock()
	until := b.openUntil
	b.mu.Unlock()
	if b.clock.Now().Before(until) {
		s.OpenUntil = until
		s.ConsecutiveFailures = max(s.ConsecutiveFailures, b.cfg.FailureThreshold)
	}
	return s
}

// Persist makes the breaker load its state from store now and save it
// after every request it lets through. Errors of the store are returned by
// Persist (loading) and otherwise ignored: a breaker without memory is
// still a breaker.
func (b *Breaker) Persist(store BreakerStore) error {
	s, err := store.Load(b.name)
	b.store = store
	if err != nil {
		return err
	}
	b.restore(s)
	return nil
}
