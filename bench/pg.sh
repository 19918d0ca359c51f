#!/usr/bin/env bash
# The PostgreSQL store against the SQLite one, on GOROOT/src (docs/postgres.md):
# index time and size for each, then whole-process aur mem search latency
# (one process per question of bench/queries.txt, --json --no-cache, three
# rounds) on each, p50 and p95 in milliseconds, process start included.
#
#   BENCH_PG_URL=postgres://postgres@127.0.0.1:55432/aurbench?sslmode=disable ./bench/pg.sh
#
# The database named by BENCH_PG_URL is used as it is (create it first);
# the project is called gosrc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
AUR=${AUR:-$here/../bin/aur}
[ -x "$AUR" ] || { echo "build first: make build" >&2; exit 2; }
: "${BENCH_PG_URL:?set BENCH_PG_URL to a postgres:// URL}"
SRC=$(go env GOROOT)/src
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for v in $(env | grep -o '^AURORA_[A-Z_]*' || true); do unset "$v"; done
export AURORA_HOME=$work/home
mkdir -p "$work/cwd/.aurora"
cd "$work/cwd"
now() { date +%s%N; }

t0=$(now)
"$AUR" mem index --db "$work/go.db" --no-git "$SRC" >/dev/null
t1=$(now)
echo "sqlite index: $(( (t1 - t0) / 1000000 )) ms, $(du -cb "$work"/go.db* | tail -1 | cut -f1) bytes"
t0=$(now)
"$AUR" mem index --store "$BENCH_PG_URL" --project gosrc --no-git "$SRC" >/dev/null
t1=$(now)
echo "postgres index: $(( (t1 - t0) / 1000000 )) ms"
t0=$(now)
"$AUR" mem index --store "$BENCH_PG_URL" --project gosrc --no-git "$SRC" >/dev/null
t1=$(now)
echo "postgres no-change re-index: $(( (t1 - t0) / 1000000 )) ms"
psql -X -q -A -t -d "$BENCH_PG_URL" -c "SELECT 'postgres database: ' || pg_database_size(current_database()) || ' bytes'" \
	-c "SELECT relname || ' ' || pg_total_relation_size(oid) FROM pg_class WHERE relname IN ('chunks','terms','files','chunks_tsv','chunks_content_trgm','chunks_name_trgm') ORDER BY 1" 2>/dev/null || true

pct() { # pct P < numbers
	sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int((NR-1)*p/100+0.5)+1; printf "%.1f", a[i]/1000}'
}
run() { # run LABEL ARGS...
	local label=$1; shift
	: >"$work/$label.us"
	for round in 1 2 3; do
		while IFS= read -r q; do
			local s e
			s=$(now)
			"$AUR" "$@" mem search --json --no-cache "$q" >/dev/null || true
			e=$(now)
			echo $(( (e - s) / 1000 )) >>"$work/$label.us"
		done <"$here/queries.txt"
	done
	echo "$label mem search: n=$(wc -l <"$work/$label.us") p50 $(pct 50 <"$work/$label.us") ms p95 $(pct 95 <"$work/$label.us") ms"
}
run sqlite --db "$work/go.db"
run postgres --store "$BENCH_PG_URL" --project gosrc

# aur serve, 8 concurrent clients, no_cache (every request retrieves), on
# each backend; and two replicas over the one PostgreSQL database, each
# with half the clients.
DUR=${SERVE_DURATION:-15s}
cd "$here/.."
go build -tags "sqlite_fts5 sqlite_math_functions" -o "$work/serveload" ./bench/serveload
pids=()
serve() { # serve ADDRFILE ARGS...
	local f=$1; shift
	rm -f "$f"
	AURORA_LLM_PROVIDER=none "$AUR" serve --listen 127.0.0.1:0 --addr-file "$f" "$@" 2>>"$work/serve.log" &
	pids+=($!)
	for _ in $(seq 200); do [ -s "$f" ] && return; sleep 0.05; done
	echo "aur serve did not start" >&2; cat "$work/serve.log" >&2; exit 1
}
stopall() { for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done; pids=(); }
serve "$work/a-sqlite" --db "$work/go.db"
echo "serve sqlite: $("$work/serveload" -addr-file "$work/a-sqlite" -clients 8 -duration "$DUR" -no-cache -phase search)"
stopall
serve "$work/a-pg" --store "$BENCH_PG_URL" --project gosrc
echo "serve postgres: $("$work/serveload" -addr-file "$work/a-pg" -clients 8 -duration "$DUR" -no-cache -phase search)"
stopall
serve "$work/a-pg1" --store "$BENCH_PG_URL" --project gosrc
serve "$work/a-pg2" --store "$BENCH_PG_URL" --project gosrc
"$work/serveload" -addr-file "$work/a-pg1" -clients 4 -duration "$DUR" -no-cache -phase search >"$work/r1" &
l1=$!
"$work/serveload" -addr-file "$work/a-pg2" -clients 4 -duration "$DUR" -no-cache -phase search >"$work/r2"
wait "$l1"
echo "serve postgres, replica 1 of 2: $(cat "$work/r1")"
echo "serve postgres, replica 2 of 2: $(cat "$work/r2")"
stopall
