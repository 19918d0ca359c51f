package llm

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// APIKey is a provider API key that cannot be printed.
//
// String, GoString, Format (every fmt verb, %d and %x included),
// MarshalJSON, MarshalText and LogValue all give "[redacted]" ("[none]" for
// an empty key), so a key inside any struct, error or log line shows up
// redacted. The key itself sits behind a pointer: fmt prints a nested
// pointer as an address, so even an unexported APIKey field, which fmt
// prints by reflection without calling its methods, shows no key. There is
// no UnmarshalJSON on purpose: keys come from the environment or a key file
// (FromEnv), never from a configuration file.
//
// NewAPIKey also registers the key with Redact, the last line of defence
// for strings built from provider responses.
type APIKey struct {
	v *string
}

// NewAPIKey returns s (trimmed of surrounding white space) as an APIKey.
func NewAPIKey(s string) APIKey {
	s = strings.TrimSpace(s)
	if s == "" {
		return APIKey{}
	}
	registerSecret(s)
	return APIKey{v: &s}
}

// IsZero reports whether the key is empty.
func (k APIKey) IsZero() bool { return k.v == nil }

// reveal returns the key, for the request header and nothing else.
func (k APIKey) reveal() string {
	if k.v == nil {
		return ""
	}
	return *k.v
}

const (
	redacted = "[redacted]"
	noKey    = "[none]"
)

// String returns "[redacted]", or "[none]" for an empty key.
func (k APIKey) String() string {
	if k.v == nil {
		return noKey
	}
	return redacted
}

// GoString returns llm.APIKey("[redacted]").
func (k APIKey) GoString() string { return "llm.APIKey(" + strconv.Quote(k.String()) + ")" }

// Format makes every fmt verb print String (GoString for %#v).
func (k APIKey) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, k.GoString())
		return
	}
	io.WriteString(f, k.String())
}

// MarshalJSON returns the JSON string "[redacted]".
func (k APIKey) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

// MarshalText returns "[redacted]".
func (k APIKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// LogValue keeps the key out of log/slog output.
func (k APIKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// minSecretLen is the shortest key Redact removes. Real provider keys are
// dozens of characters; a placeholder such as "ollama" for a local server
// is no secret, and redacting every occurrence of a short word would mangle
// ordinary text.
const minSecretLen = 8

var secrets struct {
	sync.RWMutex
	list []string // longest first, so a key containing another is removed whole
}

func registerSecret(s string) {
	if len(s) < minSecretLen {
		return
	}
	secrets.Lock()
	defer secrets.Unlock()
	if slices.Contains(secrets.list, s) {
		return
	}
	secrets.list = append(secrets.list, s)
	slices.SortFunc(secrets.list, func(a, b string) int { return len(b) - len(a) })
}

// keyShaped matches strings that look like OpenAI or Anthropic keys
// ("sk-...", "sk-proj-...", "sk-ant-..."), so a key that never passed
// through NewAPIKey (say, one echoed back for another account) is still
// removed.
var keyShaped = regexp.MustCompile(`\bsk-[A-Za-z0-9_\-]{16,}`)

// Redact removes every API key this process has seen (through NewAPIKey) and
// anything shaped like a provider key from s, replacing each
// with "[redacted]". Errors and response excerpts pass through it before
// they leave the package; callers may run log lines through it too.
func Redact(s string) string {
	secrets.RLock()
	for _, k := range secrets.list {
		if strings.Contains(s, k) {
			s = strings.ReplaceAll(s, k, redacted)
		}
	}
	secrets.RUnlock()
	return keyShaped.ReplaceAllString(s, redacted)
}

// maxKeyFile bounds what ReadKeyFile reads: a key is a line, not a file.
const maxKeyFile = 64 << 10

// ReadKeyFile reads an API key from path (AURORA_API_KEY_FILE). The file
// must be a regular file (a symbolic link to one is fine) that neither the
// group nor others can read, write or execute (mode & 0o077 == 0, e.g. 0600),
// the same rule ssh applies to private keys; on Windows, where the mode
// bits do not describe the ACL, only the regular-file rule applies. The
// file holds the key alone; surrounding white space is ignored. Errors name
// the file, never its content.
func ReadKeyFile(path string) (APIKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return APIKey{}, fmt.Errorf("read api key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat() // the opened file, so it cannot be swapped after the check
	if err != nil {
		return APIKey{}, fmt.Errorf("read api key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return APIKey{}, fmt.Errorf("api key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return APIKey{}, fmt.Errorf("api key file %s has mode %04o: it must not be accessible by group or others (run: chmod 600 %s)", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return APIKey{}, fmt.Errorf("read api key file %s: %w", path, err)
	}
	if len(data) > maxKeyFile {
		return APIKey{}, fmt.Errorf("api key file %s is larger than %d bytes; it should hold only the key", path, maxKeyFile)
	}
	key := strings.TrimSpace(string(data))
	switch {
	case key == "":
		return APIKey{}, fmt.Errorf("api key file %s is empty", path)
	case strings.ContainsAny(key, " \t\r\n"):
		return APIKey{}, fmt.Errorf("api key file %s holds more than one word; it should hold only the key", path)
	}
	return NewAPIKey(key), nil
}
