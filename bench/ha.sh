#!/usr/bin/env bash
#
# bench/ha.sh: how long the replica update and aur mem backup take on the
# GOROOT/src index (docs/measurements.md, "Backups and the replica").
#
# It copies GOROOT/src to a temp dir (the incremental runs edit files
# there, never in GOROOT), indexes it with a replica configured, then
# times, HA_RUNS times each (default 3), as separate processes:
#
#   replica, whole       the copy after an index run, the replica deleted
#                        first (aur mem index --json: replica.duration_ms)
#   replica, 10 edited   an index run after appending a comment to 10 files,
#                        and the copy that follows it
#   replica, 10 touched  an index run after touching 10 files (mtime only:
#                        nothing changes, the replica is current, no copy)
#   backup               aur mem backup --json (duration_ms), and the whole
#                        process
#   readers              an aur mem search process, idle and while backups
#                        run (7 each): a copy holds a read transaction only
#   of which the check   PRAGMA quick_check, which every copy runs on
#                        itself before it is renamed (check_ms)
#
# Output: a table on stdout and bench/out/ha-latest.txt. Nothing is
# written under $HOME: AURORA_HOME is a temp dir.
#
#   ./bench/ha.sh
#   HA_RUNS=5 AUR=bin/aur ./bench/ha.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${HA_RUNS:-3}
TAGS="sqlite_fts5 sqlite_math_functions"
mkdir -p bench/out
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
AUR=${AUR:-$tmp/aur}
if [ ! -x "$AUR" ]; then
	go build -tags "$TAGS" -o "$AUR" ./cmd/aur
fi
export AURORA_HOME=$tmp/home
export AURORA_DB_PATH=$tmp/db/go.db
export AURORA_REPLICA_PATH=$tmp/replica/go.db
SRC=$tmp/src
cp -R "$(go env GOROOT)/src" "$SRC"
chmod -R u+w "$SRC"

ms() { python3 -c 'import sys,time; print(round(time.time()*1000))'; }
median() { sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.0f ms (%.0f-%.0f)", m, a[1], a[NR]}'; }

"$AUR" mem index --json --no-git "$SRC" >"$tmp/first.json"
first_replica=$(jq -r '.replica.duration_ms' "$tmp/first.json")
db_bytes=$(stat -c %s "$AURORA_DB_PATH")
chunks=$(jq -r '.total_chunks' "$tmp/first.json")
files=$(jq -r '.total_files' "$tmp/first.json")

whole=() whole_check=() edited=() edited_index=() touched=() touched_total=() backup=() backup_check=() backup_proc=()
mapfile -t some < <(cd "$SRC" && find . -name '*.go' -path './net/*' | sort | head -10)
for i in $(seq "$RUNS"); do
	rm -f "$AURORA_REPLICA_PATH"
	"$AUR" mem index --json --no-git >"$tmp/w.json"
	whole+=("$(jq -r '.replica.duration_ms' "$tmp/w.json")")
	whole_check+=("$(jq -r '.replica.check_ms' "$tmp/w.json")")

	for f in "${some[@]}"; do printf '\n// edited by bench/ha.sh run %s\n' "$i" >>"$SRC/$f"; done
	"$AUR" mem index --json --no-git >"$tmp/e.json"
	[ "$(jq -r '.indexed' "$tmp/e.json")" = 10 ] || { echo "expected 10 files re-indexed" >&2; exit 1; }
	edited+=("$(jq -r '.replica.duration_ms' "$tmp/e.json")")
	edited_index+=("$(jq -r '.duration_ms' "$tmp/e.json")")

	for f in "${some[@]}"; do touch "$SRC/$f"; done
	t0=$(ms)
	"$AUR" mem index --json --no-git >"$tmp/t.json"
	touched_total+=("$(($(ms) - t0))")
	[ "$(jq -r '.replica.current' "$tmp/t.json")" = true ] || { echo "expected the replica to be current" >&2; exit 1; }
	touched+=("$(jq -r '.replica.duration_ms' "$tmp/t.json")")

	t0=$(ms)
	"$AUR" mem backup --json --to "$tmp/backups/" >"$tmp/b.json"
	backup_proc+=("$(($(ms) - t0))")
	backup+=("$(jq -r '.duration_ms' "$tmp/b.json")")
	backup_check+=("$(jq -r '.check_ms' "$tmp/b.json")")
done

# Readers during a copy: one aur mem search process at a time, idle, then
# while backups run back to back.
search() { t0=$(ms); "$AUR" mem search --no-cache --json "parse http request headers" >/dev/null; echo $(($(ms) - t0)); }
idle=() busy=()
for i in $(seq 7); do idle+=("$(search)"); done
( for i in $(seq 5); do "$AUR" mem backup --to "$tmp/busy.db"; done ) &
bg=$!
for i in $(seq 7); do busy+=("$(search)"); done
wait "$bg"

{
	echo "GOROOT/src copy: $files files, $chunks chunks, database $((db_bytes / 1000000)) MB; $RUNS runs; load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| what | median (min-max) |"
	echo "|---|---|"
	echo "| replica, first copy (in the first index run) | $(printf '%s\n' "$first_replica" | median) |"
	echo "| replica, whole copy after an unchanged run (replica deleted first) | $(printf '%s\n' "${whole[@]}" | median) |"
	echo "| of which checking the copy (quick_check) | $(printf '%s\n' "${whole_check[@]}" | median) |"
	echo "| replica, after editing 10 files: the copy | $(printf '%s\n' "${edited[@]}" | median) |"
	echo "| replica, after editing 10 files: the index run before it | $(printf '%s\n' "${edited_index[@]}" | median) |"
	echo "| replica, after touching 10 files (current: no copy): the check | $(printf '%s\n' "${touched[@]}" | median) |"
	echo "| replica, after touching 10 files: whole aur mem index process | $(printf '%s\n' "${touched_total[@]}" | median) |"
	echo "| aur mem backup: the copy | $(printf '%s\n' "${backup[@]}" | median) |"
	echo "| of which checking the copy (quick_check) | $(printf '%s\n' "${backup_check[@]}" | median) |"
	echo "| aur mem backup: whole process | $(printf '%s\n' "${backup_proc[@]}" | median) |"
	echo "| aur mem search process, idle | $(printf '%s\n' "${idle[@]}" | median) |"
	echo "| aur mem search process, while backups run | $(printf '%s\n' "${busy[@]}" | median) |"
} | tee bench/out/ha-latest.txt
