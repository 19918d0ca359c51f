#!/usr/bin/env bash
# Whole-process cost of the semantic layer on the GOROOT/src index: for
# each question in bench/queries.txt, in the same run and alternating,
#   aur mem search --json --no-cache Q      words only (no endpoint configured)
#   aur mem search --json --no-cache Q      fused (AURORA_EMBED_* set)
# twice over, and prints median, p95 and max in milliseconds, process start
# included, and the median of the per-question differences. The endpoint
# is bench/fakeembed on loopback (768 dimensions, answers at once), so the
# fused runs include one loopback request for the question's vector (the
# --no-cache runs do not use the cached one) but no model time.
#
# The index is embedded first with the fake (aur mem index: the first time
# about 35 s for GOROOT/src; with vectors of model fake-768 already there,
# no request).
#
#   make build && BENCH_DB=/tmp/go.db ./bench/semantic.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
AUR=${AUR:-$here/../bin/aur}
[ -x "$AUR" ] || { echo "build first: make build" >&2; exit 2; }
SRC=$(go env GOROOT)/src
work=$(mktemp -d)
for v in $(env | grep -o '^AURORA_[A-Z_]*' || true); do unset "$v"; done
unset OPENAI_API_KEY ANTHROPIC_API_KEY
export AURORA_HOME=$work/home
DB=${BENCH_DB:-$work/go.db}
export AURORA_DB_PATH=$DB
go build -o "$work/fakeembed" "$here/fakeembed"
"$work/fakeembed" -dims 768 >"$work/embed.url" &
embed_pid=$!
trap 'kill $embed_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/embed.url" ] && break; sleep 0.1; done
url=$(cat "$work/embed.url")
fused() { AURORA_EMBED_BASE_URL=$url AURORA_EMBED_MODEL=fake-768 "$@"; }
echo "indexing and embedding $SRC into $DB ..." >&2
fused "$AUR" mem index --db "$DB" --no-git "$SRC" >"$work/index.txt"
grep vectors "$work/index.txt" >&2 || true
now() { date +%s%N; }
declare -A t
declare -a diffs
failed=0
run() { # name, command...: prints the microseconds
	local name=$1; shift
	local s e rc=0
	s=$(now); "$@" >"$work/out" 2>"$work/err" || rc=$?; e=$(now)
	if [ "$rc" -gt 1 ] || grep -q warning "$work/err"; then
		failed=$((failed + 1)); echo "$name failed ($rc): $(head -c 300 "$work/err")" >&2
	fi
	echo $(( (e - s) / 1000 ))
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
mapfile -t qs < "$here/queries.txt"
"$AUR" mem search --json --no-cache "warm up" >/dev/null 2>&1 || true
fused "$AUR" mem search --json --no-cache "warm up" >/dev/null 2>&1 || true
for round in 1 2; do
	for q in "${qs[@]}"; do
		[ -n "$q" ] || continue
		a=$(run words "$AUR" mem search --json --no-cache "$q")
		b=$(run fused fused "$AUR" mem search --json --no-cache "$q")
		t[words]+="$a "; t[fused]+="$b "; diffs+=($((b - a)))
	done
done
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
echo "failed commands: $failed"
python3 - "${t[words]}" "${t[fused]}" "${diffs[*]}" <<'PY'
import sys
def stats(s):
    xs = sorted(int(x) / 1000 for x in s.split())
    p = lambda q: xs[min(len(xs) - 1, int(q * len(xs)))]
    return xs[len(xs) // 2], p(0.95), xs[-1], len(xs)
print(f"{'aur mem search --no-cache':<34} {'median':>8} {'p95':>8} {'max':>8}")
for label, s in (("words only", sys.argv[1]), ("fused (fake endpoint)", sys.argv[2]), ("fused − words, per question", sys.argv[3])):
    m, p95, mx, n = stats(s)
    print(f"{label:<34} {m:8.1f} {p95:8.1f} {mx:8.1f}   ({n} runs, ms)")
PY
