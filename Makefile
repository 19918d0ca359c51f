# aur's build. Every go command passes the SQLite build tags: without
# sqlite_fts5 the full-text index does not exist in mattn/go-sqlite3.
TAGS    := sqlite_fts5 sqlite_math_functions
GO      ?= go
GOFLAGS := -tags "$(TAGS)"
BIN     := bin/aur
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/aurora-dev/aur/internal/buildinfo.Version=$(VERSION)

.PHONY: build install test test-short bench bench-index bench-query eval lint fuzz clean

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

# Native Go fuzzing, FUZZTIME per target (not part of make test: the seed
# corpora, f.Add and testdata/fuzz/, do run there as plain tests). Findings
# are written to the package's testdata/fuzz/FuzzXxx/; check them in with
# the fix. FUZZFLAGS=-parallel=1 keeps to one core. The short minimization
# time keeps the fuzzers fuzzing: with the default 60 s, minimizing one new
# input could take a whole run's time with nothing executed.
FUZZTIME  ?= 20s
FUZZFLAGS ?=
FUZZ      := ./internal/tokenize:FuzzTokenize ./internal/query:FuzzValidate ./internal/query:FuzzPhrases \
             ./internal/config:FuzzParseSetting ./internal/chunk:FuzzMarkdownChunk \
             ./internal/llm:FuzzScanCode

fuzz:
	@set -e; for t in $(FUZZ); do \
		pkg=$${t%%:*}; fn=$${t##*:}; echo "== $$fn ($$pkg, $(FUZZTIME))"; \
		$(GO) test $(GOFLAGS) $(FUZZFLAGS) -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg; \
	done

lint:
	$(GO) vet $(GOFLAGS) ./...
	@out=$$(git ls-files '*.go' | grep -Ev '(^|/)testdata/' | xargs gofmt -l); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin bench/out
