package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// isolate gives Load an empty home and working directory and clears every
// AURORA_* variable of the machine.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AURORA_HOME", filepath.Join(dir, "home"))
	for _, k := range Keys() {
		t.Setenv(EnvName(k), "")
	}
	work := filepath.Join(dir, "work")
	if err := os.MkdirAll(work, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	return work
}

// settingCases lists, for every key, values that must be accepted (with
// the value aur then reads, as aur config show prints it) and values that
// must be refused. TestEverySettingValidated fails for a key without
// both, so a new key cannot skip validation.
var settingCases = map[string]struct {
	ok  map[string]string // raw -> String()
	bad []string
}{
	KeyDBPath: {ok: map[string]string{"/tmp/x.db": "/tmp/x.db", " spaced name.db": " spaced name.db"}},
	KeyLogLevel: {
		ok:  map[string]string{"debug": "debug", " WARN ": "warn", "Error": "error", "info": "info"},
		bad: []string{"verbose", "trace", "0", "warning!"},
	},
	KeyNonInteractive: {
		ok: map[string]string{"1": "true", "0": "false", "true": "true", "FALSE": "false", "yes": "true", "No": "false",
			"on": "true", " OFF ": "false", "Yes\n": "true"},
		bad: []string{"y", "n", "perhaps", "2", "-1", "enabled", "t"},
	},
	KeyActivationThreshold: {
		ok:  map[string]string{"0": "0", "1": "1", "0.25": "0.25", " 0.5 ": "0.5", "1e-1": "0.1"},
		bad: []string{"abc", "NaN", "nan", "Inf", "-Inf", "infinity", "-0.1", "1.01", "2", "0,3", "30%"},
	},
	KeyGroundednessThreshold: {
		ok:  map[string]string{"0.7": "0.7", "0": "0", "1.0": "1"},
		bad: []string{"high", "NaN", "+Inf", "-1", "1.5"},
	},
	KeyMinHighQualityChunks: {
		ok:  map[string]string{"0": "0", "3": "3", "10": "10", "5.0": "5"},
		bad: []string{"lots", "-1", "2.5", "NaN", "1e300"},
	},
	KeyMaxQueryLength: {
		ok:  map[string]string{"1": "1", "10000": "10000", "1e3": "1000"},
		bad: []string{"-1", "0", "long", "Inf"},
	},
	KeyChunkSize: {
		ok:  map[string]string{"100": "100", "4000": "4000"},
		bad: []string{"99", "0", "-5", "big"},
	},
	KeyOverlap: {
		ok:  map[string]string{"0": "0", "200": "200"},
		bad: []string{"-1", "some"},
	},
	KeyMaxFileSize: {
		ok:  map[string]string{"1": "1", "1048576": "1048576"},
		bad: []string{"0", "-1", "1MB", "1.5"},
	},
	KeyCacheHotSize: {
		ok:  map[string]string{"0": "0", "2000": "2000"},
		bad: []string{"-1", "many"},
	},
	KeyCacheTTL: {
		ok:  map[string]string{"600": "600", "90s": "90", "2m": "120", "0.5": "500ms", "1h30m": "5400"},
		bad: []string{"0", "-1", "0s", "-5m", "NaN", "Inf", "forever", "10 minutes"},
	},
	KeyCachePath:   {ok: map[string]string{"/tmp/c.db": "/tmp/c.db"}},
	KeyReplicaPath: {ok: map[string]string{"/srv/aur/replica.db": "/srv/aur/replica.db", "replica.db": "replica.db"}},
	KeyRateLimitRPM: {
		ok:  map[string]string{"1": "1", "60000": "60000"},
		bad: []string{"0", "-60", "fast"},
	},
	KeyRateLimitMaxWait: {
		ok:  map[string]string{"60": "60", "1m": "60", "0.25": "250ms"},
		bad: []string{"0", "-1", "NaN", "soon"},
	},
	KeyMaxRetries: {
		ok:  map[string]string{"0": "0", "3": "3", "100": "100"},
		bad: []string{"-1", "101", "three", "1.5"},
	},
	KeyRetryBaseDelayMS: {
		ok:  map[string]string{"1": "1", "100": "100"},
		bad: []string{"0", "-100", "10ms", "86400001"},
	},
	KeyRetryMaxDelayMS: {
		ok:  map[string]string{"5000": "5000", "100": "100"},
		bad: []string{"0", "-1", "5s", "99"}, // 99 is below the default base delay, 100
	},
	KeyLLMProvider: {
		ok:  map[string]string{"openai": "openai", "Anthropic": "anthropic", "none": "none", "off": "off", "auto": "auto"},
		bad: []string{"gpt", "claude", "ollama"},
	},
	KeyEnableSecurityScan: {
		ok:  map[string]string{"on": "true", "yes": "true", "1": "true", "off": "false", "no": "false", "False": "false"},
		bad: []string{"perhaps", "enabled", "y", "2"},
	},
	KeyAPIKeyFile: {ok: map[string]string{"/run/secrets/key": "/run/secrets/key"}},
	KeyStoreURL: {
		ok: map[string]string{"postgres://aur@db.internal/aur": "postgres://aur@db.internal/aur",
			" postgresql://db/aur?sslmode=require ": "postgresql://db/aur?sslmode=require", "sqlite:/tmp/x.db": "sqlite:/tmp/x.db"},
		bad: []string{"mysql://db/aur", "/tmp/x.db", "postgres:db"},
	},
	KeyProject: {ok: map[string]string{"backend": "backend"}},
	KeyMetricsEnabled: {
		ok:  map[string]string{"false": "false", "1": "true"},
		bad: []string{"maybe"},
	},
	KeyMetricsPort: {
		ok:  map[string]string{"9090": "9090", "0": "0"},
		bad: []string{"-1", "65536", "http"},
	},
	KeyMCPMaxResults: {
		ok:  map[string]string{"5": "5"},
		bad: []string{"0", "1001"},
	},
	KeyMCPMaxChars: {
		ok:  map[string]string{"4000": "4000"},
		bad: []string{"10", "x"},
	},
	KeyEmbedBaseURL: {ok: map[string]string{"http://localhost:11434/v1": "http://localhost:11434/v1"}},
	KeyEmbedModel:   {ok: map[string]string{"nomic-embed-text": "nomic-embed-text"}},
	KeyEmbedDimensions: {
		ok:  map[string]string{"0": "0", "768": "768", "65536": "65536"},
		bad: []string{"-1", "65537", "wide", "1.5"},
	},
	KeyEmbedBatch: {
		ok:  map[string]string{"1": "1", "64": "64", "2048": "2048"},
		bad: []string{"0", "-1", "2049", "lots"},
	},
	KeyEmbedAPIKeyFile: {ok: map[string]string{"/run/secrets/embed": "/run/secrets/embed"}},
	KeyEmbedRateLimitRPM: {
		ok:  map[string]string{"1": "1", "3000": "3000"},
		bad: []string{"0", "-1", "fast"},
	},
	KeyEmbedMinSimilarity: {
		ok:  map[string]string{"0.3": "0.3", "-1": "-1", "0": "0"},
		bad: []string{"1.5", "-2", "NaN", "low"},
	},
	KeyEmbedMaxSimilarity: {
		ok:  map[string]string{"0.9": "0.9", "1": "1"},
		bad: []string{"1.5", "NaN", "high"},
	},
}

