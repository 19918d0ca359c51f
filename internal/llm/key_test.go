package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aurora-dev/aur/internal/llm/llmtest"
	"github.com/aurora-dev/aur/internal/resilience"
	"github.com/aurora-dev/aur/internal/resilience/clocktest"
)

// printed renders v every way fmt, encoding/json and log/slog can.
func printed(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&b, verb+"\n", v)
	}
	if j, err := json.Marshal(v); err == nil {
		b.Write(j)
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("value", "v", v)
	b.WriteString(logBuf.String())
	return b.String()
}

func TestKeyNeverLeaks(t *testing.T) {
	const key = "sk-proj-NEVERPRINT-9f8e7d6c5b4a3210zz"
	srv := llmtest.New(t, llmtest.Options{APIKey: "sk-another-key-entirely-0000000", EchoKey: true})
	e := env{EnvOpenAIKey: key, EnvOpenAIBaseURL: srv.OpenAIBaseURL()}
	opts := testOptions(clocktest.New(t0), srv.Client())
	opts.Metrics = resilience.NewCollector(0)
	p, err := FromEnv(e.get, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := p.(*Resilient)
	raw := r.Provider().(*OpenAI)

	var leaks []any
	// Errors: a 401 whose body echoes the key, streamed and not.
	_, err401 := ask(context.Background(), p, "q", nil)
	_, err401s := ask(context.Background(), p, "q", func(string) {})
	// A network error: a server that is gone.
	gone := llmtest.NewServer(llmtest.Options{})
	gone.Close()
	cfg := Config{APIKey: NewAPIKey(key), BaseURL: gone.OpenAIBaseURL()}
	pGone, err := NewOpenAI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, errNet := ask(context.Background(), pGone, "q", nil)
	// A configuration error carrying the key's variable.
	_, errCfg := FromEnv(env{EnvOpenAIKey: key, EnvOpenAIBaseURL: "http://remote.example.com/v1"}.get, opts)
	for _, err := range []error{err401, err401s, errNet, errCfg} {
		if err == nil {
			t.Fatal("expected an error")
		}
		leaks = append(leaks, err, err.Error())
	}
	if !srv.Requests()[0].HasKey(key) {
		t.Error("the provider did not send the key")
	}

	k := NewAPIKey(key)
	leaks = append(leaks,
		k, &k, p, r, *r, raw, *raw, *raw.c, cfg, &cfg, opts,
		struct{ hidden APIKey }{k}, // an unexported field: fmt prints it by reflection
		struct{ Shown APIKey }{k},
		&UnavailableError{Provider: "openai", Err: err401},
		&StreamInterruptedError{Provider: "openai", Err: errNet},
		opts.Metrics.Snapshot(),
		srv.Requests(),
	)
	for i, v := range leaks {
		if out := printed(t, v); strings.Contains(out, key) {
			t.Errorf("value %d (%T) leaks the key:\n%s", i, v, out)
		}
	}
	if got := fmt.Sprint(k); got != "[redacted]" {
		t.Errorf("APIKey prints %q", got)
	}
	if got := fmt.Sprint(APIKey{}); got != "[none]" {
		t.Errorf("empty APIKey prints %q", got)
	}
	t.Logf("401: %v", err401)
	t.Logf("network: %v", errNet)
	t.Logf("config: %v", errCfg)
}

func TestRedact(t *testing.T) {
	NewAPIKey("custom-format-key-12345")
	NewAPIKey("short") // too short to redact: not a real key
	in := "a custom-format-key-12345 b sk-ant-api03-abcdefghijklmnop_qrstu c short d"
	want := "a [redacted] b [redacted] c short d"
	if got := Redact(in); got != want {
		t.Errorf("Redact(%q) = %q, want %q", in, got, want)
	}
}

func TestKeyFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not describe Windows ACLs")
	}
	const fileKey = "sk-from-file-ABCDEFGHIJKLMNOP123"
	dir := t.TempDir()
	write := func(name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(fileKey+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // WriteFile's mode is subject to umask
			t.Fatal(err)
		}
		return p
	}
	srv := llmtest.New(t, llmtest.Options{APIKey: fileKey})
	opts := testOptions(clocktest.New(t0), srv.Client())

	t.Run("0600 accepted, and wins over the variable", func(t *testing.T) {
		e := env{EnvAPIKeyFile: write("ok", 0o600), EnvOpenAIKey: "sk-env-key-is-not-used-00000", EnvOpenAIBaseURL: srv.OpenAIBaseURL()}
		p, err := FromEnv(e.get, opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ask(context.Background(), p, "q", nil); err != nil {
			t.Fatalf("request with the file's key: %v", err)
		}
		if reqs := srv.Requests(); !reqs[len(reqs)-1].HasKey(fileKey) {
			t.Error("the file's key was not sent")
		}
	})
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		t.Run(fmt.Sprintf("%04o refused", mode), func(t *testing.T) {
			path := write(fmt.Sprintf("k%o", mode), mode)
			_, err := FromEnv(env{EnvAPIKeyFile: path}.get, opts)
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("%04o", mode)) || !strings.Contains(msg, "chmod 600") || !strings.Contains(msg, path) {
				t.Errorf("error %q should give the mode, the file and the fix", msg)
			}
			if strings.Contains(msg, fileKey) {
				t.Errorf("error leaks the key: %q", msg)
			}
		})
	}
	t.Run("not a regular file", func(t *testing.T) {
		_, err := ReadKeyFile(dir)
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("directory: %v", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		p := filepath.Join(dir, "empty")
		os.WriteFile(p, []byte("\n"), 0o600)
		if _, err := ReadKeyFile(p); err == nil || !strings.Contains(err.Error(), "empty") {
			t.Errorf("empty file: %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, err := ReadKeyFile(filepath.Join(dir, "nope")); err == nil {
			t.Error("missing file accepted")
		}
	})
	t.Run("anthropic key picks anthropic", func(t *testing.T) {
		p := filepath.Join(dir, "ant")
		os.WriteFile(p, []byte("sk-ant-api03-xxxxxxxxxxxxxxxxxxxx"), 0o600)
		got, err := FromEnv(env{EnvAPIKeyFile: p}.get, Options{Timeout: time.Second})
		if err != nil || got == nil || got.Name() != ProviderAnthropic {
			t.Errorf("FromEnv = %v, %v; want anthropic", got, err)
		}
	})
}
