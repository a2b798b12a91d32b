#!/usr/bin/env bash
# beamr fuzzing: seed inputs in build/fuzz/seeds/<target>/ from the spec
# suite (every module wast2json writes, valid or not) and the fixtures;
# `make fuzz-merge` then keeps what adds coverage in fuzz/corpus/.
# SPDX-License-Identifier: Apache-2.0
#
# Environment: SPEC_DIR (default ../shared/spec), FIXTURES_DIR (default
# ../shared/fixtures), SEED_MAX_BYTES (default 262144: larger modules are
# left out, the fuzzers' max_len).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
spec_dir=${SPEC_DIR:-$root/../shared/spec}
fixtures=${FIXTURES_DIR:-$root/../shared/fixtures}
max=${SEED_MAX_BYTES:-262144}
out=build/fuzz/seeds
json=build/fuzz/spec-json

rm -rf "$out" "$json"
mkdir -p "$out"/{module,run,aot,snapshot,wasi,text} "$json"

# The spec suite through wast2json, with each file's flags.
while IFS=$'\t' read -r wast _ flags _; do
    [ "$wast" = wast ] && continue
    dir="$json/${wast%.wast}"
    mkdir -p "$dir"
    # word splitting of the flags is intended
    # shellcheck disable=SC2046
    wast2json $([ "$flags" != - ] && echo "$flags") \
        "$spec_dir/$wast" -o "$dir/t.json" >/dev/null 2>&1 || true
done <"$spec_dir/MANIFEST.tsv"

# Every module up to $max bytes, numbered; the aot and snapshot seeds
# of those that compile.
find "$json" "$fixtures" -name '*.wasm' -size -$((max + 1))c | sort |
    awk '{ printf "%s %05d\n", $0, NR }' >"$out/list.txt"
while read -r f name; do
    cp "$f" "$out/module/$name"
    cp "$f" "$out/run/$name"
done <"$out/list.txt"
build/fuzz/seedgen "$out" <"$out/list.txt"

# The text format: the suite's scripts and the fixtures' WAT files.
find "$spec_dir" "$fixtures" \( -name '*.wast' -o -name '*.wat' \) \
    -size -$((max + 1))c | sort |
    awk '{ printf "%s %05d\n", $0, NR }' | while read -r f name; do
    cp "$f" "$out/text/$name"
done

# WASI: a few call sequences the fuzzer can grow from (see fuzz_wasi.c:
# a memory-prefix length byte, then call index, argument selectors).
python3 "$here/wasi_seeds.py" "$out/wasi"

for t in module run aot snapshot wasi text; do
    echo "$t: $(find "$out/$t" -type f | wc -l) seeds"
done
