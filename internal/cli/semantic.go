package cli

import (
	"fmt"
	"os"
	"strconv"

	"github.com/aurora-dev/aur/internal/config"
	"github.com/aurora-dev/aur/internal/llm"
	"github.com/aurora-dev/aur/internal/service"
)

// Embedder returns the configured embeddings endpoint behind the
// resilience policy (retries, breaker, rate limit and metrics as for the
// LLM, with its own budget, AURORA_EMBED_RATE_LIMIT_RPM), or nil when
// AURORA_EMBED_BASE_URL is unset. A misconfiguration is a usage error.
func (f *Factory) Embedder() (*llm.ResilientEmbedder, error) {
	cfg := f.Config()
	getenv := func(k string) string {
		// Everything but the key itself may come from a config file.
		switch k {
		case llm.EnvEmbedBaseURL:
			return cfg.String(config.KeyEmbedBaseURL)
		case llm.EnvEmbedModel:
			return cfg.String(config.KeyEmbedModel)
		case llm.EnvEmbedKeyFile:
			return cfg.String(config.KeyEmbedAPIKeyFile)
		case llm.EnvEmbedDimensions:
			return strconv.Itoa(cfg.Int(config.KeyEmbedDimensions))
		}
		return os.Getenv(k)
	}
	e, err := llm.EmbedderFromEnv(getenv, f.resilienceOptions(config.KeyEmbedRateLimitRPM))
	if err != nil {
		return nil, &codedError{Code: ExitUsage, Err: fmt.Errorf("embeddings configuration: %w", err)}
	}
	return e, nil
}

// searchEmbedder is the service's embedder for questions: nil without an
// endpoint, and nil with a warning when the endpoint is misconfigured (a
// question is never refused for the semantic layer's sake).
func (f *Factory) searchEmbedder() service.Embedder {
	e, err := f.Embedder()
	if err != nil {
		f.warnOnce("semantic", "semantic retrieval is off: %s", llm.Redact(err.Error()))
		return nil
	}
	if e == nil {
		return nil // a nil *ResilientEmbedder is not a nil interface
	}
	return e
}

// semanticSettings reads the semantic layer's settings.
func semanticSettings(cfg *config.Config) service.SemanticSettings {
	return service.SemanticSettings{
		Floor: cfg.Float(config.KeyEmbedMinSimilarity),
		Ceil:  cfg.Float(config.KeyEmbedMaxSimilarity),
		Batch: cfg.Int(config.KeyEmbedBatch),
	}
}

// warnSemantic says once that a search went on by words only.
func warnSemantic(f *Factory, out *service.Response) {
	if out != nil && out.SemanticWarning != "" {
		f.warnOnce("semantic", "%s", out.SemanticWarning)
	}
}
