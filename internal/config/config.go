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
	"bytes"
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
	KeyStoreURL              = "store_url"
	KeyProject               = "project"
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
	KeyReplicaPath           = "replica_path"
	KeyRateLimitRPM          = "rate_limit_rpm"
	KeyRateLimitMaxWait      = "rate_limit_max_wait"
	KeyMaxRetries            = "max_retries"
	KeyRetryBaseDelayMS      = "retry_base_delay_ms"
	KeyRetryMaxDelayMS       = "retry_max_delay_ms"
	KeyLLMProvider           = "llm_provider"
	KeyEnableSecurityScan    = "enable_security_scan"
	KeyAPIKeyFile            = "api_key_file"
	KeyAlertRules            = "alert_rules"
	KeyMetricsEnabled        = "metrics_enabled"
	KeyMetricsPort           = "metrics_port"
	KeyMCPMaxResults         = "mcp_max_results"
	KeyMCPMaxChars           = "mcp_max_chars"

	// Semantic retrieval (README "Semantic retrieval"): no base URL, no
	// semantic layer. The key itself is read from AURORA_EMBED_API_KEY,
	// never from a file of settings.
	KeyEmbedBaseURL       = "embed_base_url"
	KeyEmbedModel         = "embed_model"
	KeyEmbedDimensions    = "embed_dimensions"
	KeyEmbedBatch         = "embed_batch"
	KeyEmbedAPIKeyFile    = "embed_api_key_file"
	KeyEmbedRateLimitRPM  = "embed_rate_limit_rpm"
	KeyEmbedMinSimilarity = "embed_min_similarity"
	KeyEmbedMaxSimilarity = "embed_max_similarity"
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
	KeyMetricsEnabled:        true,
	KeyMetricsPort:           0,
	KeyMCPMaxResults:         20,
	KeyMCPMaxChars:           20000,
	KeyEmbedDimensions:       0,
	KeyEmbedBatch:            64,
	KeyEmbedRateLimitRPM:     3000,
	KeyEmbedMinSimilarity:    0.45,
	KeyEmbedMaxSimilarity:    0.85,
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
	v *viper.Viper // the merged files, for structured keys (alert_rules)

	vals map[string]*setting // every key of specs, validated

	Home        string // AURORA_HOME
	WorkDir     string
	ProjectRoot string
	// DBPath is the project database: --db, AURORA_DB_PATH, db_path, or
	// .aurora/memory.db under the project root. DBExplicit tells whether
	// it was set rather than derived.
	DBPath     string
	DBExplicit bool
	// StoreURL is a PostgreSQL store (postgres://…) from --store,
	// AURORA_STORE_URL or store_url; "" means the SQLite store at DBPath
	// (a store given as sqlite:PATH sets DBPath).
	StoreURL string
	// Project names the repository inside a PostgreSQL store (--project,
	// AURORA_PROJECT, project); "" means the base name of the index root.
	Project string
	// ReplicaPath is the replica database (AURORA_REPLICA_PATH,
	// replica_path), absolute, or "" for none. A relative path is
	// relative to the working directory, as for DBPath.
	ReplicaPath string
	// Files are the configuration files that were read, weakest first.
	Files []string
}

// Load resolves the configuration. flags may be nil; flags that were set
// on the command line override everything else. configFile, if set,
// replaces the project's .aurora/config.yaml.
//
// Every scalar key is validated here, once, from whichever source set it
// (see specs for what each accepts). If any is invalid, Load returns an
// *InvalidError naming each one, its source and the accepted values,
// together with a Config in which the invalid keys hold their defaults:
// aur config show lists the problems from it, every other command stops.
func Load(flags *pflag.FlagSet, configFile string) (*Config, error) {
	home, err := Home()
	if err != nil {
		return nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	c := &Config{v: viper.New(), Home: home, WorkDir: wd, ProjectRoot: ProjectRoot(wd, home)}

	files := []string{filepath.Join(home, "config.yaml")}
	if configFile != "" {
		files = append(files, configFile)
	} else {
		files = append(files, filepath.Join(c.ProjectRoot, ".aurora", "config.yaml"))
	}
	c.v.SetConfigType("yaml")
	var perFile []*viper.Viper // parallel to c.Files
	for i, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) && !(i == 1 && configFile != "") {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		fv := viper.New()
		fv.SetConfigType("yaml")
		if err := fv.ReadConfig(bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("read config %s: %w", f, err)
		}
		if err := c.v.MergeConfig(bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("read config %s: %w", f, err)
		}
		c.Files = append(c.Files, f)
		perFile = append(perFile, fv)
	}

	c.vals = make(map[string]*setting, len(specs))
	var problems []Problem
	for _, sp := range specs {
		s := resolve(sp, flags, c.Files, perFile)
		val, err := sp.parse(s.raw)
		if s.origin == OriginDefault || err == nil {
			s.val = val
		} else {
			s.err = err
			s.val, _ = sp.parse(defaultText(sp.key))
			problems = append(problems, problem(sp.key, s, sp.want()))
		}
		c.vals[sp.key] = s
	}
	problems = append(problems, crossCheck(c.vals)...)

	c.Project = c.String(KeyProject)
	if u := c.String(KeyStoreURL); strings.HasPrefix(u, "sqlite:") {
		if p := strings.TrimPrefix(u, "sqlite:"); p != "" {
			c.DBPath, c.DBExplicit = absPath(wd, p), true
		}
	} else {
		c.StoreURL = u
	}
	if p := c.String(KeyDBPath); p != "" {
		c.DBPath, c.DBExplicit = absPath(wd, p), true
	} else if !c.DBExplicit {
		c.DBPath = filepath.Join(c.ProjectRoot, ".aurora", "memory.db")
	}
	if p := c.String(KeyReplicaPath); p != "" {
		c.ReplicaPath = absPath(wd, p)
	}
	if len(problems) > 0 {
		return c, &InvalidError{Problems: problems}
	}
	return c, nil
}

