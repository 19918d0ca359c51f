// Command itemd serves the item catalogue over HTTP.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "itemd:", err)
		os.Exit(1)
	}
}

// run parses flags, loads the configuration, wires the router and the
// middleware chain, and serves until the process receives SIGINT or
// SIGTERM.
func run(args []string) error {
	fs := flag.NewFlagSet("itemd", flag.ContinueOnError)
	configPath := fs.String("config", "itemd.json", "path to the JSON config file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := LoadConfig(*configPath)
	if err != nil {
		return fmt.Errorf("load config: %w", err)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))

	store := NewItemStore()
	cache := NewLRUCache(cfg.CacheSize)
	limiter := NewClientLimiter(cfg.RateLimit, cfg.RateBurst, time.Now)

	r := NewRouter()
	r.Handle(http.MethodGet, "/healthz", healthHandler)
	r.Handle(http.MethodGet, "/items", listItems(store))
	r.Handle(http.MethodGet, "/items/:id", getItem(store, cache))
	r.Handle(http.MethodPost, "/items", createItem(store, cache))

	handler := Chain(r, RequestID, Logging(logger), Recover(logger), limiter.Middleware)
	srv := NewHTTPServer(cfg.Addr, handler, cfg.ShutdownTimeout, logger)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Run(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
