#!/usr/bin/env bash
# Does grading mean something? On an index (default: shared/eval's corpus
# index made by run_aur.sh), prints how aur eval grades queries whose target
# it ranks in the top 5 against those whose target it misses, and how the
# 50 off-topic questions of testdata/quality/offtopic.txt grade (issue 3:
# at most 5% of them may grade good).
#
#   ./bench/grading.sh /tmp/aur-eval /tmp/aur-work/aur.db
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
AUR=${AUR:-$here/../bin/aur}
EVAL=${1:-/tmp/aur-eval}
DB=${2:-/tmp/aur-work/aur.db}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AURORA_HOME=$work/home
cp "$DB" "$work/grading.db" # queries below are recorded: keep the original clean
"$AUR" eval --db "$work/grading.db" --queries "$EVAL/queries.jsonl" | sed -n '/^grades/,$p'
good=0 weak=0 none=0 n=0
while IFS= read -r q; do
	case $q in '#'*|'') continue ;; esac
	tier=$("$AUR" query --db "$work/grading.db" --non-interactive --json --no-cache "$q" 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["tier"])')
	n=$((n + 1))
	case $tier in good) good=$((good + 1)) ;; weak) weak=$((weak + 1)) ;; *) none=$((none + 1)) ;; esac
done < "$here/../testdata/quality/offtopic.txt"
printf '  %-15s %4d queries: good %5.1f%%  weak %5.1f%%  no match %5.1f%%\n' off-topic "$n" \
	"$(echo "100*$good/$n" | bc -l)" "$(echo "100*$weak/$n" | bc -l)" "$(echo "100*$none/$n" | bc -l)"
