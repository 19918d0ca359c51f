// Package config loads aur's settings with one precedence, from strongest
// to weakest: command-line flags, AURORA_* environment variables, the
// project's .aurora/config.yaml, $AURORA_HOME/config.yaml, defaults.
//
// It also locates things: the per-user home (AURORA_HOME, default
// ~/.aurora), the project root (the nearest ancestor of the working
// directory holding .aurora/ or .git/) and the project database
// (.aurora/memory.db under it). Only the command layer imports this
// package; domain packages get plain values.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Keys of the configuration, as written in config.yaml. Each key K is also
// read from the environment as AURORA_<UPPER(K)>, except where Env says
// otherwise.
const (
	KeyDBPath                = "db_path"
	KeyLogLevel              = "log_level"
	KeyNonInteractive        = "non_interactive"
	KeyActivationThreshold   = "activation_threshold"
	KeyGroundednessThreshold = "groundedness_threshold"
	KeyMinHighQualityChunks  = "min_high_quality_chunks"
	KeyMaxQueryLength        = "max_query_length"
	KeyChunkSize             = "chunk_size"
	KeyOverlap               = "overlap"
	KeyMaxFileSize           = "max_file_size"
	KeyCacheHotSize          = "cache_hot_size"
	KeyCacheTTL              = "cache_ttl"
	KeyCachePath             = "cache_path"
	KeyRateLimitRPM          = "rate_limit_rpm"
	KeyRateLimitMaxWait      = "rate_limit_max_wait"
	KeyMaxRetries            = "max_retries"
	KeyRetryBaseDelayMS      = "retry_base_delay_ms"
	KeyRetryMaxDelayMS       = "retry_max_delay_ms"
	KeyLLMProvider           = "llm_provider"
	KeyEnableSecurityScan    = "enable_security_scan"
	KeyAPIKeyFile            = "api_key_file"
	KeyAlertRules            = "alert_rules"
)

// Defaults are the values used when nothing else sets a key.
var Defaults = map[string]any{
	KeyLogLevel:              "info",
	KeyNonInteractive:        false,
	KeyActivationThreshold:   0.3,
	KeyGroundednessThreshold: 0.7,
	KeyMinHighQualityChunks:  3,
	KeyMaxQueryLength:        10000,
	KeyChunkSize:             2000,
	KeyOverlap:               200,
	KeyMaxFileSize:           1 << 20,
	KeyCacheHotSize:          2000,
	KeyCacheTTL:              600,
	KeyRateLimitRPM:          60,
	KeyRateLimitMaxWait:      60,
	KeyMaxRetries:            3,
	KeyRetryBaseDelayMS:      100,
	KeyRetryMaxDelayMS:       5000,
	KeyEnableSecurityScan:    true,
}

// EnvName returns the environment variable of a key.
func EnvName(key string) string {
	if key == KeyDBPath {
		return "AURORA_DB_PATH"
	}
	return "AURORA_" + strings.ToUpper(key)
}

// Config is the resolved configuration of one aur invocation.
type Config struct {
	v *viper.Viper

	Home        string // AURORA_HOME
	WorkDir     string
	ProjectRoot string
	// DBPath is the project database: --db, AURORA_DB_PATH, db_path, or
	// .aurora/memory.db under the project root. DBExplicit tells whether
	// it was set rather than derived.
	DBPath     string
	DBExplicit bool
	// Files are the configuration files that were read, weakest first.
	Files []string
}

