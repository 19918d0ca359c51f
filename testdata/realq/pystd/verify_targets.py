#!/usr/bin/env python3
"""Verify queries.jsonl targets against a corpus built by setup.sh.

usage: verify_targets.py CORPUS_DIR [QUERIES_JSONL]

For every target: the file exists, a def/class named like the last
component of `name` starts at `line` (the def/class line, not a decorator),
its enclosing classes match the leading components, and its AST
end_lineno equals `end_line`.  Also checks ids, style counts, grades.
"""
import ast, collections, json, os, sys

EXPECTED_STYLES = {"nl": 24, "identifier": 8, "error": 4, "maintenance": 4}

def defs_by_line(path):
    tree = ast.parse(open(path, encoding="utf-8").read())
    out = {}
    def walk(node, chain):
        for n in ast.iter_child_nodes(node):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                c = chain + [(n.name, isinstance(n, ast.ClassDef))]
                out.setdefault(n.lineno, []).append(([x for x, _ in c], n, [k for _, k in c]))
                walk(n, c)
            else:
                walk(n, chain)
    walk(tree, [])
    return out

def main():
    corpus = sys.argv[1]
    qpath = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "queries.jsonl")
    errors, cache = [], {}
    styles, files, ids = collections.Counter(), set(), []
    ntargets = 0
    for ln, raw in enumerate(open(qpath, encoding="utf-8"), 1):
        if not raw.strip():
            continue
        q = json.loads(raw)
        qid = q["id"]; ids.append(qid); styles[q["style"]] += 1
        ts = q["targets"]
        if not 1 <= len(ts) <= 4:
            errors.append(f"{qid}: {len(ts)} targets")
        if not any(t["grade"] == 2 for t in ts):
            errors.append(f"{qid}: no grade-2 target")
        for t in ts:
            ntargets += 1
            f = t["file"]; files.add(f)
            if f.startswith("test/"):
                errors.append(f"{qid}: target in test/: {f}")
            p = os.path.join(corpus, f)
            if not os.path.isfile(p):
                errors.append(f"{qid}: missing file {f}"); continue
            if p not in cache:
                cache[p] = (defs_by_line(p), open(p, encoding="utf-8").read().splitlines())
            defs, src = cache[p]
            want = t["name"].split(".")
            cands = defs.get(t["line"], [])
            hit = [n for chain, n, _ in cands if chain[-1] == want[-1]]
            if not hit:
                errors.append(f"{qid}: no def/class {want[-1]} at {f}:{t['line']}"); continue
            # enclosing scopes: leading components of `name` must be the
            # enclosing classes (innermost last), e.g. ForkingMixIn.collect_children
            ok = [n for chain, n, kinds in cands
                  if chain[-len(want):] == want and all(kinds[-len(want):-1])]
            if not ok:
                errors.append(f"{qid}: enclosing class mismatch for {t['name']} at {f}:{t['line']}")
                continue
            node = ok[0]
            if node.end_lineno != t["end_line"]:
                errors.append(f"{qid}: {t['name']} end_line {t['end_line']} != ast {node.end_lineno}")
            if not src[t["end_line"] - 1].strip():
                errors.append(f"{qid}: end_line {t['end_line']} is blank")
    if ids != ["p%03d" % i for i in range(1, len(ids) + 1)] or len(ids) != 40:
        errors.append(f"ids not p001..p040 in order: {ids[:3]}... n={len(ids)}")
    if dict(styles) != EXPECTED_STYLES:
        errors.append(f"style counts {dict(styles)} != {EXPECTED_STYLES}")
    if len(files) < 15:
        errors.append(f"only {len(files)} distinct files")
    print(f"queries={len(ids)} targets={ntargets} files={len(files)} styles={dict(styles)}")
    for e in errors:
        print("FAIL", e)
    print("OK" if not errors else f"{len(errors)} failure(s)")
    return 1 if errors else 0

if __name__ == "__main__":
    sys.exit(main())