// TestEverySettingValidated sets each key through its environment
// variable: accepted values are read as they mean, refused ones make Load
// fail with an *InvalidError naming the variable, its source and what is
// accepted, and leave the default in place (aur config show must never
// list a refused value as active).
func TestEverySettingValidated(t *testing.T) {
	for _, k := range Keys() {
		tc, ok := settingCases[k]
		if !ok || len(tc.ok) == 0 {
			t.Errorf("key %s has no test cases", k)
			continue
		}
		sp, _ := specOf(k)
		if sp.kind != kindString && len(tc.bad) == 0 {
			t.Errorf("key %s has no invalid values to test", k)
		}
	}
	for k, tc := range settingCases {
		env := EnvName(k)
		for raw, want := range tc.ok {
			t.Run(env+"="+raw, func(t *testing.T) {
				isolate(t)
				t.Setenv(env, raw)
				c, err := Load(nil, "")
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got := c.String(k); got != want {
					t.Errorf("String(%s) = %q, want %q", k, got, want)
				}
				if got := c.Source(k, nil); got != "env "+env {
					t.Errorf("Source(%s) = %q, want env", k, got)
				}
			})
		}
		for _, raw := range tc.bad {
			t.Run(env+"="+raw+" refused", func(t *testing.T) {
				isolate(t)
				t.Setenv(env, raw)
				c, err := Load(nil, "")
				var ie *InvalidError
				if !errors.As(err, &ie) || len(ie.Problems) != 1 {
					t.Fatalf("Load: err %v, want one *InvalidError problem", err)
				}
				msg := err.Error()
				sp, _ := specOf(k)
				for _, part := range []string{env, "(env)", sp.want()} {
					if k == KeyRetryMaxDelayMS && part == sp.want() && raw == "99" {
						part = "must not be below"
					}
					if !strings.Contains(msg, part) {
						t.Errorf("error %q does not name %q", msg, part)
					}
				}
				if c == nil {
					t.Fatal("no Config with the error")
				}
				if got, want := c.String(k), defaultText(k); got != want {
					t.Errorf("refused %s: String = %q, want the default %q", k, got, want)
				}
				if _, rerr := c.Raw(k); rerr == nil {
					t.Errorf("Raw(%s) reports no error", k)
				}
			})
		}
	}
}

