// Package iostreams carries aur's three standard streams and what is known
// about them: whether each is a terminal and whether colour is wanted. All
// command output goes through one IOStreams value, so commands behave the
// same in tests (buffers, no terminal) as in scripts, and only decorate
// output (colour, tables, progress bars, prompts) for a person.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/mattn/go-isatty"
)

// IOStreams are the streams of one command invocation.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	noColor                        bool
	neverPrompt                    bool
}

// System returns the process's streams.
func System() *IOStreams {
	tty := func(f *os.File) bool { return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()) }
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		stdinTTY: tty(os.Stdin), stdoutTTY: tty(os.Stdout), stderrTTY: tty(os.Stderr),
		noColor: os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb",
	}
}

// Test returns streams backed by buffers, none of them a terminal.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, noColor: true}, in, out, errOut
}

// SetTTY marks streams as terminals, for tests of terminal behaviour.
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// IsStdinTTY, IsStdoutTTY and IsStderrTTY report terminals.
func (s *IOStreams) IsStdinTTY() bool  { return s.stdinTTY }
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetNoColor turns colour off (--no-color).
func (s *IOStreams) SetNoColor(v bool) { s.noColor = s.noColor || v }

// ColorEnabled reports whether stdout may carry ANSI colour.
func (s *IOStreams) ColorEnabled() bool { return s.stdoutTTY && !s.noColor }

// SetNeverPrompt forbids prompts (--non-interactive, AURORA_NON_INTERACTIVE).
func (s *IOStreams) SetNeverPrompt(v bool) { s.neverPrompt = v }

// CanPrompt reports whether a person can answer a prompt: a terminal on
// stdin and stdout, and prompts not switched off.
func (s *IOStreams) CanPrompt() bool {
	return s.stdinTTY && s.stdoutTTY && !s.neverPrompt
}

// ColorScheme paints text when colour is enabled.
type ColorScheme struct{ enabled bool }

// ColorScheme returns the scheme for stdout.
func (s *IOStreams) ColorScheme() ColorScheme { return ColorScheme{s.ColorEnabled()} }

func (c ColorScheme) wrap(code, t string) string {
	if !c.enabled {
		return t
	}
	return "\x1b[" + code + "m" + t + "\x1b[0m"
}

func (c ColorScheme) Bold(t string) string   { return c.wrap("1", t) }
func (c ColorScheme) Green(t string) string  { return c.wrap("32", t) }
func (c ColorScheme) Yellow(t string) string { return c.wrap("33", t) }
func (c ColorScheme) Red(t string) string    { return c.wrap("31", t) }
func (c ColorScheme) Gray(t string) string   { return c.wrap("90", t) }
func (c ColorScheme) Cyan(t string) string   { return c.wrap("36", t) }
