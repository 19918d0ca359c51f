package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/iostreams"
	"github.com/aurora-dev/aur/internal/termquiet"
)

// huhPrompter asks at the terminal with huh forms. It is only built when
// IOStreams.CanPrompt() is true.
//
// Signals are aur's, not bubbletea's: bubbletea's own handler turns
// SIGTERM into an ordinary quit, which huh reports as a submitted form
// holding the default choice, so a terminated aur went on as if the user
// had chosen "Continue". Without it, a signal cancels ctx (see
// notifyContext), bubbletea restores the terminal and returns, and the
// prompt reports the signal instead of a choice.
type huhPrompter struct {
	ios *iostreams.IOStreams
	loc locator
}

// run runs a form until it is submitted, left (Ctrl-C, Esc) or ctx is
// cancelled.
func (p *huhPrompter) run(ctx context.Context, form *huh.Form) error {
	err := form.WithInput(p.ios.In).WithOutput(p.ios.ErrOut).
		WithProgramOptions(tea.WithoutSignalHandler()).
		RunWithContext(ctx)
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if errors.Is(err, huh.ErrUserAborted) {
		return ask.ErrAborted
	}
	return err
}

func (p *huhPrompter) Weak(ctx context.Context, m ask.WeakMatch) (ask.Choice, error) {
	termquiet.Prepare(p.ios.ColorEnabled())
	th, g := m.Thresholds, m.Grade
	desc := fmt.Sprintf("Groundedness %.2f (threshold %.2f) · %d high-quality chunks (need %d)",
		g.Groundedness, th.Groundedness, g.HighQuality, th.MinHighQuality)
	if len(m.Results) > 0 {
		var names []string
		for i, r := range m.Results {
			if i == 3 {
				names = append(names, "...")
				break
			}
			names = append(names, p.loc.at(r.Path, r.StartLine))
		}
		desc += "\nBest: " + strings.Join(names, ", ")
	}
	choice := ask.ChoiceContinue
	form := huh.NewForm(huh.NewGroup(
		huh.NewSelect[ask.Choice]().
			Title("Retrieval quality is weak for this query.").
			Description(desc).
			// The default comes first: huh scrolls its list so that the
			// preselected option is the top line, which would hide options
			// listed above it.
			Options(
				huh.NewOption("Continue anyway with the weak context", ask.ChoiceContinue),
				huh.NewOption("Start anew: answer without the weak context", ask.ChoiceStartAnew),
				huh.NewOption("Start over: rephrase the query", ask.ChoiceStartOver),
			).
			Value(&choice),
	)).WithShowHelp(true)
	if err := p.run(ctx, form); err != nil {
		return ask.ChoiceNone, err
	}
	return choice, nil
}

func (p *huhPrompter) Rephrase(ctx context.Context, previous string) (string, error) {
	termquiet.Prepare(p.ios.ColorEnabled())
	q := previous
	form := huh.NewForm(huh.NewGroup(
		huh.NewInput().
			Title("Rephrase the query").
			Value(&q).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("the query cannot be empty")
				}
				return nil
			}),
	))
	if err := p.run(ctx, form); err != nil {
		return "", err
	}
	return q, nil
}
