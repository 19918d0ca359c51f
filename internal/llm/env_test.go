package llm

import (
	"strings"
	"testing"
)

func TestFromEnvSelection(t *testing.T) {
	const (
		oKey = "sk-openai-key-0000000000000000"
		aKey = "sk-ant-api03-key-00000000000000"
	)
	cases := []struct {
		name      string
		env       env
		want      string // provider name, "" for none
		wantModel string
		wantErr   string
	}{
		{name: "nothing set", env: env{}, want: ""},
		{name: "openai key", env: env{EnvOpenAIKey: oKey}, want: ProviderOpenAI, wantModel: DefaultOpenAIModel},
		{name: "anthropic key", env: env{EnvAnthropicKey: aKey}, want: ProviderAnthropic, wantModel: DefaultAnthropicModel},
		{name: "both keys: anthropic first", env: env{EnvOpenAIKey: oKey, EnvAnthropicKey: aKey}, want: ProviderAnthropic},
		{name: "both keys, openai chosen", env: env{EnvProvider: "OpenAI", EnvOpenAIKey: oKey, EnvAnthropicKey: aKey, EnvOpenAIModel: "gpt-4.1"},
			want: ProviderOpenAI, wantModel: "gpt-4.1"},
		{name: "none turns it off", env: env{EnvProvider: "none", EnvOpenAIKey: oKey}, want: ""},
		{name: "unknown provider", env: env{EnvProvider: "gemini"}, wantErr: `AURORA_LLM_PROVIDER="gemini"`},
		{name: "local server needs no key", env: env{EnvOpenAIBaseURL: "http://localhost:11434/v1", EnvOpenAIModel: "llama3.2"},
			want: ProviderOpenAI, wantModel: "llama3.2"},
		{name: "base URL of OpenAI itself is not a local server", env: env{EnvOpenAIBaseURL: "https://api.openai.com/v1"}, want: ""},
		{name: "openai chosen without key", env: env{EnvProvider: "openai"}, wantErr: EnvOpenAIKey},
		{name: "anthropic chosen without key", env: env{EnvProvider: "anthropic", EnvOpenAIKey: oKey}, wantErr: EnvAnthropicKey},
		{name: "bad max tokens", env: env{EnvOpenAIKey: oKey, EnvOpenAIMaxTokens: "lots"}, wantErr: EnvOpenAIMaxTokens},
		{name: "key over plain http", env: env{EnvOpenAIKey: oKey, EnvOpenAIBaseURL: "http://10.0.0.5:8000/v1"}, wantErr: "plain http"},
		{name: "anthropic base URL with /v1", env: env{EnvAnthropicKey: aKey, EnvAnthropicBaseURL: "https://proxy.example.com/v1/", EnvAnthropicMaxTokens: "2048"},
			want: ProviderAnthropic},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FromEnv(tc.env.get, Options{})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if p != nil {
					t.Fatalf("got %v, want no provider (nil, nil)", p)
				}
				return
			}
			if p == nil || p.Name() != tc.want {
				t.Fatalf("got %v, want %s", p, tc.want)
			}
			if _, ok := p.(*Resilient); !ok {
				t.Errorf("FromEnv returned %T, want *Resilient so every call is guarded", p)
			}
			if tc.wantModel != "" && p.Model() != tc.wantModel {
				t.Errorf("model %q, want %q", p.Model(), tc.wantModel)
			}
		})
	}

	p, err := FromEnv(env{EnvAnthropicKey: aKey, EnvAnthropicBaseURL: "https://proxy.example.com/v1/", EnvAnthropicMaxTokens: "2048"}.get, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := p.(*Resilient).Provider().(*Anthropic)
	if a.c.base != "https://proxy.example.com" || a.c.maxTokens != 2048 {
		t.Errorf("anthropic base %q, max tokens %d", a.c.base, a.c.maxTokens)
	}
}
