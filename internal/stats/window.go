package stats

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aurora-dev/aur/internal/store"
)

// Window is the half-open time range [From, To) a report covers. Since is
// the span it was given as ("7d"), empty when it was given by dates.
type Window struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Since string    `json:"since"`
}

// ExcludedCommands are the queries.command values no report counts: eval
// runs are benchmarks of the ranking, not users, and would swamp the
// figures of a project where the evaluation set is run often.
var ExcludedCommands = []string{"eval"}

// Filter returns the store filter of the window: its rows, less
// ExcludedCommands.
func (w Window) Filter() store.QueryFilter {
	return store.QueryFilter{From: w.From, To: w.To, ExcludeCommands: ExcludedCommands}
}

// Label names the window for a person: "Last 7 days", "Last 24 hours",
// "Last 2 weeks", or "2025-01-01 to 2025-01-08" (with times of day unless
// both ends are midnights), in To's location.
func (w Window) Label() string {
	if n, unit := sinceParts(w.Since); n > 0 {
		name := map[byte]string{'h': "hour", 'd': "day", 'w': "week"}[unit]
		if n == 1 {
			return "Last " + name
		}
		return fmt.Sprintf("Last %d %ss", n, name)
	}
	loc := w.To.Location()
	from, to := w.From.In(loc), w.To.In(loc)
	layout := "2006-01-02 15:04"
	if isMidnight(from) && isMidnight(to) {
		layout = "2006-01-02"
	}
	return from.Format(layout) + " to " + to.Format(layout)
}

func isMidnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// ParseSince parses a span of whole hours, days or weeks: "24h", "7d",
// "2w". A day is 24 hours (the window is a span of elapsed time, not of
// calendar days).
func ParseSince(s string) (time.Duration, error) {
	n, unit := sinceParts(s)
	if n <= 0 {
		return 0, fmt.Errorf("invalid span %q: want a positive whole number of hours, days or weeks, e.g. 24h, 7d, 2w", s)
	}
	const maxN = 100 * 365 * 24 // 100 years in hours keeps any unit far from overflow
	if n > maxN {
		return 0, fmt.Errorf("invalid span %q: too long", s)
	}
	d := time.Duration(n) * time.Hour
	switch unit {
	case 'd':
		d *= 24
	case 'w':
		d *= 24 * 7
	}
	return d, nil
}

// sinceParts splits "7d" into 7 and 'd'; n is 0 if s is not of that form.
func sinceParts(s string) (int64, byte) {
	s = strings.TrimSpace(strings.ToLower(s))
	if len(s) < 2 {
		return 0, 0
	}
	unit := s[len(s)-1]
	if unit != 'h' && unit != 'd' && unit != 'w' {
		return 0, 0
	}
	digits := s[:len(s)-1]
	if strings.TrimLeft(digits, "0123456789") != "" {
		return 0, 0 // no signs, decimals or spaces
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, 0
	}
	return n, unit
}

// ParseTime parses a window bound: a date (2025-01-31, midnight in loc) or
// an RFC 3339 time (2025-01-31T14:00:00Z, 2025-01-31T14:00:00+01:00).
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want a date (2025-01-31) or an RFC 3339 time (2025-01-31T14:00:00Z)", s)
}

// WindowSpec is a window as given on the command line: Since, or From
// (and To), or To alone with Since (or the default span) before it.
type WindowSpec struct {
	Since        string // "7d"; empty means DefaultSince unless From is set
	From, To     string // dates or RFC 3339 times; empty means unset
	DefaultSince string // the span when neither Since nor From is given
}

// Resolve turns the spec into a window ending at To, or now. Bounds are
// truncated to milliseconds, the resolution of queries.ts. Errors are
// the user's: an unparseable span or time, Since together with From, or a
// From not before To.
func (s WindowSpec) Resolve(now time.Time) (Window, error) {
	loc := now.Location()
	now = now.Truncate(time.Millisecond)
	w := Window{To: now}
	if s.To != "" {
		t, err := ParseTime(s.To, loc)
		if err != nil {
			return Window{}, fmt.Errorf("--to: %w", err)
		}
		w.To = t
	}
	switch {
	case s.From != "" && s.Since != "":
		return Window{}, fmt.Errorf("--since and --from are exclusive: give a span or a start")
	case s.From != "":
		t, err := ParseTime(s.From, loc)
		if err != nil {
			return Window{}, fmt.Errorf("--from: %w", err)
		}
		w.From = t
	default:
		since := s.Since
		if since == "" {
			since = s.DefaultSince
		}
		d, err := ParseSince(since)
		if err != nil {
			return Window{}, fmt.Errorf("--since: %w", err)
		}
		w.From = w.To.Add(-d)
		if s.To == "" {
			// Only a span relative to now has a name like "Last 7 days".
			w.Since = strings.ToLower(strings.TrimSpace(since))
		}
	}
	if !w.From.Before(w.To) {
		return Window{}, fmt.Errorf("the window is empty: %s is not before %s (--to is exclusive)",
			w.From.Format(time.RFC3339), w.To.Format(time.RFC3339))
	}
	w.From, w.To = w.From.In(loc), w.To.In(loc)
	return w, nil
}
