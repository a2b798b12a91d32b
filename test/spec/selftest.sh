#!/usr/bin/env bash
# beamr spec runner self-test: runs test/spec/selftest.wast, whose
# commands marked ";; FAIL" are wrong on purpose, and checks that the
# runner fails exactly those, skips exactly those marked ";; SKIP", passes
# the rest, and gives the same results when it yields every unit of fuel.
# SPDX-License-Identifier: Apache-2.0
#
# Usage: test/spec/selftest.sh RUNNER
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runner=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

passed=0
failed=0
check() { # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'selftest: %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"
    fi
}

marked() { { grep -n ";; $1\$" "$here/selftest.wast" || true; } | cut -d: -f1 | xargs; }
# "  selftest.wast:LINE: ..." report lines, failures or skips
reported() {
    grep -E '^  selftest\.wast:[0-9]+: ' | grep $1 'skipped (' |
        cut -d: -f2 | xargs
}

# every command of the script starts a line
total=$(grep -c '^(' "$here/selftest.wast")
fails=$(marked FAIL)
skips=$(marked SKIP)
nfail=$(echo "$fails" | wc -w)
nskip=$(echo "$skips" | wc -w)
totals="$((total - nfail - nskip)) passed, $nfail failed, $nskip skipped"

set +e
out=$(cd "$here" && "$runner" --verbose selftest.wast)
rc=$?
fuel_out=$(cd "$here" && "$runner" --verbose --fuel 1 selftest.wast)
fuel_rc=$?
set -e

check "exit status with failures" 1 "$rc"
check "failed commands" "$fails" "$(echo "$out" | reported -v)"
check "skipped commands" "$skips" "$(echo "$out" | reported '')"
check "totals line" "$totals" "$(echo "$out" | tail -n1)"
check "per-file line" "selftest.wast: $totals" \
    "$(echo "$out" | grep '^selftest.wast: ')"
check "--fuel 1: exit status" 1 "$fuel_rc"
check "--fuel 1: same reports" "$out" "$(echo "$fuel_out" | grep -v '^fuel ')"
yields=$(echo "$fuel_out" |
    sed -n 's/^fuel 1: [0-9]* calls, \([0-9]*\) yields$/\1/p')
check "--fuel 1: yielded (more than 1000 times)" yes \
    "$([ "${yields:-0}" -gt 1000 ] && echo yes || echo "no: ${yields:-none}")"
check "usage error" 2 "$("$runner" --fuel 0 x.wast >/dev/null 2>&1; echo $?)"

echo "test/spec/selftest.sh: $passed passed, $failed failed"
[ "$failed" = 0 ]
