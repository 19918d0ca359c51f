// Package llm turns retrieved code chunks into an answer from a language
// model: it builds the grounded prompt, talks to the provider, keeps the
// call alive through the provider's hiccups, and checks what comes back
// (which sources the answer cites, and whether its code does anything
// dangerous). It is a domain package: no cobra, no viper, no output.
//
// Parts:
//
//   - Provider: one completion, plain or streamed. OpenAI talks to any
//     OpenAI-compatible chat completions endpoint (OpenAI, and through
//     OPENAI_BASE_URL also Ollama, vLLM and LM Studio, which need no key);
//     Anthropic talks to the Messages API. Both stream server-sent events
//     and hand each text delta to a callback as it arrives.
//   - FromEnv picks and configures a provider from the environment (see
//     its doc for the order) and returns nil, nil when there is none, so
//     the caller answers with its grounded context report instead.
//   - Resilient wraps a provider in a resilience.Policy: retry with
//     exponential backoff (honouring Retry-After) around a circuit breaker
//     around the provider's rate limiter, so every call FromEnv hands out
//     is rate limited, retried and guarded. A stream is retried only until
//     its first token reaches the caller (see Resilient).
//   - BuildPrompt numbers the sources, renders each as "[n] file:start-end
//     name" and a fenced block, within a size budget, and tells the model
//     to answer only from them, citing [n]. ParseCitations reads the [n]
//     back; ScanCode flags dangerous code in the answer's code blocks.
//
// Why net/http and encoding/json instead of the official OpenAI and
// Anthropic Go SDKs: the two APIs this package uses are one POST each plus
// a line-oriented stream, a few hundred lines here, while the SDKs would
// add 17 to 28 MB to the binary and about 50 s to a cold build, and each
// retries failed requests on its own (twice by default): under our Policy's
// 3 retries a failing call would make up to 12 requests instead of 4, most
// of them unseen by the rate limiter and the breaker. Owning the HTTP also
// lets every error pass through Redact and map onto resilience.HTTPError,
// which the classifier already understands.
//
// Keys: an API key lives in an APIKey, whose every printed, logged or
// marshalled form is "[redacted]", and is read only from the environment
// or from the file named by AURORA_API_KEY_FILE (which must be mode 0600 or
// stricter). Provider error bodies are cut short and passed through Redact,
// which removes every key the process has loaded, before they reach an
// error message. A key is never sent over plain http except to localhost.
//
// Failures the caller may branch on: *UnavailableError (the breaker is
// open: say so and fall back to the context report), *Error wrapping a
// *resilience.HTTPError (e.g. 401: the key was rejected; Error.Hint says
// what to check), *StreamInterruptedError (part of a streamed answer was
// shown, then the stream broke).
//
// Package llmtest has a fake provider server for tests.
package llm
