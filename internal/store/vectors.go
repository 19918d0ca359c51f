package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/aurora-dev/aur/internal/vector"
)

// Meta keys of the vector store.
const (
	MetaEmbedModel   = "embed_model"   // the model that made every stored vector
	MetaEmbedDims    = "embed_dims"    // their dimension
	MetaEmbedVersion = "embed_version" // a random token, new whenever vector_segments is rebuilt
)

// segmentSize is how many sign codes one vector_segments row holds: a
// query reads 120k codes in 30 rows.
const segmentSize = 4096

// EmbedModel names the model behind the stored vectors.
type EmbedModel struct {
	Name string `json:"model"`
	Dims int    `json:"dimensions"`
}

// EmbedModel returns the model of the stored vectors; zero when none
// were ever stored.
func (db *DB) EmbedModel(ctx context.Context) (EmbedModel, error) {
	name, err := db.Meta(ctx, MetaEmbedModel)
	if err != nil {
		return EmbedModel{}, fmt.Errorf("embed model: %w", err)
	}
	d, err := db.Meta(ctx, MetaEmbedDims)
	if err != nil {
		return EmbedModel{}, fmt.Errorf("embed model: %w", err)
	}
	dims, _ := strconv.Atoi(d)
	return EmbedModel{Name: name, Dims: dims}, nil
}

// SetEmbedModel records m as the model of the stored vectors. If another
// model made them, every vector is dropped first (vectors of two models
// do not compare) and dropped says how many.
func (db *DB) SetEmbedModel(ctx context.Context, m EmbedModel) (dropped int, err error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("set embed model: %w", err)
	}
	defer tx.Rollback()
	var name, dims string
	_ = tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", MetaEmbedModel).Scan(&name)
	_ = tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", MetaEmbedDims).Scan(&dims)
	if name == m.Name && dims == strconv.Itoa(m.Dims) {
		return 0, nil
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM chunk_vectors").Scan(&dropped); err != nil {
		return 0, fmt.Errorf("set embed model: %w", err)
	}
	for _, q := range []string{"DELETE FROM chunk_vectors", "DELETE FROM embeddings", "DELETE FROM vector_segments"} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("set embed model: %w", err)
		}
	}
	for k, v := range map[string]string{MetaEmbedModel: m.Name, MetaEmbedDims: strconv.Itoa(m.Dims)} {
		if err := setMetaTx(ctx, tx, k, v); err != nil {
			return 0, fmt.Errorf("set embed model: %w", err)
		}
	}
	if err := bumpEmbedVersionTx(ctx, tx); err != nil {
		return 0, fmt.Errorf("set embed model: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("set embed model: %w", err)
	}
	db.removeVectorFile()
	return dropped, nil
}

// PendingChunk is a chunk without a vector, with the fields its embedded
// text is made of. Content is at most the prefix asked for.
type PendingChunk struct {
	ID                                        int64
	Kind, Name, Signature, Doc, Content, Path string
}

// ChunksWithoutVectors returns up to limit chunks with id > after that
// have no vector, in id order, with at most bodyPrefix characters of
// their content.
func (db *DB) ChunksWithoutVectors(ctx context.Context, after int64, limit, bodyPrefix int) ([]PendingChunk, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT c.id, c.kind, c.qualified_name, c.signature, c.doc, substr(c.content, 1, ?), f.path
		FROM chunks c JOIN files f ON f.id = c.file_id LEFT JOIN chunk_vectors v ON v.chunk_id = c.id
		WHERE v.chunk_id IS NULL AND c.id > ? ORDER BY c.id LIMIT ?`, bodyPrefix, after, limit)
	if err != nil {
		return nil, fmt.Errorf("chunks without vectors: %w", err)
	}
	defer rows.Close()
	var out []PendingChunk
	for rows.Next() {
		var p PendingChunk
		if err := rows.Scan(&p.ID, &p.Kind, &p.Name, &p.Signature, &p.Doc, &p.Content, &p.Path); err != nil {
			return nil, fmt.Errorf("chunks without vectors: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// KnownVectors returns which of the text hashes already have a vector.
func (db *DB) KnownVectors(ctx context.Context, hashes []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for start := 0; start < len(hashes); start += maxVars {
		part := hashes[start:min(len(hashes), start+maxVars)]
		args := make([]any, len(part))
		for i, h := range part {
			args[i] = h
		}
		rows, err := db.db.QueryContext(ctx, `SELECT hash FROM embeddings WHERE hash IN (`+inList(len(part))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("known vectors: %w", err)
		}
		for rows.Next() {
			var h int64
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return nil, fmt.Errorf("known vectors: %w", err)
			}
			out[h] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("known vectors: %w", err)
		}
	}
	return out, nil
}

// maxVars bounds the variables of one IN list.
const maxVars = 500

// VectorWrite gives a chunk its vector: Vec is stored under Hash, or,
// when nil, the vector already stored under Hash is reused.
type VectorWrite struct {
	ChunkID int64
	Hash    int64
	Vec     []float32
}

// PutVectors writes a batch of vectors in one transaction. A chunk
// deleted since it was read is skipped.
func (db *DB) PutVectors(ctx context.Context, ws []VectorWrite) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put vectors: %w", err)
	}
	defer tx.Rollback()
	putVec, err := tx.PrepareContext(ctx, `INSERT INTO embeddings(hash, bits, vec) VALUES (?, ?, ?) ON CONFLICT(hash) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("put vectors: %w", err)
	}
	defer putVec.Close()
	link, err := tx.PrepareContext(ctx, `INSERT INTO chunk_vectors(chunk_id, hash) SELECT id, ? FROM chunks WHERE id = ?
		ON CONFLICT(chunk_id) DO UPDATE SET hash = excluded.hash`)
	if err != nil {
		return fmt.Errorf("put vectors: %w", err)
	}
	defer link.Close()
	for _, w := range ws {
		if w.Vec != nil {
			if _, err := putVec.ExecContext(ctx, w.Hash, vector.Signs(vector.Normalize(w.Vec)), vector.Quantize(w.Vec)); err != nil {
				return fmt.Errorf("put vectors: %w", err)
			}
		}
		if _, err := link.ExecContext(ctx, w.Hash, w.ChunkID); err != nil {
			return fmt.Errorf("put vectors: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put vectors: commit: %w", err)
	}
	return nil
}

// FinishVectors ends an embedding pass: vectors no chunk uses any more
// are deleted, the packed sign codes are rebuilt, and the index
// generation is bumped when anything changed, so cached retrievals are
// not served from before.
func (db *DB) FinishVectors(ctx context.Context, changed bool) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("finish vectors: %w", err)
	}
	defer tx.Rollback()
	codes, err := finishVectorsTx(ctx, tx, changed)
	if err != nil {
		return fmt.Errorf("finish vectors: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("finish vectors: commit: %w", err)
	}
	// The side file of the new segments, for the searches to come; if it
	// cannot be written, the first search reads the segments instead.
	db.writeCodes(ctx, codes)
	return nil
}

