package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/config"
)

// NewCmdConfig builds aur config.
func NewCmdConfig(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the resolved configuration",
	}
	var asJSON bool
	show := &cobra.Command{
		Use:   "show",
		Short: "Print every setting, its value and where it came from",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := f.Config()
			type entry struct {
				Key    string `json:"key"`
				Env    string `json:"env"`
				Value  string `json:"value"`
				Source string `json:"source"`
			}
			entries := []entry{}
			for _, k := range config.Keys() {
				v := cfg.String(k)
				if isSecretKey(k) && v != "" {
					v = "[redacted]"
				}
				entries = append(entries, entry{k, config.EnvName(k), v, cfg.Source(k, cmd.Flags())})
			}
			paths := map[string]any{"home": cfg.Home, "project_root": cfg.ProjectRoot, "db_path": cfg.DBPath, "files": cfg.Files}
			if asJSON {
				return printJSON(f.IOStreams.Out, map[string]any{"settings": entries, "paths": paths})
			}
			w := f.IOStreams.Out
			fmt.Fprintf(w, "home          %s\nproject root  %s\ndatabase      %s\nconfig files  %s\n\n",
				cfg.Home, cfg.ProjectRoot, cfg.DBPath, strings.Join(append([]string{}, cfg.Files...), ", "))
			for _, e := range entries {
				fmt.Fprintf(w, "%-24s %-12s %s\n", e.Key, e.Value, e.Source)
			}
			return nil
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	cmd.AddCommand(show)
	return cmd
}

// isSecretKey reports keys whose values must never be printed.
func isSecretKey(k string) bool {
	return strings.Contains(k, "key") && k != config.KeyAPIKeyFile
}
