package index

import (
	"bufio"
	"bytes"
	"context"
	"os/exec"
	"strconv"
	"strings"

	"github.com/aurora-dev/aur/internal/store"
)

// Git history bounds: at most maxCommits commits are read per run, and at
// most store.MaxEvents commit times are kept per file (older ones survive
// as a count and the oldest time, for Petrov's approximation).
const maxCommits = 20000

// gitHead returns the HEAD commit of the repository holding dir, or "" if
// dir is not in a git work tree or git is missing.
func gitHead(ctx context.Context, dir string) string {
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// gitHistory reads the commit times of every file under dir in one
// `git log` pass, newest first. Paths are relative to dir.
func gitHistory(ctx context.Context, dir string) (map[string]*store.History, error) {
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "log", "--format=%x00%ct", "--name-only",
		"--no-renames", "--relative", "-n", strconv.Itoa(maxCommits), "HEAD", "--", ".")
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	hist := map[string]*store.History{}
	var ts int64
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "\x00") {
			ts, _ = strconv.ParseInt(line[1:], 10, 64)
			continue
		}
		if line == "" || ts == 0 {
			continue
		}
		h := hist[line]
		if h == nil {
			h = &store.History{}
			hist[line] = h
		}
		h.AddOlder(ts)
	}
	return hist, sc.Err()
}
