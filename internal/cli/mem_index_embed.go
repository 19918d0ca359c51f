package cli

import (
	"context"
	"fmt"

	"github.com/schollz/progressbar/v3"

	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/service"
	"github.com/aurora-dev/aur/internal/store"
)

// embedPass runs after a complete lexical index run when an embeddings
// endpoint is configured: it gives new and changed chunks their vectors
// (service.EmbedPass) and records what it did in sum.Embeddings. A
// provider failure is a warning, never a failed run: the lexical index is
// complete and the next run embeds the rest. Only an interruption (the
// context's error), a store failure or a misconfiguration is returned.
func embedPass(ctx context.Context, f *Factory, db *store.DB, sum *index.Summary) error {
	e, err := f.Embedder()
	if err != nil || e == nil {
		return err
	}
	ios := f.IOStreams
	var bar *progressbar.ProgressBar
	opts := service.EmbedOptions{Batch: semanticSettings(f.Config()).Batch, Now: f.Now, Log: *f.Log()}
	if ios.IsStderrTTY() {
		opts.Progress = func(done, total int) {
			if total <= 0 {
				return
			}
			if bar == nil {
				bar = newProgressBar(ios.ErrOut, total)
				bar.Describe("embedding")
				progressbar.OptionSetItsString("chunks")(bar)
			}
			bar.Set(done)
		}
	}
	es, err := service.EmbedPass(ctx, db, e, opts)
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(ios.ErrOut)
	}
	if es != nil {
		sum.Embeddings = es
		if es.Dropped > 0 {
			fmt.Fprintf(ios.ErrOut, "aur: the embedding model changed from %s to %s: %d stored vectors were dropped and are being made again\n",
				es.PreviousModel, es.Model, es.Dropped)
		}
		if es.Error != "" {
			fmt.Fprintf(ios.ErrOut, "aur: warning: embedding stopped (%s); the lexical index is complete, %d of %d chunks have vectors, the next aur mem index embeds the rest\n",
				es.Error, es.WithVector, es.Chunks)
		}
	}
	return err
}

// printEmbedSummary is the vectors line of the index summary.
func printEmbedSummary(f *Factory, es *index.EmbedSummary) {
	if es == nil {
		return
	}
	w := f.IOStreams.Out
	fmt.Fprintf(w, "  vectors  %d of %d chunks (%s, %d dimensions): %d embedded in %d requests, %d reused\n",
		es.WithVector, es.Chunks, es.Model, es.Dimensions, es.Embedded, es.Requests, es.Reused)
}
