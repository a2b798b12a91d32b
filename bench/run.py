#!/usr/bin/env python3
# Benchmark driver: builds the programs in bench/src natively (gcc) and to
# wasm32-wasi (clang), runs them on native, node (V8) and beamr, checks
# that every runtime prints the same checksums, and reports medians,
# ratios to native and their geometric means, plus start-up figures.
# SPDX-License-Identifier: Apache-2.0
"""Usage: run.py [--quick] [--runs N] [--only a,b] [--runtimes r1,r2]
                 [--no-startup] [--timeout S] [--json FILE] [--md FILE]"""

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SRC = os.path.join(HERE, 'src')
OUT = os.path.join(ROOT, 'build', 'bench')
BEAMR_RUN = os.environ.get('BEAMR_RUN', os.path.join(ROOT, 'build',
                                                     'beamr-run'))
# Runs a WASI program through the BEAM, as `CMD prog.wasm args...`; the
# default needs the built Erlang application (ebin/ and priv/).
BEAM_RUN = os.environ.get('BEAMR_BEAM_RUN',
                          os.path.join(HERE, 'beam_run.escript'))
BEAM_READY = os.path.exists(os.path.join(ROOT, 'ebin', 'beamr.beam')) and \
    os.path.exists(os.path.join(ROOT, 'priv', 'beamr_nif.so')) or \
    'BEAMR_BEAM_RUN' in os.environ

GCC = os.environ.get('BENCH_GCC', 'gcc')
CLANG = os.environ.get('BENCH_CLANG', 'clang')
COMMON = ['-O2', '-ffp-contract=off', '-std=c11', '-Wall', '-Wextra',
          '-Werror']
NATIVE_FLAGS = COMMON
WASM_FLAGS = COMMON + ['--target=wasm32-wasi', '-Wl,--strip-debug']

# name, full args, quick args, extra native flags, extra wasm flags, beam
BENCHES = [
    ('fib', ['40'], ['22'], [], [], True),
    ('sieve', ['8000000', '14'], ['20000', '2'], [], [], False),
    ('matmul', ['256', '35'], ['24', '2'], [], [], True),
    ('sha256', ['64'], ['1'], [], [], True),
    ('nbody', ['3000000'], ['5000'], [], [], False),
    ('memloops', ['1024', '180'], ['16', '2'],
     ['-fno-builtin', '-fno-tree-loop-distribute-patterns'],
     ['-fno-builtin'], False),
    ('bulkmem', ['16', '1800'], ['1', '20'], [], ['-mbulk-memory'], False),
    ('calls', ['30000'], ['100'], [], [], True),
    ('vm', ['60000', '16384'], ['300', '32'], [], [], False),
    ('compress', ['128'], ['4'], [], [], True),
    # one source, two wasm builds: with v128 instructions and without
    ('simd_dot', ['64', '1300'], ['4', '3'], [], ['-msimd128'], False),
    ('simd_dot_scalar', ['64', '1300'], ['4', '3'], [], [], False),
]
# Programs built from another program's source (name -> source name).
SOURCE_OF = {'simd_dot_scalar': 'simd_dot'}

# Start-up modules: name, generator target size in bytes (0 = tiny).
STARTUP = [('tiny', 0), ('630k', 630 * 1024), ('3.5m', 3584 * 1024)]


def log(msg):
    print(msg, flush=True)


def stale(out, deps):
    if not os.path.exists(out):
        return True
    t = os.path.getmtime(out)
    return any(os.path.getmtime(d) > t for d in deps)


def build_all(benches):
    """Compiles each program natively and to wasm when out of date."""
    os.makedirs(os.path.join(OUT, 'native'), exist_ok=True)
    os.makedirs(os.path.join(OUT, 'wasm'), exist_ok=True)
    hdr = os.path.join(SRC, 'bench.h')
    for name, _, _, nflags, wflags, _ in benches:
        src = os.path.join(SRC, SOURCE_OF.get(name, name) + '.c')
        nat = os.path.join(OUT, 'native', name)
        wasm = os.path.join(OUT, 'wasm', name + '.wasm')
        if stale(nat, [src, hdr, __file__]):
            run_checked([GCC] + NATIVE_FLAGS + nflags + [src, '-o', nat,
                                                         '-lm'])
        if stale(wasm, [src, hdr, __file__]):
            run_checked([CLANG] + WASM_FLAGS + wflags + [src, '-o', wasm])


