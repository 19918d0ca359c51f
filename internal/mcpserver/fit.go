package mcpserver

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/aurora-dev/aur/internal/service"
)

// marshal is compact JSON without HTML escaping (which would triple the
// size of code full of <, > and &): every byte counts against the cap.
func marshal(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return `{"error":{"code":"internal","message":"result not encodable"}}`
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// tooBig is what a result that cannot be made to fit becomes: it still
// says why, and it is far below MinMaxChars.
const tooBig = `{"error":{"code":"result_too_large","message":"the result does not fit in max_chars; ask for fewer results"},"truncated":{"reason":"max_chars"}}`

// FitResult renders r as JSON text of at most maxChars bytes. It drops
// results from the end first, then shortens the answer, the snippets and
// the echoed query, and records what it left out in r.Truncated (tr, if
// set, is a truncation already made: results clamped to max_results).
func FitResult(r service.Result, tr *service.Truncation, maxChars int) string {
	r.Truncated = tr
	s := marshal(r)
	if len(s) <= maxChars {
		return s
	}
	if r.Truncated == nil {
		r.Truncated = &service.Truncation{}
	}
	t := r.Truncated
	t.Reason, t.MaxChars = "max_chars", maxChars
	full := len(s)
	// Never fewer than one result while dropping: the best result is
	// worth more than the rest of the envelope.
	for len(s) > maxChars && len(r.Results) > 1 {
		r.Results = r.Results[:len(r.Results)-1]
		t.Results++
		s = marshal(r)
	}
	// Then halve the long text fields, the answer first, until it fits.
	for round := 0; len(s) > maxChars && round < 24; round++ {
		shrunk := false
		if r.Answer != nil && len(*r.Answer) > 200 {
			a := truncate(*r.Answer, len(*r.Answer)/2)
			r.Answer = &a
			shrunk = true
		} else {
			for i := range r.Results {
				it := &r.Results[i]
				if len(it.Snippet) > 80 {
					it.Snippet = truncate(it.Snippet, len(it.Snippet)/2)
					shrunk = true
				}
				if len(it.Content) > 0 {
					it.Content = ""
					shrunk = true
				}
				if len(it.Chunks) > 0 {
					it.Chunks = nil
					shrunk = true
				}
				if len(it.Signature) > 120 {
					it.Signature = truncate(it.Signature, 120)
					shrunk = true
				}
			}
			if len(r.Query) > 200 {
				r.Query = truncate(r.Query, 200)
				shrunk = true
			}
			if len(r.Citations) > 0 || len(r.SecurityWarnings) > 0 || len(r.Terms) > 0 {
				r.Citations, r.SecurityWarnings, r.Terms = nil, nil, nil
				shrunk = true
			}
		}
		if !shrunk && len(r.Results) > 0 {
			r.Results = r.Results[:len(r.Results)-1]
			t.Results++
			shrunk = true
		}
		if !shrunk {
			break
		}
		t.Chars = full - len(s)
		s = marshal(r)
	}
	t.Chars = full - len(s)
	s = marshal(r)
	if len(s) > maxChars {
		return tooBig
	}
	return s
}

// FitIndexStatus renders st in at most maxChars, shortening its lists of
// skipped files and parse errors first (the counts stay).
func FitIndexStatus(st *service.IndexStatus, maxChars int) string {
	s := marshal(st)
	if len(s) <= maxChars {
		return s
	}
	c := *st
	stats := *st.IndexStats
	c.IndexStats = &stats
	type withCut struct {
		service.IndexStatus
		Truncated service.Truncation `json:"truncated"`
	}
	w := withCut{IndexStatus: c, Truncated: service.Truncation{Reason: "max_chars", MaxChars: maxChars}}
	full := len(s)
	for len(s) > maxChars && (len(stats.Skipped) > 0 || len(stats.ParseErrors) > 0) {
		stats.Skipped = stats.Skipped[:len(stats.Skipped)/2]
		stats.ParseErrors = stats.ParseErrors[:len(stats.ParseErrors)/2]
		w.Truncated.Results = (len(st.Skipped) - len(stats.Skipped)) + (len(st.ParseErrors) - len(stats.ParseErrors))
		s = marshal(w)
	}
	if len(s) > maxChars {
		stats.ChunksLangKind = nil
		s = marshal(w)
	}
	w.Truncated.Chars = full - len(s)
	s = marshal(w)
	if len(s) > maxChars {
		return tooBig
	}
	return s
}

// FitJSON renders v in at most maxChars, or says it could not.
func FitJSON(v any, maxChars int) string {
	s := marshal(v)
	if len(s) > maxChars {
		return tooBig
	}
	return s
}
