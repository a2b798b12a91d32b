#!/usr/bin/env bash
# beamr tests: totals the counts lines of every suite's log and prints one
# line per suite, then the grand total as the last line: "N passed, M failed".
# SPDX-License-Identifier: Apache-2.0
#
# Usage: test/summary.sh LOG...   (one log per suite, named <suite>.log)
# Counted lines:
#   "<prog>: N passed, M failed"        C unit tests (test/engine/check.h)
#   "N passed, M failed[, K skipped]"   a runner's totals (spec runner)
#   "All N tests passed." / "Failed: M.  Skipped: K.  Passed: N."  EUnit
#   "  Test passed."                                          EUnit, one test
# A log that ends with "suite-failed: <suite>" (written by `make test` when
# the suite exited non-zero) counts one extra failure if it reported none,
# so that a crash never looks like success.
set -euo pipefail

total_pass=0
total_fail=0
for log in "$@"; do
    suite=$(basename "$log" .log)
    read -r pass fail skip crashed < <(awk '
        /^[^ ]+: [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4; next }
        /^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$/ {
            p += $1; f += $3; s += $5; next }
        /^ *All [0-9]+ tests passed\.$/ { p += $2; next }
        /^ *Test passed\.$/ { p += 1; next }
        /^ *Failed: [0-9]+\. +Skipped: [0-9]+\. +Passed: [0-9]+\.$/ {
            gsub(/\./, ""); f += $2; s += $4; p += $6; next }
        /^suite-failed: / { c = 1 }
        END { printf "%d %d %d %d\n", p, f, s, c }' "$log")
    if [ "$crashed" = 1 ] && [ "$fail" = 0 ]; then
        fail=1
    fi
    line="$suite: $pass passed, $fail failed"
    [ "$skip" = 0 ] || line="$line ($skip skipped)"
    [ "$crashed" = 0 ] || line="$line, suite exited non-zero"
    echo "$line"
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
