#!/usr/bin/env bash
#
# bench/serve.sh: load benchmark of aur serve on an index of GOROOT/src.
#
#   1. search, cached     8 clients send POST /v1/search for the 30 questions
#                         of bench/queries.txt in turn (repeats hit the query
#                         cache, as a team asking the same things would)
#   2. search, no cache   the same with "no_cache": true: every request runs
#                         retrieval
#   3. during re-index    as 2, while a file changes every 50 ms and
#                         POST /v1/index runs one incremental run after
#                         another (409s while one runs are not errors)
#   4. save to searchable aur serve --watch; a file is saved with a new word
#                         and /v1/search is polled until it finds it, 20 times
#
# Each phase is bounded (SERVE_DURATION, default 20 s, and 20,000 requests)
# and loopback only. GOROOT/src is copied to a temp dir (phases 3 and 4
# change files); nothing is written under $HOME. Results: one JSON line per
# phase on stdout and in bench/out/serve-<time>.json.
#
# Targets: p95 <= 15 ms for search at 8 clients on 2 cores, 0 errors, 0 lock
# errors during re-index.
set -euo pipefail
cd "$(dirname "$0")/.."
AUR=${AUR:-bin/aur}
DUR=${SERVE_DURATION:-20s}
CLIENTS=${SERVE_CLIENTS:-8}
[ "${AUR}" = bin/aur ] && make -s build
go build -tags "sqlite_fts5 sqlite_math_functions" -o bin/serveload ./bench/serveload

tmp=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
for v in $(env | grep -o '^AURORA_[A-Z_]*' || true); do unset "$v"; done
export AURORA_HOME=$tmp/home AURORA_LLM_PROVIDER=none
mkdir -p bench/out
out=bench/out/serve-$(date -u +%Y%m%dT%H%M%SZ).json

echo "# copying $(go env GOROOT)/src" >&2
cp -r "$(go env GOROOT)/src" "$tmp/src"
echo "# indexing" >&2
"$AUR" mem index --no-git --db "$tmp/m.db" "$tmp/src" --json > "$tmp/index.json"
python3 -c "import json,sys; d=json.load(open('$tmp/index.json')); print('# index: %d files, %d chunks in %.1f s' % (d['total_files'], d['total_chunks'], d['duration_ms']/1000))" >&2

serve() {
	rm -f "$tmp/addr"
	"$AUR" serve --db "$tmp/m.db" --listen 127.0.0.1:0 --addr-file "$tmp/addr" "$@" 2>>"$tmp/serve.log" &
	pid=$!
	for _ in $(seq 200); do [ -s "$tmp/addr" ] && return; sleep 0.05; done
	echo "aur serve did not start" >&2; cat "$tmp/serve.log" >&2; exit 1
}
stop() { kill -TERM "$pid"; wait "$pid"; pid=""; }

echo "# load: $(cat /proc/loadavg)" >&2
serve
bin/serveload -addr-file "$tmp/addr" -clients "$CLIENTS" -duration "$DUR" -phase search | tee -a "$out"
bin/serveload -addr-file "$tmp/addr" -clients "$CLIENTS" -duration "$DUR" -phase search -no-cache | sed 's/"phase":"search"/"phase":"search-no-cache"/' | tee -a "$out"
bin/serveload -addr-file "$tmp/addr" -clients "$CLIENTS" -duration "$DUR" -phase reindex -no-cache -root "$tmp/src" | tee -a "$out"
stop
serve --watch
bin/serveload -addr-file "$tmp/addr" -phase watch -saves 20 -duration 60s -root "$tmp/src" | tee -a "$out"
stop
echo "# load: $(cat /proc/loadavg)" >&2
grep -c '"level":"warn"' "$tmp/serve.log" | sed 's/^/# server warnings: /' >&2 || true
