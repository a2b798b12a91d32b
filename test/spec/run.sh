#!/usr/bin/env bash
# beamr spec suite: converts the selected .wast files of the WebAssembly
# test suite with wast2json into a temporary directory (removed at exit,
# never inside the repository) and runs them with the spec runner.
# SPDX-License-Identifier: Apache-2.0
#
# Usage: test/spec/run.sh RUNNER [runner options, e.g. --fuel 3]
# Environment: SPEC_DIR (default: <repo>/../shared/spec),
#              SPEC_FILES (space-separated .wast paths relative to
#              SPEC_DIR; default: the selection below), WAST2JSON.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
spec_dir=${SPEC_DIR:-$root/../shared/spec}
wast2json=${WAST2JSON:-wast2json}

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
if ! command -v "$wast2json" >/dev/null; then
    echo "$0: $wast2json not found (apt-get install wabt)" >&2
    exit 2
fi

# The selection: WebAssembly 2.0 without SIMD, plus memory64 and the
# legacy exception-handling proposal.
select_files() {
    (
        cd "$spec_dir"
        for f in core/*.wast proposals/memory64/*.wast \
            proposals/exception-handling/*.wast; do
            case $f in core/simd_*) continue ;; esac
            echo "$f"
        done
    )
}

# wast2json flags of a file: the MANIFEST.tsv "flags" column ("-": none).
flags_of() {
    awk -F'\t' -v f="$1" '$1 == f { if ($3 != "-") print $3; exit }' \
        "$spec_dir/MANIFEST.tsv"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/beamr-spec.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

files=${SPEC_FILES:-$(select_files)}
jsons=()
for wast in $files; do
    out="$tmp/${wast%.wast}.json"
    mkdir -p "$(dirname "$out")"
    # word splitting of the flags is intended
    # shellcheck disable=SC2046
    if ! (cd "$spec_dir" && "$wast2json" $(flags_of "$wast") "$wast" \
        -o "$out"); then
        echo "$wast: wast2json failed" >&2
        exit 1
    fi
    jsons+=("$out")
done

"$runner" "$@" "${jsons[@]}"
