//go:build !unix

package resilience

import "sync"

// lockMu stands in for flock(2) where there is none: updates are
// serialised within a process, and processes may still race.
var lockMu sync.Mutex

func lockFile(string) (unlock func(), err error) {
	lockMu.Lock()
	return lockMu.Unlock, nil
}
