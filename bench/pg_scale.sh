#!/usr/bin/env bash
# Scale run of the PostgreSQL store: GOROOT/src indexed as SCALE_PROJECTS
# projects (default 10, about 1.2M chunks in one database), two index runs
# at a time; then whole-process aur mem search latency (bench/queries.txt,
# --json --no-cache) against one project, and rotating over all of them.
#
#   BENCH_PG_URL=postgres://postgres@127.0.0.1:55432/aurscale?sslmode=disable ./bench/pg_scale.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
AUR=${AUR:-$here/../bin/aur}
[ -x "$AUR" ] || { echo "build first: make build" >&2; exit 2; }
: "${BENCH_PG_URL:?set BENCH_PG_URL to a postgres:// URL}"
N=${SCALE_PROJECTS:-10}
SRC=$(go env GOROOT)/src
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for v in $(env | grep -o '^AURORA_[A-Z_]*' || true); do unset "$v"; done
export AURORA_HOME=$work/home AURORA_STORE_URL=$BENCH_PG_URL
mkdir -p "$work/cwd/.aurora"
cd "$work/cwd"
now() { date +%s%N; }

t0=$(now)
for i in $(seq 1 2 "$N"); do
	s=$(now)
	"$AUR" mem index --project "go$i" --no-git "$SRC" >/dev/null &
	a=$!
	if [ $((i + 1)) -le "$N" ]; then
		"$AUR" mem index --project "go$((i + 1))" --no-git "$SRC" >/dev/null
	fi
	wait "$a"
	echo "projects go$i, go$((i + 1)): $(( ($(now) - s) / 1000000 )) ms"
done
echo "indexed $N projects in $(( ($(now) - t0) / 1000000 )) ms"
"$AUR" mem projects | tail -n +1 | awk '{c += $2} END {print "chunks in all projects: " c}'
psql -X -q -A -t -d "$BENCH_PG_URL" -c "SELECT 'database: ' || pg_size_pretty(pg_database_size(current_database()))"

pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int((NR-1)*p/100+0.5)+1; printf "%.1f", a[i]/1000}'; }
: >"$work/one.us"
: >"$work/all.us"
k=0
for round in 1 2; do
	while IFS= read -r q; do
		s=$(now)
		"$AUR" mem search --project go3 --json --no-cache "$q" >/dev/null || true
		echo $(( ($(now) - s) / 1000 )) >>"$work/one.us"
		k=$((k + 1))
		s=$(now)
		"$AUR" mem search --project "go$(( k % N + 1 ))" --json --no-cache "$q" >/dev/null || true
		echo $(( ($(now) - s) / 1000 )) >>"$work/all.us"
	done <"$here/queries.txt"
done
echo "mem search, one project (go3): n=$(wc -l <"$work/one.us") p50 $(pct 50 <"$work/one.us") ms p95 $(pct 95 <"$work/one.us") ms"
echo "mem search, rotating over all $N: n=$(wc -l <"$work/all.us") p50 $(pct 50 <"$work/all.us") ms p95 $(pct 95 <"$work/all.us") ms"
