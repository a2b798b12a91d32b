#!/usr/bin/env bash
# beamr spec suite: runs the selected .wast files of the WebAssembly test
# suite with the spec runner in one run (the runner reads .wast itself,
# with the engine's text format reader); prints its report, the totals
# per suite, then the grand total.
# SPDX-License-Identifier: Apache-2.0
#
# Usage: test/spec/run.sh RUNNER [runner options, e.g. --fuel 3]
# Environment:
#   SPEC_DIR     the suite (default: <repo>/../shared/spec)
#   SPEC_SELECT  space-separated words, applied in order (default: all):
#                  all            every file of the suite
#                  core           core/*.wast without simd_*
#                  simd           core/simd_*.wast
#                  memory64 multi-memory extended-const tail-call
#                  exception-handling    proposals/<name>/*.wast
#                  a glob         relative to SPEC_DIR (core/i32.wast)
#                  -WORD          removes what WORD selects ("all -simd")
#   SPEC_FILES   space-separated .wast paths relative to SPEC_DIR
#                (overrides SPEC_SELECT)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
spec_dir=${SPEC_DIR:-$root/../shared/spec}

if [ $# -lt 1 ]; then
    echo "usage: $0 RUNNER [runner options]" >&2
    exit 2
fi
runner=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift

if [ ! -d "$spec_dir/core" ]; then
    echo "$0: spec test suite not found in $spec_dir (set SPEC_DIR)" >&2
    exit 2
fi

# The suites in report order ("simd" is core/simd_*, "core" the rest of
# core/, the others are proposals/<name>/).
suites="core simd memory64 multi-memory extended-const tail-call \
exception-handling"

# The files one selection word names (globs relative to the suite).
files_of() {
    (
        cd "$spec_dir"
        word=$1
        # a glob word: its expansion is intended
        # shellcheck disable=SC2086
        case $word in
        all) set -- core/*.wast proposals/*/*.wast ;;
        core | simd) set -- core/*.wast ;;
        *[*?/]*) set -- $word ;;
        *) set -- "proposals/$word/"*.wast ;;
        esac
        for f in "$@"; do
            [ -f "$f" ] || continue
            case $word:$f in
            core:core/simd_*) ;;
            simd:core/simd_*) echo "$f" ;;
            simd:*) ;;
            *) echo "$f" ;;
            esac
        done
    )
}

select_files() {
    local -A chosen=()
    local -a order=()
    local word f
    for word in ${SPEC_SELECT:-all}; do
        if [ "${word#-}" != "$word" ]; then
            for f in $(files_of "${word#-}"); do unset "chosen[$f]"; done
        else
            for f in $(files_of "$word"); do
                [ -n "${chosen[$f]:-}" ] || order+=("$f")
                chosen[$f]=1
            done
        fi
    done
    for f in "${order[@]}"; do
        [ -z "${chosen[$f]:-}" ] || echo "$f"
    done
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/beamr-spec.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

files=${SPEC_FILES:-$(select_files)}
wasts=()
for wast in $files; do
    wasts+=("$wast")
done

# The runner always reports every file, so that the totals per suite
# can be added up here; --quiet is applied to its output instead: only
# failing files, with their failures.
quiet=0
args=()
for a in "$@"; do
    if [ "$a" = --quiet ]; then quiet=1; else args+=("$a"); fi
done
status=0
(cd "$spec_dir" && "$runner" ${args[@]+"${args[@]}"} "${wasts[@]}") \
    >"$tmp/out.txt" || status=$?

# Prints the runner's report, then the totals per suite (indented, so
# that only the runner's own last line has the shape of a grand total
# for test/summary.sh), then that last line.
awk -v quiet="$quiet" -v order="$suites other" '
function suite_of(f, parts) {
    if (f ~ /^core\/simd_/) return "simd"
    if (f ~ /^core\//) return "core"
    if (f ~ /^proposals\//) { split(f, parts, "/"); return parts[2] }
    return "other"
}
/^[^ ]+\.wast: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ {
    s = suite_of(substr($1, 1, length($1) - 1))
    seen[s] = 1; p[s] += $2; f[s] += $4; k[s] += $6
    if (!quiet || $4 != 0) printf "%s%s\n", held, $0
    held = ""
    next
}
/^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ { total = $0; next }
/^  / {
    if (!quiet) print
    else if ($0 !~ /: skipped/ && $0 !~ /^  skipped /) held = held $0 "\n"
    next
}
{ printf "%s%s\n", held, $0; held = "" }
END {
    printf "%s", held
    print "== spec totals per suite"
    n = split(order, names, " ")
    for (i = 1; i <= n; i++)
        if (names[i] in seen)
            printf "  %s: %d passed, %d failed, %d skipped\n", names[i],
                p[names[i]], f[names[i]], k[names[i]]
    if (total != "") print total
    else print "  (the runner printed no totals)"
}' "$tmp/out.txt"
exit $status