def run_checked(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0:
        sys.exit('build failed: %s\n%s' % (' '.join(cmd), r.stdout))


def beamr_has_wasi(probe_bench):
    """Does build/beamr-run run WASI command modules yet? Until the WASI
    layer lands it refuses their imports; the suite then skips it."""
    name, _, small = probe_bench[:3]
    r = subprocess.run([BEAMR_RUN, wasm_path(name), '--'] + small,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=300)
    if 'unknown import wasi_snapshot_preview1' in r.stdout:
        log('note: %s cannot run WASI programs yet (%s); skipping it' %
            (BEAMR_RUN, r.stdout.strip().splitlines()[-1]))
        return False
    return True


def runtimes(wanted, probe_bench):
    """Available runtimes: name -> function(program, args) -> argv."""
    rts = {'native': lambda n, a: [os.path.join(OUT, 'native', n)] + a}
    node = shutil.which('node')
    if node:
        rts['node'] = lambda n, a: [node, '--no-warnings',
                                    os.path.join(HERE, 'node_wasi.mjs'),
                                    wasm_path(n)] + a
    beamr_tiers = {'beamr', 'beamr-native'}
    if os.access(BEAMR_RUN, os.X_OK) and \
            (not wanted or wanted & beamr_tiers) and \
            beamr_has_wasi(probe_bench):
        rts['beamr'] = lambda n, a: [BEAMR_RUN, '--tier', 'interp',
                                     wasm_path(n), '--'] + a
        # the native tier (docs/native-tier.md), beside the interpreter
        rts['beamr-native'] = lambda n, a: [BEAMR_RUN, '--tier', 'native',
                                            wasm_path(n), '--'] + a
    if BEAM_READY and shutil.which('escript') and os.access(BEAM_RUN,
                                                            os.X_OK):
        rts['beam'] = lambda n, a: [BEAM_RUN, wasm_path(n)] + a
    if wanted:
        rts = {k: v for k, v in rts.items() if k in wanted}
    return rts


def wasm_path(name):
    return os.path.join(OUT, 'wasm', name + '.wasm')


def run_once(argv, timeout):
    """One whole-process run: (wall seconds, max RSS KiB, rc, stdout).
    The child's CPU seconds (user + sys) are left in run_once.cpu."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        # A blocking wait4 keeps the timing exact; a timer kills runaways.
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        timer.cancel()
        run_once.cpu = ru.ru_utime + ru.ru_stime
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode('utf-8', 'replace')
        if p.returncode == -9 and dt >= timeout:
            return None, 0, -9, 'timeout after %ss' % timeout
    return dt, ru.ru_maxrss, p.returncode, text


def bench_all(benches, rts, runs, quick, timeout, long_run):
    """Runs every program on every runtime; returns results and failures."""
    results, failures = {}, []
    for name, full, small, _, _, on_beam in benches:
        args = small if quick else full
        results[name] = {}
        reference = None
        for rt, make in rts.items():
            if rt == 'beam' and not on_beam and not quick:
                continue
            times, cpus, rss, ok = [], [], 0, True
            for _ in range(runs):
                dt, kib, rc, text = run_once(make(name, args), timeout)
                if reference is None and rt == 'native':
                    reference = text
                if rc != 0 or text != reference:
                    failures.append((name, rt, rc, text, reference))
                    ok = False
                    break
                times.append(dt)
                cpus.append(run_once.cpu)
                rss = max(rss, kib)
                # A slow runtime gets one run per program, not `runs`, so
                # that the whole suite stays within its time budget.
                if dt > long_run:
                    break
            if ok:
                results[name][rt] = {'median': statistics.median(times),
                                     'runs': times,
                                     'cpu_median': statistics.median(cpus),
                                     'cpu_runs': cpus, 'max_rss_kib': rss}
                log('  %-9s %-7s %8.3f s wall %8.3f s cpu  (%s)' % (
                    name, rt, statistics.median(times),
                    statistics.median(cpus),
                    ' '.join('%.3f' % t for t in times)))
            else:
                log('  %-9s %-7s FAILED' % (name, rt))
    return results, failures


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def table(results, rts, key='median'):
    """Markdown table: median seconds (wall, or CPU with key='cpu_median')
    and the ratio to native per runtime."""
    cols = [r for r in rts if r != 'native']
    head = '| program | native s | ' + ' | '.join(
        '%s s | %s/native' % (c, c) for c in cols) + ' |'
    lines = [head, '|' + '---|' * (2 + 2 * len(cols))]
    ratios = {c: [] for c in cols}
    for name, per in results.items():
        nat = per.get('native', {}).get(key)
        row = ['%s' % name, '%.3f' % nat if nat else 'n/a']
        for c in cols:
            m = per.get(c, {}).get(key)
            if m is None or not nat:
                row += ['n/a', 'n/a']
                continue
            ratios[c].append(m / nat)
            row += ['%.3f' % m, '%.2f' % (m / nat)]
        lines.append('| ' + ' | '.join(row) + ' |')
    geo = ['**geometric mean**', '']
    for c in cols:
        g = geomean(ratios[c])
        geo += ['', '**%.2f**' % g if g else 'n/a']
    lines.append('| ' + ' | '.join(geo) + ' |')
    return '\n'.join(lines)


def gen_startup_modules():
    d = os.path.join(OUT, 'startup')
    os.makedirs(d, exist_ok=True)
    gen = os.path.join(HERE, 'gen_module.py')
    paths = []
    for name, size in STARTUP:
        p = os.path.join(d, name + '.wasm')
        if stale(p, [gen]):
            subprocess.run([sys.executable, gen, p, str(size)], check=True,
                           stdout=subprocess.DEVNULL)
        paths.append((name, p))
    return paths


def engine_probe():
    """Builds tools/startup.c against the engine library, if one exists
    (BEAMR_ENGINE_LIB, else build/libbeamr.a: the plain optimised build,
    not the sanitizer or switch-dispatch variants). Returns the probe's
    path or None."""
    libs = [os.environ.get('BEAMR_ENGINE_LIB') or
            os.path.join(ROOT, 'build', 'libbeamr.a')]
    libs = [lib for lib in libs if os.path.exists(lib)]
    src = os.path.join(HERE, 'tools', 'startup.c')
    util = os.path.join(HERE, 'tools', 'tool_util.h')
    probe = os.path.join(OUT, 'startup-probe')
    for lib in libs:
        nm = subprocess.run(['nm', lib], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True).stdout
        if ' T br_engine_new' not in nm:
            continue
        if stale(probe, [src, util, lib]):
            r = subprocess.run([GCC, '-std=c11', '-D_GNU_SOURCE', '-O2',
                                '-I', os.path.join(ROOT, 'c_src', 'engine'),
                                src, lib, '-lm', '-o', probe],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                log('  startup probe does not link against %s:\n%s' %
                    (lib, r.stdout[-600:]))
                continue
        return probe
    return None


def startup(rts, runs, timeout):
    """Compile+instantiate figures for the generated modules."""
    figures = {}
    probe = engine_probe()
    for name, path in gen_startup_modules():
        size = os.path.getsize(path)
        fig = {'bytes': size}
        if 'node' in rts:
            r = subprocess.run([shutil.which('node'), '--no-warnings',
                                '--expose-gc',
                                os.path.join(HERE, 'node_wasi.mjs'),
                                '--startup', path, '5', '50'],
                               stdout=subprocess.PIPE, text=True)
            if r.returncode == 0:
                fig['node'] = json.loads(r.stdout)
            # Whole process: node start, compile, instantiate, _start.
            fig['node_process_s'] = median_process(
                ['node', '--no-warnings',
                 os.path.join(HERE, 'node_wasi.mjs'), path], runs, timeout)
        if os.access(BEAMR_RUN, os.X_OK):
            # Whole process: read, compile, instantiate, call `_start`.
            fig['beamr_process_s'] = median_process(
                [BEAMR_RUN, '--tier', 'interp', path, '_start'], runs,
                timeout)
        if probe:
            r = subprocess.run([probe, path, '5', '200'],
                               stdout=subprocess.PIPE, text=True)
            if r.returncode == 0:
                fig['beamr_engine'] = json.loads(r.stdout)
        figures[name] = fig
        log('  %-5s %9d bytes  %s' % (name, size, json.dumps(
            {k: v for k, v in fig.items() if k != 'bytes'})))
    return figures


def median_process(argv, runs, timeout):
    times = []
    for _ in range(runs):
        dt, _, rc, _ = run_once(argv, timeout)
        if rc != 0:
            return None
        times.append(dt)
    return statistics.median(times)


def machine():
    model = ''
    try:
        out = subprocess.run(['lscpu'], stdout=subprocess.PIPE,
                             text=True).stdout
        model = next((l.split(':', 1)[1].strip() for l in out.splitlines()
                      if l.startswith('Model name')), '')
    except OSError:
        pass
    commit = subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short',
                             'HEAD'], stdout=subprocess.PIPE,
                            text=True).stdout.strip()
    return {'cpus': os.cpu_count(), 'model': model,
            'date': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
            'commit': commit, 'kernel': platform.release()}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--quick', action='store_true',
                    help='small inputs, one run, checksums only')
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--only', default='')
    ap.add_argument('--runtimes', default='')
    ap.add_argument('--no-startup', action='store_true')
    ap.add_argument('--timeout', type=float, default=120.0,
                    help='kill a run after this many seconds')
    ap.add_argument('--long', type=float, default=15.0,
                    help='a run longer than this is not repeated')
    ap.add_argument('--json', default=os.path.join(OUT, 'results.json'))
    ap.add_argument('--md', default=os.path.join(OUT, 'results.md'))
    opt = ap.parse_args()

    only = set(filter(None, opt.only.split(',')))
    benches = [b for b in BENCHES if not only or b[0] in only]
    wanted = set(filter(None, opt.runtimes.split(',')))
    if wanted:
        wanted.add('native')  # the reference output
    build_all(benches)
    rts = runtimes(wanted, benches[0])
    runs = 1 if opt.quick else opt.runs
    log('runtimes: %s; %d run(s) each%s' % (
        ', '.join(rts), runs, ' (quick)' if opt.quick else ''))
    results, failures = bench_all(benches, rts, runs, opt.quick,
                                  opt.timeout, opt.long)
    for name, rt, rc, text, ref in failures:
        log('MISMATCH %s on %s (exit %s):\n--- got\n%s--- expected\n%s' %
            (name, rt, rc, text, ref))
    checked = sum(len(per) for per in results.values())
    if opt.quick:
        log('bench-quick: %d passed, %d failed' % (checked, len(failures)))
        return 1 if failures else 0
    md = ('Wall clock, median of %d runs:\n\n%s\n\n'
          'CPU time (user+sys), median of %d runs:\n\n%s' %
          (runs, table(results, rts), runs,
           table(results, rts, 'cpu_median')))
    log('\n' + md)
    report = {'machine': machine(), 'runs': runs, 'results': results}
    if not opt.no_startup:
        log('\nstart-up (generated modules):')
        report['startup'] = startup(rts, runs, opt.timeout)
    os.makedirs(os.path.dirname(opt.json), exist_ok=True)
    with open(opt.json, 'w') as f:
        json.dump(report, f, indent=1)
    with open(opt.md, 'w') as f:
        f.write(md + '\n')
    log('\nwrote %s and %s' % (opt.json, opt.md))
    log('%d passed, %d failed' % (checked, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
