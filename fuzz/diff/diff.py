#!/usr/bin/env python3
# beamr differential fuzzing: random bytes -> `wasm-opt -ttf` (binaryen)
# -> a valid module, run in beamr (build/fuzz/diff-run) and in node
# (fuzz/diff/run.js); the two transcripts (calls, logged values,
# results, traps, memory hash) must agree up to the first call where
# either side is inconclusive (stack or fuel exhaustion: limits differ
# between engines). Disagreements are saved in build/fuzz/diff/found/.
# SPDX-License-Identifier: Apache-2.0
#
# Usage: fuzz/diff/diff.py --seconds N    fuzz for N seconds (wall time)
#        fuzz/diff/diff.py --smoke        10 fixed modules (make test)
#        fuzz/diff/diff.py --replay FILE  one saved module, both outputs
# Prints "fuzz_diff: 1 passed, 0 failed" (or 0/1) as its last line.
import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORK = os.path.join(ROOT, "build", "fuzz", "diff")
RUNNER = os.path.join(ROOT, "build", "fuzz", "diff-run")
NODE = ["node", "--experimental-wasm-type-reflection",
        os.path.join(HERE, "run.js")]
# Features both engines implement and node 20 accepts from binaryen 108
# (its reference-types output uses an encoding V8 rejects). Not SIMD:
# --denan does not reach v128 lanes, and a float lane operation on a NaN
# may give any quiet NaN (beamr keeps the payload, V8 makes it
# canonical), so SIMD modules disagree without a bug on either side.
FEATURES = ["--enable-sign-ext", "--enable-mutable-globals",
            "--enable-nontrapping-float-to-int", "--enable-bulk-memory",
            "--enable-multivalue"]
TIMEOUT = 30

# Traps in common words: beamr's atoms and V8's messages.
TRAPS = {
    "unreachable": "unreachable",
    "out_of_bounds_memory_access": "memory",
    "memory access out of bounds": "memory",
    "integer_divide_by_zero": "divzero",
    "divide by zero": "divzero",
    "remainder by zero": "divzero",
    "integer_overflow": "overflow",
    "divide result unrepresentable": "overflow",
    "invalid_conversion_to_integer": "conversion",
    # V8 words NaN and out-of-range truncations alike; beamr follows the
    # spec (NaN: invalid conversion, out of range: integer overflow)
    "float unrepresentable in integer range": "float-to-int",
    # call_indirect past the table (V8 says table index for both)
    "undefined_element": "table",
    "out_of_bounds_table_access": "table",
    "table index is out of bounds": "table",
    # call_indirect of null or of the wrong type: one message in V8
    "uninitialized_element": "indirect",
    "indirect_call_type_mismatch": "indirect",
    "null function or function signature mismatch": "indirect",
    "data segment out of bounds": "memory",
    "element segment out of bounds": "table",
}


def normalize(text):
    """The transcript's lines, traps in common words, cut at the first
    inconclusive line (kept as 'inconclusive')."""
    lines = []
    for line in text.splitlines():
        if line.startswith("inconclusive"):
            lines.append("inconclusive")
            break
        if line.startswith("trap "):
            msg = line[5:]
            line = "trap " + TRAPS.get(msg, msg)
        lines.append(line)
    return lines


# beamr's trap line (left) that V8's (right) stands for as well.
SAME = {("trap overflow", "trap float-to-int"),
        ("trap conversion", "trap float-to-int")}


def compare(a, b):
    """None if the transcripts (beamr's, node's) agree, else the index of
    the first differing line."""
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "<end>"
        y = b[i] if i < len(b) else "<end>"
        if "inconclusive" in (x, y):
            return None
        if x != y and (x, y) not in SAME:
            return i
    return None


def run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "inconclusive timeout\n", 0
    return p.stdout.decode(errors="replace"), p.returncode


def one(wasm):
    """(beamr output, node output, index of first difference or None,
    beamr exit status)."""
    out_b, rc = run([RUNNER, wasm])
    out_n, _ = run(NODE + [wasm])
    nb, nn = normalize(out_b), normalize(out_n)
    diff = compare(nb, nn)
    if rc != 0:  # a crash of the runner is a finding in itself
        diff = diff if diff is not None else len(nb)
    return out_b, out_n, diff, rc


