#!/bin/sh
# setup.sh DEST -- build the pystd evaluation corpus (CPython 3.11.7 stdlib slice)
# Copies a fixed list of stdlib modules/packages and their tests into DEST/corpus
# and copies queries.jsonl (from beside this script) into DEST/.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DEST" >&2
    exit 2
fi
DEST=$1
HERE=$(cd "$(dirname "$0")" && pwd)

PROBE='import sys, sysconfig
if sys.version_info[:3] != (3, 11, 7):
    sys.exit(1)
print(sysconfig.get_paths()["stdlib"])'

STDLIB=""
for py in python3 /root/.pyenv/versions/3.11.7/bin/python3 python3.11; do
    if command -v "$py" >/dev/null 2>&1 || [ -x "$py" ]; then
        if out=$("$py" -c "$PROBE" 2>/dev/null); then
            STDLIB=$out
            break
        fi
    fi
done
if [ -z "$STDLIB" ] || [ ! -d "$STDLIB" ]; then
    echo "error: need a Python 3.11.7 (sys.version_info[:3] == (3, 11, 7)); tried python3," >&2
    echo "       /root/.pyenv/versions/3.11.7/bin/python3 and python3.11 -- none matched." >&2
    echo "       Query line numbers are pinned to 3.11.7, so other versions are refused." >&2
    exit 1
fi
echo "using stdlib: $STDLIB"

mkdir -p "$DEST/corpus"
CORPUS=$(cd "$DEST/corpus" && pwd)

# Entries: packages (directories) and single modules. Only *.py files are
# copied; __pycache__ and non-.py data files are skipped. Missing entries are skipped.
ENTRIES="http urllib email logging json ssl.py socketserver.py mimetypes.py
test/test_httplib.py test/test_httpservers.py test/test_urllib.py
test/test_urllib2.py test/test_urlparse.py test/test_http_cookiejar.py
test/test_http_cookies.py test/test_logging.py test/test_json test/test_email
test/test_mimetypes.py test/test_socketserver.py"

cd "$STDLIB"
for e in $ENTRIES; do
    if [ -d "$e" ]; then
        find "$e" -name __pycache__ -prune -o -type f -name '*.py' -print |
        while IFS= read -r f; do
            mkdir -p "$CORPUS/$(dirname "$f")"
            cp "$f" "$CORPUS/$f"
        done
    elif [ -f "$e" ]; then
        mkdir -p "$CORPUS/$(dirname "$e")"
        cp "$e" "$CORPUS/$e"
    else
        echo "note: $e not present, skipped" >&2
    fi
done

cp "$HERE/queries.jsonl" "$DEST/queries.jsonl"
n=$(find "$CORPUS" -type f -name '*.py' | wc -l)
echo "copied $n files into $CORPUS"
