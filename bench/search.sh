#!/usr/bin/env bash
# Whole-process latency of aur mem search on an index of GOROOT/src, in
# its three modes, against a baseline binary in the same run:
#
#   new   aur mem search --json --no-cache QUESTION            (ranked chunks)
#   files aur mem search --json --no-cache --files QUESTION    (ranked files)
#   fixed aur mem search --json --no-cache -F SUBSTRING        (exact substring, trigram index)
#   base  BASE mem search --json --no-cache QUESTION           (BASE on its own index)
#
# Questions are bench/queries.txt; the substrings are each question's
# longest word. Runs are interleaved, RUNS rounds (default 3), and the
# script prints the median, p95 and max in milliseconds, process start
# included.
#
#   BASE=/path/to/old/aur ./bench/search.sh     # compare with another build
#   BENCH_DB=/tmp/go.db BASE_DB=/tmp/go-base.db ./bench/search.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
AUR=${AUR:-$here/../bin/aur}
BASE=${BASE:-}
RUNS=${RUNS:-3}
SRC=$(go env GOROOT)/src
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for v in $(env | grep -o '^AURORA_[A-Z_]*' || true); do unset "$v"; done
export AURORA_HOME=$work/home
DB=${BENCH_DB:-$work/go.db}
[ -f "$DB" ] || "$AUR" mem index --db "$DB" --no-git "$SRC" >/dev/null
if [ -n "$BASE" ]; then
	BDB=${BASE_DB:-$work/go-base.db}
	[ -f "$BDB" ] || "$BASE" mem index --db "$BDB" --no-git "$SRC" >/dev/null
fi
declare -A t
run() { # name cmd...
	local name=$1 s e
	shift
	s=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	e=$(date +%s%N)
	t[$name]+="$(((e - s) / 1000)) "
}
for r in $(seq "$RUNS"); do
	while IFS= read -r q; do
		[ -n "$q" ] || continue
		word=$(tr ' ' '\n' <<<"$q" | awk '{ print length, $0 }' | sort -rn | head -1 | cut -d' ' -f2)
		run new "$AUR" mem search --db "$DB" --json --no-cache -- "$q"
		run files "$AUR" mem search --db "$DB" --json --no-cache --files -- "$q"
		run fixed "$AUR" mem search --db "$DB" --json --no-cache -F -- "$word"
		[ -z "$BASE" ] || run base "$BASE" mem search --db "$BDB" --json --no-cache -- "$q"
	done <"$here/queries.txt"
done
printf '%-6s %5s %8s %8s %8s\n' mode n median p95 max
for k in base new files fixed; do
	[ -n "${t[$k]:-}" ] || continue
	tr ' ' '\n' <<<"${t[$k]}" | grep . | sort -n | awk -v k="$k" '{ a[NR] = $1 } END {
		printf "%-6s %5d %8.1f %8.1f %8.1f\n", k, NR, a[int((NR + 1) / 2)] / 1000, a[int(NR * 0.95 + 0.5)] / 1000, a[NR] / 1000 }'
done
