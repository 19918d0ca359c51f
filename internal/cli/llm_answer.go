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
	"github.com/aurora-dev/aur/internal/service"
)

// resilienceOptions are the retry, rate-limit (rpmKey names the budget:
// the LLM's or the embeddings'), breaker and metrics settings of a
// provider's calls.
func (f *Factory) resilienceOptions(rpmKey string) llm.Options {
	cfg := f.Config()
	opts := llm.Options{
		RPM:          cfg.Int(rpmKey),
		MaxWait:      cfg.Seconds(config.KeyRateLimitMaxWait),
		MaxRetries:   cfg.Int(config.KeyMaxRetries),
		BaseDelay:    time.Duration(cfg.Int(config.KeyRetryBaseDelayMS)) * time.Millisecond,
		MaxDelay:     time.Duration(cfg.Int(config.KeyRetryMaxDelayMS)) * time.Millisecond,
		BreakerStore: resilience.FileBreakerStore{Dir: filepath.Join(cfg.Home, "state")},
		Observer:     f.llmObserver,
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = -1 // 0 means "no retries" to the user, -1 to llm.Options
	}
	return opts
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
	opts := f.resilienceOptions(config.KeyRateLimitRPM)
	if f.usesPostgres() {
		// Every host that shares the store shares the breaker: one whose
		// calls failed keeps the others from hammering the provider.
		opts.BreakerStore = &pgBreaker{f: f, file: opts.BreakerStore}
	}
	p, err := llm.FromEnv(getenv, opts)
	if err != nil {
		return nil, &codedError{Code: ExitUsage, Err: fmt.Errorf("LLM configuration: %w", err)}
	}
	if p == nil {
		switch strings.ToLower(cfg.String(config.KeyLLMProvider)) {
		case "none", "off":
			return &service.ReportAnswerer{Chosen: true}, nil
		}
		return &service.ReportAnswerer{}, nil
	}
	f.Log().Debug().Str("provider", p.Name()).Str("model", p.Model()).Msg("LLM configured")
	scan := cfg.Bool(config.KeyEnableSecurityScan)
	base := os.Getenv(llm.EnvOpenAIBaseURL)
	if p.Name() == llm.ProviderAnthropic {
		base = os.Getenv(llm.EnvAnthropicBaseURL)
	}
	id := fmt.Sprintf("%s/%s@%s scan=%v", p.Name(), p.Model(), base, scan)
	return service.NewLLMAnswerer(p, scan, id), nil
}
