#!/usr/bin/env bash
# Self-test of tools/layers.py on tiny objects: calls one way pass, a
# cycle of three files fails and is printed, a call into a file outside
# the given objects (the C library) does not count.
# SPDX-License-Identifier: Apache-2.0
set -euo pipefail
CC=${CC:-cc}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
obj() { printf '%s\n' "$2" > "$dir/$1.c"; "$CC" -c "$dir/$1.c" -o "$dir/$1.o"; }

obj a 'int b(void); int a(void) { return b(); }'
obj b 'int c(void); int b(void) { return c(); }'
obj c '#include <string.h>
int c(void) { return (int)strlen("c"); }'
python3 "$here/layers.py" "$dir/a.o" "$dir/b.o" "$dir/c.o" > "$dir/ok.txt" ||
    { echo "layers selftest: one-way calls reported as a cycle"; exit 1; }
grep -q "0 cycle(s)" "$dir/ok.txt"

obj c 'int a(void); int c(void) { return a(); }'
if python3 "$here/layers.py" "$dir/a.o" "$dir/b.o" "$dir/c.o" \
        > "$dir/bad.txt"; then
    echo "layers selftest: a cycle of three files was not found"; exit 1
fi
grep -q "cycle among 3 files" "$dir/bad.txt"
grep -q -- "-> .*b.c: b$" "$dir/bad.txt"
echo "tools/layers_selftest.sh: 2 passed, 0 failed"
