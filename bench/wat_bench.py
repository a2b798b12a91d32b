#!/usr/bin/env python3
"""WAT parse speed: beamr's text format against wabt's wat2wasm.

  python3 bench/wat_bench.py [--mb 16] [--runs 5] [--no-spec]

1. A large generated module (build/bench/wat/large.wat, --mb MB of text:
   functions with locals, folded and flat instructions, integer and
   float literals, blocks, loops, ifs, memory accesses, calls): beamr
   (in-process, best of --runs) against `wat2wasm` (a process, best of 3;
   its start-up is a few ms of the total). Prints MB/s and the ratio, and
   whether both outputs are byte-for-byte equal.
2. The spec suite (../shared/spec, every .wast): beamr's br_wast_parse
   (reads each script and encodes all its modules) against `wast2json`
   with the MANIFEST flags (which also writes the .wasm and .json files).
3. Byte-for-byte comparison of every `module` command of the suite:
   beamr's encoding against wast2json's .wasm files.
Needs build/libbeamr.a (make build/libbeamr.a) and wabt.
SPDX-License-Identifier: Apache-2.0
"""
import argparse
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, 'build', 'bench', 'wat')
SPEC = os.environ.get('SPEC_DIR', os.path.join(ROOT, '..', 'shared', 'spec'))


def build_tool():
    lib = os.path.join(ROOT, 'build', 'libbeamr.a')
    if not os.path.exists(lib):
        sys.exit('wat_bench: build/libbeamr.a missing (make build/libbeamr.a)')
    exe = os.path.join(OUT, 'wat-bench')
    subprocess.check_call(['gcc', '-O2', '-std=c11', '-D_GNU_SOURCE',
                           '-I', os.path.join(ROOT, 'c_src', 'engine'),
                           os.path.join(HERE, 'tools', 'wat_bench.c'), lib,
                           '-lm', '-o', exe])
    return exe


def gen_func(rng, k, out):
    """One function of the generated module (about 1 KB of text)."""
    out.append('  (func $f%d (export "f%d") (param $a i32) (param $b i64) '
               '(result i32)\n    (local $x i32) (local $y f64) '
               '(local $z i64)\n' % (k, k))
    for j in range(6):
        c = rng.randrange(1 << 31)
        out.append('    (local.set $x (i32.add (local.get $a) '
                   '(i32.const %d)))\n' % c)
        out.append('    (local.set $y (f64.mul (f64.convert_i32_s '
                   '(local.get $x)) (f64.const %r)))\n' % (rng.random() * 1e6))
        out.append('    block $b%d\n      loop $l%d\n'
                   '        local.get $x\n        i32.const 1\n'
                   '        i32.sub\n        local.tee $x\n'
                   '        i32.eqz\n        br_if $b%d\n'
                   '        (i64.store offset=8 (i32.and (local.get $x) '
                   '(i32.const 0xfff8)) (i64.const 0x%x))\n'
                   '        br $l%d\n      end\n    end\n'
                   % (j, j, j, rng.randrange(1 << 63), j))
    callee = rng.randrange(k + 1)
    out.append('    (if (result i32) (i32.gt_u (local.get $x) (i32.const 7))\n'
               '      (then (call $f%d (local.get $x) (local.get $b)))\n'
               '      (else (i32.wrap_i64 (local.get $b)))))\n' % callee)


def gen_large(mb):
    path = os.path.join(OUT, 'large.wat')
    rng = random.Random(2026)
    out = ['(module\n  (memory 1)\n']
    size, k = 0, 0
    while size < mb * 1e6:
        part = []
        gen_func(rng, k, part)
        text = ''.join(part)
        size += len(text)
        out.append(text)
        k += 1
    out.append(')\n')
    with open(path, 'w') as f:
        f.write(''.join(out))
    return path


def best_time(cmd, runs):
    best = None
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.check_call(cmd, stdout=subprocess.DEVNULL)
        t = time.perf_counter() - t0
        best = t if best is None or t < best else best
    return best


def beamr_times(exe, files, runs):
    out = subprocess.check_output([exe, '--runs', str(runs)] + files,
                                  text=True)
    total_bytes, total_ms = 0, 0.0
    for line in out.splitlines():
        _, size, ms, _ = line.split('\t')
        total_bytes += int(size)
        total_ms += float(ms)
    return total_bytes, total_ms / 1e3


