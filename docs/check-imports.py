#!/usr/bin/env python3
"""Exits 1 if two files of src/ import each other, directly or in a loop.

Reads each file's `use crate::…` and `use super::…` declarations (test modules included), resolves
each path to the file that defines the module it names, and looks for circles between files.
A parent's `mod`/`pub use` of its children is not an import here: the face of a module may hand
its children's names on."""
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
src = root / 'src'


def module_of(f):
    parts = list(f.relative_to(src).with_suffix('').parts)
    if parts[-1] == 'mod' or parts == ['lib'] or parts == ['main']:
        parts = parts[:-1]
    return parts


def file_of(mod):
    """The file defining the longest prefix of `mod` that is a module."""
    for n in range(len(mod), 0, -1):
        for cand in (src.joinpath(*mod[:n]).with_suffix('.rs'), src.joinpath(*mod[:n], 'mod.rs')):
            if cand.is_file():
                return cand
    return None


def paths(tree):
    """Every path a use tree names, flattened: `a::{b, c::d}` → a::b, a::c::d."""
    tree = re.sub(r'\s+', '', tree)
    out, depth, start = [], 0, 0
    m = re.match(r'^([\w:]*?)(::)?\{(.*)\}$', tree)
    if not m:
        return [tree.split(' as ')[0]]
    head, inner = m.group(1), m.group(3)
    parts = []
    for i, ch in enumerate(inner + ','):
        if ch == '{':
            depth += 1
        elif ch == '}':
            depth -= 1
        elif ch == ',' and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    for p in parts:
        if p:
            out += [f'{head}::{q}' if head else q for q in paths(p)]
    return out


edges = {}
for f in sorted(src.rglob('*.rs')):
    here = module_of(f)
    text = re.sub(r'//[^\n]*', '', f.read_text())
    for m in re.finditer(r'\buse\s+([^;]+);', text):
        for p in paths(m.group(1)):
            segs = [s for s in p.split('::') if s]
            if not segs:
                continue
            if segs[0] == 'crate':
                mod = segs[1:]
            elif segs[0] == 'super':
                base = here if f.name == 'mod.rs' else here
                base = list(base)
                while segs and segs[0] == 'super':
                    base = base[:-1]
                    segs = segs[1:]
                mod = base + segs
            else:
                continue
            target = file_of([s for s in mod if s not in ('*', 'self')])
            if target and target != f:
                edges.setdefault(f, set()).add(target)

# Tarjan's strongly connected components: each component of more than one file is a circle.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges.get(v, ()):
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(comp)


sys.setrecursionlimit(10000)
for v in list(edges):
    if v not in index:
        visit(v)
for comp in sccs:
    print('import circle: ' + ', '.join(str(p.relative_to(root)) for p in sorted(comp)))
sys.exit(1 if sccs else 0)
