#!/usr/bin/env python3
"""Cross-file calls between object files, and the cycles among them.

Reads `nm` of the given object files (or of every .o under the given
directories): a file A calls a file B when A has an undefined symbol
that B defines. Calls must point one way (docs/engine-layers.md), so a
group of files that reach each other in a circle is an error: each one
is printed with the calls inside it, and the exit status is 1.

    tools/layers.py build/obj/c_src/engine build/nif
    tools/layers.py --list build/obj/c_src/engine   # every call, too

Only calls between the given files count: the C library and the BEAM's
enif_* functions are outside. Exit status 0: no cycle; 1: a cycle;
2: bad usage or nm failed.
"""
# SPDX-License-Identifier: Apache-2.0

import os
import subprocess
import sys

# nm's letters for symbols a file defines (text, data, bss, read-only,
# common, weak).
DEFINED = set("TDBRCVWGS")


def object_files(paths):
    """The .o files named or found under the given directories."""
    found = []
    for path in paths:
        if os.path.isdir(path):
            for root, _, names in os.walk(path):
                found += [os.path.join(root, n) for n in names
                          if n.endswith(".o")]
        else:
            found.append(path)
    return sorted(found)


def source_name(obj):
    """A short name for an object: its source path when recognisable."""
    name = obj[:-2] + ".c" if obj.endswith(".o") else obj
    for prefix, repl in (("build/obj/", ""), ("build/nif/", "c_src/nif/")):
        idx = name.find(prefix)
        if idx >= 0:
            return repl + name[idx + len(prefix):]
    return name


def read_symbols(obj):
    """(defined, undefined) global symbol sets of one object file."""
    out = subprocess.run(["nm", "-g", obj], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"layers: nm {obj}: {out.stderr.strip()}")
    defined, undefined = set(), set()
    for line in out.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[-2] == "U":
            undefined.add(fields[-1])
        elif len(fields) == 3 and fields[1].upper() in DEFINED:
            defined.add(fields[2])
    return defined, undefined


def call_graph(objs):
    """{file: {callee file: sorted symbols}} over the given objects."""
    symbols = {source_name(o): read_symbols(o) for o in objs}
    owner = {}
    for name, (defined, _) in symbols.items():
        for sym in defined:
            owner[sym] = name
    graph = {name: {} for name in symbols}
    for name, (_, undefined) in symbols.items():
        for sym in undefined:
            callee = owner.get(sym)
            if callee and callee != name:
                graph[name].setdefault(callee, []).append(sym)
    for edges in graph.values():
        for syms in edges.values():
            syms.sort()
    return graph


def cycles(graph):
    """Strongly connected components of more than one file (Tarjan's
    algorithm, iterative so that deep graphs cannot hit the recursion
    limit)."""
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    result.append(sorted(group))
    return sorted(result)


def print_calls(graph, files, out):
    """The calls from each of `files` to the others among them."""
    for name in sorted(files):
        for callee, syms in sorted(graph[name].items()):
            if callee in files:
                out.write(f"  {name} -> {callee}: {' '.join(syms)}\n")


def main(argv):
    show_all = "--list" in argv
    paths = [a for a in argv if a != "--list"]
    if not paths:
        sys.stderr.write(__doc__)
        return 2
    objs = object_files(paths)
    if not objs:
        sys.stderr.write(f"layers: no object files in {' '.join(paths)}\n")
        return 2
    graph = call_graph(objs)
    if show_all:
        print(f"calls between {len(graph)} files:")
        print_calls(graph, set(graph), sys.stdout)
    found = cycles(graph)
    for group in found:
        print(f"cycle among {len(group)} files: {' '.join(group)}")
        print_calls(graph, set(group), sys.stdout)
    print(f"layers: {len(graph)} files, "
          f"{sum(len(e) for e in graph.values())} cross-file call edges, "
          f"{len(found)} cycle(s)")
    # the counts line test/summary.sh adds up in `make test`
    print(f"tools/layers.py: {0 if found else 1} passed, {len(found)} failed")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
