// Package termquiet stops aur from querying the terminal when it starts.
//
// bubbletea (under huh, which draws the weak-match prompt) asks Lip Gloss
// for the terminal's background colour in its package init, "so that Lip
// Gloss queries the terminal before any program acquires it". Lip Gloss
// asks termenv, which writes OSC 11 and a cursor-position request
// (ESC]11;?ESC\ ESC[6n) to stdout whenever stdout is a terminal and waits up
// to five seconds for the answer. A terminal that does not answer (script,
// a serial console, some CI log viewers, an editor's output pane) so
// stalled every aur command five seconds, --version and NO_COLOR included,
// and left the query bytes in its output.
//
// Importing this package sets the background explicitly before bubbletea
// initializes, which Lip Gloss takes as the answer: it never asks. Go
// initializes packages in import-path order among those whose imports are
// ready (the Go spec, "Package initialization", since Go 1.21), so this
// package, which needs only Lip Gloss, runs before
// github.com/charmbracelet/bubbletea, which sorts after it and needs Lip
// Gloss too. TestNoTerminalQueryAtStartup in cmd/aur checks it with a real
// pseudo-terminal.
//
// Without the query, the prompt assumes a dark background unless
// COLORFGBG says otherwise (Prepare); it is only a choice of shades.
package termquiet

import (
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func init() {
	lipgloss.SetHasDarkBackground(true)
}

// Prepare sets up Lip Gloss just before a prompt is drawn: no colour when
// colour is off (NO_COLOR, --no-color), and the background from COLORFGBG
// ("15;0": light foreground on a dark background) when the terminal
// exports it. It never queries the terminal.
func Prepare(color bool) {
	if !color {
		lipgloss.SetColorProfile(termenv.Ascii)
		return
	}
	if v := os.Getenv("COLORFGBG"); strings.Contains(v, ";") {
		parts := strings.Split(v, ";")
		if bg, err := strconv.Atoi(parts[len(parts)-1]); err == nil {
			// xterm's 16 colours: 0-6 and 8 are dark, 7 and 9-15 light.
			lipgloss.SetHasDarkBackground(bg < 7 || bg == 8)
		}
	}
}
