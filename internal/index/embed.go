package index

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/store"
)

// Embedder turns texts into vectors (internal/llm's ResilientEmbedder:
// every call already retried, rate limited and behind a breaker).
type Embedder interface {
	Model() string
	// Dimensions is the length asked for; 0 for the model's own.
	Dimensions() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// EmbedOptions configure an embedding pass.
type EmbedOptions struct {
	Embedder Embedder
	// Batch is how many texts go in one request; default DefaultEmbedBatch.
	Batch int
	// Progress, if set, is called after each batch with the chunks done
	// and the chunks that had no vector when the pass began.
	Progress func(done, total int)
	Now      func() time.Time
	Log      zerolog.Logger
}

// DefaultEmbedBatch is the default of AURORA_EMBED_BATCH.
const DefaultEmbedBatch = 64

// EmbedBodyPrefix is how much of a chunk's text (in characters) is
// embedded after its name, signature and doc comment; see EmbedText.
const EmbedBodyPrefix = 1500

// EmbedSummary reports an embedding pass (aur mem index --json, under
// "embeddings").
type EmbedSummary struct {
	Model      string `json:"model"`
	Dimensions int    `json:"dimensions"`
	// Embedded chunks got a vector from the provider; Reused ones were
	// given a stored vector of the same text (no request).
	Embedded int `json:"embedded"`
	Reused   int `json:"reused"`
	Requests int `json:"requests"`
	// Dropped vectors were made by another model (PreviousModel) or at
	// another dimension, and deleted before this pass.
	Dropped       int    `json:"dropped,omitempty"`
	PreviousModel string `json:"previous_model,omitempty"`
	// WithVector and Chunks are the coverage after the pass.
	WithVector int     `json:"with_vector"`
	Chunks     int     `json:"chunks"`
	DurationMS float64 `json:"duration_ms"`
	// Interrupted is set when the run was cancelled; Error when the
	// provider failed. Either way the vectors written so far are kept and
	// the next run embeds the rest; the lexical index is complete.
	Interrupted bool   `json:"interrupted,omitempty"`
	Error       string `json:"error,omitempty"`
}

// EmbedText is what is embedded for a chunk: its kind and qualified name,
// its signature, its doc comment, and the first EmbedBodyPrefix
// characters of its text. Name, signature and doc say what the chunk is
// for in few tokens; a bounded prefix of the body adds the vocabulary of
// what it does without letting a long function exceed a model's context
// (nomic-embed-text reads 2048 tokens by default in Ollama; 1500
// characters of code are about 400-500 tokens) or cost more to embed
// than it adds.
func EmbedText(kind, name, signature, doc, body string) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteString(" ")
	b.WriteString(name)
	for _, s := range []string{signature, doc, prefix(body, EmbedBodyPrefix)} {
		if s = strings.TrimSpace(s); s != "" {
			b.WriteString("\n")
			b.WriteString(s)
		}
	}
	return b.String()
}

func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// embedPage is how many chunks without a vector are read at a time.
const embedPage = 1024

