// Package servicetest builds a real service over a small indexed tree in
// a temp dir, for the tests of the faces (server, mcpserver) and of the
// service itself.
package servicetest

import (
	"testing"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/fixture"
	"github.com/aurora-dev/aur/internal/quality"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
)

// Files is the fixture tree (fixture.Files).
var Files = fixture.Files

// WeakQuery grades weak on Files (fixture.WeakQuery).
const WeakQuery = fixture.WeakQuery

// Fixture is an indexed tree and a service over it.
type Fixture struct {
	Root string // the indexed tree
	DB   *store.DB
	Svc  *service.Service
}

// New indexes Files (fixture.Index) and returns a service over it built
// with deps (DB is filled in).
func New(t testing.TB, deps service.Deps) *Fixture {
	t.Helper()
	return NewWith(t, Settings(), deps)
}

// Settings are the settings New uses.
func Settings() service.Settings {
	return service.Settings{Thresholds: quality.DefaultThresholds, MaxQueryLength: 10000,
		Index: service.IndexSettings{NoGit: true}}
}

// NewWith is New with other settings.
func NewWith(t testing.TB, set service.Settings, deps service.Deps) *Fixture {
	t.Helper()
	root, db := fixture.Index(t, Files)
	deps.DB = db
	if deps.Log.GetLevel() == zerolog.TraceLevel {
		deps.Log = zerolog.Nop()
	}
	svc := service.New(set, deps)
	return &Fixture{Root: root, DB: db, Svc: svc}
}
