#!/usr/bin/env bash
# Ranking parity of the PostgreSQL store with SQLite on GOROOT/src: the
# questions of bench/queries.txt and testdata/realq/nethttp (asked of the
# whole tree), each through aur mem search --json --no-cache on both
# stores; prints the top-10 overlap and tier agreement (the issue's bar:
# >= 90% and >= 95%).
#
#   BENCH_PG_URL=postgres://…/aurbench?sslmode=disable ./bench/pg_parity.sh
#
# PARITY_CORPUS=DIR PARITY_QUERIES=FILE.jsonl ask another tree the
# questions of a jsonl file ({"query": ...} a line) instead, e.g. the
# doc-sentence set of shared/eval (cd ../shared/eval/gen && go run . -out
# /tmp/aur-eval; PARITY_CORPUS=/tmp/aur-eval/corpus
# PARITY_QUERIES=/tmp/aur-eval/queries.jsonl).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
AUR=${AUR:-$here/../bin/aur}
: "${BENCH_PG_URL:?set BENCH_PG_URL to a postgres:// URL}"
SRC=${PARITY_CORPUS:-$(go env GOROOT)/src}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for v in $(env | grep -o '^AURORA_[A-Z_]*' || true); do unset "$v"; done
export AURORA_HOME=$work/home
mkdir -p "$work/cwd/.aurora"
cd "$work/cwd"
"$AUR" mem index --db "$work/go.db" --no-git "$SRC" >/dev/null
"$AUR" mem index --store "$BENCH_PG_URL" --project gosrc --no-git "$SRC" >/dev/null
if [ -n "${PARITY_QUERIES:-}" ]; then
	python3 -c 'import json,sys; [print(json.loads(l)["query"]) for l in open(sys.argv[1]) if l.strip()]' "$PARITY_QUERIES" >"$work/q.txt"
else
	{ cat "$here/queries.txt"; python3 -c 'import json,sys; [print(json.loads(l)["query"]) for l in open(sys.argv[1])]' "$here/../testdata/realq/nethttp/queries.jsonl"; } >"$work/q.txt"
fi
n=0
while IFS= read -r q; do
	n=$((n + 1))
	"$AUR" mem search --db "$work/go.db" --json --no-cache -- "$q" >"$work/s$n.json" || true
	"$AUR" mem search --store "$BENCH_PG_URL" --project gosrc --json --no-cache -- "$q" >"$work/p$n.json" || true
done <"$work/q.txt"
python3 - "$work" "$n" <<'PY'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
ov = tot = tiers = same = 0
for i in range(1, n + 1):
    s = json.load(open(f"{work}/s{i}.json")); p = json.load(open(f"{work}/p{i}.json"))
    key = lambda r: (r["file"], r["start_line"], r["name"])
    sk = [key(r) for r in s["results"]]; pk = [key(r) for r in p["results"]]
    tot += max(len(sk), len(pk)); ov += len(set(sk) & set(pk))
    tiers += s["tier"] == p["tier"]; same += sk == pk
    if sk != pk or s["tier"] != p["tier"]:
        print("differs:", s["query"], s["tier"], p["tier"])
print(f"{n} questions: top-10 overlap {100*ov/max(tot,1):.1f}%, tiers agree {100*tiers/n:.1f}%, identical top 10 {same}")
PY
