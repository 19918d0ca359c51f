package store

import (
	"errors"
	"syscall"

	"github.com/mattn/go-sqlite3"
)

// Error codes of ErrorCode: what a person (and a JSON reader) needs to
// know about a failed store operation to decide what to do.
const (
	CodeCorrupt  = "corrupt"   // the database file is damaged: rebuild it (aur mem index --force)
	CodeDiskFull = "disk_full" // no space (or over the file size limit): free some
	CodeReadOnly = "read_only" // the file or its directory cannot be written (by this user)
)

// ErrorCode classifies err: CodeCorrupt, CodeDiskFull, CodeReadOnly, or ""
// for anything else.
func ErrorCode(err error) string {
	switch {
	case errors.Is(err, ErrDamaged):
		return CodeCorrupt
	case errors.Is(err, ErrReadOnly):
		return CodeReadOnly
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch {
		case se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB:
			return CodeCorrupt
		case se.Code == sqlite3.ErrFull || se.SystemErrno == syscall.ENOSPC || se.SystemErrno == syscall.EFBIG:
			return CodeDiskFull
		case se.Code == sqlite3.ErrReadonly:
			return CodeReadOnly
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EFBIG), errors.Is(err, syscall.EDQUOT):
		return CodeDiskFull
	case errors.Is(err, syscall.EROFS):
		return CodeReadOnly
	}
	return ""
}

// IsCorrupt reports whether err says the database file is damaged
// ("database disk image is malformed", "file is not a database").
func IsCorrupt(err error) bool { return ErrorCode(err) == CodeCorrupt }
