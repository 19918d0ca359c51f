package cli

// The replica, as the command line uses it: readers fall back to it, and
// aur mem index brings it up to date (package ha holds the rules).

import (
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/ha"
	"github.com/aurora-dev/aur/internal/index"
	"github.com/aurora-dev/aur/internal/stats"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
)

// annotationReader marks a command that only reads the index (query, mem
// search, mem stats, stats): with a replica configured, it answers from
// the replica when the primary is unusable.
const annotationReader = "aur/reader"

// reader marks c as a reader.
func reader(c *cobra.Command) *cobra.Command {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[annotationReader] = "true"
	return c
}

// replicaState is the Factory's part in it.
type replicaState struct {
	reader  bool   // the command is a reader
	command string // its path less "aur ", for the fallback log
	// primaryFailed, when set, is why the primary failed mid-query in a
	// first attempt of this command: go straight to the replica (see Run).
	primaryFailed string
	// fallback is set when the command is answered from the replica.
	fallback *ha.Fallback
}

// openReader opens the database a reader uses (ha.OpenReader): the
// primary, or the replica when the primary is unusable, with one warning
// on stderr, a log line and a line in the fallback log (aur stats counts
// them).
func (f *Factory) openReader(ctx context.Context) (*store.DB, error) {
	cfg := f.cfg
	var db *store.DB
	var fb *ha.Fallback
	var err error
	if f.primaryFailed != "" {
		db, fb, err = ha.UseReplica(ctx, cfg.DBPath, cfg.ReplicaPath, f.primaryFailed)
	} else {
		db, fb, err = ha.OpenReader(ctx, cfg.DBPath, cfg.ReplicaPath, f.openPrimary)
	}
	// openPrimary may have cached a primary that OpenReader then closed.
	f.db = db
	if err != nil || fb == nil {
		return db, err
	}
	f.fallback = fb
	indexed := "at an unknown time"
	if !fb.IndexedAt.IsZero() {
		indexed = fb.IndexedAt.Format(time.RFC3339)
	}
	f.warnOnce("replica", "primary database %s unusable (%s); answered from replica %s (indexed %s)",
		termtext.Line(fb.Primary), termtext.Line(fb.Reason), termtext.Line(fb.Replica), indexed)
	// The replica is opened read-only, so the query is not recorded; the
	// warning above says enough without askOptions' read-only warning.
	f.warned["record"] = true
	f.Log().Warn().Str("primary", fb.Primary).Str("reason", fb.Reason).Str("replica", fb.Replica).
		Time("replica_indexed_at", fb.IndexedAt).Str("command", f.command).
		Msg("primary database unusable; answered from the replica")
	ev := ha.FallbackEvent{Time: f.Now().UTC(), Command: f.command, Fallback: *fb}
	if err := ha.RecordFallback(cfg.DBPath, ev); err != nil {
		f.Log().Warn().Err(err).Msg("replica fallback not recorded in the fallback log")
	}
	return db, nil
}

// replicaJSON is the replica part of aur mem index --json.
type replicaJSON struct {
	Path       string    `json:"path"`
	Updated    bool      `json:"updated"`
	Current    bool      `json:"current"` // it held everything already: nothing copied
	Bytes      int64     `json:"bytes,omitempty"`
	Pages      int       `json:"pages,omitempty"`
	Generation int64     `json:"generation,omitempty"`
	IndexedAt  time.Time `json:"indexed_at,omitzero"`
	DurationMS float64   `json:"duration_ms"`
	CheckMS    float64   `json:"check_ms,omitempty"` // of which checking the copy
	Error      string    `json:"error,omitempty"`
}

// indexJSON is aur mem index --json: the run's summary, and the replica
// update when one is configured.
type indexJSON struct {
	*index.Summary
	Replica *replicaJSON `json:"replica,omitempty"`
}

// updateReplica brings the configured replica up to date after a
// successful index run (nothing for a dry run, an interrupted or failed
// one, or without a replica). It runs under the run's writer lock. A
// failure is reported in the result and is the run's error: the index is
// fine, but the copy meant to stand in for it is not current.
func updateReplica(ctx context.Context, f *Factory, db *store.DB, sum *index.Summary, runErr error) (*replicaJSON, error) {
	path := f.Config().ReplicaPath
	if path == "" || runErr != nil || sum == nil || sum.DryRun || sum.Interrupted || sum.Error != nil {
		return nil, nil
	}
	ios := f.IOStreams
	var progress func(done, total int)
	var bar *progressbar.ProgressBar
	if ios.IsStderrTTY() {
		progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(ios.ErrOut),
					progressbar.OptionSetDescription("replica"), progressbar.OptionShowCount(),
					progressbar.OptionSetItsString("pages"), progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionClearOnFinish(), progressbar.OptionSetWidth(30))
			}
			bar.Set(done)
		}
		defer func() {
			if bar != nil {
				bar.Finish()
				fmt.Fprintln(ios.ErrOut)
			}
		}()
	}
	start := time.Now()
	r, err := ha.UpdateReplica(ctx, db, path, progress)
	j := &replicaJSON{Path: path, DurationMS: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		j.Error = err.Error()
		f.Log().Error().Err(err).Str("replica", path).Msg("replica not updated")
		return j, fmt.Errorf("the index is up to date, but replica %s is not: %w", path, err)
	}
	j.Updated, j.Current = !r.Current, r.Current
	j.Bytes, j.Pages, j.Generation, j.IndexedAt, j.CheckMS = r.Bytes, r.Pages, r.Generation, r.IndexedAt, r.CheckMS
	f.Log().Info().Str("replica", path).Bool("current", r.Current).Int64("bytes", r.Bytes).
		Float64("duration_ms", j.DurationMS).Msg("replica updated")
	return j, nil
}

// printReplica is the replica line of the text summary.
func printReplica(f *Factory, j *replicaJSON) {
	if j == nil {
		return
	}
	w := f.IOStreams.Out
	switch {
	case j.Error != "":
		fmt.Fprintf(w, "  replica  %s NOT updated: %s\n", termtext.Line(j.Path), termtext.Line(j.Error))
	case j.Current:
		fmt.Fprintf(w, "  replica  %s already current\n", termtext.Line(j.Path))
	default:
		fmt.Fprintf(w, "  replica  %s updated in %s (%s)\n", termtext.Line(j.Path), fmtDuration(j.DurationMS), fmtBytes(j.Bytes))
	}
}

// fmtBytes renders a size for people: 1.2 MB.
func fmtBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// countFallbacks fills in the replica fallbacks of the window from the
// primary's fallback log. It is read whether or not the primary itself
// opens: that is when it matters.
func countFallbacks(f *Factory, op *stats.Operational) error {
	c, err := ha.CountFallbacks(f.Config().DBPath, op.Window.From, op.Window.To)
	if err != nil {
		return err
	}
	op.ReplicaFallbacks = c.Count
	if c.Last != nil {
		op.LastReplicaFallback = &stats.ReplicaFallback{Time: c.Last.Time, Command: c.Last.Command, Reason: c.Last.Reason}
	}
	return nil
}
