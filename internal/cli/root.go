package cli

import (
	"fmt"
	"github.com/aurora-dev/aur/internal/buildinfo"
	"strings"

	"github.com/spf13/cobra"
)

func version() string { return buildinfo.String() }

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	var configFile string
	var noColor bool
	cmd := &cobra.Command{
		Use:   "aur",
		Short: "A fast, private memory of your codebase",
		Long: `aur indexes source code into a local SQLite chunk store and answers
questions from it with ranked, graded retrieval.

  aur mem index .            index the current project
  aur query "how are retries configured?"
  aur stats --retrieval-quality`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			f.IOStreams.SetNoColor(noColor)
			return f.init(cmd, configFile)
		},
	}
	cmd.SetVersionTemplate("aur {{.Version}}\n")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v", err)
	})
	pf := cmd.PersistentFlags()
	pf.String("db", "", "project database (default: .aurora/memory.db in the project root; env AURORA_DB_PATH)")
	pf.String("store", "", "PostgreSQL store postgres://… shared by a team (or sqlite:PATH); default the SQLite --db (env AURORA_STORE_URL)")
	pf.String("project", "", "project inside a PostgreSQL store (default: base name of the index root; env AURORA_PROJECT)")
	pf.StringVar(&configFile, "config", "", "configuration file (default: .aurora/config.yaml in the project root)")
	pf.String("log-level", "", "log level: debug, info, warn, error (default info; env AURORA_LOG_LEVEL)")
	pf.BoolVar(&noColor, "no-color", false, "no colour in output (also NO_COLOR)")
	pf.Bool("non-interactive", false, "never prompt (also AURORA_NON_INTERACTIVE=1)")

	mem := group(&cobra.Command{
		Use:   "mem",
		Short: "Manage the code memory: index, search, stats, backup, verify, restore",
	})
	mem.AddCommand(NewCmdIndex(f, nil))
	mem.AddCommand(reader(NewCmdMemStats(f, nil)))
	mem.AddCommand(reader(NewCmdSearch(f, nil)))
	mem.AddCommand(NewCmdBackup(f, nil))
	mem.AddCommand(NewCmdVerify(f, nil))
	mem.AddCommand(NewCmdRestore(f, nil))
	mem.AddCommand(NewCmdProjects(f))
	cmd.AddCommand(mem)
	cmd.AddCommand(reader(NewCmdQuery(f, nil)))
	cmd.AddCommand(NewCmdEval(f, nil))
	cmd.AddCommand(NewCmdConfig(f))
	cmd.AddCommand(reader(NewCmdStats(f, nil)))
	cmd.AddCommand(NewCmdServe(f, nil))
	cmd.AddCommand(NewCmdMigrate(f))
	cmd.AddCommand(NewCmdMCP(f, nil))
	return cmd
}

// exactArgs and maxArgs make wrong argument counts usage errors (exit 2).
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("%s takes %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return usageErrorf("%s takes at least %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

// group makes a command that only holds subcommands reject an unknown one
// as a usage error (exit 2); cobra would print the group's help and exit
// 0, which a script reads as success. Bare, the group prints its help.
func group(c *cobra.Command) *cobra.Command {
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = 2 // cobra's default, which it applies only for the root
		}
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "; did you mean " + strings.Join(s, " or ") + "?"
		}
		return usageErrorf("%s", msg)
	}
	c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	return c
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usageErrorf("%s takes at most %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}