func finishVectorsTx(ctx context.Context, tx *sql.Tx, changed bool) (*vector.Codes, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM embeddings WHERE hash NOT IN (SELECT hash FROM chunk_vectors)`); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM vector_segments`); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT v.chunk_id, e.bits FROM chunk_vectors v JOIN embeddings e ON e.hash = v.hash ORDER BY v.chunk_id`)
	if err != nil {
		return nil, err
	}
	var segs [][2][]byte
	var ids, codes []byte
	all := &vector.Codes{}
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			rows.Close()
			return nil, err
		}
		if all.Words == 0 {
			all.Words = len(b) / 8
		}
		ids = binary.LittleEndian.AppendUint64(ids, uint64(id))
		codes = append(codes, b...)
		if len(ids) == 8*segmentSize {
			segs = append(segs, [2][]byte{ids, codes})
			ids, codes = nil, nil
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		segs = append(segs, [2][]byte{ids, codes})
	}
	for _, s := range segs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO vector_segments(ids, bits) VALUES (?, ?)`, s[0], s[1]); err != nil {
			return nil, err
		}
		all.AppendPacked(s[0], s[1])
	}
	if err := bumpEmbedVersionTx(ctx, tx); err != nil {
		return nil, err
	}
	if changed {
		if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ?`, MetaGeneration); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// bumpEmbedVersionTx gives the vectors a new version: a random token
// rather than a counter, so that two databases (a copy re-embedded on
// its own, a restored one at the same path) never share a version while
// their codes differ, which the side file relies on (VectorFileSuffix).
func bumpEmbedVersionTx(ctx context.Context, tx *sql.Tx) error {
	return setMetaTx(ctx, tx, MetaEmbedVersion, newID())
}

// VectorCoverage counts the chunks with a vector and all chunks.
func (db *DB) VectorCoverage(ctx context.Context) (withVector, chunks int, err error) {
	err = db.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM chunk_vectors), (SELECT count(*) FROM chunks)`).Scan(&withVector, &chunks)
	if err != nil {
		return 0, 0, fmt.Errorf("vector coverage: %w", err)
	}
	return withVector, chunks, nil
}

// VectorHit is a chunk and its cosine similarity to a question.
type VectorHit struct {
	ID         int64
	Similarity float64
}

// vectorCache holds the packed sign codes between queries of one
// process (aur serve), keyed by MetaEmbedVersion.
type vectorCache struct {
	mu      sync.Mutex
	version string
	codes   *vector.Codes
}

// ErrNoVectors is returned by NearestChunks when no vector is stored.
var ErrNoVectors = errors.New("no vectors stored")

