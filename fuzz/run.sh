#!/usr/bin/env bash
# beamr fuzzing: runs the libFuzzer targets (built by mk/fuzz.mk).
# SPDX-License-Identifier: Apache-2.0
#
# Usage: fuzz/run.sh smoke SECONDS TARGET...
#          each target SECONDS from fuzz/corpus/<t> (new inputs go to a
#          scratch directory), then every input of fuzz/regress/<t>/;
#          prints "fuzz_<t>: 1 passed, 0 failed" (or 0/1) per target.
#        fuzz/run.sh long SECONDS TARGET...
#          each target SECONDS, new inputs kept in build/fuzz/corpus/<t>,
#          crashes in build/fuzz/artifacts/<t>/; one line per run is
#          appended to build/fuzz/runs.tsv (date, target, CPU seconds,
#          executions, result). FUZZ_PARALLEL=1 runs the targets at once.
#          build/fuzz/seeds/<t> (make fuzz-seeds) is read too if present.
#        fuzz/run.sh merge 0 TARGET...
#          minimizes fuzz/corpus/<t> + build/fuzz/seeds/<t> +
#          build/fuzz/corpus/<t> into a new fuzz/corpus/<t>.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root" || exit 2
build=build/fuzz
mode=$1
seconds=$2
shift 2

# Options every run shares: bounded input size, memory and time per
# input; an input that runs FUZZ_TIMEOUT seconds (default 20: the long
# runs share a busy machine at low priority) is a finding (a hang).
common=(-rss_limit_mb=2048 -timeout="${FUZZ_TIMEOUT:-20}" -max_len=262144
    -print_final_stats=1)
# A smaller quarantine than ASan's 256 MiB: several fuzzers run at once.
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:quarantine_size_mb=64
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

dict_of() {
    [ -f "fuzz/dict/$1.dict" ] && echo "-dict=fuzz/dict/$1.dict"
}

smoke_one() {
    local t=$1 scratch status=0
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/beamr-fuzz-smoke.XXXXXX")
    mkdir -p "$build/artifacts/$t"
    "$build/fuzz_$t" "${common[@]}" $(dict_of "$t") \
        -max_total_time="$seconds" \
        -artifact_prefix="$build/artifacts/$t/" \
        "$scratch" "fuzz/corpus/$t" >"$scratch.log" 2>&1 || status=1
    local regress=()
    if [ -d "fuzz/regress/$t" ]; then
        mapfile -t regress < <(find "fuzz/regress/$t" -type f | sort)
    fi
    if [ $status = 0 ] && [ ${#regress[@]} -gt 0 ]; then
        "$build/fuzz_$t" "${common[@]}" "${regress[@]}" \
            >>"$scratch.log" 2>&1 || status=1
    fi
    local execs
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' \
        "$scratch.log" | head -1)
    if [ $status = 0 ]; then
        echo "fuzz_$t: ${execs:-?} inputs, ${#regress[@]} regression inputs"
        echo "fuzz_$t: 1 passed, 0 failed"
    else
        tail -40 "$scratch.log"
        echo "fuzz_$t: 0 passed, 1 failed (log: $scratch.log)"
        rm -rf "$scratch"
        return 1
    fi
    rm -rf "$scratch" "$scratch.log"
}

# The full seeds (make fuzz-seeds), if built: more than the committed
# corpus keeps (large snapshots, for instance).
seeds_of() {
    [ -d "$build/seeds/$1" ] && echo "$build/seeds/$1"
}

long_one() {
    local t=$1 log start status=0
    mkdir -p "$build/corpus/$t" "$build/artifacts/$t" "$build/logs"
    log="$build/logs/$t-$(date -u +%Y%m%dT%H%M%S).log"
    start=$(date -u +%Y-%m-%dT%H:%M)
    TIMEFORMAT='%U %S'
    local cpu
    cpu=$( { time "$build/fuzz_$t" "${common[@]}" $(dict_of "$t") \
        -max_total_time="$seconds" \
        -artifact_prefix="$build/artifacts/$t/" \
        "$build/corpus/$t" "fuzz/corpus/$t" $(seeds_of "$t") \
        >"$log" 2>&1; } 2>&1 ) ||
        status=1
    local execs result
    execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    result=$([ $status = 0 ] && echo ok || echo "FINDING (see $log)")
    printf '%s\t%s\t%s\t%s\t%s\n' "$start" "$t" \
        "$(echo "$cpu" | awk '{printf "%.0f", $1 + $2}')" "${execs:-?}" \
        "$result" >>"$build/runs.tsv"
    echo "fuzz_$t: $result, $execs executions"
    return $status
}

# The committed corpus stays small: inputs up to this many bytes.
merge_max_len() {
    case $1 in
    snapshot) echo 8192 ;;
    aot) echo 4096 ;;
    *) echo 4096 ;;
    esac
}

merge_one() {
    local t=$1 new=fuzz/corpus/$t.new
    rm -rf "$new"
    mkdir -p "$new" "fuzz/corpus/$t"
    local dirs=("fuzz/corpus/$t")
    for d in "$build/seeds/$t" "$build/corpus/$t"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    "$build/fuzz_$t" "${common[@]}" -max_len="$(merge_max_len "$t")" \
        -merge=1 "$new" "${dirs[@]}" \
        >"$build/merge-$t.log" 2>&1 || { tail -20 "$build/merge-$t.log";
        return 1; }
    rm -rf "fuzz/corpus/$t"
    mv "$new" "fuzz/corpus/$t"
    echo "fuzz_$t: $(find "fuzz/corpus/$t" -type f | wc -l) inputs," \
        "$(du -sh "fuzz/corpus/$t" | cut -f1)"
}

status=0
case $mode in
smoke) for t in "$@"; do smoke_one "$t" || status=1; done ;;
merge) for t in "$@"; do merge_one "$t" || status=1; done ;;
long)
    if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then
        for t in "$@"; do long_one "$t" & done
        for t in "$@"; do wait -n || status=1; done
    else
        for t in "$@"; do long_one "$t" || status=1; done
    fi
    ;;
*) echo "usage: $0 smoke|long|merge SECONDS TARGET..." >&2; exit 2 ;;
esac
exit $status