// Load resolves the configuration. flags may be nil; flags that were set
// on the command line override everything else. configFile, if set,
// replaces the project's .aurora/config.yaml.
func Load(flags *pflag.FlagSet, configFile string) (*Config, error) {
	v := viper.New()
	for k, d := range Defaults {
		v.SetDefault(k, d)
	}
	for _, k := range allKeys() {
		if err := v.BindEnv(k, EnvName(k)); err != nil {
			return nil, err
		}
	}
	home, err := Home()
	if err != nil {
		return nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	c := &Config{v: v, Home: home, WorkDir: wd, ProjectRoot: ProjectRoot(wd, home)}

	files := []string{filepath.Join(home, "config.yaml")}
	if configFile != "" {
		files = append(files, configFile)
	} else {
		files = append(files, filepath.Join(c.ProjectRoot, ".aurora", "config.yaml"))
	}
	v.SetConfigType("yaml")
	for i, f := range files {
		fh, err := os.Open(f)
		if errors.Is(err, os.ErrNotExist) && !(i == 1 && configFile != "") {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		err = v.MergeConfig(fh)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("read config %s: %w", f, err)
		}
		c.Files = append(c.Files, f)
	}
	if flags != nil {
		for _, b := range []struct{ key, flag string }{
			{KeyDBPath, "db"},
			{KeyLogLevel, "log-level"},
			{KeyNonInteractive, "non-interactive"},
		} {
			if f := flags.Lookup(b.flag); f != nil {
				if err := v.BindPFlag(b.key, f); err != nil {
					return nil, err
				}
			}
		}
	}
	if p := v.GetString(KeyDBPath); p != "" {
		c.DBPath, c.DBExplicit = absPath(wd, p), true
	} else {
		c.DBPath = filepath.Join(c.ProjectRoot, ".aurora", "memory.db")
	}
	return c, nil
}

func allKeys() []string {
	return []string{KeyDBPath, KeyLogLevel, KeyNonInteractive, KeyActivationThreshold, KeyGroundednessThreshold,
		KeyMinHighQualityChunks, KeyMaxQueryLength, KeyChunkSize, KeyOverlap, KeyMaxFileSize, KeyCacheHotSize,
		KeyCacheTTL, KeyCachePath, KeyRateLimitRPM, KeyRateLimitMaxWait, KeyMaxRetries, KeyRetryBaseDelayMS,
		KeyRetryMaxDelayMS, KeyLLMProvider, KeyEnableSecurityScan, KeyAPIKeyFile}
}

// Keys lists every scalar key, for aur config show.
func Keys() []string { return allKeys() }

// String, Int, Float, Bool and Duration read a key.
func (c *Config) String(key string) string { return c.v.GetString(key) }
func (c *Config) Int(key string) int       { return c.v.GetInt(key) }
func (c *Config) Float(key string) float64 { return c.v.GetFloat64(key) }
func (c *Config) Bool(key string) bool     { return c.v.GetBool(key) }

// Seconds reads a key holding seconds (a plain number) or a Go duration
// ("90s", "2m").
func (c *Config) Seconds(key string) time.Duration {
	s := c.v.GetString(key)
	if d, err := time.ParseDuration(s); err == nil {
		return d
	}
	return time.Duration(c.v.GetFloat64(key) * float64(time.Second))
}

// Sub unmarshals a structured key (such as alert_rules) into out.
func (c *Config) Sub(key string, out any) error {
	if !c.v.IsSet(key) {
		return nil
	}
	return c.v.UnmarshalKey(key, out)
}

// Source tells where a key's value came from: flag, env, file or default.
func (c *Config) Source(key string, flags *pflag.FlagSet) string {
	switch {
	case flags != nil && flagFor(flags, key) != nil && flagFor(flags, key).Changed:
		return "flag"
	case os.Getenv(EnvName(key)) != "":
		return "env " + EnvName(key)
	case c.v.InConfig(key):
		return "file"
	}
	return "default"
}

func flagFor(flags *pflag.FlagSet, key string) *pflag.Flag {
	switch key {
	case KeyDBPath:
		return flags.Lookup("db")
	case KeyLogLevel:
		return flags.Lookup("log-level")
	case KeyNonInteractive:
		return flags.Lookup("non-interactive")
	}
	return nil
}

// Home returns AURORA_HOME, default ~/.aurora.
func Home() (string, error) {
	if h := os.Getenv("AURORA_HOME"); h != "" {
		return filepath.Abs(h)
	}
	uh, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find home directory (set AURORA_HOME): %w", err)
	}
	return filepath.Join(uh, ".aurora"), nil
}

// ProjectRoot returns the nearest ancestor of dir (or dir) that holds
// .aurora/ or .git/, else dir. The per-user home (~/.aurora by default)
// is not a project marker, or every directory under ~ would be one project.
func ProjectRoot(dir, home string) string {
	for d := dir; ; {
		if p := filepath.Join(d, ".aurora"); p != home {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				return d
			}
		}
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

func absPath(wd, p string) string {
	if strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(h, p[2:])
		}
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(wd, p)
}
