package pgstore

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/aurora-dev/aur/internal/resilience"
)

// Transient reports whether err is a PostgreSQL failure worth trying
// again: no connection could be made, the connection broke (SQLSTATE
// class 08), the server is starting, shutting down or was restarted
// (57P01-57P03), has no connection slot left (53300), or ended a
// transaction for a serialization failure or deadlock (40001, 40P01).
// Other server errors (a bad statement, a constraint) are not.
func Transient(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03", "53300", "40001", "40P01":
			return true
		}
		return strings.HasPrefix(pe.Code, "08")
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce)
}

// retryConfig: a server restart or failover takes seconds; four
// attempts over about three seconds ride out a short one, and a longer
// outage fails soon enough to say so.
var retryConfig = resilience.RetryConfig{
	MaxRetries: 3,
	BaseDelay:  250 * time.Millisecond,
	MaxDelay:   2 * time.Second,
	Multiplier: 2,
	Jitter:     0.2,
}

// retrier retries Transient errors through the resilience middleware the
// LLM calls use (backoff with jitter, the caller's context obeyed).
var retrier = func() *resilience.Retrier {
	c := resilience.NewClassifier()
	c.AddRecoverable(Transient)
	// Any other server error is final, whatever the network-level rules
	// of the classifier would say of its wrapping.
	c.AddNonRecoverable(func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && !Transient(err)
	})
	r, err := resilience.NewRetrier(retryConfig, nil, c)
	if err != nil {
		panic(err)
	}
	return r
}()

// retry runs fn until it succeeds or fails for good.
func retry(ctx context.Context, fn func(ctx context.Context) error) error {
	return retrier.Do(ctx, fn)
}
