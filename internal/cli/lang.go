package cli

import (
	"context"
	"slices"
	"strings"
)

// checkLanguages rejects a --lang the index holds no file of ("pyhton"),
// which would otherwise silently find nothing, naming the ones it holds.
func checkLanguages(ctx context.Context, db interface {
	Languages(ctx context.Context) ([]string, error)
}, langs []string) error {
	if len(langs) == 0 {
		return nil
	}
	known, err := db.Languages(ctx)
	if err != nil {
		return err
	}
	for _, l := range langs {
		if !slices.Contains(known, l) {
			return usageErrorf("--lang %q: the index holds no %s files; it holds %s", l, l, strings.Join(known, ", "))
		}
	}
	return nil
}
