package cli

import (
	"strings"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/query"
	"github.com/aurora-dev/aur/internal/service"
)

// printReport renders the grounded context report (service.RenderReport)
// for text output: each chunk at path:line from the working directory
// (see locator), its line range after its score.
func printReport(req ask.Request, l locator) string {
	return service.RenderReport(req, func(s *query.Result) string { return l.at(s.Path, s.StartLine) }, "lines")
}

// gradeLine describes the grade against the thresholds, in colour at a
// terminal.
func gradeLine(f *Factory, out *service.Response) string {
	cs := f.IOStreams.ColorScheme()
	line := service.GradeText(out.Grade, out.Thresholds)
	head, rest, _ := strings.Cut(line, ":")
	switch out.Grade.Tier {
	case "good":
		head = cs.Green(head)
	case "weak":
		head = cs.Yellow(head)
	default:
		head = cs.Red(head)
	}
	return head + ":" + rest
}
