package main

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// TokenBucket is a token-bucket rate limiter: the bucket holds up to burst
// tokens and refills at rate tokens per second; each request takes one.
// Short bursts pass, sustained traffic is held to rate.
type TokenBucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

// NewTokenBucket returns a full bucket. now is the clock (time.Now outside
// tests).
func NewTokenBucket(rate float64, burst int, now func() time.Time) *TokenBucket {
	return &TokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now(), now: now}
}

// refill adds the tokens earned since the last call, up to burst. The
// caller holds mu.
func (b *TokenBucket) refill() {
	t := b.now()
	elapsed := t.Sub(b.last).Seconds()
	if elapsed > 0 {
		b.tokens = math.Min(b.burst, b.tokens+elapsed*b.rate)
		b.last = t
	}
}

// Allow takes a token if one is available and reports whether it did.
func (b *TokenBucket) Allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill()
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// RetryAfter is how long until the next token arrives, rounded up to a
// whole second for the Retry-After header.
func (b *TokenBucket) RetryAfter() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill()
	if b.tokens >= 1 {
		return 0
	}
	secs := math.Ceil((1 - b.tokens) / b.rate)
	return time.Duration(secs) * time.Second
}

// ClientLimiter keeps one token bucket per client IP address.
type ClientLimiter struct {
	mu      sync.Mutex
	buckets map[string]*TokenBucket
	rate    float64
	burst   int
	now     func() time.Time
}

// NewClientLimiter returns a limiter allowing each client rate requests
// per second with bursts of up to burst.
func NewClientLimiter(rate float64, burst int, now func() time.Time) *ClientLimiter {
	return &ClientLimiter{buckets: map[string]*TokenBucket{}, rate: rate, burst: burst, now: now}
}

// bucket returns the client's bucket, creating a full one on first sight.
func (l *ClientLimiter) bucket(client string) *TokenBucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[client]
	if !ok {
		b = NewTokenBucket(l.rate, l.burst, l.now)
		l.buckets[client] = b
	}
	return b
}

// Middleware rejects requests over the client's limit with 429 Too Many
// Requests and a Retry-After header.
func (l *ClientLimiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := l.bucket(clientIP(r))
		if !b.Allow() {
			w.Header().Set("Retry-After", strconv.Itoa(int(b.RetryAfter().Seconds())))
			http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientIP is the remote address without its port. X-Forwarded-For is not
// trusted: the service is not meant to sit behind a proxy that sets it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
