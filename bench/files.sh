#!/bin/sh
# usage: bench/files.sh [AUR_BIN] [BASE_BIN] [WORK]
#
# "Where would I change X?" at file level, on the testdata/realq sets: the
# answer files of a question are the files of its grade-2 targets. Three
# runs per set through shared/eval/run_aur.sh, scored with
# shared/eval/score_files.py --dedupe (the first 10 distinct files count):
#
#   files   AUR mem search --files --limit 10    (files ranked by aggregated chunk evidence)
#   chunks  AUR mem search --limit 60            (the top 60 chunks, deduplicated to files)
#   base    BASE mem search --limit 60           (the same with BASE, e.g. the first release)
#
# Reports MRR@10 and R@1/5/10 for the tuning half (odd ids), the test
# half (even ids) and the whole set.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
aur=${1:-$here/bin/aur}
base=${2:-}
work=${3:-/tmp/aur-files-run}
shared=${SHARED:-$here/../shared}
data=${REALQ_DATA:-/tmp/aur-realq-data}
mkdir -p "$work"
for s in ${SETS:-nethttp pystd npmcli}; do
	"$here/testdata/realq/$s/setup.sh" "$data/$s" >/dev/null
	mkdir -p "$work/$s"
	python3 - "$data/$s/queries.jsonl" "$work/$s" <<'PY'
import json, sys
qs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for name, keep in (("all", None), ("tune", 1), ("test", 0)):
    with open(f"{sys.argv[2]}/files-{name}.jsonl", "w") as f:
        for q in qs:
            if keep is not None and int(q["id"][1:]) % 2 != keep:
                continue
            files = sorted({t["file"] for t in q["targets"] if t.get("grade", 2) == 2})
            f.write(json.dumps({"id": q["id"], "query": q["query"], "file": files[0], "files": files}) + "\n")
PY
	cp "$work/$s/files-all.jsonl" "$data/$s/files-queries.jsonl"
	for run in files chunks base; do
		case $run in
		files) bin=$aur q='"$AUR" mem search --db "$WORK/aur.db" --json --files --limit 10 --' ;;
		chunks) bin=$aur q='"$AUR" mem search --db "$WORK/aur.db" --json --limit 60 --' ;;
		base) [ -n "$base" ] || continue; bin=$base q='"$AUR" mem search --db "$WORK/aur.db" --json --limit 60 --' ;;
		esac
		QUERY_CMD=$q "$shared/eval/run_aur.sh" "$bin" "$data/$s" "$work/$s/$run" >"$work/$s/$run.log" 2>&1 || true
		for half in tune test all; do
			printf '%-8s %-7s %-5s ' "$s" "$run" "$half"
			python3 "$shared/eval/score_files.py" --dedupe --root "$data/$s/corpus" "$work/$s/files-$half.jsonl" "$work/$s/$run/run.jsonl" --json |
				tail -n 1 | python3 -c 'import json,sys; o=json.load(sys.stdin)["files"]; print("MRR@10 %.3f  R@1 %.3f  R@5 %.3f  R@10 %.3f" % (o["mrr@10"], o["recall@1"], o["recall@5"], o["recall@10"]))'
		done
	done
done
