package buildinfo

import (
	"strings"
	"testing"
)

// TestStampNamesVersion: the stamp starts with the version a person
// reads, so two builds with different versions never share cache keys.
func TestStampNamesVersion(t *testing.T) {
	if String() == "" {
		t.Fatal("empty version")
	}
	if !strings.HasPrefix(Stamp(), String()) {
		t.Errorf("stamp %q does not start with version %q", Stamp(), String())
	}
}
