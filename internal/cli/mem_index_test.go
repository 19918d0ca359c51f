package cli

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aurora-dev/aur/internal/iostreams"
)

// TestNewCmdIndexFlags drives flag parsing and validation through runF:
// no index is built.
func TestNewCmdIndexFlags(t *testing.T) {
	t.Setenv("AURORA_HOME", filepath.Join(t.TempDir(), "home"))
	for _, v := range []string{"AURORA_CHUNK_SIZE", "AURORA_OVERLAP", "AURORA_MAX_FILE_SIZE", "AURORA_DB_PATH"} {
		t.Setenv(v, "")
	}
	t.Chdir(t.TempDir())
	for _, tc := range []struct {
		name     string
		args     []string
		env      map[string]string
		want     IndexOptions
		wantCode ExitCode // 0: runF must be reached
	}{
		{name: "defaults", args: nil,
			want: IndexOptions{ChunkSize: 2000, Overlap: 200, MaxFileSize: 1 << 20}},
		{name: "path and flags", args: []string{"src", "--force", "--dry-run", "--json", "--chunk-size", "500", "--overlap", "50", "--max-file-size", "4096", "--workers", "3", "--no-git"},
			want: IndexOptions{Path: "src", Force: true, DryRun: true, JSON: true, ChunkSize: 500, Overlap: 50, MaxFileSize: 4096, Workers: 3, NoGit: true}},
		{name: "watch", args: []string{"--watch", "--watch-debounce", "50ms"},
			want: IndexOptions{ChunkSize: 2000, Overlap: 200, MaxFileSize: 1 << 20, Watch: true, WatchDebounce: 50 * time.Millisecond}},
		{name: "watch and dry run", args: []string{"--watch", "--dry-run"}, wantCode: ExitUsage},
		{name: "settings from the environment", env: map[string]string{"AURORA_CHUNK_SIZE": "800", "AURORA_MAX_FILE_SIZE": "1000"},
			want: IndexOptions{ChunkSize: 800, Overlap: 200, MaxFileSize: 1000}},
		{name: "flag beats environment", args: []string{"--chunk-size", "900"}, env: map[string]string{"AURORA_CHUNK_SIZE": "800"},
			want: IndexOptions{ChunkSize: 900, Overlap: 200, MaxFileSize: 1 << 20}},
		{name: "chunk size too small", args: []string{"--chunk-size", "10"}, wantCode: ExitUsage},
		{name: "chunk size too small from env", env: map[string]string{"AURORA_CHUNK_SIZE": "10"}, wantCode: ExitUsage},
		{name: "overlap not below chunk size", args: []string{"--chunk-size", "200", "--overlap", "200"}, wantCode: ExitUsage},
		{name: "negative overlap", args: []string{"--overlap", "-1"}, wantCode: ExitUsage},
		{name: "zero max file size", args: []string{"--max-file-size", "0"}, wantCode: ExitUsage},
		{name: "too many arguments", args: []string{"a", "b"}, wantCode: ExitUsage},
		{name: "unknown flag", args: []string{"--bogus"}, wantCode: ExitUsage},
		{name: "not a number", args: []string{"--chunk-size", "big"}, wantCode: ExitUsage},
		{name: "one worker", args: []string{"--workers", "1"},
			want: IndexOptions{ChunkSize: 2000, Overlap: 200, MaxFileSize: 1 << 20, Workers: 1}},
		{name: "most workers", args: []string{"--workers", strconv.Itoa(4 * runtime.NumCPU())},
			want: IndexOptions{ChunkSize: 2000, Overlap: 200, MaxFileSize: 1 << 20, Workers: 4 * runtime.NumCPU()}},
		{name: "too many workers", args: []string{"--workers", strconv.Itoa(4*runtime.NumCPU() + 1)}, wantCode: ExitUsage},
		{name: "ten thousand workers", args: []string{"--workers", "10000"}, wantCode: ExitUsage},
		{name: "zero workers", args: []string{"--workers", "0"}, wantCode: ExitUsage},
		{name: "negative workers", args: []string{"--workers", "-4"}, wantCode: ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			ios, _, _, _ := iostreams.Test()
			f := NewFactory(ios)
			defer f.Close()
			var got *IndexOptions
			root := NewCmdRoot(f)
			mem, _, err := root.Find([]string{"mem"})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range mem.Commands() {
				if c.Name() == "index" {
					mem.RemoveCommand(c)
				}
			}
			mem.AddCommand(NewCmdIndex(f, func(_ context.Context, o *IndexOptions) error {
				got = o
				return nil
			}))
			root.SetArgs(append([]string{"mem", "index"}, tc.args...))
			root.SetOut(ios.Out)
			root.SetErr(ios.ErrOut)
			err = root.ExecuteContext(context.Background())
			if tc.wantCode != 0 {
				if err == nil {
					t.Fatalf("no error, want exit %d", tc.wantCode)
				}
				if code := exitCode(context.Background(), err, f.started); code != tc.wantCode {
					t.Errorf("exit %d (%v), want %d", code, err, tc.wantCode)
				}
				if got != nil {
					t.Errorf("runF reached despite the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("runF not reached")
			}
			want := tc.want
			if want.WatchDebounce == 0 {
				want.WatchDebounce = 200 * time.Millisecond // the flag's default
			}
			if diff := cmp.Diff(want, *got, cmpopts.IgnoreFields(IndexOptions{}, "F")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	t.Setenv("AURORA_HOME", filepath.Join(t.TempDir(), "home"))
	t.Chdir(t.TempDir())
	ios, _, out, errOut := iostreams.Test()
	if code := Run(context.Background(), ios, []string{"--version"}); code != ExitOK {
		t.Errorf("--version: exit %d", code)
	}
	if got := out.String(); got == "" || got[:4] != "aur " {
		t.Errorf("--version printed %q", got)
	}
	// Interrupted (the context is cancelled as by SIGINT): 130, said in
	// words rather than as Go's "context canceled".
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	errOut.Reset()
	if code := Run(ctx, ios, []string{"mem", "index", "--db", filepath.Join(t.TempDir(), "m.db")}); code != ExitInterrupted {
		t.Errorf("cancelled: exit %d, want %d", code, ExitInterrupted)
	}
	if got := errOut.String(); got != "aur: interrupted\n" {
		t.Errorf("cancelled: stderr %q, want %q", got, "aur: interrupted\n")
	}
	if code := exitCode(context.Background(), errors.New("disk full"), true); code != ExitError {
		t.Errorf("runtime error: exit %d, want %d", code, ExitError)
	}
}
