package llm

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Environment variables read by FromEnv.
const (
	EnvProvider   = "AURORA_LLM_PROVIDER" // "openai", "anthropic", "none"; empty picks by key
	EnvAPIKeyFile = "AURORA_API_KEY_FILE" // a file holding the selected provider's key

	EnvOpenAIKey       = "OPENAI_API_KEY"
	EnvOpenAIModel     = "OPENAI_MODEL"
	EnvOpenAIMaxTokens = "OPENAI_MAX_TOKENS"
	EnvOpenAIBaseURL   = "OPENAI_BASE_URL"

	EnvAnthropicKey       = "ANTHROPIC_API_KEY"
	EnvAnthropicModel     = "ANTHROPIC_MODEL"
	EnvAnthropicMaxTokens = "ANTHROPIC_MAX_TOKENS"
	EnvAnthropicBaseURL   = "ANTHROPIC_BASE_URL"
)

// Defaults for what the environment leaves unset.
const (
	DefaultOpenAIModel      = "gpt-4o-mini"
	DefaultOpenAIBaseURL    = "https://api.openai.com/v1"
	DefaultAnthropicModel   = "claude-sonnet-4-5"
	DefaultAnthropicBaseURL = "https://api.anthropic.com"
	DefaultMaxTokens        = 1024
)

// FromEnv builds the configured provider, wrapped in Resilient with opts,
// or returns (nil, nil) when none is configured, so the caller answers with
// its grounded context report instead.
//
// Which provider:
//   - AURORA_LLM_PROVIDER=openai or anthropic picks it; "none" (or "off")
//     turns the LLM off even when keys are present.
//   - Unset (or "auto"): with AURORA_API_KEY_FILE, the key's own prefix
//     decides ("sk-ant-" is Anthropic, anything else OpenAI-compatible);
//     otherwise ANTHROPIC_API_KEY, then OPENAI_API_KEY, then an
//     OPENAI_BASE_URL naming a server other than api.openai.com (a local
//     Ollama, vLLM or LM Studio needs no key). Anthropic comes first because
//     its key is only ever set for Anthropic, while OPENAI_API_KEY is often
//     left over from other tools or set to a placeholder for a local
//     server; when both are present the more specific one is the likelier
//     intent, and AURORA_LLM_PROVIDER settles it either way.
//
// Keys come only from the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY) or
// from the file named by AURORA_API_KEY_FILE (see ReadKeyFile), which, when
// set, wins over the provider's variable: it is aur's own setting and the
// safer place for a key. Model, token budget and base URL come from
// OPENAI_MODEL, OPENAI_MAX_TOKENS, OPENAI_BASE_URL and their ANTHROPIC_
// counterparts. getenv is usually os.Getenv; tests pass a map's lookup.
func FromEnv(getenv func(string) string, opts Options) (Provider, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }

	var fileKey APIKey
	if path := get(EnvAPIKeyFile); path != "" {
		k, err := ReadKeyFile(path)
		if err != nil {
			return nil, err
		}
		fileKey = k
	}

	name := strings.ToLower(get(EnvProvider))
	switch name {
	case "none", "off":
		return nil, nil
	case "", "auto":
		switch {
		case !fileKey.IsZero() && strings.HasPrefix(fileKey.reveal(), "sk-ant-"):
			name = ProviderAnthropic
		case !fileKey.IsZero():
			name = ProviderOpenAI
		case get(EnvAnthropicKey) != "":
			name = ProviderAnthropic
		case get(EnvOpenAIKey) != "":
			name = ProviderOpenAI
		case isLocalOpenAI(get(EnvOpenAIBaseURL)):
			name = ProviderOpenAI
		default:
			return nil, nil
		}
	case ProviderOpenAI, ProviderAnthropic:
	default:
		return nil, fmt.Errorf("%s=%q: want %q, %q or %q", EnvProvider, getenv(EnvProvider), ProviderOpenAI, ProviderAnthropic, "none")
	}

	keyEnv, modelEnv, maxEnv, baseEnv := EnvOpenAIKey, EnvOpenAIModel, EnvOpenAIMaxTokens, EnvOpenAIBaseURL
	if name == ProviderAnthropic {
		keyEnv, modelEnv, maxEnv, baseEnv = EnvAnthropicKey, EnvAnthropicModel, EnvAnthropicMaxTokens, EnvAnthropicBaseURL
	}
	cfg := Config{
		APIKey:     fileKey,
		Model:      get(modelEnv),
		BaseURL:    get(baseEnv),
		HTTPClient: opts.HTTPClient,
		Clock:      opts.Clock,
	}
	if cfg.APIKey.IsZero() {
		cfg.APIKey = NewAPIKey(get(keyEnv))
	}
	if v := get(maxEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%s=%q: want a positive whole number", maxEnv, v)
		}
		cfg.MaxTokens = n
	}

	var (
		p   Provider
		err error
	)
	if name == ProviderAnthropic {
		p, err = NewAnthropic(cfg)
	} else {
		p, err = NewOpenAI(cfg)
	}
	if err != nil {
		return nil, err
	}
	return NewResilient(p, opts)
}

// isLocalOpenAI reports whether base names an OpenAI-compatible server
// other than OpenAI's own, which may need no key.
func isLocalOpenAI(base string) bool {
	if base == "" {
		return false
	}
	u, err := url.Parse(base)
	return err == nil && u.Host != "" && !strings.EqualFold(u.Hostname(), openAIHost)
}
