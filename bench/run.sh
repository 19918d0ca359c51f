#!/usr/bin/env bash
#
# bench/run.sh: whole-process benchmarks of `aur mem index` (run by `make bench`).
#
# What it measures, for two trees:
#
#   GOROOT/src        $(go env GOROOT)/src, in place. Exercises the go/parser
#                     chunker, plus C, assembly and text windows.
#   Python stdlib     the interpreter's stdlib directory copied to a temp dir
#                     WITHOUT site-packages (which holds whatever pip put on
#                     this machine, so it is neither the stdlib nor the same
#                     from one machine to the next) and without __pycache__
#                     (which aur skips anyway). Exercises the tree-sitter path.
#
# For each tree, BENCH_RUNS times (default 3; QUICK=1 means 1):
#
#   1. `aur mem index --json` into a fresh database in a temp dir: wall time,
#      CPU time, peak RSS (/usr/bin/time -v "Maximum resident set size"),
#      files and chunks, write_ms (time in database writes, the serial part).
#   2. After the process exits: database size (db + -wal, as aur mem stats
#      counts it, and `du` of every db file, which does not depend on whether
#      the WAL was checkpointed) and source_bytes from `aur mem stats --json`.
#   3. `aur mem index` again on the same database, nothing changed: wall time.
#
# and, as a reference point, universal-ctags over the same tree, first for the
# tree's main language only, then for every language ctags knows.
#
# How to read it: every time is "median (min-max)" over the runs. The machine
# may be shared, so /proc/loadavg is printed before and after each tree, and a
# time whose spread exceeds 30% of its median is marked "noisy"; run again
# before trusting it. CPU time (user + system) moves less than wall time when
# other processes compete for the cores.
# Targets (GOROOT/src): full index < 8 s, no-change re-index < 1 s,
# peak RSS < 300 MB, database < 2x source bytes. MB is 10^6 bytes.
#
# The page cache is warmed before timing (every file is read once), so these
# are warm-cache numbers. Nothing is written under $HOME: AURORA_HOME, the
# databases and the Python copy live in a temp dir that is removed at exit.
#
# Output: a table on stdout, also saved as bench/out/bench-<time>.txt and
# bench/out/latest.txt; every raw sample (JSON summaries, /usr/bin/time output)
# is kept in bench/out/<time>/.
#
# Environment:
#   BENCH_RUNS=N     runs per measurement (default 3)
#   QUICK=1          one run of everything (a smoke test, not a measurement)
#   BENCH_STRICT=1   exit 3 if any target is missed
#   AUR=path         binary to benchmark (default bin/aur, built by make bench)
#   CTAGS=path       universal-ctags for the baseline (default ctags on PATH)
#   BENCH_PYTHON=0   skip the Python stdlib tree
set -eu

cd "$(dirname "$0")/.."
REPO=$PWD
AUR=${AUR:-$REPO/bin/aur}
RUNS=${BENCH_RUNS:-3}
if [ "${QUICK:-0}" = 1 ]; then RUNS=1; fi
STRICT=${BENCH_STRICT:-0}
CTAGS=${CTAGS:-ctags}
TIME=/usr/bin/time

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$AUR" ] || die "$AUR not found; run make build (or make bench)"
[ -x "$TIME" ] || die "$TIME not found; it measures peak RSS (apt-get install time)"
case $RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer, got '$RUNS'" ;; esac

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$REPO/bench/out
RAW=$OUT/$STAMP
mkdir -p "$RAW"
REPORT=$OUT/bench-$STAMP.txt

