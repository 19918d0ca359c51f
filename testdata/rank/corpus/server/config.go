package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of the service. Values come from a JSON file
// and may be overridden by ITEMD_* environment variables.
type Config struct {
	Addr            string        `json:"addr"`
	LogLevel        slog.Level    `json:"log_level"`
	CacheSize       int           `json:"cache_size"`
	RateLimit       float64       `json:"rate_limit"` // requests per second per client
	RateBurst       int           `json:"rate_burst"`
	ShutdownTimeout time.Duration `json:"-"`
	ShutdownRaw     string        `json:"shutdown_timeout"`
	AllowedOrigins  []string      `json:"allowed_origins"`
}

// defaultConfig returns the settings used when the file leaves a field
// out.
func defaultConfig() Config {
	return Config{
		Addr:            ":8080",
		LogLevel:        slog.LevelInfo,
		CacheSize:       512,
		RateLimit:       20,
		RateBurst:       40,
		ShutdownTimeout: 15 * time.Second,
	}
}

// LoadConfig reads the JSON config file at path, applies environment
// overrides and validates the result. A missing file is not an error:
// the defaults and the environment are enough to start.
func LoadConfig(path string) (Config, error) {
	cfg := defaultConfig()
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// fall through with defaults
	case err != nil:
		return cfg, err
	default:
		if err := json.Unmarshal(data, &cfg); err != nil {
			return cfg, fmt.Errorf("parse %s: %w", path, err)
		}
	}
	if cfg.ShutdownRaw != "" {
		d, err := parseDuration(cfg.ShutdownRaw)
		if err != nil {
			return cfg, fmt.Errorf("shutdown_timeout: %w", err)
		}
		cfg.ShutdownTimeout = d
	}
	if err := applyEnv(&cfg, os.LookupEnv); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// applyEnv overrides fields from ITEMD_ADDR, ITEMD_CACHE_SIZE,
// ITEMD_RATE_LIMIT and ITEMD_ALLOWED_ORIGINS (comma separated). lookup is
// os.LookupEnv outside tests.
func applyEnv(cfg *Config, lookup func(string) (string, bool)) error {
	if v, ok := lookup("ITEMD_ADDR"); ok {
		cfg.Addr = v
	}
	if v, ok := lookup("ITEMD_CACHE_SIZE"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("ITEMD_CACHE_SIZE: %w", err)
		}
		cfg.CacheSize = n
	}
	if v, ok := lookup("ITEMD_RATE_LIMIT"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("ITEMD_RATE_LIMIT: %w", err)
		}
		cfg.RateLimit = f
	}
	if v, ok := lookup("ITEMD_ALLOWED_ORIGINS"); ok {
		cfg.AllowedOrigins = strings.Split(v, ",")
	}
	return nil
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if c.Addr == "" {
		return errors.New("addr is empty")
	}
	if c.CacheSize < 0 {
		return fmt.Errorf("cache_size %d is negative", c.CacheSize)
	}
	if c.RateLimit <= 0 || c.RateBurst <= 0 {
		return errors.New("rate_limit and rate_burst must be positive")
	}
	if c.ShutdownTimeout < time.Second {
		return fmt.Errorf("shutdown_timeout %s is shorter than a second", c.ShutdownTimeout)
	}
	return nil
}

// parseDuration accepts Go durations ("30s", "1m30s") and, for operators
// used to other tools, a bare number of seconds ("30").
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}