// resolve finds the strongest source that sets a key: a flag set on the
// command line, a non-empty environment variable, the last config file
// holding the key with a value, else the default.
func resolve(sp spec, flags *pflag.FlagSet, files []string, perFile []*viper.Viper) *setting {
	if flags != nil && sp.flag != "" {
		if f := flags.Lookup(sp.flag); f != nil && f.Changed {
			return &setting{raw: f.Value.String(), origin: OriginFlag}
		}
	}
	if v := os.Getenv(EnvName(sp.key)); v != "" {
		return &setting{raw: v, origin: OriginEnv}
	}
	for i := len(perFile) - 1; i >= 0; i-- {
		if v := perFile[i].Get(sp.key); v != nil {
			return &setting{raw: yamlText(v), origin: OriginFile, file: files[i]}
		}
	}
	return &setting{raw: defaultText(sp.key), origin: OriginDefault}
}

func defaultText(key string) string {
	d, ok := Defaults[key]
	if !ok {
		return ""
	}
	return fmt.Sprint(d)
}

// Keys lists every scalar key, for aur config show.
func Keys() []string {
	keys := make([]string, len(specs))
	for i, s := range specs {
		keys[i] = s.key
	}
	return keys
}

// String, Int, Float, Bool and Seconds read a validated key. A key read
// as the wrong kind gets the zero value of the kind asked for.
func (c *Config) String(key string) string {
	if s, ok := c.vals[key]; ok {
		return format(s.val)
	}
	return c.v.GetString(key)
}

func (c *Config) Int(key string) int {
	switch x := c.value(key).(type) {
	case int64:
		return int(x)
	case float64:
		return int(x)
	}
	return 0
}

func (c *Config) Float(key string) float64 {
	switch x := c.value(key).(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}

func (c *Config) Bool(key string) bool {
	b, _ := c.value(key).(bool)
	return b
}

// Seconds reads a key holding seconds (a plain number) or a Go duration
// ("90s", "2m").
func (c *Config) Seconds(key string) time.Duration {
	d, _ := c.value(key).(time.Duration)
	return d
}

func (c *Config) value(key string) any {
	if s, ok := c.vals[key]; ok {
		return s.val
	}
	return nil
}

// Raw returns the text a key was given, before parsing, and the reason it
// was refused (nil if it was accepted), for aur config show.
func (c *Config) Raw(key string) (string, error) {
	if s, ok := c.vals[key]; ok {
		return s.raw, s.err
	}
	return c.v.GetString(key), nil
}

// Sub unmarshals a structured key (such as alert_rules) into out.
func (c *Config) Sub(key string, out any) error {
	if !c.v.IsSet(key) {
		return nil
	}
	return c.v.UnmarshalKey(key, out)
}

// Source tells where a key's value came from: "flag", "env
// AURORA_...", "file PATH" or "default". flags is unused: the sources
// were resolved by Load, from the flags it was given.
func (c *Config) Source(key string, flags *pflag.FlagSet) string {
	s, ok := c.vals[key]
	if !ok {
		return "default"
	}
	switch s.origin {
	case OriginFlag:
		return "flag"
	case OriginEnv:
		return "env " + EnvName(key)
	case OriginFile:
		return "file " + s.file
	}
	return "default"
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