// TestSettingSources checks precedence and that a refused value from a
// file or a flag names that file or flag.
func TestSettingSources(t *testing.T) {
	work := isolate(t)
	home := os.Getenv("AURORA_HOME")
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(home, "config.yaml"), "activation_threshold: 0.2\nmax_retries: 5\nnon_interactive: yes\n")
	project := filepath.Join(work, ".aurora", "config.yaml")
	write(project, "activation_threshold: 0.4\n")

	c, err := Load(nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Float(KeyActivationThreshold); got != 0.4 {
		t.Errorf("project file: threshold %v, want 0.4", got)
	}
	if got := c.Source(KeyActivationThreshold, nil); got != "file "+project {
		t.Errorf("source %q", got)
	}
	if got := c.Int(KeyMaxRetries); got != 5 {
		t.Errorf("home file: retries %d, want 5", got)
	}
	if !c.Bool(KeyNonInteractive) {
		t.Error("non_interactive: yes in a file is not honoured")
	}
	t.Setenv("AURORA_ACTIVATION_THRESHOLD", "0.6")
	if c, _ := Load(nil, ""); c.Float(KeyActivationThreshold) != 0.6 {
		t.Errorf("env does not beat the files")
	}
	t.Setenv("AURORA_ACTIVATION_THRESHOLD", "")

	// YAML values of the wrong kind, NaN and a list.
	write(project, "activation_threshold: abc\nmin_high_quality_chunks: .nan\nenable_security_scan: [1]\ncache_ttl: 90s\n")
	c, err = Load(nil, "")
	var ie *InvalidError
	if !errors.As(err, &ie) || len(ie.Problems) != 3 {
		t.Fatalf("Load: %v, want 3 problems", err)
	}
	for _, want := range []string{`activation_threshold: "abc" (file ` + project + `; env AURORA_ACTIVATION_THRESHOLD): want a number from 0 to 1`,
		`min_high_quality_chunks: "NaN"`, `enable_security_scan: "[1]"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if c.Float(KeyActivationThreshold) != 0.3 || !c.Bool(KeyEnableSecurityScan) {
		t.Errorf("refused settings are active: threshold %v, scan %v", c.Float(KeyActivationThreshold), c.Bool(KeyEnableSecurityScan))
	}
	if c.Seconds(KeyCacheTTL) != 90*time.Second {
		t.Errorf("cache_ttl %v, want 90s", c.Seconds(KeyCacheTTL))
	}
	write(project, "")

	// Flags beat everything; a refused flag names the flag.
	fs := pflag.NewFlagSet("aur", pflag.ContinueOnError)
	fs.String("log-level", "", "")
	fs.String("db", "", "")
	fs.Bool("non-interactive", false, "")
	if err := fs.Parse([]string{"--log-level", "verbose", "--db", "x.db"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AURORA_LOG_LEVEL", "debug")
	c, err = Load(fs, "")
	if err == nil || !strings.Contains(err.Error(), `--log-level="verbose" (flag): want one of debug, info, warn, error`) {
		t.Errorf("Load: %v, want the flag named", err)
	}
	if c.String(KeyLogLevel) != "info" {
		t.Errorf("refused log level is active: %q", c.String(KeyLogLevel))
	}
	if c.DBPath != filepath.Join(work, "x.db") || !c.DBExplicit {
		t.Errorf("DBPath %q explicit %v", c.DBPath, c.DBExplicit)
	}
}

func TestParseBool(t *testing.T) {
	for _, s := range []string{"1", "true", "TRUE", " yes ", "On", "YES"} {
		if v, ok := ParseBool(s); !ok || !v {
			t.Errorf("ParseBool(%q) = %v, %v; want true", s, v, ok)
		}
	}
	for _, s := range []string{"0", "false", "No", "off", "\tOFF\n"} {
		if v, ok := ParseBool(s); !ok || v {
			t.Errorf("ParseBool(%q) = %v, %v; want false", s, v, ok)
		}
	}
	for _, s := range []string{"", "y", "n", "perhaps", "2", "tru", "yess", "o n"} {
		if _, ok := ParseBool(s); ok {
			t.Errorf("ParseBool(%q) accepted", s)
		}
	}
}

// TestReplicaPath: AURORA_REPLICA_PATH or replica_path, relative to the
// working directory like the database; none by default.
func TestReplicaPath(t *testing.T) {
	work := isolate(t)
	c, err := Load(nil, "")
	if err != nil || c.ReplicaPath != "" {
		t.Fatalf("default: %q, %v; want none", c.ReplicaPath, err)
	}
	t.Setenv("AURORA_REPLICA_PATH", "mirror/replica.db")
	c, err = Load(nil, "")
	if err != nil || c.ReplicaPath != filepath.Join(work, "mirror", "replica.db") {
		t.Errorf("relative: %q, %v; want it under %s", c.ReplicaPath, err, work)
	}
}