def large_module(exe, mb, runs):
    path = gen_large(mb)
    ours = os.path.join(OUT, 'large.beamr.wasm')
    theirs = os.path.join(OUT, 'large.wabt.wasm')
    size, t_beamr = beamr_times(exe, ['--emit', ours, path], runs)
    t_wabt = best_time(['wat2wasm', path, '-o', theirs], 3)
    same = open(ours, 'rb').read() == open(theirs, 'rb').read()
    print('large module: %.1f MB of WAT' % (size / 1e6))
    print('  beamr     %8.1f ms  %7.1f MB/s' % (t_beamr * 1e3,
                                                size / 1e6 / t_beamr))
    print('  wat2wasm  %8.1f ms  %7.1f MB/s' % (t_wabt * 1e3,
                                                size / 1e6 / t_wabt))
    print('  ratio (wat2wasm time / beamr time): %.1fx' % (t_wabt / t_beamr))
    print('  outputs byte-for-byte equal: %s' % ('yes' if same else 'NO'))


def manifest_flags():
    flags = {}
    with open(os.path.join(SPEC, 'MANIFEST.tsv')) as f:
        for line in f.read().splitlines()[1:]:
            cols = line.split('\t')
            flags[cols[0]] = [] if cols[2] == '-' else cols[2].split()
    return flags


def spec_files():
    return sorted(os.path.relpath(p, SPEC) for p in
                  glob.glob(os.path.join(SPEC, 'core', '*.wast')) +
                  glob.glob(os.path.join(SPEC, 'proposals', '*', '*.wast')))


def spec_suite(exe, runs, tmp):
    files = spec_files()
    flags = manifest_flags()
    paths = [os.path.join(SPEC, f) for f in files]
    size, t_beamr = beamr_times(exe, paths, runs)
    t0 = time.perf_counter()
    for f in files:
        out = os.path.join(tmp, f.replace('/', '_') + '.json')
        subprocess.check_call(['wast2json'] + flags.get(f, []) +
                              [os.path.join(SPEC, f), '-o', out],
                              stdout=subprocess.DEVNULL)
    t_wabt = time.perf_counter() - t0
    print('spec suite: %d scripts, %.1f MB of text' % (len(files), size / 1e6))
    print('  beamr (read + encode every module)  %7.1f ms  %6.1f MB/s'
          % (t_beamr * 1e3, size / 1e6 / t_beamr))
    print('  wast2json (also writes files)       %7.1f ms  %6.1f MB/s'
          % (t_wabt * 1e3, size / 1e6 / t_wabt))
    print('  ratio: %.1fx' % (t_wabt / t_beamr))
    return files


def compare_modules(exe, files, tmp):
    """beamr's bytes of each module command against wast2json's."""
    equal, differ, missing, diffs = 0, 0, 0, []
    for f in files:
        base = os.path.join(tmp, f.replace('/', '_'))
        with open(base + '.json') as jf:
            cmds = [c for c in json.load(jf)['commands']
                    if c['type'] == 'module']
        ddir = base + '.beamr'
        os.makedirs(ddir, exist_ok=True)
        subprocess.check_call([exe, '--dump', ddir, os.path.join(SPEC, f)],
                              stdout=subprocess.DEVNULL)
        for n, c in enumerate(cmds):
            ours = os.path.join(ddir, '%d.wasm' % n)
            theirs = os.path.join(tmp, c['filename'])
            if not os.path.exists(ours):
                missing += 1
                continue
            a, b = open(ours, 'rb').read(), open(theirs, 'rb').read()
            if a == b:
                equal += 1
            else:
                differ += 1
                diffs.append('%s:%d' % (f, c['line']))
    print('module commands byte-for-byte: %d equal, %d differ, %d missing'
          % (equal, differ, missing))
    for d in diffs[:40]:
        print('  differs: ' + d)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--mb', type=float, default=16)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--no-spec', action='store_true')
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    for tool in ('wat2wasm', 'wast2json'):
        if not shutil.which(tool):
            sys.exit('wat_bench: %s not found (apt-get install wabt)' % tool)
    exe = build_tool()
    large_module(exe, args.mb, args.runs)
    if args.no_spec:
        return
    tmp = tempfile.mkdtemp(prefix='beamr-watbench.')
    try:
        files = spec_suite(exe, args.runs, tmp)
        compare_modules(exe, files, tmp)
    finally:
        shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
