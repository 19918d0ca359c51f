#!/usr/bin/env bash
# Whole-process query latency on the GOROOT/src index, against ripgrep.
#
# For each question in bench/queries.txt (30 of them) it times, as separate
# processes, in the same run:
#   aur query --non-interactive --json --no-cache   (retrieval, grading, report, recording)
#   aur mem search --json --no-cache
#   aur query --non-interactive --json              (the second identical run: a cache hit)
#   rg -i -l -e WORD ... GOROOT/src                 (the question's words, OR-ed: what a
#                                                    grep-based tool reads for the same need)
# and prints median, p95 and max in milliseconds, process start included.
# Then, for 10 of the questions, aur query with an LLM: a fake provider on
# loopback (bench/fakellm) that answers after LLM_DELAY (default 400ms, a
# stand-in for a fast hosted model; BENCH_LLM=0 skips this), uncached
# against cached.
# Targets (issue 3): aur query median < 30 ms, p95 < 60 ms; mem search the
# same. Issue 5: a cached aur query at least 3x faster than an uncached one.
#
#   ./bench/query.sh                 # builds nothing; uses bin/aur (make build)
#   BENCH_DB=/tmp/go.db ./bench/query.sh   # reuse an index of GOROOT/src
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
AUR=${AUR:-$here/../bin/aur}
[ -x "$AUR" ] || { echo "build first: make build" >&2; exit 2; }
SRC=$(go env GOROOT)/src
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AURORA_HOME=$work/home
for v in $(env | grep -o '^AURORA_[A-Z_]*' || true); do unset "$v"; done
export AURORA_HOME=$work/home
unset OPENAI_API_KEY ANTHROPIC_API_KEY
DB=${BENCH_DB:-$work/go.db}
if [ ! -f "$DB" ]; then
	echo "indexing $SRC ..." >&2
	"$AUR" mem index --db "$DB" --no-git "$SRC" >/dev/null
fi
export AURORA_DB_PATH=$DB
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000 )); } # microseconds
declare -A t
failed=0
run() { # name, command... (rg exits 1 when nothing matches: not a failure)
	local name=$1; shift
	local s e rc=0
	s=$(now); "$@" >/dev/null 2>"$work/err" || rc=$?; e=$(now)
	if [ "$rc" -ne 0 ] && ! { [ "$name" = ripgrep ] && [ "$rc" -eq 1 ]; }; then
		failed=$((failed + 1)); echo "$name failed ($rc): $(head -c 300 "$work/err")" >&2
	fi
	t[$name]+="$(ms "$s" "$e") "
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
mapfile -t qs < "$here/queries.txt"
# Warm the page cache and the binary.
"$AUR" mem search --json --no-cache "warm up" >/dev/null 2>&1 || true
for q in "${qs[@]}"; do
	words=()
	for w in $q; do words+=(-e "$w"); done
	run query "$AUR" query --non-interactive --json --no-cache "$q"
	run search "$AUR" mem search --json --no-cache "$q"
	"$AUR" query --non-interactive --json "$q" >/dev/null 2>&1 || true # fill the cache
	run cached "$AUR" query --non-interactive --json "$q"
	if command -v rg >/dev/null; then
		run ripgrep rg -i -l "${words[@]}" "$SRC"
	else
		run grep grep -r -i -l -E "$(echo "$q" | tr ' ' '|')" "$SRC"
	fi
done
# With an LLM: a fake provider on loopback answering after LLM_DELAY (a
# stand-in for a fast hosted model), uncached against cached.
if [ "${BENCH_LLM:-1}" = 1 ]; then
	go build -o "$work/fakellm" "$here/fakellm"
	"$work/fakellm" -delay "${LLM_DELAY:-400ms}" >"$work/llm.url" &
	llm_pid=$!
	trap 'kill $llm_pid 2>/dev/null; rm -rf "$work"' EXIT
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$work/llm.url" ] && break; sleep 0.2; done
	export OPENAI_BASE_URL=$(cat "$work/llm.url") OPENAI_API_KEY=sk-bench-not-a-real-key-000
	for q in "${qs[@]:0:10}"; do
		run llm "$AUR" query --non-interactive --json --no-cache "$q"
		"$AUR" query --non-interactive --json "$q" >/dev/null 2>&1 || true
		run llmcached "$AUR" query --non-interactive --json "$q"
	done
	unset OPENAI_BASE_URL OPENAI_API_KEY
fi
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "failed commands: $failed"
printf '%-28s %8s %8s %8s\n' "command (${#qs[@]} queries)" median p95 max
for name in query search cached llm llmcached ripgrep grep; do
	[ -n "${t[$name]:-}" ] || continue
	python3 - "$name" ${t[$name]} <<'PY'
import sys
name, xs = sys.argv[1], sorted(int(x) / 1000 for x in sys.argv[2:])
p = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]
label = {"query": "aur query (no cache)", "search": "aur mem search (no cache)",
         "cached": "aur query (cache hit)", "ripgrep": "rg -i -l words", "grep": "grep -r -i -l words",
         "llm": "aur query, LLM (no cache)", "llmcached": "aur query, LLM (cache hit)"}[name]
print(f"{label:<28} {xs[len(xs)//2]:8.1f} {p(0.95):8.1f} {xs[-1]:8.1f}")
PY
done