def make_module(seed_bytes, path):
    raw = path + ".bin"
    with open(raw, "wb") as f:
        f.write(seed_bytes)
    # --denan: NaN bits are nondeterministic in wasm (an operation on a
    # NaN may give any quiet NaN), so NaNs are made zeros at run time
    p = subprocess.run(["wasm-opt", "-ttf", raw, "--denan", "-o", path]
                       + FEATURES,
                       capture_output=True, timeout=TIMEOUT)
    return p.returncode == 0


def save(n, wasm, out_b, out_n):
    found = os.path.join(WORK, "found")
    os.makedirs(found, exist_ok=True)
    base = os.path.join(found, "%d-%d" % (int(time.time()), n))
    shutil.copy(wasm, base + ".wasm")
    shutil.copy(wasm + ".bin", base + ".bin")
    with open(base + ".beamr.txt", "w") as f:
        f.write(out_b)
    with open(base + ".node.txt", "w") as f:
        f.write(out_n)
    return base


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    s = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime + s.ru_utime + s.ru_stime


def campaign(rng, limit_s, limit_n):
    os.makedirs(WORK, exist_ok=True)
    wasm = os.path.join(WORK, "m%d.wasm" % os.getpid())
    stats = {"modules": 0, "calls": 0, "inconclusive": 0, "differ": 0}
    start = time.time()
    try:
        loop(rng, wasm, stats, start, limit_s, limit_n)
    except KeyboardInterrupt:  # Ctrl-C or SIGINT: keep what was done
        pass
    for p in (wasm, wasm + ".bin"):
        if os.path.exists(p):
            os.remove(p)
    return stats


def loop(rng, wasm, stats, start, limit_s, limit_n):
    while time.time() - start < limit_s and stats["modules"] < limit_n:
        size = rng.randrange(256, 24000)
        if not make_module(rng.randbytes(size), wasm):
            continue
        out_b, out_n, diff, _ = one(wasm)
        stats["modules"] += 1
        stats["calls"] += out_b.count("\ncall ") + out_b.startswith("call ")
        if "inconclusive" in normalize(out_b) + normalize(out_n):
            stats["inconclusive"] += 1
        if diff is not None:
            stats["differ"] += 1
            base = save(stats["modules"], wasm, out_b, out_n)
            nb, nn = normalize(out_b), normalize(out_n)
            print("DIFFER %s.wasm at line %d: beamr %r, node %r" % (
                base, diff, nb[diff] if diff < len(nb) else "<end>",
                nn[diff] if diff < len(nn) else "<end>"))


def log_run(stats, cpu):
    path = os.path.join(ROOT, "build", "fuzz", "runs.tsv")
    result = "ok" if stats["differ"] == 0 else "%d differ" % stats["differ"]
    with open(path, "a") as f:
        f.write("%s\tdiff\t%.0f\t%d\t%s\n" % (
            time.strftime("%Y-%m-%dT%H:%M", time.gmtime()), cpu,
            stats["modules"], result))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--replay")
    ap.add_argument("--seed", type=int)
    a = ap.parse_args()
    for tool in ("wasm-opt", "node"):
        if shutil.which(tool) is None:
            print("fuzz_diff: %s not found: skipped" % tool)
            return 0
    if a.replay:
        out_b, out_n, diff, rc = one(a.replay)
        print("== beamr (exit %d)\n%s== node\n%s" % (rc, out_b, out_n))
        print("first difference: line %s" % diff)
        return 0 if diff is None else 1
    if a.smoke:
        # fixed inputs: the same modules every time
        stats = campaign(random.Random(a.seed or 11), 3600, 10)
    else:
        rng = random.Random(a.seed if a.seed is not None else os.getpid()
                            ^ int(time.time()))
        stats = campaign(rng, a.seconds or 60, 1 << 62)
        log_run(stats, cpu_seconds())
    print("fuzz_diff: %(modules)d modules, %(calls)d calls, "
          "%(inconclusive)d inconclusive, %(differ)d disagreements" % stats)
    ok = stats["differ"] == 0
    print("fuzz_diff: %d passed, %d failed" % (ok, not ok))
    return 0 if ok else 1


sys.exit(main())
