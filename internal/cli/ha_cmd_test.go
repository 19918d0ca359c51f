package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/cobra"

	"github.com/aurora-dev/aur/internal/iostreams"
	"github.com/aurora-dev/aur/internal/store"
)

// runFlags runs aur with args, the command at path replaced by the one
// build makes (with a runF), and returns the exit code (0 when runF was
// reached).
func runFlags(t *testing.T, path []string, build func(f *Factory) *cobra.Command, args []string) ExitCode {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	f := NewFactory(ios)
	defer f.Close()
	root := NewCmdRoot(f)
	parent, _, err := root.Find(path[:len(path)-1])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range parent.Commands() {
		if c.Name() == path[len(path)-1] {
			parent.RemoveCommand(c)
		}
	}
	parent.AddCommand(build(f))
	root.SetArgs(append(append([]string{}, path...), args...))
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	if err := root.ExecuteContext(context.Background()); err != nil {
		return exitCode(context.Background(), err, f.started)
	}
	return ExitOK
}

// TestHACommandFlags drives the flags of mem backup, verify and restore
// through runF: nothing is copied.
func TestHACommandFlags(t *testing.T) {
	t.Setenv("AURORA_HOME", filepath.Join(t.TempDir(), "home"))
	t.Setenv("AURORA_DB_PATH", "")
	t.Setenv("AURORA_REPLICA_PATH", "")
	wd := t.TempDir()
	t.Chdir(wd)
	db := filepath.Join(wd, ".aurora", "memory.db")

	t.Run("backup", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want BackupOptions
			code ExitCode
		}{
			{nil, BackupOptions{Keep: 7}, 0},
			{[]string{"--to", "/b/", "--keep", "14", "--json"}, BackupOptions{To: "/b/", Keep: 14, JSON: true}, 0},
			{[]string{"--keep", "0"}, BackupOptions{}, ExitUsage},
			{[]string{"extra"}, BackupOptions{}, ExitUsage},
		} {
			var got *BackupOptions
			code := runFlags(t, []string{"mem", "backup"}, func(f *Factory) *cobra.Command {
				return NewCmdBackup(f, func(_ context.Context, o *BackupOptions) error { got = o; return nil })
			}, tc.args)
			if code != tc.code {
				t.Errorf("%v: exit %d, want %d", tc.args, code, tc.code)
				continue
			}
			if code == 0 {
				if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(BackupOptions{}, "F")); diff != "" {
					t.Errorf("%v (-want +got):\n%s", tc.args, diff)
				}
			}
		}
	})

	t.Run("verify", func(t *testing.T) {
		for _, tc := range []struct {
			args    []string
			replica string
			path    string
			code    ExitCode
		}{
			{nil, "", db, 0},
			{[]string{"--db", "/x/copy.db", "--json"}, "", "/x/copy.db", 0},
			{[]string{"--replica"}, "/r/replica.db", "/r/replica.db", 0},
			{[]string{"--replica"}, "", "", ExitUsage},
			{[]string{"--replica", "--db", "/x.db"}, "/r/replica.db", "", ExitUsage},
			{[]string{"PATH"}, "", "", ExitUsage},
		} {
			t.Setenv("AURORA_REPLICA_PATH", tc.replica)
			var got *VerifyOptions
			code := runFlags(t, []string{"mem", "verify"}, func(f *Factory) *cobra.Command {
				return NewCmdVerify(f, func(_ context.Context, o *VerifyOptions) error { got = o; return nil })
			}, tc.args)
			if code != tc.code {
				t.Errorf("%v: exit %d, want %d", tc.args, code, tc.code)
				continue
			}
			if code == 0 && got.Path != tc.path {
				t.Errorf("%v: verifies %s, want %s", tc.args, got.Path, tc.path)
			}
		}
	})

	t.Run("restore", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			from string
			code ExitCode
		}{
			{[]string{"b.db"}, "b.db", 0},
			{[]string{"--json", "b.db"}, "b.db", 0},
			{nil, "", ExitUsage},
			{[]string{"a.db", "b.db"}, "", ExitUsage},
		} {
			var got *RestoreOptions
			code := runFlags(t, []string{"mem", "restore"}, func(f *Factory) *cobra.Command {
				return NewCmdRestore(f, func(_ context.Context, o *RestoreOptions) error { got = o; return nil })
			}, tc.args)
			if code != tc.code {
				t.Errorf("%v: exit %d, want %d", tc.args, code, tc.code)
				continue
			}
			if code == 0 && got.From != tc.from {
				t.Errorf("%v: from %s, want %s", tc.args, got.From, tc.from)
			}
		}
	})
}

// TestFailoverRereadsStdin: a query read from standard input ("-") that
// meets damage in the primary mid-query is asked again of the replica,
// with the same text, and stdout holds one answer.
func TestFailoverRereadsStdin(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	t.Setenv("AURORA_HOME", home)
	root := t.TempDir()
	for i := range 40 {
		p := filepath.Join(root, "pkg", "f"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+".go")
		body := "package pkg\n\n// Area returns the area of the circle.\nfunc Area" + string(rune('A'+i%26)) + "() float64 { return 3.14 }\n"
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(strings.Repeat(body, 1+i%3)), 0o644)
	}
	t.Chdir(root)
	db := filepath.Join(root, ".aurora", "memory.db")
	// .aurora/ marks root as the project, whatever an ancestor of the
	// temp dir holds (another run's /tmp/.aurora would otherwise make
	// /tmp the project root).
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AURORA_DB_PATH", db)
	t.Setenv("AURORA_REPLICA_PATH", filepath.Join(t.TempDir(), "replica.db"))
	ios, in, out, errOut := iostreams.Test()
	if code := Run(context.Background(), ios, []string{"mem", "index", "--no-git"}); code != ExitOK {
		t.Fatalf("index: exit %d: %s", code, errOut)
	}
	// The full-text index's root page overwritten: the database opens
	// (schema, meta and migrations are elsewhere), and the search fails
	// when it reads the index.
	sdb, err := store.Open(context.Background(), db, store.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	var page int64
	if err := sdb.SQL().QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = 'chunks_fts_data'").Scan(&page); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for i := (page - 1) * 16384; i < page*16384; i++ {
		b[i] = byte(i*7 + 0x5a)
	}
	os.WriteFile(db, b, 0o600)

	ios, in, out, errOut = iostreams.Test()
	in.WriteString("area of the circle\n")
	code := Run(context.Background(), ios, []string{"mem", "search", "--no-cache", "-"})
	if code != ExitOK {
		t.Fatalf("search: exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	seen := map[string]bool{}
	for _, l := range lines {
		if seen[l] || !strings.Contains(l, "\tfunction\tArea") {
			t.Errorf("stdout line %q repeated or not a result: want one answer\n%s", l, out)
			break
		}
		seen[l] = true
	}
	if !strings.Contains(errOut.String(), "unusable (search: ") || !strings.Contains(errOut.String(), "; answered from replica ") {
		t.Errorf("stderr: %s\nwant the replica warning for damage met mid-search", errOut)
	}
	if _, err := os.Stat(db + ".damaged"); err != nil {
		t.Errorf("the primary is not marked damaged: %v", err)
	}
}
