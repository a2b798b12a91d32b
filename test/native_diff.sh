#!/usr/bin/env bash
# beamr native tier: differential test against the interpreter. Runs in
# both tiers and compares bit for bit what each prints (results, traps,
# logged values, a hash of the exported memory, exit status):
#   - random modules from `wasm-opt -ttf` (binaryen) through
#     build/fuzz/diff-run (every export called, memory hashed);
#   - the benchmark programs (build/bench/wasm, quick inputs) and the
#     WASI test programs (build/wasi, no arguments, empty stdin, each
#     tier in a fresh directory) through build/beamr-run.
# Usage: test/native_diff.sh [N random modules, default 40] [seed]
# Prints "N passed, M failed"; exits non-zero on any difference.
# SPDX-License-Identifier: Apache-2.0
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${1:-40}
seed=${2:-1}
run=$root/build/beamr-run
diff_run=$root/build/fuzz/diff-run
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

compare() { # name file-a file-b
    if cmp -s "$2" "$3"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "DIFFERS: $1"
        diff "$2" "$3" | head -5
    fi
}

# Random modules: bytes from a seeded generator, so a failure replays.
if command -v wasm-opt >/dev/null && [ -x "$diff_run" ]; then
    for i in $(seq 1 "$n"); do
        python3 -c "import random,sys; r=random.Random($seed*100003+$i); \
sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(4096)))" \
            > "$tmp/in.bin"
        wasm-opt -ttf "$tmp/in.bin" -o "$tmp/m.wasm" 2>/dev/null || continue
        DIFF_TIER=interp timeout 60 "$diff_run" "$tmp/m.wasm" > "$tmp/a" 2>&1
        echo "exit $?" >> "$tmp/a"
        DIFF_TIER=native timeout 60 "$diff_run" "$tmp/m.wasm" > "$tmp/b" 2>&1
        echo "exit $?" >> "$tmp/b"
        compare "ttf seed $seed module $i" "$tmp/a" "$tmp/b"
    done
else
    echo "native_diff: no wasm-opt or $diff_run: random modules skipped"
fi

# A program in both tiers, each in a directory of its own.
run_both() { # name wasm args...
    local name=$1 wasm=$2
    shift 2
    for t in interp native; do
        mkdir -p "$tmp/$t"
        (cd "$tmp/$t" && timeout 120 "$run" --tier "$t" "$wasm" -- "$@" \
            < /dev/null > "$tmp/$t.out" 2>&1; echo "exit $?" >> "$tmp/$t.out")
    done
    compare "$name" "$tmp/interp.out" "$tmp/native.out"
    rm -rf "$tmp/interp" "$tmp/native"
}

if [ -d "$root/build/bench/wasm" ]; then
    # the quick inputs of bench/run.py
    while read -r name args; do
        [ -f "$root/build/bench/wasm/$name.wasm" ] &&
            run_both "bench $name" "$root/build/bench/wasm/$name.wasm" $args
    done < <(cd "$root/bench" && python3 -c "
import run
for b in run.BENCHES: print(b[0], ' '.join(b[2]))")
fi
for w in "$root"/build/wasi/*.wasm; do
    [ -f "$w" ] && run_both "wasi $(basename "$w")" "$w"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