func (db *DB) codes(ctx context.Context, words int) (*vector.Codes, error) {
	vc := &db.vectors
	vc.mu.Lock()
	defer vc.mu.Unlock()
	version, err := db.Meta(ctx, MetaEmbedVersion)
	if err != nil {
		return nil, err
	}
	if vc.codes != nil && vc.version == version && vc.codes.Words == words {
		return vc.codes, nil
	}
	if c, err := openVectorFile(vectorFilePath(db.path), version, words); err == nil {
		vc.version, vc.codes = version, c
		return c, nil
	}
	c := &vector.Codes{Words: words}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT coalesce(sum(length(ids)), 0) / 8 FROM vector_segments`).Scan(&n); err != nil {
		return nil, err
	}
	c.Grow(n)
	rows, err := db.db.QueryContext(ctx, `SELECT ids, bits FROM vector_segments ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ids, bits []byte
		if err := rows.Scan(&ids, &bits); err != nil {
			return nil, err
		}
		c.AppendPacked(ids, bits)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	vc.version, vc.codes = version, c
	if !db.readOnly && c.Len() > 0 {
		// Missing or stale (a backup, a replica, an older aur): the next
		// process maps it instead.
		_ = writeVectorFile(vectorFilePath(db.path), version, c)
	}
	return c, nil
}

// writeCodes writes the side file of codes under the current version,
// and keeps them for this process's searches.
func (db *DB) writeCodes(ctx context.Context, codes *vector.Codes) {
	if codes == nil || db.readOnly {
		return
	}
	version, err := db.Meta(ctx, MetaEmbedVersion)
	if err != nil || version == "" {
		return
	}
	if codes.Len() == 0 {
		db.removeVectorFile()
		return
	}
	if err := writeVectorFile(vectorFilePath(db.path), version, codes); err != nil {
		db.removeVectorFile()
	}
}

// RescoreDepth is how many chunks per result the sign-code pass hands to
// exact rescoring (see package vector).
const RescoreDepth = 8

// NearestChunks returns the k chunks most similar to q (any length;
// normalised here), most similar first: the RescoreDepth·k (at least 400)
// nearest by sign code, rescored by cosine with their int8 vectors.
func (db *DB) NearestChunks(ctx context.Context, q []float32, k int) ([]VectorHit, error) {
	u := vector.Normalize(q)
	codes, err := db.codes(ctx, vector.Words(len(u)))
	if err != nil {
		return nil, fmt.Errorf("nearest chunks: %w", err)
	}
	if codes.Len() == 0 {
		return nil, ErrNoVectors
	}
	ids := codes.Nearest(vector.Signs(u), max(RescoreDepth*k, 400))
	sims, err := db.similarities(ctx, u, ids)
	if err != nil {
		return nil, fmt.Errorf("nearest chunks: %w", err)
	}
	hits := make([]VectorHit, 0, len(sims))
	for id, s := range sims {
		hits = append(hits, VectorHit{ID: id, Similarity: s})
	}
	slices.SortFunc(hits, func(a, b VectorHit) int {
		switch {
		case a.Similarity > b.Similarity:
			return -1
		case a.Similarity < b.Similarity:
			return 1
		}
		return int(a.ID - b.ID)
	})
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
}

// Similarities returns the cosine similarity of q to each of the chunks
// that has a vector.
func (db *DB) Similarities(ctx context.Context, q []float32, ids []int64) (map[int64]float64, error) {
	out, err := db.similarities(ctx, vector.Normalize(q), ids)
	if err != nil {
		return nil, fmt.Errorf("similarities: %w", err)
	}
	return out, nil
}

func (db *DB) similarities(ctx context.Context, u []float32, ids []int64) (map[int64]float64, error) {
	out := make(map[int64]float64, len(ids))
	for start := 0; start < len(ids); start += maxVars {
		part := ids[start:min(len(ids), start+maxVars)]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := db.db.QueryContext(ctx, `SELECT v.chunk_id, e.vec FROM chunk_vectors v JOIN embeddings e ON e.hash = v.hash
			WHERE v.chunk_id IN (`+inList(len(part))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var vec []byte
			if err := rows.Scan(&id, &vec); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = vector.Cosine(u, vec)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// VectorStats is the coverage of the semantic layer (aur mem stats).
type VectorStats struct {
	EmbedModel
	WithVector int `json:"chunks_with_vector"`
	Chunks     int `json:"chunks"`
	Distinct   int `json:"distinct_vectors"`
}

func (db *DB) vectorStats(ctx context.Context) (*VectorStats, error) {
	m, err := db.EmbedModel(ctx)
	if err != nil || m.Name == "" {
		return nil, err
	}
	vs := &VectorStats{EmbedModel: m}
	err = db.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM chunk_vectors), (SELECT count(*) FROM chunks), (SELECT count(*) FROM embeddings)`).
		Scan(&vs.WithVector, &vs.Chunks, &vs.Distinct)
	if err != nil {
		return nil, fmt.Errorf("vector stats: %w", err)
	}
	return vs, nil
}

// ResetVectorCache forgets the loaded sign codes, so the next search
// reads them again as a new process would (measurements).
func (db *DB) ResetVectorCache() {
	db.vectors.mu.Lock()
	defer db.vectors.mu.Unlock()
	db.vectors.codes, db.vectors.version = nil, ""
}
