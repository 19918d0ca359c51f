package store

import (
	"bufio"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"unsafe"

	"github.com/aurora-dev/aur/internal/vector"
)

// VectorFileSuffix names the side file beside the database that holds
// the packed sign codes of vector_segments once more, laid out as a
// query scans them, so that a new process maps it (no read, no copy, no
// decoding) instead of reading 12.5 MB of blobs from SQLite: at 120k
// chunks that was most of a new process's semantic overhead (see
// docs/measurements.md, "Semantic retrieval").
//
// The file is a cache of vector_segments and nothing else: it is written
// after each embedding pass and by the first search that finds it
// missing or stale, and is used only when its header names the current
// MetaEmbedVersion (a random token changed whenever vector_segments is
// rebuilt or the model changes) and its size fits. Backups, replicas and
// restored databases do not carry it; a search on them reads the
// segments and writes a file of their own where it can. It is replaced by
// renaming a complete temporary file, never changed in place, so a
// process that has the old one mapped keeps reading it whole.
//
// Layout (little-endian): 64-byte header (magic "AURVEC01", words per
// code, number of codes, the version token, NUL-padded), the ids as
// int64s, then the codes as uint64 words.
const VectorFileSuffix = ".vec"

const (
	vecMagic      = "AURVEC01"
	vecHeaderSize = 64
	vecMaxVersion = vecHeaderSize - 24
)

var errVecFile = errors.New("vector file does not match the database")

// vectorFilePath is the side file of the database at path ("" for an
// in-memory database).
func vectorFilePath(path string) string {
	if path == "" || path == ":memory:" {
		return ""
	}
	return path + VectorFileSuffix
}

// writeVectorFile writes c as the side file at path for version.
func writeVectorFile(path, version string, c *vector.Codes) error {
	if path == "" || len(version) > vecMaxVersion || !littleEndian {
		return errVecFile
	}
	tmp := path + ".tmp-" + strconv.Itoa(os.Getpid())
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	var hdr [vecHeaderSize]byte
	copy(hdr[:8], vecMagic)
	binary.LittleEndian.PutUint64(hdr[8:], uint64(c.Words))
	binary.LittleEndian.PutUint64(hdr[16:], uint64(c.Len()))
	copy(hdr[24:], version)
	w.Write(hdr[:])
	var b [8]byte
	for _, id := range c.IDs {
		binary.LittleEndian.PutUint64(b[:], uint64(id))
		w.Write(b[:])
	}
	for _, x := range c.Bits {
		binary.LittleEndian.PutUint64(b[:], x)
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}

// openVectorFile maps the side file at path if it holds the codes of
// version at words per code; any mismatch is errVecFile.
func openVectorFile(path, version string, words int) (*vector.Codes, error) {
	if path == "" || version == "" || len(version) > vecMaxVersion || !littleEndian {
		return nil, errVecFile
	}
	f, err := os.Open(filepath.Clean(path))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var hdr [vecHeaderSize]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return nil, errVecFile
	}
	var ver [vecMaxVersion]byte
	copy(ver[:], version)
	n := binary.LittleEndian.Uint64(hdr[16:])
	if string(hdr[:8]) != vecMagic || binary.LittleEndian.Uint64(hdr[8:]) != uint64(words) ||
		[vecMaxVersion]byte(hdr[24:]) != ver || n > 1<<34 {
		return nil, errVecFile
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := int64(vecHeaderSize) + int64(n)*8*int64(1+words)
	if fi.Size() != size {
		return nil, errVecFile
	}
	if n == 0 {
		return &vector.Codes{Words: words}, nil
	}
	return mapCodes(f, size, int(n), words)
}

// littleEndian is whether the codes can be used in place from the file.
var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// removeVectorFile deletes the side file (a stale one would only be
// ignored, but it takes room).
func (db *DB) removeVectorFile() {
	if p := vectorFilePath(db.path); p != "" {
		_ = os.Remove(p)
	}
}
