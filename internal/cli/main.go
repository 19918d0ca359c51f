package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/aurora-dev/aur/internal/ha"
	"github.com/aurora-dev/aur/internal/iostreams"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/store"
	"github.com/aurora-dev/aur/internal/termtext"
)

// ExitCode is the process exit status. The values are documented in the
// README and are part of aur's interface to scripts.
type ExitCode int

const (
	ExitOK          ExitCode = 0   // success
	ExitError       ExitCode = 1   // runtime error: I/O, database, provider
	ExitUsage       ExitCode = 2   // bad flags, arguments or input (e.g. an empty query)
	ExitGate        ExitCode = 3   // a quality gate failed (--fail-on, stats --check)
	ExitInterrupted ExitCode = 130 // interrupted: SIGINT, or Ctrl-C at a prompt
	// A run stopped by another signal exits with 128 plus its number, as a
	// shell reports a process killed by it: 129 for SIGHUP, 143 for SIGTERM.
)

// signalError is why the root context was cancelled: a signal arrived.
type signalError struct{ sig syscall.Signal }

func (e *signalError) Error() string { return "interrupted by " + signalName(e.sig) }

// Code is the exit code of a run the signal stopped.
func (e *signalError) Code() ExitCode { return ExitCode(128 + int(e.sig)) }

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}

// notifyContext returns a context cancelled, with a *signalError as its
// cause, when SIGINT, SIGTERM or SIGHUP arrives. All three stop a run the
// same way: an index run commits what it has and is recorded as
// interrupted, a prompt is left without a choice and the terminal
// restored. The handler stays installed until stop, so the bookkeeping
// after the first signal is not cut short by a second.
func notifyContext(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		select {
		case s := <-ch:
			if sig, ok := s.(syscall.Signal); ok {
				cancel(&signalError{sig})
			} else {
				cancel(context.Canceled)
			}
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(nil)
	}
}

// interruption returns the signal that cancelled ctx, or nil.
func interruption(ctx context.Context) *signalError {
	var se *signalError
	if errors.As(context.Cause(ctx), &se) {
		return se
	}
	return nil
}

// codedError carries an exit code with an error meant for the user.
type codedError struct {
	Code ExitCode
	Err  error
}

func (e *codedError) Error() string { return e.Err.Error() }
func (e *codedError) Unwrap() error { return e.Err }

// usageErrorf returns an error that exits with ExitUsage.
func usageErrorf(format string, a ...any) error {
	return &codedError{Code: ExitUsage, Err: fmt.Errorf(format, a...)}
}

// errSilent exits with a code without printing anything more: the command
// already said what happened.
type silentError struct{ code ExitCode }

