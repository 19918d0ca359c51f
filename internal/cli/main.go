package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/aurora-dev/aur/internal/iostreams"
	"github.com/aurora-dev/aur/internal/llm"
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
	ExitInterrupted ExitCode = 130 // interrupted by SIGINT/SIGTERM
)

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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ios := iostreams.System()
	return Run(ctx, ios, os.Args[1:])
}

// Run runs aur with the given arguments; tests and Main share it.
func Run(ctx context.Context, ios *iostreams.IOStreams, args []string) ExitCode {
	f := NewFactory(ios)
	defer f.Close()
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := exitCode(ctx, err, f.started)
	var se *silentError
	if !errors.As(err, &se) {
		msg := llm.Redact(err.Error())
		if code == ExitInterrupted && errors.Is(err, context.Canceled) {
			// "context canceled" is Go's word for what the user did.
			msg = "interrupted"
		}
		// Errors quote paths and provider responses: shown, not obeyed.
		fmt.Fprintf(ios.ErrOut, "aur: %s\n", termtext.Block(msg))
		if code == ExitUsage && !f.started {
			fmt.Fprintln(ios.ErrOut, "Run 'aur --help' for usage.")
		}
	}
	f.Log().Error().Err(err).Int("exit_code", int(code)).Msg("command failed")
	return code
}

func exitCode(ctx context.Context, err error, started bool) ExitCode {
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
