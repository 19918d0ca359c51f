package stats

import (
	"strings"
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"24h", 24 * time.Hour}, {"1h", time.Hour}, {"7d", 7 * 24 * time.Hour}, {"2w", 14 * 24 * time.Hour},
		{"30D", 30 * 24 * time.Hour}, {" 7d ", 7 * 24 * time.Hour},
	} {
		if got, err := ParseSince(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "7", "d", "7x", "0d", "-1d", "+1d", "1.5d", "7 d", "7dd", "90m", "99999999999999999999w", "876001h"} {
		if got, err := ParseSince(in); err == nil {
			t.Errorf("ParseSince(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseTime(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2025-01-31", time.Date(2025, 1, 31, 0, 0, 0, 0, cet)}, // a date is local midnight
		{"2025-01-31T14:00:00Z", time.Date(2025, 1, 31, 14, 0, 0, 0, time.UTC)},
		{"2025-01-31T14:00:00+01:00", time.Date(2025, 1, 31, 13, 0, 0, 0, time.UTC)},
	} {
		got, err := ParseTime(tc.in, cet)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "2025-13-01", "31/01/2025", "2025-01-31 14:00", "yesterday"} {
		if _, err := ParseTime(in, cet); err == nil {
			t.Errorf("ParseTime(%q): no error", in)
		}
	}
}

func TestWindowSpecResolve(t *testing.T) {
	day := 24 * time.Hour
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name      string
		spec      WindowSpec
		from, to  time.Time
		since     string
		label     string
		wantError string
	}{
		{name: "default", spec: WindowSpec{DefaultSince: "7d"}, from: now.Add(-7 * day), to: now, since: "7d", label: "Last 7 days"},
		{name: "since", spec: WindowSpec{Since: "24h", DefaultSince: "7d"}, from: now.Add(-day), to: now, since: "24h", label: "Last 24 hours"},
		{name: "one week", spec: WindowSpec{Since: "1w"}, from: now.Add(-7 * day), to: now, since: "1w", label: "Last week"},
		{name: "from only", spec: WindowSpec{From: "2025-06-01", DefaultSince: "7d"}, from: at("2025-06-01T00:00:00Z"), to: now,
			label: "2025-06-01 00:00 to 2025-06-15 12:00"},
		{name: "from and to", spec: WindowSpec{From: "2025-06-01", To: "2025-06-08"}, from: at("2025-06-01T00:00:00Z"), to: at("2025-06-08T00:00:00Z"),
			label: "2025-06-01 to 2025-06-08"},
		{name: "to with since", spec: WindowSpec{Since: "2d", To: "2025-06-10T06:00:00Z"}, from: at("2025-06-08T06:00:00Z"), to: at("2025-06-10T06:00:00Z"),
			label: "2025-06-08 06:00 to 2025-06-10 06:00"},
		{name: "bad since", spec: WindowSpec{Since: "7x"}, wantError: "--since: invalid span"},
		{name: "bad from", spec: WindowSpec{From: "June"}, wantError: "--from: invalid time"},
		{name: "bad to", spec: WindowSpec{To: "June", DefaultSince: "7d"}, wantError: "--to: invalid time"},
		{name: "since and from", spec: WindowSpec{Since: "7d", From: "2025-06-01"}, wantError: "exclusive"},
		{name: "from after to", spec: WindowSpec{From: "2025-06-08", To: "2025-06-01"}, wantError: "window is empty"},
		{name: "from equals to", spec: WindowSpec{From: "2025-06-08", To: "2025-06-08"}, wantError: "window is empty"},
		{name: "from in the future", spec: WindowSpec{From: "2025-07-01"}, wantError: "window is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := tc.spec.Resolve(now)
			if tc.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantError) {
					t.Fatalf("error %v, want %q", err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !w.From.Equal(tc.from) || !w.To.Equal(tc.to) || w.Since != tc.since {
				t.Errorf("window [%v, %v) since %q; want [%v, %v) since %q", w.From, w.To, w.Since, tc.from, tc.to, tc.since)
			}
			if got := w.Label(); got != tc.label {
				t.Errorf("label %q, want %q", got, tc.label)
			}
		})
	}
}

func TestResolveTruncatesToMilliseconds(t *testing.T) {
	w, err := WindowSpec{DefaultSince: "7d"}.Resolve(now.Add(1234567 * time.Nanosecond))
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(time.Millisecond); !w.To.Equal(want) {
		t.Errorf("to %v, want %v", w.To, want)
	}
}
