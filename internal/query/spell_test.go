package query

import (
	"context"
	"slices"
	"testing"
)

func TestEdits1(t *testing.T) {
	for _, c := range []struct {
		typo, want string
	}{
		{"upgarde", "upgrade"},  // neighbours swapped
		{"sesion", "session"},   // a doubled letter written once
		{"proccess", "process"}, // a single letter written twice
		{"automaticaly", "automatically"},
	} {
		if !slices.Contains(edits1(c.typo), c.want) {
			t.Errorf("edits1(%q) lacks %q", c.typo, c.want)
		}
	}
	// A letter replaced, added or dropped is not a typing error edits1
	// undoes: those turn real words into other real words.
	for _, c := range []struct{ word, other string }{
		{"react", "redact"}, {"unpack", "unack"}, {"spill", "still"}, {"accent", "accept"},
	} {
		if slices.Contains(edits1(c.word), c.other) {
			t.Errorf("edits1(%q) holds %q", c.word, c.other)
		}
	}
}

// TestSpellingCorrection: a misspelled word of a question matches the
// index's word one typing error away, the correction shows as the term's
// alternative, and a word the index lacks but that is not a typo of one
// of its words is left alone.
func TestSpellingCorrection(t *testing.T) {
	db := indexScopeCorpus(t)
	r := search(t, db, "retry a failed reqeust with exponnential backoff", Options{})
	if rankOf(r, "retry_request") != 1 {
		t.Fatalf("misspelled question: retry_request ranked %d, want 1", rankOf(r, "retry_request"))
	}
	alts := map[string][]string{}
	for _, term := range r.Terms {
		alts[term.Text] = term.Alts
	}
	if !slices.Contains(alts["reqeust"], "request") || !slices.Contains(alts["exponnenti"], "exponenti") {
		t.Errorf("corrections not shown as alternatives: %v", alts)
	}
	// "parsing" is in the index (stem "pars"); "kookie" is two edits from
	// cookie; "overflowed" stems to a word the index holds. None is
	// corrected.
	e := NewEngine(db)
	df, err := db.DocFreq(context.Background(), analyze(e.tk, "kookie numbers overflowed"))
	if err != nil {
		t.Fatal(err)
	}
	fix, err := e.corrections(context.Background(), "kookie numbers overflowed", 0, df)
	if err != nil {
		t.Fatal(err)
	}
	if len(fix) != 0 {
		t.Errorf("corrections of correct or distant words: %v", fix)
	}
}
