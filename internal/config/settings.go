package config

// This file is the one place where a setting's text becomes a value: every
// scalar key has a spec, and Load parses the winning source of each key
// through it. Nothing else parses settings, so a value that is accepted is
// a value that is honoured, and one that is not honoured is refused.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// kind is how a setting's text is read.
type kind uint8

const (
	kindString   kind = iota // free text (paths); not trimmed
	kindEnum                 // one of spec.enum, any case, trimmed
	kindBool                 // 1/0, true/false, yes/no, on/off, any case, trimmed
	kindInt                  // a whole number in [min, max]
	kindFloat                // a finite number in [min, max]
	kindSeconds              // a number of seconds or a Go duration, positive
	kindStoreURL             // postgres://…, postgresql://… or sqlite:PATH, trimmed
)

// spec says what values a key accepts.
type spec struct {
	key      string
	kind     kind
	min, max float64  // kindInt, kindFloat: inclusive bounds
	enum     []string // kindEnum, lower case
	flag     string   // the persistent flag bound to the key, if any
}

// Bounds of whole-number settings. maxCount keeps every count and size far
// from overflow when it is multiplied (sizes in bytes, delays in ms).
const (
	maxCount   = 1 << 40
	maxDelayMS = 24 * 60 * 60 * 1000 // a day
)

// specs are the scalar keys in the order aur config show lists them. The
// bounds are what the value means to the code that reads it: a threshold
// is a fraction; a count of 0 is meaningful only where it switches
// something off (retries, the in-process cache, the high-quality minimum);
// sizes, rates and delays must be positive because their consumers read 0
// as "use the default", which would silently ignore the setting.
var specs = []spec{
	{key: KeyDBPath, kind: kindString, flag: "db"},
	{key: KeyLogLevel, kind: kindEnum, enum: []string{"debug", "info", "warn", "error"}, flag: "log-level"},
	{key: KeyNonInteractive, kind: kindBool, flag: "non-interactive"},
	{key: KeyActivationThreshold, kind: kindFloat, min: 0, max: 1},
	{key: KeyGroundednessThreshold, kind: kindFloat, min: 0, max: 1},
	{key: KeyMinHighQualityChunks, kind: kindInt, min: 0, max: maxCount},
	{key: KeyMaxQueryLength, kind: kindInt, min: 1, max: maxCount},
	{key: KeyChunkSize, kind: kindInt, min: 100, max: maxCount},
	{key: KeyOverlap, kind: kindInt, min: 0, max: maxCount},
	{key: KeyMaxFileSize, kind: kindInt, min: 1, max: maxCount},
	{key: KeyCacheHotSize, kind: kindInt, min: 0, max: maxCount},
	{key: KeyCacheTTL, kind: kindSeconds},
	{key: KeyCachePath, kind: kindString},
	{key: KeyRateLimitRPM, kind: kindInt, min: 1, max: maxCount},
	{key: KeyRateLimitMaxWait, kind: kindSeconds},
	{key: KeyMaxRetries, kind: kindInt, min: 0, max: 100},
	{key: KeyRetryBaseDelayMS, kind: kindInt, min: 1, max: maxDelayMS},
	{key: KeyRetryMaxDelayMS, kind: kindInt, min: 1, max: maxDelayMS},
	{key: KeyLLMProvider, kind: kindEnum, enum: []string{"", "auto", "openai", "anthropic", "none", "off"}},
	{key: KeyEnableSecurityScan, kind: kindBool},
	{key: KeyAPIKeyFile, kind: kindString},
	// aur serve: /metrics on the same listener, or on its own port when
	// metrics_port is set (0: the same listener).
	{key: KeyMetricsEnabled, kind: kindBool},
	{key: KeyMetricsPort, kind: kindInt, min: 0, max: 65535},
	// aur mcp: the caps of one tool call's result.
	{key: KeyMCPMaxResults, kind: kindInt, min: 1, max: 1000},
	{key: KeyMCPMaxChars, kind: kindInt, min: 200, max: maxCount},
	// New keys go after the existing ones: aur config show --json lists
	// keys in this order, and scripts may index it.
	{key: KeyReplicaPath, kind: kindString},
	// Semantic retrieval (README "Semantic retrieval").
	{key: KeyEmbedBaseURL, kind: kindString},
	{key: KeyEmbedModel, kind: kindString},
	// 0 is the model's own length; 65536 is past every model's.
	{key: KeyEmbedDimensions, kind: kindInt, min: 0, max: 65536},
	// OpenAI takes up to 2048 inputs per request.
	{key: KeyEmbedBatch, kind: kindInt, min: 1, max: 2048},
	{key: KeyEmbedAPIKeyFile, kind: kindString},
	{key: KeyEmbedRateLimitRPM, kind: kindInt, min: 1, max: maxCount},
	{key: KeyEmbedMinSimilarity, kind: kindFloat, min: -1, max: 1},
	{key: KeyEmbedMaxSimilarity, kind: kindFloat, min: -1, max: 1},
	{key: KeyStoreURL, kind: kindStoreURL, flag: "store"},
	{key: KeyProject, kind: kindString, flag: "project"},
}

