#!/usr/bin/env bash
# Records the expected output of every "node" case of cases.txt by running
# the program under node:wasi (preview1) with the same arguments,
# environment, stdin and preopened directories the C driver uses. Cases
# marked "manual" (node:wasi cannot run them: read-only preopens, wasm64)
# keep their hand-written files. Run from anywhere; needs node >= 20.
# SPDX-License-Identifier: Apache-2.0
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/build/wasi"
make -s -C "$root" -f mk/wasi.mk wasi-programs

json_list() { # words -> ["a","b"]
    local out="" w
    for w in "$@"; do out+="${out:+,}\"$w\""; done
    printf '[%s]' "$out"
}

json_env() { # NAME=value words -> {"NAME":"value"}
    local out="" w
    for w in "$@"; do out+="${out:+,}\"${w%%=*}\":\"${w#*=}\""; done
    printf '{%s}' "$out"
}

json_preopens() { # /guest=dir[:ro],... -> {"/guest":"$tmp/dir"}
    local out="" p guest dir
    IFS=',' read -ra items <<< "$1"
    for p in "${items[@]}"; do
        [ -n "$p" ] || continue
        guest=${p%%=*}; dir=${p#*=}; dir=${dir%:ro}
        out+="${out:+,}\"$guest\":\"$2/$dir\""
    done
    printf '{%s}' "$out"
}

# The directories every case starts with (wasi_test.c makes the same).
make_dirs() {
    mkdir -p "$1/sandbox" "$1/ro" "$1/outside"
    printf 'read only data\n' > "$1/ro/data.txt"
    printf 'top secret\n' > "$1/outside/secret.txt"
    ln -s ../outside "$1/sandbox/out_rel"
    ln -s "$1/outside" "$1/sandbox/out_abs"
}

while IFS='|' read -r name prog argv env stdin preopens source; do
    case "$name" in ''|'#'*) continue ;; esac
    [ "$source" = node ] || { echo "skip $name ($source)"; continue; }
    tmp=$(mktemp -d)
    make_dirs "$tmp"
    in=/dev/null
    [ "$stdin" = - ] || in="$here/$stdin"
    # shellcheck disable=SC2086
    code=$(cd "$tmp" && node --no-warnings "$here/run_node.mjs" \
        "$build/$prog.wasm" "$in" "$here/expected/$name.stdout" \
        "$here/expected/$name.stderr" "$(json_preopens "$preopens" "$tmp")" \
        "$(json_list $argv)" "$(json_env $env)")
    echo "$code" > "$here/expected/$name.exit"
    rm -rf "$tmp"
    echo "recorded $name (exit $code)"
done < "$here/cases.txt"
