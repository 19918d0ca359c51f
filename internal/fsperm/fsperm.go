// Package fsperm creates aur's files and directories private to their
// owner: the project database and query cache hold code and past
// questions, the log holds query text, and AURORA_HOME holds all of it.
//
// Directories are created 0700 and files 0600, through the process umask,
// so a stricter umask is respected; nothing is ever chmod-ed wider.
// Existing files and directories are left as they are: their mode is the
// owner's choice.
package fsperm

import (
	"errors"
	"io/fs"
	"os"
)

// Modes of what aur creates.
const (
	DirMode  fs.FileMode = 0o700
	FileMode fs.FileMode = 0o600
)

// MkdirAll creates dir and any missing parents with DirMode.
func MkdirAll(dir string) error { return os.MkdirAll(dir, DirMode) }

// Create creates path, empty, with FileMode if it does not exist, and
// reports whether it did. An existing file is not touched. SQLite takes
// an empty file for an empty database and gives the -wal and -shm files
// it creates beside a database the database file's mode, so creating the
// database file first makes all three private.
func Create(path string) (created bool, err error) {
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, FileMode)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, fh.Close()
}

// OpenAppend opens path for appending, creating it with FileMode.
func OpenAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, FileMode)
}
