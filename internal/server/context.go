package server

import (
	"context"
	"net/http"
	"time"
)

func contextWithTimeout(r *http.Request, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), d)
}

func contextWithoutCancel(r *http.Request) context.Context {
	return context.WithoutCancel(r.Context())
}
