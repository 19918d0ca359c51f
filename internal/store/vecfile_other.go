//go:build !unix

package store

import (
	"os"

	"github.com/aurora-dev/aur/internal/vector"
)

// mapCodes is unsupported here: codes are read from the database.
func mapCodes(f *os.File, size int64, n, words int) (*vector.Codes, error) {
	return nil, errVecFile
}
