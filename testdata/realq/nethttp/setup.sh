#!/bin/sh
# setup.sh DEST - prepare the net/http real-question eval set in DEST.
# Copies queries.jsonl into DEST and links DEST/corpus to this machine's
# Go net/http sources. Requires go1.26.8 (target line numbers depend on it).
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DEST" >&2
	exit 2
fi
DEST=$1
HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
WANT=go1.26.8

if ! command -v go >/dev/null 2>&1; then
	echo "setup.sh: go not found in PATH; need $WANT" >&2
	exit 1
fi
GOT=$(go env GOVERSION)
if [ "$GOT" != "$WANT" ]; then
	echo "setup.sh: go env GOVERSION is $GOT, need $WANT (target line numbers are for $WANT)" >&2
	exit 1
fi
CORPUS=$(go env GOROOT)/src/net/http
if [ ! -d "$CORPUS" ]; then
	echo "setup.sh: $CORPUS not found" >&2
	exit 1
fi

mkdir -p "$DEST"
cp "$HERE/queries.jsonl" "$DEST/queries.jsonl"
if [ -L "$DEST/corpus" ]; then
	rm -f "$DEST/corpus"
elif [ -e "$DEST/corpus" ]; then
	echo "setup.sh: $DEST/corpus exists and is not a symlink" >&2
	exit 1
fi
ln -s "$CORPUS" "$DEST/corpus"
echo "setup.sh: $DEST ready ($(wc -l <"$DEST/queries.jsonl") queries, corpus -> $CORPUS)"
