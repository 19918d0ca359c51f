#!/bin/sh
# usage: bench/realq.sh [AUR_BIN] [WORK]
#
# Runs aur on the question sets kept in testdata/realq (nethttp: Go's
# net/http; pystd: a slice of the Python 3.11.7 standard library; npmcli:
# the npm CLI's JavaScript), each question as one `aur mem search --json`
# process through shared/eval/run_aur.sh, and scores them with
# shared/eval/score_targets.py: answer MRR@10, R@k, nDCG, useful@3 and the
# grade's calibration, for the tuning half (odd ids), the test half (even
# ids) and the whole set, then pooled over the sets.
#
# Rankings and grading were tuned on the odd halves only; the even halves
# are what to quote. SETS="nethttp pystd" picks sets; QUERY_CMD and
# INDEX_CMD pass through to run_aur.sh. Output: WORK/<set>/ (default
# /tmp/aur-realq-run) and WORK/summary.txt.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
aur=${1:-$here/bin/aur}
work=${2:-/tmp/aur-realq-run}
shared=${SHARED:-$here/../shared}
sets=${SETS:-nethttp pystd npmcli}
data=${REALQ_DATA:-/tmp/aur-realq-data}
mkdir -p "$work" "$data"
: >"$work/summary.txt"
for s in $sets; do
	"$here/testdata/realq/$s/setup.sh" "$data/$s" >/dev/null
	mkdir -p "$work/$s"
	"$shared/eval/run_aur.sh" "$aur" "$data/$s" "$work/$s" >"$work/$s/run.log" 2>&1 ||
		{ cat "$work/$s/run.log" >&2; exit 1; }
	python3 - "$data/$s/queries.jsonl" "$work/$s" <<'PY'
import json, sys
qs = [l for l in open(sys.argv[1]) if l.strip()]
for name, keep in (("tune", 1), ("test", 0)):
    with open(f"{sys.argv[2]}/{name}.jsonl", "w") as f:
        f.writelines(l for l in qs if int(json.loads(l)["id"][1:]) % 2 == keep)
PY
	for half in tune test; do
		python3 "$shared/eval/score_targets.py" "$work/$s/$half.jsonl" "$work/$s" --json >"$work/$s/score-$half.json"
	done
	python3 "$shared/eval/score_targets.py" "$data/$s/queries.jsonl" "$work/$s" --by-style >"$work/$s/score.txt"
	python3 "$shared/eval/score_targets.py" "$data/$s/queries.jsonl" "$work/$s" --json >"$work/$s/score-all.json"
	echo "$s: $(cat "$work/$s/timing.json")" >>"$work/summary.txt"
done
python3 - "$work" $sets <<'PY' | tee -a "$work/summary.txt"
import json, sys
work, sets = sys.argv[1], sys.argv[2:]
def line(name, s):
    t = "  ".join(f"{k}:{v['n']}/hit@5 {v['hit@5']:.2f}" for k, v in s["tiers"].items())
    return f"{name:16} n={s['n']:3}  MRR@10 {s['mrr@10']:.3f}  R@1 {s['r@1']:.3f}  R@10 {s['r@10']:.3f}  useful@3 {s['useful@3']:.3f}  | {t}"
pool = {}
for st in sets:
    for half in ("tune", "test", "all"):
        s = json.load(open(f"{work}/{st}/score-{half}.json"))["all"]
        print(line(f"{st}/{half}", s))
        for tier, v in s["tiers"].items():
            if half == "all":
                continue
            p = pool.setdefault(half, {}).setdefault(tier, [0, 0.0])
            p[0] += v["n"]; p[1] += v["n"] * v["hit@5"]
for half, tiers in pool.items():
    print(f"calibration {half}: " + "  ".join(f"{t} {n} hit@5 {h / n:.2f}" for t, (n, h) in sorted(tiers.items()) if n))
PY
