// Package sample is a fixture for the Go chunker.
package sample

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrClosed is returned after Close.
var ErrClosed = errors.New("sample: closed")

const (
	maxDepth   = 32
	defaultSep = ","
)

// Reader reads records from an underlying io.Reader.
type Reader struct {
	r      io.Reader
	closed bool
}

// Map is a generic map with a default.
type Map[K comparable, V any] struct {
	m   map[K]V
	def V
}

type (
	// ID identifies a record.
	ID int64
	// Sink receives records.
	Sink interface {
		Put(rec string) error
	}
)

// NewReader returns a Reader reading from r.
// It never returns nil.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: r}
}

// Next advances to the next record.
func (r *Reader) Next() (string, error) {
	if r.closed {
		return "", ErrClosed
	}
	return "", nil
}

// Get returns the value for k or the default.
func (m *Map[K, V]) Get(k K) V {
	if v, ok := m.m[k]; ok {
		return v
	}
	return m.def
}

func (Reader) String() string { return "reader" }

func join(parts []string) string {
	return strings.Join(parts, defaultSep)
}

func init() {
	fmt.Sprint(maxDepth)
}
