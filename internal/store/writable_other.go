//go:build !unix

package store

import "os"

// Writable reports whether path may be written, by its permission bits.
func Writable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().Perm()&0o200 != 0
}
