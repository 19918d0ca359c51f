# aur's build. Every go command passes the SQLite build tags: without
# sqlite_fts5 the full-text index does not exist in mattn/go-sqlite3.
TAGS    := sqlite_fts5 sqlite_math_functions
GO      ?= go
GOFLAGS := -tags "$(TAGS)"
BIN     := bin/aur
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/aurora-dev/aur/internal/cli.Version=$(VERSION)

.PHONY: build install test test-short bench bench-index bench-query eval lint clean

build:
	$(GO) build $(GOFLAGS) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/aur

install:
	$(GO) install $(GOFLAGS) -ldflags "$(LDFLAGS)" ./cmd/aur

test:
	$(GO) test $(GOFLAGS) ./...

test-short:
	$(GO) test $(GOFLAGS) -short ./...

# Whole-process benchmarks on GOROOT/src (and the Python standard library);
# see bench/README.md. Results go to bench/out/.
bench: build
	./bench/run.sh

lint:
	$(GO) vet $(GOFLAGS) ./...
	@out=$$(git ls-files '*.go' | grep -Ev '(^|/)testdata/' | xargs gofmt -l); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin bench/out
