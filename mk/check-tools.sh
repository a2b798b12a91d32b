#!/usr/bin/env bash
# beamr: checks that the tools `make run' and `make test' need are here.
# When some are missing: as root, installs the Debian packages of
# mk/debian-packages.txt with apt-get (as .ci/run does) and checks
# again; otherwise prints the one apt-get line that is needed and fails.
# BEAMR_INSTALL=no never installs (prints the line). Exit 0: all found.
# SPDX-License-Identifier: Apache-2.0
set -u

here=$(cd "$(dirname "$0")" && pwd)
list="$here/debian-packages.txt"

# tool (a command, or a file test) -> the package that provides it
checks=(
    "cmd:cc build-essential"
    "cmd:make build-essential"
    "cmd:erl erlang-nox"
    "cmd:erlc erlang-nox"
    "nif:erl_nif.h erlang-dev"
    "eunit:eunit erlang-eunit"
    "cmd:clang clang"
    "cmd:wat2wasm wabt"
    "cmd:wast2json wabt"
    "cmd:python3 python3"
    "cmd:mix elixir"
)

# The erl_nif.h of the erl on PATH (the Makefile looks there).
has_nif_header() {
    local root
    root=$(erl -noshell -eval 'io:format("~s",[code:root_dir()])' \
        -s init stop 2>/dev/null) || return 1
    [ -n "$root" ] && compgen -G "$root/usr/include/erl_nif.h" >/dev/null ||
        compgen -G "$root/erts-*/include/erl_nif.h" >/dev/null
}

has_eunit() {
    erl -noshell -eval \
        'halt(case code:which(eunit) of non_existing -> 1; _ -> 0 end)' \
        2>/dev/null
}

missing_packages() {
    local c kind what pkg out=()
    for c in "${checks[@]}"; do
        kind=${c%%:*}; what=${c#*:}; pkg=${what#* }; what=${what%% *}
        case $kind in
            cmd) command -v "$what" >/dev/null 2>&1 && continue ;;
            nif) command -v erl >/dev/null 2>&1 && has_nif_header && continue ;;
            eunit) command -v erl >/dev/null 2>&1 && has_eunit && continue ;;
        esac
        echo "beamr: missing $what (Debian package $pkg)" >&2
        out+=("$pkg")
    done
    printf '%s\n' "${out[@]}" | sort -u | grep -v '^$'
}

all_packages() {
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list"
}

missing=$(missing_packages)
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && [ "${BEAMR_INSTALL:-yes}" != no ] &&
    command -v apt-get >/dev/null 2>&1; then
    echo "beamr: installing the build and test packages (root)" >&2
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2046
    if ! apt-get install -y --no-install-recommends $(all_packages) >&2; then
        apt-get update >&2 &&
            apt-get install -y --no-install-recommends $(all_packages) >&2
    fi
    missing=$(missing_packages)
    [ -z "$missing" ] && exit 0
    echo "beamr: still missing after installing (is PATH complete?)" >&2
fi

echo "beamr: some tools are missing; install them with:" >&2
echo "  sudo apt-get install -y" $missing >&2
exit 1
