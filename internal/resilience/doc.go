// Package resilience keeps calls to LLM providers within their limits and
// alive through their hiccups, and measures how that goes.
//
// Parts, each usable alone:
//
//   - Retrier: retries recoverable errors (timeouts, network errors, HTTP
//     429 and 5xx) with exponential backoff from cenkalti/backoff/v5
//     (100, 200, 400 ms by default, ±10% jitter), honours Retry-After, and
//     fails at once on errors that another attempt cannot fix (HTTP 400,
//     401, 403, 404, validation, unknown errors). Classifier decides which is
//     which; provider clients register their own error types by type or by
//     name.
//   - RateLimiter: requests per minute per provider on golang.org/x/time/rate,
//     with a bounded wait, a non-blocking check, and a Registry holding one
//     limiter per provider.
//   - Breaker: a circuit breaker on sony/gobreaker/v2 that stops calling a
//     provider after 5 consecutive failures and tries again after 60 s.
//   - Policy: the three composed for one provider call (retry around
//     breaker around rate limiter; see Policy for why), reporting into a
//     Collector.
//   - Collector: query, cache and error metrics with bounded memory and
//     nearest-rank latency percentiles; Snapshot.Map feeds Evaluate, which
//     checks alert Rules (DefaultRules are the production guide's four).
//
// Why: the production guide asks for at least 95% recovery from transient
// provider errors, no rate-limit violations, fast failure when a provider
// is down, and alerts on error rate, latency and cache hit rate. With 3
// retries and independent transient failures at rate q a call fails with
// probability q^4 (0.8% at q = 0.3).
//
// Time is injected: everything that waits or reads the time takes a Clock,
// and package clocktest provides a fake, so tests run hours of simulated
// retries, rate limits and breaker timeouts without sleeping. The libraries
// are wrapped, not re-implemented: x/time/rate is fed the Clock's time, the
// backoff delays come from backoff.ExponentialBackOff, and gobreaker owns the
// breaker's state machine (Breaker explains how its timeout is made to
// follow the Clock).
//
// This is a domain package: it knows nothing of cobra, viper or output.
// Configuration structs carry yaml, json and mapstructure tags so the config
// layer can decode them.
package resilience
