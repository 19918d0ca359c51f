package config

import (
	"math"
	"testing"
	"time"
)

// FuzzParseSetting feeds any text to every key's parser: it never panics,
// an accepted value is in the key's range (finite, whole where it must
// be, positive durations, one of the enum's words), and what aur config
// show prints for it parses back to the same value.
func FuzzParseSetting(f *testing.F) {
	for _, s := range []string{
		"", " ", "0", "1", "-1", "0.3", "1e-1", "NaN", "-Inf", "+inf", "1e400", "0x1p-2", "9223372036854775807",
		"9223372036854775808", "1e18", "3.0", "yes", "On", "perhaps", "90s", "2m", "-5m", "1h30m", "0.000000001",
		"1e-300", "debug", " WARN ", "openai", "abc", "1_000", "٣",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, sp := range specs {
			v, err := sp.parse(raw)
			if err != nil {
				if _, ok := err.(errWant); !ok {
					t.Fatalf("%s: parse(%q) error %v is not a refusal", sp.key, raw, err)
				}
				continue
			}
			switch x := v.(type) {
			case int64:
				if sp.kind != kindInt || float64(x) < sp.min || float64(x) > sp.max {
					t.Fatalf("%s: parse(%q) = %d, outside [%g, %g]", sp.key, raw, x, sp.min, sp.max)
				}
			case float64:
				if sp.kind != kindFloat || math.IsNaN(x) || math.IsInf(x, 0) || x < sp.min || x > sp.max {
					t.Fatalf("%s: parse(%q) = %v, outside [%g, %g]", sp.key, raw, x, sp.min, sp.max)
				}
			case time.Duration:
				if sp.kind != kindSeconds || x <= 0 {
					t.Fatalf("%s: parse(%q) = %v, not a positive duration", sp.key, raw, x)
				}
			case bool:
				if sp.kind != kindBool {
					t.Fatalf("%s: parse(%q) = %v", sp.key, raw, x)
				}
			case string:
				if sp.kind != kindString && sp.kind != kindEnum && sp.kind != kindStoreURL {
					t.Fatalf("%s: parse(%q) = %q", sp.key, raw, x)
				}
			default:
				t.Fatalf("%s: parse(%q) = %T", sp.key, raw, v)
			}
			shown := format(v)
			back, err := sp.parse(shown)
			if err != nil || back != v {
				t.Fatalf("%s: parse(%q) = %v, shown as %q, which parses to %v, %v", sp.key, raw, v, shown, back, err)
			}
		}
	})
}
