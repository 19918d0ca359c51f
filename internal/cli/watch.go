package cli

import (
	"context"
	"time"

	"github.com/rs/zerolog"

	"github.com/aurora-dev/aur/internal/service"
)

// startWatch keeps the index current while ctx lives (aur serve --watch).
func startWatch(ctx context.Context, f *Factory, svc *service.Service, debounce time.Duration, log zerolog.Logger) error {
	return usageErrorf("--watch is not implemented yet")
}