WORK=$(mktemp -d "${TMPDIR:-/tmp}/aur-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# Isolate aur from this machine's configuration: a fresh AURORA_HOME, no
# AURORA_* overrides, an empty --config (so no project config.yaml is read),
# and a working directory outside any project.
for v in $(env | sed -n 's/^\(AURORA_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export AURORA_HOME=$WORK/home
mkdir -p "$AURORA_HOME"
: >"$WORK/empty.yaml"
cd "$WORK"
AURX=("$AUR" --config "$WORK/empty.yaml" --non-interactive)

# ---------------------------------------------------------------- helpers

say() { printf '%s\n' "$*" | tee -a "$REPORT"; }
row() { printf '  %-34s %-30s %-11s %s\n' "$1" "$2" "${3:-}" "${4:-}" | sed 's/ *$//' | tee -a "$REPORT"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# json_num KEY FILE prints a top-level number from aur's indented JSON
# (top-level keys are indented by exactly two spaces), so no jq is needed.
json_num() { sed -n "s/^  \"$1\": \([0-9.eE+-]*\),\{0,1\}\$/\1/p" "$2"; }

# Statistics over a whitespace-separated list of numbers.
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
minimum() { printf '%s\n' $1 | sort -g | head -n1; }
maximum() { printf '%s\n' $1 | sort -g | tail -n1; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }

# secs "ms samples" -> "6.36 s (6.21-6.50)"; a single sample has no spread.
# A spread over 30% of the median is flagged: the machine was busy.
secs() {
	local m; m=$(median "$1")
	if [ "$RUNS" -gt 1 ]; then
		calc '%.2f s (%.2f-%.2f)' "$m/1000, $(minimum "$1")/1000, $(maximum "$1")/1000"
		if awk "BEGIN {exit !($(maximum "$1") - $(minimum "$1") > 0.3 * $m)}"; then printf ' noisy'; fi
	else
		calc '%.2f s' "$m/1000"
	fi
}
mb() { calc '%.1f MB' "$1/1e6"; }
mb_spread() {
	local m; m=$(median "$1")
	if [ "$RUNS" -gt 1 ]; then
		calc '%.1f MB (%.1f-%.1f)' "$m/1e6, $(minimum "$1")/1e6, $(maximum "$1")/1e6"
	else
		mb "$m"
	fi
}

# check VALUE LIMIT -> "ok" or "MISSED" (value must be below limit). It
# runs in a subshell, so misses are counted from the report at the end.
check() {
	if awk "BEGIN {exit !($1 < $2)}"; then echo ok; else echo MISSED; fi
}

# timed NAME STDOUT CMD... runs CMD with stdout to STDOUT (a file, or
# /dev/null), stderr in $RAW/NAME.err and /usr/bin/time -v in
# $RAW/NAME.time; sets WALL_MS, CPU_MS (user + system) and RSS_B.
timed() {
	local name=$1 stdout=$2 t0 t1 rc=0
	shift 2
	t0=$(now_ms)
	"$TIME" -v -o "$RAW/$name.time" "$@" >"$stdout" 2>"$RAW/$name.err" || rc=$?
	t1=$(now_ms)
	WALL_MS=$((t1 - t0))
	RSS_B=$(($(sed -n 's/.*Maximum resident set size (kbytes): //p' "$RAW/$name.time") * 1024))
	CPU_MS=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.0f", s * 1000}' "$RAW/$name.time")
	return $rc
}

# db_sizes DB sets DB_BYTES (db + -wal apparent size, what aur mem stats
# reports) and DB_DU (du of db, -wal and -shm: blocks on disk).
db_sizes() {
	local f
	DB_BYTES=0
	for f in "$1" "$1-wal"; do
		if [ -f "$f" ]; then DB_BYTES=$((DB_BYTES + $(stat -c %s "$f"))); fi
	done
	DB_DU=$(($(du -k -c "$1"* | tail -n1 | cut -f1) * 1024))
}

# ---------------------------------------------------------------- one tree

# bench_tree LABEL SRC CTAGS_LANGUAGE TIME_TARGET_S
# TIME_TARGET_S is the full-index target in seconds, or "-" for none.
bench_tree() {
	local label=$1 src=$2 lang=$3 target=$4 key i db
	local full="" cpu="" redo="" rss="" rss_redo="" write="" bytes="" du="" ct_lang="" ct_all=""
	local files=0 chunks=0 src_bytes=0 load0 load1 redo_files=""
	key=$(echo "$label" | tr -c 'A-Za-z0-9\n' '_')

	load0=$(load)
	# Warm the page cache so every run, ctags and aur alike, reads from memory.
	find "$src" -type f -exec cat {} + >/dev/null 2>&1 || true

	for i in $(seq "$RUNS"); do
		# ctags output goes to stdout and is thrown away: with -f /dev/null
		# ctags 5.9 tries to truncate /dev/null at the end and fails.
		timed "$key-ctags-$lang-$i" /dev/null "$CTAGS" -R --languages="$lang" -f - "$src" ||
			die "ctags failed, see $RAW/$key-ctags-$lang-$i.err"
		ct_lang="$ct_lang $WALL_MS"
		timed "$key-ctags-all-$i" /dev/null "$CTAGS" -R -f - "$src" ||
			die "ctags failed, see $RAW/$key-ctags-all-$i.err"
		ct_all="$ct_all $WALL_MS"

		db=$WORK/$key-$i/index.db
		mkdir -p "$(dirname "$db")"
		timed "$key-full-$i" "$RAW/$key-full-$i.json" "${AURX[@]}" mem index --json --db "$db" "$src" ||
			die "aur mem index failed, see $RAW/$key-full-$i.err"
		full="$full $WALL_MS"
		cpu="$cpu $CPU_MS"
		rss="$rss $RSS_B"
		write="$write $(json_num write_ms "$RAW/$key-full-$i.json")"
		files=$(json_num indexed "$RAW/$key-full-$i.json")
		chunks=$(json_num chunks_written "$RAW/$key-full-$i.json")

		db_sizes "$db"
		bytes="$bytes $DB_BYTES"
		du="$du $DB_DU"
		"${AURX[@]}" mem stats --json --db "$db" >"$RAW/$key-stats-$i.json"
		src_bytes=$(json_num source_bytes "$RAW/$key-stats-$i.json")

		timed "$key-noop-$i" "$RAW/$key-noop-$i.json" "${AURX[@]}" mem index --json --db "$db" "$src" ||
			die "aur mem index (re-index) failed, see $RAW/$key-noop-$i.err"
		redo="$redo $WALL_MS"
		rss_redo="$rss_redo $RSS_B"
		redo_files="$redo_files $(json_num indexed "$RAW/$key-noop-$i.json")"
		rm -rf "$(dirname "$db")"
	done
	load1=$(load)

	local mfull mbytes mwrite
	mfull=$(median "$full")
	mbytes=$(median "$bytes")
	mwrite=$(median "$write")

	say ""
	say "== $label: $src"
	say "   $RUNS run(s); times are median (min-max); load average before: $load0, after: $load1"
	row "measure" "value" "target" "check"
	if [ "$target" = - ]; then
		row "full index, wall" "$(secs "$full")" "-" ""
	else
		row "full index, wall" "$(secs "$full")" "< ${target} s" "$(check "$mfull/1000" "$target")"
	fi
	row "  CPU time (user + system)" "$(secs "$cpu")" "" "$(calc '%.1f cores busy' "$(median "$cpu") / $mfull")"
	row "files indexed" "$files" "" ""
	row "files/s" "$(calc '%.0f' "$files / ($mfull/1000)")" "" ""
	row "chunks" "$chunks" "" ""
	row "write_ms (DB writes, serial)" "$(calc '%.0f ms (%.0f%% of wall)' "$mwrite, 100*$mwrite/$mfull")" "" ""
	row "peak RSS, full index" "$(mb_spread "$rss")" "< 300 MB" "$(check "$(median "$rss")" 300e6)"
	row "source bytes indexed" "$(mb "$src_bytes")" "" ""
	row "database, db + -wal" "$(mb_spread "$bytes")" "" ""
	row "database, du of db files" "$(mb_spread "$du")" "" ""
	row "database / source" "$(calc '%.2fx' "$mbytes / $src_bytes")" "< 2x" "$(check "$mbytes / $src_bytes" 2)"
	row "no-change re-index, wall" "$(secs "$redo")" "< 1 s" "$(check "$(median "$redo")/1000" 1)"
	row "  files re-indexed (want 0)" "$(echo $redo_files | tr ' ' ',')" "" ""
	row "  peak RSS" "$(mb_spread "$rss_redo")" "" ""
	row "ctags -R --languages=$lang" "$(secs "$ct_lang")" "" "$(calc 'aur/ctags %.1fx' "$mfull / $(median "$ct_lang")")"
	row "ctags -R (all languages)" "$(secs "$ct_all")" "" "$(calc 'aur/ctags %.1fx' "$mfull / $(median "$ct_all")")"
}

# ---------------------------------------------------------------- main

GOROOT_SRC=$(go env GOROOT)/src
: >"$REPORT"
say "aur index benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
say "  aur      $("$AUR" --version 2>&1 | head -n1) ($AUR)"
say "  machine  $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(awk '/MemTotal/ {printf "%.0f GB RAM", $2/1e6}' /proc/meminfo)"
say "  load     $(load) (1, 5, 15 min) at start"
say "  tools    $(go version | cut -d' ' -f3), $("$CTAGS" --version | head -n1 | cut -d, -f1), python $(python3 -c 'import platform; print(platform.python_version())' 2>/dev/null || echo none)"
say "  runs     $RUNS per measurement$([ "$RUNS" = 1 ] && echo ' (QUICK: no spread, a smoke test)')"

bench_tree "GOROOT/src" "$GOROOT_SRC" Go 8

if [ "${BENCH_PYTHON:-1}" != 0 ] && command -v python3 >/dev/null; then
	PYSTD=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
	mkdir -p "$WORK/python-stdlib"
	# A copy, so site-packages can be left out without writing an ignore
	# file into the interpreter's directory.
	tar -C "$PYSTD" --exclude=./site-packages --exclude=__pycache__ -cf - . | tar -C "$WORK/python-stdlib" -xf -
	bench_tree "Python stdlib (no site-packages)" "$WORK/python-stdlib" Python -
	say "   (copied from $PYSTD; the full-index time target is for GOROOT/src only)"
fi

say ""
say "load average at end: $(load)"
if grep -Eq ' noisy( |$)' "$REPORT"; then
	say "noisy: a spread over 30% of the median; the machine was busy. Run again with BENCH_RUNS=5 before trusting those times."
fi
MISSED=$(grep -c ' MISSED$' "$REPORT" || true)
if [ "$MISSED" -gt 0 ]; then
	say "$MISSED target(s) missed."
fi
cp "$REPORT" "$OUT/latest.txt"
echo "saved $REPORT (raw samples in $RAW)" >&2
if [ "$STRICT" = 1 ] && [ "$MISSED" -gt 0 ]; then exit 3; fi
exit 0
