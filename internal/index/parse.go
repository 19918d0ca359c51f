package index

// This file reads, checks, chunks and tokenizes one file for the writer.

import (
	"bytes"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/aurora-dev/aur/internal/chunk"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/tokenize"
)

// parseFile reads, checks and chunks one file.
func parseFile(j job, opts Options, indexedAt int64, tk *tokenize.Tokenizer) result {
	b, err := os.ReadFile(j.e.abs)
	if err != nil {
		return skipResult(j, ReasonUnreadable, err.Error())
	}
	if int64(len(b)) > opts.MaxFileSize {
		return skipResult(j, ReasonTooLarge, humanBytes(int64(len(b))))
	}
	if isBinary(b) {
		return skipResult(j, ReasonBinary, "")
	}
	f := store.File{
		Path:      j.e.rel,
		Hash:      strconv.FormatUint(xxhash.Sum64(b), 16),
		Size:      int64(len(b)),
		MtimeNS:   j.e.mtim,
		IndexedAt: indexedAt,
		Status:    "ok",
	}
	if j.old != nil && !opts.Force && j.old.Hash == f.Hash {
		return result{update: &store.FileUpdate{File: f, MetadataOnly: true}}
	}
	lang, chunks, cerr := chunk.File(j.e.rel, b, opts.Chunk)
	f.Language = lang
	var prob *Problem
	if cerr != nil {
		f.Status, f.Message = ReasonParseError, cerr.Error()
		prob = &Problem{j.e.rel, ReasonParseError, cerr.Error()}
	}
	return result{
		update: &store.FileUpdate{File: f, Chunks: indexedChunks(j.e.rel, lang, chunks, tk),
			Trigrams: string(store.TrigramText(string(b), map[uint32]struct{}{}, nil))},
		problem: prob,
		content: len(b),
	}
}

// skipResult reports a file that cannot be indexed; if it was indexed
// before, the result also carries the deletion of its old record.
func skipResult(j job, reason, detail string) result {
	r := result{skip: &Problem{j.e.rel, reason, detail}}
	if j.old != nil {
		r.update = &store.FileUpdate{File: store.File{Path: j.e.rel}, Delete: true}
	}
	return r
}

// sniffLen is how much of a file the binary sniff reads, as git does.
const sniffLen = 8000

// isBinary sniffs like git: a NUL byte in the first 8000 bytes.
func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), sniffLen)], 0) >= 0
}

// sniffBinary reads the start of a file for isBinary; an unreadable file
// is not called binary (the real run reports it as unreadable).
func sniffBinary(name string) bool {
	fh, err := os.Open(name)
	if err != nil {
		return false
	}
	defer fh.Close()
	b := make([]byte, sniffLen)
	n, _ := io.ReadFull(fh, b)
	return isBinary(b[:n])
}

// indexedChunks gives chunks their stable ids and full-text terms.
func indexedChunks(rel, lang string, chunks []chunk.Chunk, tk *tokenize.Tokenizer) []store.IndexedChunk {
	out := make([]store.IndexedChunk, 0, len(chunks))
	ordinals := map[uint64]int{}
	pathTerms := string(tk.AppendJoined(nil, strings.TrimSuffix(rel, path.Ext(rel)), map[string]struct{}{}))
	testFile := chunk.IsTestPath(rel, lang)
	var buf []byte
	for _, c := range chunks {
		key := idKey(rel, c)
		ord := ordinals[key]
		ordinals[key]++
		ic := store.IndexedChunk{Chunk: store.Chunk{
			Key:           chunkKey(key, ord),
			Kind:          string(c.Kind),
			Name:          c.Name,
			QualifiedName: c.QualifiedName,
			Signature:     c.Signature,
			Doc:           c.Doc,
			StartLine:     c.StartLine,
			EndLine:       c.EndLine,
			Content:       c.Content,
			Language:      lang,
			IsTest:        testFile || c.Test,
		}}
		ic.Terms.Name = string(tk.AppendJoined(buf[:0], c.QualifiedName, map[string]struct{}{}))
		ic.Terms.Signature = string(tk.AppendJoined(buf[:0], c.Signature, map[string]struct{}{}))
		ic.Terms.Doc = string(tk.AppendJoined(buf[:0], c.Doc, map[string]struct{}{}))
		ic.Terms.Path = pathTerms
		seen := map[string]struct{}{}
		buf = tk.AppendJoined(buf[:0], c.Content, seen)
		ic.Terms.Body = string(buf)
		ic.BodyTerms = len(seen)
		out = append(out, ic)
	}
	return out
}

// idKey hashes what identifies a chunk within the index: its file, kind
// and qualified name, or for windows and unnamed sections its content, so
// the id does not change when unrelated lines move.
func idKey(rel string, c chunk.Chunk) uint64 {
	d := xxhash.New()
	d.WriteString(rel)
	d.WriteString("\x00")
	d.WriteString(string(c.Kind))
	d.WriteString("\x00")
	if c.QualifiedName != "" {
		d.WriteString(c.QualifiedName)
	} else {
		d.WriteString(c.Content)
	}
	return d.Sum64()
}

func chunkKey(key uint64, ordinal int) int64 {
	if ordinal > 0 {
		key = xxhash.Sum64String(strconv.FormatUint(key, 16) + "#" + strconv.Itoa(ordinal))
	}
	return int64(key >> 1) // positive, so ids read well in SQL
}
