#!/usr/bin/env python3
"""Checks the links of README.md, SECURITY.md and docs/*.md: every relative link's file exists
and every #anchor names a heading of its target (GitHub's anchor rules). With --paths, also
checks that backticked repository paths (`src/...`, `tests/...`, ...) exist. Exit 1 on a
broken link. Usage: docs/check-links.py [--paths]"""
import re, sys, pathlib, unicodedata

root = pathlib.Path(__file__).resolve().parent.parent
files = [root / 'README.md', root / 'SECURITY.md'] + sorted((root / 'docs').glob('*.md'))

def strip_code(text):
    text = re.sub(r'^```.*?^```', '', text, flags=re.S | re.M)
    return re.sub(r'`[^`\n]*`', '', text)

def anchors(path):
    out, seen = set(), {}
    text = re.sub(r'^```.*?^```', '', path.read_text(), flags=re.S | re.M)
    for m in re.finditer(r'^#{1,6}\s+(.*?)\s*#*\s*$', text, flags=re.M):
        h = m.group(1).strip().lower()
        h = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', h)
        h = ''.join(c for c in h if c in ' -_' or unicodedata.category(c)[0] in 'LN')
        h = h.replace(' ', '-')
        n = seen.get(h, 0)
        seen[h] = n + 1
        out.add(h if n == 0 else f'{h}-{n}')
    return out

bad = 0
for f in files:
    for m in re.finditer(r'\]\(([^)\s]+)\)', strip_code(f.read_text())):
        target = m.group(1)
        if re.match(r'[a-z]+:', target):
            continue
        file_part, _, anchor = target.partition('#')
        dest = (f.parent / file_part).resolve() if file_part else f
        rel = f.relative_to(root)
        if not dest.exists():
            print(f'{rel}: broken link {target} (no file {file_part})'); bad += 1
        elif anchor and dest.suffix == '.md' and anchor not in anchors(dest):
            print(f'{rel}: broken link {target} (no heading #{anchor} in {dest.relative_to(root)})'); bad += 1

if '--paths' in sys.argv:
    for f in files:
        for m in re.finditer(r'`((?:src|tests|benches|fuzz|patterns|examples|\.ci)/[^`\s:]*)`', f.read_text()):
            p = m.group(1).rstrip('.,;')
            if '*' in p or '<' in p or '…' in p:
                continue
            if not (root / p).exists():
                print(f'{f.relative_to(root)}: path `{p}` does not exist')
sys.exit(1 if bad else 0)
