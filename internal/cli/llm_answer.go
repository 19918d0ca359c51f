package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aurora-dev/aur/internal/ask"
	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/resilience"
)

// llmAnswerer answers with an LLM provider: a grounded prompt of numbered
// chunks, the answer's citations mapped back to chunks (which get an
// access event), and, unless switched off, a scan of the generated code
// for dangerous patterns.
type llmAnswerer struct {
	p    llm.Provider
	scan bool
	id   string // provider, model, endpoint and scan setting: what makes an answer
}

// CacheID makes answers cacheable per provider and model.
func (a *llmAnswerer) CacheID() string { return a.id }

func (a *llmAnswerer) Answer(ctx context.Context, req ask.Request) (*ask.Answer, error) {
	sources := make([]llm.Source, len(req.Sources))
	for i, s := range req.Sources {
		sources[i] = llm.Source{N: i + 1, File: s.Path, StartLine: s.StartLine, EndLine: s.EndLine,
			Name: s.QualifiedName, Content: s.Content}
	}
	var onToken func(string)
	if req.Stream != nil {
		onToken = req.Stream
	}
	c, err := a.p.Complete(ctx, llm.BuildPrompt(req.Query, sources, req.Note), onToken)
	if err != nil {
		return nil, err
	}
	ans := &ask.Answer{Text: c.Text, Provider: a.p.Name(), Model: c.Model}
	if ans.Model == "" {
		ans.Model = a.p.Model()
	}
	for _, ci := range llm.ParseCitations(c.Text, sources) {
		ans.Citations = append(ans.Citations, ask.Citation{N: ci.N, File: ci.File, StartLine: ci.StartLine, EndLine: ci.EndLine, Name: ci.Name})
		if ci.N >= 1 && ci.N <= len(req.Sources) {
			ans.Cited = append(ans.Cited, req.Sources[ci.N-1].Key)
		}
	}
	if a.scan {
		for _, f := range llm.ScanCode(c.Text) {
			ans.SecurityWarnings = append(ans.SecurityWarnings,
				fmt.Sprintf("line %d: %s (%s): %s", f.Line, f.Description, f.Pattern, f.Snippet))
		}
	}
	return ans, nil
}

// Answerer returns what answers aur query: the configured LLM provider
// behind the resilience policy, or the grounded context report when no
// provider is configured (said once on stderr).
func (f *Factory) Answerer(ctx context.Context) (ask.Answerer, error) {
	cfg := f.Config()
	getenv := func(k string) string {
		// AURORA_LLM_PROVIDER and AURORA_API_KEY_FILE may also come from the
		// config file; API keys only ever come from the environment.
		switch k {
		case llm.EnvProvider:
			return cfg.String(config.KeyLLMProvider)
		case llm.EnvAPIKeyFile:
			return cfg.String(config.KeyAPIKeyFile)
		}
		return os.Getenv(k)
	}
	opts := llm.Options{
		RPM:          cfg.Int(config.KeyRateLimitRPM),
		MaxWait:      cfg.Seconds(config.KeyRateLimitMaxWait),
		MaxRetries:   cfg.Int(config.KeyMaxRetries),
		BaseDelay:    time.Duration(cfg.Int(config.KeyRetryBaseDelayMS)) * time.Millisecond,
		MaxDelay:     time.Duration(cfg.Int(config.KeyRetryMaxDelayMS)) * time.Millisecond,
		BreakerStore: resilience.FileBreakerStore{Dir: filepath.Join(cfg.Home, "state")},
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1 // 0 means "no retries" to the user, -1 to llm.Options
	}
	p, err := llm.FromEnv(getenv, opts)
	if err != nil {
		return nil, &codedError{Code: ExitUsage, Err: fmt.Errorf("LLM configuration: %w", err)}
	}
	if p == nil {
		switch strings.ToLower(cfg.String(config.KeyLLMProvider)) {
		case "none", "off":
			return &reportAnswerer{chosen: true}, nil
		}
		return &reportAnswerer{}, nil
	}
	f.Log().Debug().Str("provider", p.Name()).Str("model", p.Model()).Msg("LLM configured")
	scan := cfg.Bool(config.KeyEnableSecurityScan)
	base := os.Getenv(llm.EnvOpenAIBaseURL)
	if p.Name() == llm.ProviderAnthropic {
		base = os.Getenv(llm.EnvAnthropicBaseURL)
	}
	id := fmt.Sprintf("%s/%s@%s scan=%v", p.Name(), p.Model(), base, scan)
	return &llmAnswerer{p: p, scan: scan, id: id}, nil
}
