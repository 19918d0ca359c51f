package cli

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/service"
)

// NewCmdConfig builds aur config.
func NewCmdConfig(f *Factory) *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "config",
		Short: "Show the resolved configuration",
	})
	var asJSON bool
	show := &cobra.Command{
		Use:   "show",
		Short: "Print every setting, its value and where it came from",
		Long: `Print every setting, its value and where it came from.

An invalid setting is listed as invalid, with what it would accept, and
aur config show then exits 2, as every other command does on it.`,
		Args:        exactArgs(0),
		Annotations: map[string]string{annotationShowsInvalidConfig: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := f.Config()
			type entry struct {
				Key    string `json:"key"`
				Env    string `json:"env"`
				Value  string `json:"value"`
				Source string `json:"source"`
				// Invalid, when set, says why Value was refused; the
				// setting is not active.
				Invalid string `json:"invalid,omitempty"`
			}
			entries := []entry{}
			for _, k := range config.Keys() {
				v := cfg.String(k)
				invalid := ""
				if raw, err := cfg.Raw(k); err != nil {
					v, invalid = raw, err.Error()
				}
				if isSecretKey(k) && v != "" {
					v = "[redacted]"
				}
				if k == config.KeyStoreURL {
					v = redactURL(v)
				}
				entries = append(entries, entry{k, config.EnvName(k), v, cfg.Source(k, cmd.Flags()), invalid})
			}
			paths := map[string]any{"home": cfg.Home, "project_root": cfg.ProjectRoot, "db_path": cfg.DBPath, "files": cfg.Files}
			llmInfo := describeLLM(cmd.Context(), f)
			if asJSON {
				if err := printJSON(f.IOStreams.Out, map[string]any{"settings": entries, "paths": paths, "llm": llmInfo}); err != nil {
					return err
				}
			} else {
				w := f.IOStreams.Out
				fmt.Fprintf(w, "home          %s\nproject root  %s\ndatabase      %s\nconfig files  %s\n\n",
					cfg.Home, cfg.ProjectRoot, cfg.DBPath, strings.Join(append([]string{}, cfg.Files...), ", "))
				for _, e := range entries {
					if e.Invalid != "" {
						fmt.Fprintf(w, "%-24s %-12q %s  INVALID, not active: %s\n", e.Key, e.Value, e.Source, e.Invalid)
						continue
					}
					fmt.Fprintf(w, "%-24s %-12s %s\n", e.Key, e.Value, e.Source)
				}
				fmt.Fprintf(w, "\nllm           %s\n", llmInfo["summary"])
			}
			if f.invalid != nil {
				return &codedError{Code: ExitUsage, Err: f.invalid}
			}
			return nil
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	cmd.AddCommand(show)
	return cmd
}

// redactURL hides the password of a store URL (postgres://user:pw@…).
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); !ok {
		return s
	}
	u.User = url.UserPassword(u.User.Username(), "redacted")
	return u.String()
}

// isSecretKey reports keys whose values must never be printed.
func isSecretKey(k string) bool {
	return strings.Contains(k, "key") && !strings.HasSuffix(k, "_key_file")
}

// describeLLM says which LLM aur query would use, with every API key
// redacted: which variable holds one, never its value.
func describeLLM(ctx context.Context, f *Factory) map[string]string {
	info := map[string]string{}
	keys := []string{}
	for _, k := range []string{llm.EnvAnthropicKey, llm.EnvOpenAIKey} {
		if os.Getenv(k) != "" {
			keys = append(keys, k+"=[redacted]")
		}
	}
	if p := f.Config().String(config.KeyAPIKeyFile); p != "" {
		keys = append(keys, "AURORA_API_KEY_FILE="+p)
	}
	info["keys"] = strings.Join(keys, " ")
	a, err := f.Answerer(ctx)
	switch la, ok := a.(*service.LLMAnswerer); {
	case err != nil:
		info["error"] = llm.Redact(err.Error())
		info["summary"] = "misconfigured: " + info["error"]
	case ok:
		p := la.Provider()
		info["provider"], info["model"] = p.Name(), p.Model()
		info["summary"] = fmt.Sprintf("%s, model %s (%s)", p.Name(), p.Model(), info["keys"])
	default:
		info["provider"] = "none"
		info["summary"] = "none: aur query answers with the grounded context report (set ANTHROPIC_API_KEY or OPENAI_API_KEY)"
	}
	return info
}