func specOf(key string) (spec, bool) {
	for _, s := range specs {
		if s.key == key {
			return s, true
		}
	}
	return spec{}, false
}

// Origin tells which source set a key.
type Origin uint8

const (
	OriginDefault Origin = iota // nothing set the key
	OriginFile                  // a config.yaml
	OriginEnv                   // an AURORA_* variable
	OriginFlag                  // a command-line flag
)

// setting is a key's resolved value and where it came from.
type setting struct {
	raw    string // the text as given (a file's YAML value formatted as text)
	origin Origin
	file   string // OriginFile: the file's path
	val    any    // string, bool, int64, float64 or time.Duration; the default when invalid
	err    error  // why raw was refused; nil when valid
}

// Problem is one invalid setting.
type Problem struct {
	Key    string // the config.yaml key
	Env    string // its environment variable
	Raw    string // the text that was refused
	Origin Origin
	File   string // the config file, for OriginFile
	Flag   string // the flag, for OriginFlag
	Want   string // what is accepted
}

func (p Problem) Error() string {
	switch p.Origin {
	case OriginFlag:
		return fmt.Sprintf("--%s=%q (flag): want %s", p.Flag, p.Raw, p.Want)
	case OriginFile:
		return fmt.Sprintf("%s: %q (file %s; env %s): want %s", p.Key, p.Raw, p.File, p.Env, p.Want)
	}
	return fmt.Sprintf("%s=%q (env): want %s", p.Env, p.Raw, p.Want)
}

// InvalidError lists every invalid setting. Load returns it with a usable
// Config in which each invalid key holds its default, so that aur config
// show can list the problems; every other command stops on it.
type InvalidError struct{ Problems []Problem }

func (e *InvalidError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid setting " + e.Problems[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d invalid settings:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// errWant is the refusal of a value; its text is what would be accepted.
type errWant string

func (e errWant) Error() string { return "want " + string(e) }

// want describes what s accepts.
func (s spec) want() string {
	switch s.kind {
	case kindEnum:
		var vals []string
		for _, v := range s.enum {
			if v != "" {
				vals = append(vals, v)
			}
		}
		return "one of " + strings.Join(vals, ", ")
	case kindBool:
		return "a boolean: true/false, 1/0, yes/no or on/off"
	case kindInt:
		if s.max < maxCount {
			return fmt.Sprintf("a whole number from %g to %g", s.min, s.max)
		}
		return fmt.Sprintf("a whole number, at least %g", s.min)
	case kindFloat:
		return fmt.Sprintf("a number from %g to %g", s.min, s.max)
	case kindSeconds:
		return "a positive number of seconds or a duration such as 90s or 2m"
	case kindStoreURL:
		return "a PostgreSQL URL (postgres://user@host/db) or sqlite:PATH"
	}
	return "text"
}

// parse reads raw as s says, returning the typed value or errWant.
func (s spec) parse(raw string) (any, error) {
	if s.kind == kindString {
		return raw, nil
	}
	t := strings.TrimSpace(raw)
	bad := errWant(s.want())
	switch s.kind {
	case kindStoreURL:
		if t == "" || strings.HasPrefix(t, "postgres://") || strings.HasPrefix(t, "postgresql://") || strings.HasPrefix(t, "sqlite:") {
			return t, nil
		}
		return nil, bad
	case kindEnum:
		t = strings.ToLower(t)
		for _, v := range s.enum {
			if t == v {
				return t, nil
			}
		}
		return nil, bad
	case kindBool:
		b, ok := ParseBool(t)
		if !ok {
			return nil, bad
		}
		return b, nil
	case kindInt:
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			// 3.0 or 1e3 from YAML or a script: whole numbers all the same.
			f, ferr := strconv.ParseFloat(t, 64)
			if ferr != nil || f != math.Trunc(f) || math.IsInf(f, 0) || math.Abs(f) > maxCount {
				return nil, bad
			}
			n = int64(f)
		}
		if float64(n) < s.min || float64(n) > s.max {
			return nil, bad
		}
		return n, nil
	case kindFloat:
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < s.min || f > s.max {
			return nil, bad
		}
		return f, nil
	case kindSeconds:
		return parseSeconds(t, bad)
	}
	return nil, bad
}

