#!/usr/bin/env python3
"""Check queries.jsonl against the npm@11.19.1 lib/ directory.

usage: verify.py [QUERIES_JSONL [CORPUS_LIB_DIR]]
       (defaults: queries.jsonl beside this script, /tmp/realq-npm/corpus)

Checks: ids n001..n060 unique and in order; style counts (36 nl,
12 identifier, 6 error, 6 maintenance); 1-4 targets per question, at least
one grade 2, no duplicate or test targets; every target file exists; line and
end_line lie inside the file; the declaration line contains the name's last
component; end_line is a closing brace at the declaration's indentation; for
Class.method names the method sits inside that class; doc_line (if present)
starts the comment block directly above the declaration. Also reports the
number of distinct files, and (as warnings) nl questions that spell out a
target's identifier. Exit status 1 if any check fails.
"""
import json
import os
import re
import sys
from collections import Counter

EXPECTED = {'nl': 36, 'identifier': 12, 'error': 6, 'maintenance': 6}
COMMENT = re.compile(r'^\s*(//|/\*|\*)')
CLOSER = re.compile(r'^\}[\);,]*$')  # '}', '})', '};' ... but not '}) {'


def indent(s):
    return len(s) - len(s.lstrip(' \t'))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    qpath = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'queries.jsonl')
    root = sys.argv[2] if len(sys.argv) > 2 else '/tmp/realq-npm/corpus'
    rows = [json.loads(l) for l in open(qpath, encoding='utf-8') if l.strip()]
    errors, warnings = [], []
    files = {}
    ntargets = 0

    ids = [r['id'] for r in rows]
    if ids != [f'n{i:03d}' for i in range(1, 61)]:
        errors.append(f'ids are not n001..n060 in order: {ids[:3]}... ({len(ids)} rows)')
    if len(set(ids)) != len(ids):
        errors.append('duplicate ids')
    counts = Counter(r['style'] for r in rows)
    if dict(counts) != EXPECTED:
        errors.append(f'style counts {dict(counts)} != {EXPECTED}')
    if len({r['query'] for r in rows}) != len(rows):
        errors.append('duplicate query texts')

    for r in rows:
        rid, ts = r['id'], r['targets']
        if not 1 <= len(ts) <= 4:
            errors.append(f'{rid}: {len(ts)} targets')
        if not any(t['grade'] == 2 for t in ts):
            errors.append(f'{rid}: no grade-2 target')
        if len({(t['file'], t['name']) for t in ts}) != len(ts):
            errors.append(f'{rid}: duplicate target')
        for t in ts:
            ntargets += 1
            f, name = t['file'], t['name']
            where = f'{rid} {f}:{name}'
            if t['grade'] not in (1, 2):
                errors.append(f'{where}: grade {t["grade"]}')
            if re.search(r'(^|/)(test|tests|__tests__)(/|$)|\.test\.js$', f):
                errors.append(f'{where}: test file')
            if f not in files:
                try:
                    files[f] = open(f'{root}/{f}', encoding='utf-8').read().split('\n')
                except OSError as e:
                    errors.append(f'{where}: {e}')
                    continue
            L = files[f]
            a, b = t['line'], t['end_line']
            if not (1 <= a <= b <= len(L)):
                errors.append(f'{where}: lines {a}-{b} outside 1-{len(L)}')
                continue
            decl, end = L[a - 1], L[b - 1]
            last = name.split('.')[-1]
            if last not in decl:
                errors.append(f'{where}: line {a} does not contain {last!r}: {decl.strip()!r}')
            if not CLOSER.match(end.strip()) or indent(end) != indent(decl):
                errors.append(f'{where}: end_line {b} is not a closing brace at indent {indent(decl)}: {end!r}')
            # an earlier line at the declaration's indent that starts with '}'
            # would mean end_line is not the first closing brace
            for k in range(a, b - 1):
                s = L[k]
                if CLOSER.match(s.strip()) and indent(s) == indent(decl):
                    errors.append(f'{where}: line {k + 1} closes before end_line {b}')
                    break
                if s.strip() and indent(s) < indent(decl):
                    # only template-literal continuation lines should do this
                    warnings.append(f'{where}: line {k + 1} dedents below the declaration (template literal?)')
                    break
            if '.' in name:
                cls = name.split('.')[0]
                ci = [i for i in range(a - 1, -1, -1) if re.match(r'^\s*class\s+' + re.escape(cls) + r'\b', L[i])]
                if not ci:
                    errors.append(f'{where}: no class {cls} above line {a}')
                else:
                    c = ci[0]
                    cend = next((j for j in range(c + 1, len(L))
                                 if CLOSER.match(L[j].strip()) and indent(L[j]) == indent(L[c])), None)
                    if cend is None or not (c < a - 1 and b - 1 < cend):
                        errors.append(f'{where}: not inside class {cls}')
                    elif indent(decl) != indent(L[c]) + 2:
                        errors.append(f'{where}: not a direct member of class {cls}')
            elif 'class' in decl:
                pass
            d = t.get('doc_line')
            if d is not None:
                if not (1 <= d < a) or not all(COMMENT.match(L[k]) for k in range(d - 1, a - 1)):
                    errors.append(f'{where}: doc_line {d} is not a comment block ending right above line {a}')
                elif d >= 2 and COMMENT.match(L[d - 2]):
                    errors.append(f'{where}: doc_line {d} is not the first line of the comment block')
            elif a >= 2 and COMMENT.match(L[a - 2]):
                errors.append(f'{where}: comment right above line {a} but no doc_line')
            if r['style'] == 'nl':
                ident = last.lstrip('#')
                if len(ident) >= 4 and re.search(r'(?<![A-Za-z0-9_])' + re.escape(ident) + r'(?![A-Za-z0-9_])',
                                                 r['query'], re.I):
                    warnings.append(f'{rid}: nl query mentions identifier {ident!r}')

    print(f'queries: {len(rows)}  styles: {dict(counts)}')
    print(f'targets: {ntargets}  distinct files: {len(files)}')
    dirs = Counter(f.split('/')[0] if '/' in f else '(top)' for f in files)
    print(f'files by area: {dict(dirs)}')
    for w in warnings:
        print('WARN', w)
    for e in errors:
        print('FAIL', e)
    print('OK' if not errors else f'{len(errors)} failure(s)')
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
