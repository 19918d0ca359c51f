//go:build !unix

package store

import "os"

// Without flock the lock is not taken: concurrent index runs are not
// serialized on these systems.
func tryLock(f *os.File) error { return nil }

func unlock(f *os.File) error { return nil }

// flockWorks tells that tryLock does not really lock here.
const flockWorks = false

// syncDir does nothing: directories cannot be synced on these systems.
func syncDir(dir string) error { return nil }
