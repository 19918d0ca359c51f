#!/usr/bin/env python3
"""Verify queries.jsonl targets against the net/http corpus.

Usage: verify.py [QUERIES] [CORPUS_DIR]
Checks: ids h001..h040 unique; style counts (nl 24, identifier 8, error 4,
maintenance 4); 1-4 targets, >=1 grade 2, no _test.go; file exists; `line`
is a func/type decl naming the last name component (with the right receiver
for methods); `end_line` is the brace matching the decl's opening brace
(found with a Go-aware scanner that skips strings, runes and comments) and
is `}` at column 0; `doc_line` starts an unbroken // block ending at line-1.
"""
import collections, json, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
WANT_STYLES = {"nl": 24, "identifier": 8, "error": 4, "maintenance": 4}


def match_brace(src, start):
    """Given src text and offset of a decl line start, return the 1-based line
    of the brace closing the decl's body, or the decl's last line if the decl
    ends (outside any parentheses) without opening a brace, e.g. `type T int`."""
    i, n, depth, opened = start, len(src), 0, False
    line = src.count("\n", 0, start) + 1
    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
            if not opened and depth == 0:
                # decl ended without any brace, e.g. `type T int`
                return line - 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            line += src.count("\n", i, j)
            i = j + 2
            continue
        elif c == '"' or c == "'":
            j = i + 1
            while src[j] != c:
                j += 2 if src[j] == "\\" else 1
            i = j + 1
            continue
        elif c == "`":
            j = src.find("`", i + 1)
            line += src.count("\n", i, j)
            i = j + 1
            continue
        elif c in "{(":
            if c == "{":
                opened = True
            depth += 1
        elif c in "})":
            depth -= 1
            if depth == 0 and c == "}" and opened:
                return line
        i += 1
    return None


def main():
    qpath = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "queries.jsonl")
    corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        subprocess.check_output(["go", "env", "GOROOT"], text=True).strip(), "src/net/http")
    qs = [json.loads(l) for l in open(qpath, encoding="utf-8") if l.strip()]
    errs, ntargets, files, cache = [], 0, set(), {}
    ids = [q["id"] for q in qs]
    if ids != [f"h{i:03d}" for i in range(1, 41)]:
        errs.append(f"ids not h001..h040 in order: {ids}")
    if len(set(ids)) != len(ids):
        errs.append("duplicate ids")
    styles = collections.Counter(q["style"] for q in qs)
    if dict(styles) != WANT_STYLES:
        errs.append(f"style counts {dict(styles)} != {WANT_STYLES}")
    for q in qs:
        qid, ts = q["id"], q["targets"]
        if not q["query"].strip():
            errs.append(f"{qid}: empty query")
        if not 1 <= len(ts) <= 4:
            errs.append(f"{qid}: {len(ts)} targets")
        if not any(t["grade"] == 2 for t in ts):
            errs.append(f"{qid}: no grade-2 target")
        seen = set()
        for t in ts:
            ntargets += 1
            f, name, ln = t["file"], t["name"], t["line"]
            tag = f"{qid} {f}:{name}"
            if (f, name) in seen:
                errs.append(f"{tag}: duplicate target")
            seen.add((f, name))
            if t["grade"] not in (1, 2):
                errs.append(f"{tag}: bad grade")
            if f.endswith("_test.go"):
                errs.append(f"{tag}: test file")
            p = os.path.join(corpus, f)
            if not os.path.isfile(p):
                errs.append(f"{tag}: missing file")
                continue
            files.add(f)
            if p not in cache:
                src = open(p, encoding="utf-8").read()
                cache[p] = (src, src.split("\n"))
            src, lines = cache[p]
            decl = lines[ln - 1]
            last = name.split(".")[-1]
            if "." in name:
                recv = name.split(".")[0]
                ok = re.match(r"^func \(\s*\w*\s*\*?" + re.escape(recv) + r"(\[[^\]]*\])?\s*\)\s*"
                              + re.escape(last) + r"\s*[\[(]", decl)
            else:
                ok = re.match(r"^(func|type) " + re.escape(last) + r"\b", decl)
            if not ok or not re.search(r"\b" + re.escape(last) + r"\b", decl):
                errs.append(f"{tag}: line {ln} is not the decl: {decl!r}")
                continue
            off = sum(len(l) + 1 for l in lines[: ln - 1])
            end = match_brace(src, off)
            if t["end_line"] != end:
                errs.append(f"{tag}: end_line {t['end_line']} != matching brace {end}")
            elif end != ln and lines[end - 1] != "}":
                errs.append(f"{tag}: end_line {end} is not '}}' at column 0: {lines[end-1]!r}")
            elif end == ln and not (decl.rstrip().endswith("}") or decl.startswith("type ")):
                errs.append(f"{tag}: one-line decl does not close on its line: {decl!r}")
            if "doc_line" in t:
                d = t["doc_line"]
                if not (d < ln and all(lines[k - 1].startswith("//") for k in range(d, ln))):
                    errs.append(f"{tag}: doc_line {d} does not start a // block up to {ln}")
                elif d > 1 and lines[d - 2].startswith("//"):
                    errs.append(f"{tag}: doc_line {d} is not the first line of the block")
                elif lines[d - 1].startswith("//go:"):
                    errs.append(f"{tag}: doc_line {d} is a directive, not a doc comment")
            elif ln > 1 and lines[ln - 2].startswith("//"):
                errs.append(f"{tag}: has a doc comment above line {ln} but no doc_line")
    print(f"queries: {len(qs)}  targets: {ntargets}  files: {len(files)}  styles: {dict(styles)}")
    for e in errs:
        print("FAIL", e)
    print("OK" if not errs else f"{len(errs)} failure(s)")
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
