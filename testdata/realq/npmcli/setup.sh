#!/bin/sh
# setup.sh DEST -- lay out the npmcli evaluation set
#   DEST/queries.jsonl  copied from beside this script
#   DEST/corpus/        the lib/ directory of the published npm@11.19.1 package
# The corpus comes from `npm pack npm@11.19.1` (extracted in a temp dir). If that
# fails and the local npm is exactly 11.19.1, its installed lib/ is copied instead
# (/usr/lib/node_modules/npm/lib). Anything else is refused: the query line
# numbers are pinned to 11.19.1.
set -eu

VERSION=11.19.1
FALLBACK=/usr/lib/node_modules/npm/lib

if [ $# -ne 1 ]; then
    echo "usage: $0 DEST" >&2
    exit 2
fi
DEST=$1
HERE=$(cd "$(dirname "$0")" && pwd)

if [ ! -f "$HERE/queries.jsonl" ]; then
    echo "error: $HERE/queries.jsonl not found" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/realq-npm.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

SRC=""
if command -v npm >/dev/null 2>&1; then
    if (cd "$TMP" && npm pack "npm@$VERSION" >/dev/null 2>"$TMP/pack.err") &&
       [ -f "$TMP/npm-$VERSION.tgz" ] &&
       (cd "$TMP" && tar xzf "npm-$VERSION.tgz") &&
       [ -d "$TMP/package/lib" ] &&
       grep -q "\"version\": \"$VERSION\"" "$TMP/package/package.json"; then
        SRC=$TMP/package/lib
        echo "using npm pack npm@$VERSION"
    else
        echo "note: npm pack npm@$VERSION failed; trying the installed npm" >&2
        if [ -s "$TMP/pack.err" ]; then
            tail -n 5 "$TMP/pack.err" >&2
        fi
        if [ "$(npm --version 2>/dev/null || true)" = "$VERSION" ] &&
           [ -d "$FALLBACK" ] &&
           grep -q "\"version\": \"$VERSION\"" "$FALLBACK/../package.json" 2>/dev/null; then
            SRC=$FALLBACK
            echo "using installed npm $VERSION at $FALLBACK"
        fi
    fi
fi

if [ -z "$SRC" ]; then
    echo "error: could not obtain the lib/ directory of npm@$VERSION." >&2
    echo "       'npm pack npm@$VERSION' failed (or npm is missing), and the installed" >&2
    echo "       npm is not $VERSION at $FALLBACK. Query line numbers are pinned to" >&2
    echo "       $VERSION, so no other version is used." >&2
    exit 1
fi

mkdir -p "$DEST"
rm -rf "$DEST/corpus"
mkdir -p "$DEST/corpus"
cp -R "$SRC/." "$DEST/corpus/"
cp "$HERE/queries.jsonl" "$DEST/queries.jsonl"

n=$(find "$DEST/corpus" -type f | wc -l | tr -d ' ')
echo "corpus: $DEST/corpus ($n files, npm@$VERSION lib/)"
echo "queries: $DEST/queries.jsonl ($(wc -l < "$DEST/queries.jsonl" | tr -d ' ') questions)"
