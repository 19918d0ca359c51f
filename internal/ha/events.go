package ha

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/aurora-dev/aur/internal/fsperm"
)

// FallbackSuffix names the log of replica fallbacks: the primary's path
// plus it. It lives beside the primary, not in it: when it is written the
// primary is unusable, and the replica is opened read-only and replaced
// by every copy.
const FallbackSuffix = ".fallbacks"

// maxFallbackLog bounds the log: past it, the older half is dropped.
const maxFallbackLog = 1 << 20

// FallbackEvent is one line of the log.
type FallbackEvent struct {
	Time    time.Time `json:"ts"`
	Command string    `json:"command"`
	Fallback
}

// RecordFallback appends ev to the primary's fallback log.
func RecordFallback(primary string, ev FallbackEvent) error {
	name := primary + FallbackSuffix
	line, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(name); err == nil && fi.Size() > maxFallbackLog {
		trimLog(name)
	}
	f, err := fsperm.OpenAppend(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// trimLog keeps the newer half of the log's lines.
func trimLog(name string) {
	b, err := os.ReadFile(name)
	if err != nil {
		return
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	keep := bytes.Join(lines[len(lines)/2:], nil)
	tmp := name + ".tmp"
	if os.WriteFile(tmp, keep, fsperm.FileMode) == nil {
		os.Rename(tmp, name)
	}
}

// FallbackCount is how often readers were answered from the replica in
// a window, and the last time.
type FallbackCount struct {
	Count int64          `json:"count"`
	Last  *FallbackEvent `json:"last,omitempty"`
}

// CountFallbacks counts the fallbacks logged for primary in [from, to).
// A missing log is no fallbacks; unreadable lines are skipped.
func CountFallbacks(primary string, from, to time.Time) (FallbackCount, error) {
	var c FallbackCount
	f, err := os.Open(primary + FallbackSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		var ev FallbackEvent
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		if ev.Time.Before(from) || !ev.Time.Before(to) {
			continue
		}
		c.Count++
		if c.Last == nil || !ev.Time.Before(c.Last.Time) {
			e := ev
			c.Last = &e
		}
	}
	return c, sc.Err()
}