// parseSeconds reads a positive number of seconds ("600", "0.5") or a Go
// duration ("90s", "2m").
func parseSeconds(t string, bad error) (time.Duration, error) {
	if d, err := time.ParseDuration(t); err == nil {
		if d <= 0 {
			return 0, bad
		}
		return d, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || f <= 0 || f > float64(math.MaxInt64)/float64(time.Second) {
		return 0, bad
	}
	d := time.Duration(f * float64(time.Second))
	if d <= 0 {
		return 0, bad
	}
	return d, nil
}

// ParseBool reads the booleans aur accepts everywhere: 1/0, true/false,
// yes/no, on/off, in any case, surrounded by any space. Anything else is
// not a boolean: "perhaps" must not quietly mean false.
func ParseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true, true
	case "0", "false", "no", "off":
		return false, true
	}
	return false, false
}

// format renders a typed value as aur config show prints it: the value
// as aur reads it, so that "yes" shows as true.
func format(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Duration:
		if x%time.Second == 0 {
			return strconv.FormatInt(int64(x/time.Second), 10)
		}
		return x.String()
	}
	return fmt.Sprint(v)
}

// yamlText turns a value decoded from YAML into the text a spec parses.
// Scalars are formatted; lists and maps are kept as their Go rendering,
// which no numeric or boolean spec accepts.
func yamlText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return fmt.Sprint(v)
}

// crossCheck finds problems between keys: the longest retry delay below
// the first one.
func crossCheck(vals map[string]*setting) []Problem {
	ps := crossCheckRetry(vals)
	lo, hi := vals[KeyEmbedMinSimilarity], vals[KeyEmbedMaxSimilarity]
	if lo.err == nil && hi.err == nil && hi.val.(float64) <= lo.val.(float64) {
		s, k, other := hi, KeyEmbedMaxSimilarity, KeyEmbedMinSimilarity
		if hi.origin == OriginDefault {
			s, k, other = lo, KeyEmbedMinSimilarity, KeyEmbedMaxSimilarity
		}
		want := fmt.Sprintf("a value consistent with %s (%g): %s must be above %s",
			other, vals[other].val.(float64), KeyEmbedMaxSimilarity, KeyEmbedMinSimilarity)
		s.err = errWant(want)
		s.val = Defaults[k]
		ps = append(ps, problem(k, s, want))
	}
	return ps
}

// crossCheckRetry finds a longest retry delay below the first one.
func crossCheckRetry(vals map[string]*setting) []Problem {
	base, maxd := vals[KeyRetryBaseDelayMS], vals[KeyRetryMaxDelayMS]
	if base.err != nil || maxd.err != nil || maxd.val.(int64) >= base.val.(int64) {
		return nil
	}
	// Blame the one that was set; when both were, the maximum.
	s, k, other := maxd, KeyRetryMaxDelayMS, KeyRetryBaseDelayMS
	if maxd.origin == OriginDefault {
		s, k, other = base, KeyRetryBaseDelayMS, KeyRetryMaxDelayMS
	}
	want := fmt.Sprintf("a value consistent with %s (%d): %s must not be below %s",
		other, vals[other].val.(int64), KeyRetryMaxDelayMS, KeyRetryBaseDelayMS)
	s.err = errWant(want)
	s.val = Defaults[k]
	return []Problem{problem(k, s, want)}
}

func problem(key string, s *setting, want string) Problem {
	sp, _ := specOf(key)
	return Problem{Key: key, Env: EnvName(key), Raw: s.raw, Origin: s.origin, File: s.file, Flag: sp.flag, Want: want}
}
