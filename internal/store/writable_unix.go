//go:build unix

package store

import "golang.org/x/sys/unix"

// Writable reports whether this process may write path (a file or a
// directory): access(2) with W_OK, which also sees read-only mounts.
// root may write anything not on a read-only mount.
func Writable(path string) bool { return unix.Access(path, unix.W_OK) == nil }
