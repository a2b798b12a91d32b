#!/usr/bin/env python3
"""GC allocation and field access: beamr against node (V8) on the same WAT.

  python3 bench/gc_bench.py [--runs 5] [--alloc 100] [--fields 100]

bench/gc/gc.wat has two exports:
  alloc N   N complete binary trees of depth 14 (32,767 structs each),
            each counted (two struct.get per node) and dropped;
  fields N  100,000 structs made once, then N passes of x += y over all
            of them (array.get, 2 struct.get, struct.set per element).
beamr runs the WAT with build/beamr-run (its own text reader, the
interpreter); node 20 runs the same WAT encoded by binaryen's wasm-as
(node 20's V8 11.3 only knows the GC encoding of before the standard,
behind --experimental-wasm-gc, which wasm-as 108 writes). Times are the
call alone (after compiling and instantiating), wall time, best of
--runs; the results must agree. Prints beamr/node ratios.
Needs build/beamr-run (make build/beamr-run), wasm-as and node.
SPDX-License-Identifier: Apache-2.0
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WAT = os.path.join(HERE, 'gc', 'gc.wat')
OUT = os.path.join(ROOT, 'build', 'bench', 'gc')


def beamr(fn, n):
    """(result, ms) of one beamr-run call."""
    # the interpreter, as measured (GC instructions run there in every
    # tier: the native tier leaves them to it)
    p = subprocess.run([os.path.join(ROOT, 'build', 'beamr-run'), '--time',
                        '--tier', 'interp', WAT, fn, str(n)],
                       capture_output=True, text=True, check=True)
    result = int(re.search(r'i32:(-?\d+)', p.stdout).group(1)) & 0xFFFFFFFF
    ms = float(re.search(r'run ([\d.]+) ms', p.stderr).group(1))
    return result, ms


def node(wasm, fn, n):
    p = subprocess.run(['node', '--experimental-wasm-gc',
                        os.path.join(HERE, 'gc', 'node_gc.mjs'), wasm, fn,
                        str(n)], capture_output=True, text=True, check=True)
    result, ms = p.stdout.split()
    return int(result), float(ms)


def best(run, runs):
    results, times = set(), []
    for _ in range(runs):
        r, ms = run()
        results.add(r)
        times.append(ms)
    if len(results) != 1:
        sys.exit('gc_bench: results differ between runs: %s' % results)
    return results.pop(), min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--alloc', type=int, default=100)
    ap.add_argument('--fields', type=int, default=100)
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    wasm = os.path.join(OUT, 'gc_v8.wasm')
    subprocess.check_call(['wasm-as', '--enable-gc',
                           '--enable-reference-types', WAT, '-o', wasm])
    print('| workload | beamr ms | node ms | beamr/node | results |')
    print('|---|---|---|---|---|')
    ok = True
    for fn, n in (('alloc', args.alloc), ('fields', args.fields)):
        br, bms = best(lambda: beamr(fn, n), args.runs)
        nr, nms = best(lambda: node(wasm, fn, n), args.runs)
        ok = ok and br == nr
        print('| %s %d | %.1f | %.1f | %.1fx | %s |' %
              (fn, n, bms, nms, bms / nms,
               'agree' if br == nr else 'DIFFER %d %d' % (br, nr)))
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