// Embed gives every chunk without a vector one: a stored vector of the
// same text (keyed by its xxhash64) when there is one, else one from the
// embedder, Batch texts per request, each batch committed on its own. It
// runs after the lexical index is complete and never undoes it: a
// provider failure ends the pass with Error set and a nil error, a
// cancelled context with Interrupted set and the context's error; the
// vectors written so far stay, and the next pass does the rest. A model
// or dimension other than the stored vectors' drops them all first
// (Dropped). Only store failures return other errors.
func Embed(ctx context.Context, db *store.DB, opts EmbedOptions) (*EmbedSummary, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Batch <= 0 {
		opts.Batch = DefaultEmbedBatch
	}
	start := opts.Now()
	e := opts.Embedder
	sum := &EmbedSummary{Model: e.Model(), Dimensions: e.Dimensions()}
	stored, err := db.EmbedModel(ctx)
	if err != nil {
		return nil, err
	}
	// With the model's own dimension the length is known from the first
	// answer; a stored length of that model is kept until then.
	if stored.Name != e.Model() || (e.Dimensions() > 0 && stored.Dims != e.Dimensions()) {
		if err := sum.setModel(ctx, db, stored, store.EmbedModel{Name: e.Model(), Dims: e.Dimensions()}); err != nil {
			return nil, err
		}
		stored = store.EmbedModel{Name: e.Model(), Dims: e.Dimensions()}
	}
	sum.Dimensions = stored.Dims
	before, total, err := db.VectorCoverage(ctx)
	if err != nil {
		return nil, err
	}
	total -= before
	changed := sum.Dropped > 0
	var runErr error
	var after int64
	done := 0
pages:
	for {
		page, err := db.ChunksWithoutVectors(ctx, after, embedPage, EmbedBodyPrefix)
		if err != nil {
			runErr = err
			break
		}
		if len(page) == 0 {
			break
		}
		after = page[len(page)-1].ID
		texts := make([]string, len(page))
		hashes := make([]int64, len(page))
		for i, c := range page {
			texts[i] = EmbedText(c.Kind, c.Name, c.Signature, c.Doc, c.Content)
			hashes[i] = int64(xxhash.Sum64String(texts[i]))
		}
		known, err := db.KnownVectors(ctx, hashes)
		if err != nil {
			return nil, err
		}
		var reuse []store.VectorWrite
		var todo []int // indexes into page, one per distinct new text
		first := map[int64]int{}
		var dupes []int
		for i, h := range hashes {
			switch _, seen := first[h]; {
			case known[h]:
				reuse = append(reuse, store.VectorWrite{ChunkID: page[i].ID, Hash: h})
			case seen:
				dupes = append(dupes, i)
			default:
				first[h] = i
				todo = append(todo, i)
			}
		}
		if len(reuse) > 0 {
			if err := db.PutVectors(ctx, reuse); err != nil {
				runErr = err
				break
			}
			sum.Reused += len(reuse)
			done += len(reuse)
			changed = true
		}
		for start := 0; start < len(todo); start += opts.Batch {
			part := todo[start:min(len(todo), start+opts.Batch)]
			in := make([]string, len(part))
			for j, i := range part {
				in[j] = texts[i]
			}
			sum.Requests++
			vecs, err := e.Embed(ctx, in)
			if err != nil {
				runErr = providerError{err}
				break pages
			}
			if sum.Dimensions == 0 || (e.Dimensions() == 0 && len(vecs[0]) != sum.Dimensions) {
				// The first answer tells the model's length; a model that
				// changed length under the same name drops the old vectors.
				if err := sum.setModel(ctx, db, store.EmbedModel{Name: e.Model(), Dims: sum.Dimensions}, store.EmbedModel{Name: e.Model(), Dims: len(vecs[0])}); err != nil {
					return nil, err
				}
				sum.Dimensions = len(vecs[0])
			}
			ws := make([]store.VectorWrite, 0, len(part))
			for j, i := range part {
				if len(vecs[j]) != sum.Dimensions {
					runErr = providerError{fmt.Errorf("embeddings: a vector of %d dimensions among vectors of %d", len(vecs[j]), sum.Dimensions)}
					break pages
				}
				ws = append(ws, store.VectorWrite{ChunkID: page[i].ID, Hash: hashes[i], Vec: vecs[j]})
			}
			if err := db.PutVectors(ctx, ws); err != nil {
				runErr = err
				break pages
			}
			sum.Embedded += len(ws)
			done += len(ws)
			changed = true
			if opts.Progress != nil {
				opts.Progress(done, total)
			}
		}
		if len(dupes) > 0 {
			// Texts repeated within the page: their vector is stored now.
			ws := make([]store.VectorWrite, len(dupes))
			for j, i := range dupes {
				ws[j] = store.VectorWrite{ChunkID: page[i].ID, Hash: hashes[i]}
			}
			if err := db.PutVectors(ctx, ws); err != nil {
				runErr = err
				break
			}
			sum.Reused += len(ws)
			done += len(ws)
		}
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	// Whatever happened, the vectors written so far become searchable:
	// finish even when ctx was cancelled. Nothing written, nothing to
	// rebuild (it costs 0.7 s on GOROOT/src): chunks deleted since the
	// last rebuild only leave ids in the packed codes that rescoring no
	// longer finds, and their vectors wait for the next pass that writes.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if changed {
		if err := db.FinishVectors(fctx, true); err != nil {
			return nil, err
		}
	}
	if sum.WithVector, sum.Chunks, err = db.VectorCoverage(fctx); err != nil {
		return nil, err
	}
	sum.DurationMS = float64(opts.Now().Sub(start).Microseconds()) / 1000
	switch {
	case runErr == nil:
		return sum, nil
	case ctx.Err() != nil:
		sum.Interrupted = true
		return sum, context.Cause(ctx)
	case !errors.As(runErr, new(providerError)):
		return sum, runErr
	}
	sum.Error = runErr.Error()
	opts.Log.Warn().Err(runErr).Int("embedded", sum.Embedded).Int("with_vector", sum.WithVector).Int("chunks", sum.Chunks).
		Msg("embedding pass stopped; the rest is left to the next index run")
	return sum, nil
}

// providerError marks a failure of the embedder, which ends the pass
// without failing the run, from a failure of the store, which fails it.
type providerError struct{ err error }

func (e providerError) Error() string { return e.err.Error() }
func (e providerError) Unwrap() error { return e.err }

func (sum *EmbedSummary) setModel(ctx context.Context, db *store.DB, old, m store.EmbedModel) error {
	dropped, err := db.SetEmbedModel(ctx, m)
	if err != nil {
		return err
	}
	if dropped > 0 {
		sum.Dropped += dropped
		sum.PreviousModel = old.Name
		if old.Dims > 0 {
			sum.PreviousModel = fmt.Sprintf("%s (%d dimensions)", old.Name, old.Dims)
		}
	}
	return nil
}
