package service

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aurora-dev/aur/internal/query"
)

// SearchRequest is one question, as every face receives it: the JSON body
// of POST /v1/search and /v1/query, the MCP tools' arguments, and the
// CLI's flags. The zero value of every field but Query is the default.
type SearchRequest struct {
	Query string `json:"query"`
	// Limit is the number of results, 1 to MaxLimit; 0 means DefaultLimit.
	Limit int `json:"limit,omitempty"`
	// Files ranks files instead of chunks.
	Files bool `json:"files,omitempty"`
	// Fixed finds chunks holding Query as an exact substring (-F);
	// IgnoreCase folds ASCII case for it.
	Fixed      bool `json:"fixed,omitempty"`
	IgnoreCase bool `json:"ignore_case,omitempty"`
	// ExcludeTests leaves test code out; Tests ranks it like other code.
	ExcludeTests bool `json:"exclude_tests,omitempty"`
	Tests        bool `json:"tests,omitempty"`
	// Paths are path prefixes relative to the index root; Globs ripgrep
	// style globs (a leading ! excludes; later globs win).
	Paths []string `json:"paths,omitempty"`
	Globs []string `json:"globs,omitempty"`
	// Langs and Types keep chunks of these languages and kinds only.
	Langs []string `json:"langs,omitempty"`
	Types []string `json:"types,omitempty"`
	// Explain adds each score's parts; ShowContent each chunk's source.
	Explain     bool `json:"explain,omitempty"`
	ShowContent bool `json:"show_content,omitempty"`
	// NoCache bypasses the query cache.
	NoCache bool `json:"no_cache,omitempty"`
}

// Limits of SearchRequest.Limit.
const (
	DefaultLimit = 10
	MaxLimit     = 1000
)

// Kinds are the chunk kinds Types accepts ("doc" and "docs" mean section).
var Kinds = []string{"function", "method", "class", "struct", "interface", "enum", "type", "constant", "variable", "section", "window"}

// ErrInvalid marks input that no retry will fix: a bad request field, or
// a query that fails validation (query.ErrInvalidQuery). Faces map it to
// their usage error: exit 2, HTTP 400, an MCP tool error.
var ErrInvalid = errors.New("invalid request")

// InvalidError is a request field that is out of range. Field is its JSON
// name; Flag the CLI flag it comes from, for messages in the CLI's words.
type InvalidError struct {
	Field string
	Flag  string
	// Msg follows the field's name: "must be between 1 and 1000, got 0".
	Msg string
	// Other is a second field the message is about, if any.
	Other, OtherFlag string
}

func (e *InvalidError) Error() string {
	if e.Other != "" {
		return e.Field + " and " + e.Other + " " + e.Msg
	}
	return e.Field + " " + e.Msg
}

// FlagError is the message in the CLI's words (--limit, --fixed-strings).
func (e *InvalidError) FlagError() string {
	if e.Other != "" {
		return e.Flag + " and " + e.OtherFlag + " " + e.Msg
	}
	return e.Flag + " " + e.Msg
}

func (e *InvalidError) Unwrap() error { return ErrInvalid }

// IsInvalid tells whether err is the caller's fault: a bad field or an
// invalid query.
func IsInvalid(err error) bool {
	return errors.Is(err, ErrInvalid) || errors.Is(err, query.ErrInvalidQuery)
}

// Normalize fills defaults and checks every field but the query text
// (which ask validates, and records when it is invalid). It lower-cases
// Types and Langs and maps "doc" to "section". The checks are the CLI's
// flag checks, so every face refuses the same input.
func (r *SearchRequest) Normalize() error {
	if r.Limit == 0 {
		r.Limit = DefaultLimit
	}
	if r.Limit < 1 || r.Limit > MaxLimit {
		return &InvalidError{Field: "limit", Flag: "--limit", Msg: fmt.Sprintf("must be between 1 and %d, got %d", MaxLimit, r.Limit)}
	}
	for i, k := range r.Types {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "doc" || k == "docs" {
			k = "section"
		}
		r.Types[i] = k
		ok := false
		for _, v := range Kinds {
			ok = ok || v == k
		}
		if !ok {
			return &InvalidError{Field: "types", Flag: "--type", Msg: fmt.Sprintf("%q: want one of %s (doc means section)", k, strings.Join(Kinds, ", "))}
		}
	}
	for i, l := range r.Langs {
		r.Langs[i] = strings.ToLower(strings.TrimSpace(l))
	}
	if r.ExcludeTests && r.Tests {
		return &InvalidError{Field: "tests", Flag: "--tests", Other: "exclude_tests", OtherFlag: "--exclude-tests", Msg: "contradict each other"}
	}
	for _, g := range r.Globs {
		if strings.TrimSpace(strings.TrimPrefix(g, "!")) == "" {
			return &InvalidError{Field: "globs", Flag: "--glob", Msg: fmt.Sprintf("%q: empty pattern", g)}
		}
	}
	for _, p := range r.Paths {
		if strings.TrimSpace(p) == "" {
			return &InvalidError{Field: "paths", Flag: "--path", Msg: "holds an empty path"}
		}
	}
	if r.Fixed && r.Files {
		return &InvalidError{Field: "fixed", Flag: "--fixed-strings", Other: "files", OtherFlag: "--files", Msg: "cannot be combined"}
	}
	if r.IgnoreCase && !r.Fixed {
		return &InvalidError{Field: "ignore_case", Flag: "--ignore-case", Msg: "applies to a fixed-string search only (ranked search ignores case already)"}
	}
	return nil
}