func (e *silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs aur with the process's arguments and streams and returns the
// exit code.
func Main() ExitCode {
	ctx, stop := notifyContext(context.Background())
	defer stop()
	ios := iostreams.System()
	return Run(ctx, ios, os.Args[1:])
}

// Run runs aur with the given arguments; tests and Main share it.
func Run(ctx context.Context, ios *iostreams.IOStreams, args []string) ExitCode {
	in := ios.In
	var stdin *recordingReader
	if !ios.IsStdinTTY() {
		// A query read from stdin ("-") must be there for a second attempt
		// (see failover). A terminal is left alone: the prompt puts it in
		// raw mode.
		stdin = &recordingReader{r: in}
		ios.In = stdin
	}
	out := &countingWriter{w: ios.Out}
	ios.Out = out
	f, err := execute(ctx, ios, args, "")
	if reason := failover(ctx, f, err, out.n); reason != "" {
		// The primary failed mid-query: remember it, and answer again
		// from the replica.
		store.MarkDamaged(f.cfg.DBPath, err)
		f.Log().Warn().Err(err).Msg("primary database failed mid-query; answering from the replica")
		f.Close()
		if stdin != nil {
			ios.In = io.MultiReader(bytes.NewReader(stdin.buf.Bytes()), in)
		}
		f, err = execute(ctx, ios, args, reason)
	}
	defer f.Close()
	if err == nil {
		return ExitOK
	}
	code := exitCode(ctx, err, f.started)
	if f.cfg != nil && store.IsCorrupt(err) && !errors.Is(err, store.ErrDamaged) {
		// Remember it: a later search that misses the damaged pages must
		// not answer from this database as if it were sound. (From the
		// replica, it is the replica that is damaged.)
		damaged := f.cfg.DBPath
		if f.fallback != nil {
			damaged = f.fallback.Replica
		}
		store.MarkDamaged(damaged, err)
	}
	var se *silentError
	if !errors.As(err, &se) {
		msg := llm.Redact(err.Error())
		if sig := interruption(ctx); sig != nil && (errors.Is(err, context.Canceled) || errors.Is(err, sig)) {
			// "context canceled" is Go's word for what the user did.
			msg = sig.Error()
		} else if code == ExitInterrupted && errors.Is(err, context.Canceled) {
			msg = "interrupted"
		}
		// Errors quote paths and provider responses: shown, not obeyed.
		fmt.Fprintf(ios.ErrOut, "aur: %s\n", termtext.Block(msg))
		if h := storeHint(f, err); h != "" {
			fmt.Fprintf(ios.ErrOut, "aur: %s\n", h)
		}
		if code == ExitUsage && !f.started {
			fmt.Fprintln(ios.ErrOut, "Run 'aur --help' for usage.")
		}
	}
	f.Log().Error().Err(err).Int("exit_code", int(code)).Msg("command failed")
	return code
}

// execute runs the command tree once. primaryFailed, if set, sends a
// reader straight to the replica.
func execute(ctx context.Context, ios *iostreams.IOStreams, args []string, primaryFailed string) (*Factory, error) {
	f := NewFactory(ios)
	f.primaryFailed = primaryFailed
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	return f, root.ExecuteContext(ctx)
}

// failover says why a reader's command should run again on the replica,
// or "": it failed on a damaged primary ("database disk image is
// malformed" in the middle of a query: SQLite finds damage only when a
// query reads it), a replica is configured, the answer did not come from
// the replica already, and nothing was printed yet.
func failover(ctx context.Context, f *Factory, err error, printed int64) string {
	if err == nil || ctx.Err() != nil || f.cfg == nil || !f.reader || f.cfg.ReplicaPath == "" ||
		f.fallback != nil || printed > 0 || !store.IsCorrupt(err) {
		return ""
	}
	return ha.Describe(f.cfg.DBPath, err)
}

// recordingReader keeps what was read through it.
type recordingReader struct {
	r   io.Reader
	buf bytes.Buffer
}

func (r *recordingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf.Write(p[:n])
	return n, err
}

// countingWriter counts what was written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// storeHint says what to do about a database error: the error alone
// ("database disk image is malformed", "disk I/O error: file too large")
// does not.
func storeHint(f *Factory, err error) string {
	db := "the database"
	if f.cfg != nil {
		db = f.cfg.DBPath
	}
	switch store.ErrorCode(err) {
	case store.CodeCorrupt:
		if f.fallback != nil {
			return fmt.Sprintf("the replica %s is damaged too; the next successful 'aur mem index' rewrites it", termtext.Line(f.fallback.Replica))
		}
		hint := fmt.Sprintf("%s is damaged; run 'aur mem index --force' to rebuild it from scratch (the damaged file is moved aside as %s.broken-<time>)",
			termtext.Line(db), termtext.Line(filepath.Base(db)))
		if f.cfg != nil && f.cfg.ReplicaPath != "" && store.CheckHeader(f.cfg.ReplicaPath) == nil {
			hint += fmt.Sprintf(", or restore the replica with 'aur mem restore %s'", shellQuote(f.cfg.ReplicaPath))
		}
		if b := ha.NewestBackup(db); b != "" {
			hint += fmt.Sprintf(", or restore the newest backup with 'aur mem restore %s'", shellQuote(b))
		}
		return hint
	case store.CodeDiskFull:
		return "out of disk space (or over the file size limit); free some and run the command again: an index run continues where this one stopped"
	case store.CodeReadOnly:
		return fmt.Sprintf("%s (or its directory) is not writable by this user; searching works, indexing needs write access", termtext.Line(db))
	}
	return ""
}

func exitCode(ctx context.Context, err error, started bool) ExitCode {
	if sig := interruption(ctx); sig != nil {
		// Whatever failed after a signal failed because of it.
		return sig.Code()
	}
	var se *silentError
	if errors.As(err, &se) {
		return se.code
	}
	var ee *codedError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return ExitInterrupted
	}
	if !started {
		// Cobra failed before any command ran: unknown command, bad flag
		// or wrong number of arguments.
		return ExitUsage
	}
	return ExitError
}
