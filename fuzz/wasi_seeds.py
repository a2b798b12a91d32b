#!/usr/bin/env python3
# beamr fuzzing: writes seed inputs for fuzz_wasi (format in fuzz_wasi.c):
# a memory-prefix length byte (units of 64 bytes), then per call a byte
# naming the function (index into BRI_WASI_FUNCS, + count for the wasm64
# ABI) and one selector per argument (< 0x80: an edge value, else raw
# little-endian bytes follow). The function list is read from the header
# so the seeds follow it.
# SPDX-License-Identifier: Apache-2.0
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HDR = os.path.join(HERE, "..", "c_src", "engine", "wasi", "wasi_internal.h")
ROWS = re.findall(r'X\((\w+), "(\w*)", "\w*"\)', open(HDR).read())
INDEX = {name: (i, params) for i, (name, params) in enumerate(ROWS)}
# Edge selectors (fuzz_wasi.c take_arg)
NAMES, NAMES16, NAMES32, IOVS, BUF = 8, 9, 10, 11, 12


def call(name, *args, abi64=False):
    i, params = INDEX[name]
    out = bytes([i + (len(ROWS) if abi64 else 0)])
    for p, a in zip(params, args):
        if isinstance(a, tuple):  # ("raw", value)
            wide = p == "I" or (p == "p" and abi64)
            out += bytes([0x80]) + a[1].to_bytes(8 if wide else 4, "little")
        else:
            out += bytes([a])
    return out


def raw(v):
    return ("raw", v)


ALL = raw(0xFFFFFFFFFFFFFFFF)
SEEDS = {
    "prestat": call("fd_prestat_get", 3, BUF)
    + call("fd_prestat_dir_name", 3, BUF, 4),
    "open_read": call("path_open", 3, 0, NAMES, 5, 0, ALL, ALL, 0, BUF)
    + call("fd_read", raw(5), IOVS, 2, BUF)
    + call("fd_seek", raw(5), 0, 0, BUF)
    + call("fd_close", raw(5)),
    "open_escape": call("path_open", 3, 0, NAMES32, 6, 0, ALL, ALL, 0, BUF),
    "open_dotdot": call("path_open", 3, 1, NAMES16, raw(15), 0, ALL, ALL, 0,
                        BUF),
    "stdout": call("fd_write", 1, IOVS, 2, BUF)
    + call("fd_write", 2, IOVS, 1, BUF),
    "stdin": call("fd_read", 0, IOVS, 3, BUF),
    "args": call("args_sizes_get", BUF, raw(0xA010))
    + call("args_get", raw(0xA100), raw(0xA200))
    + call("environ_sizes_get", BUF, raw(0xA010))
    + call("environ_get", raw(0xA100), raw(0xA200)),
    "create_write": call("path_open", 3, 0, NAMES, 5, 9, ALL, ALL, 0, BUF)
    + call("fd_pwrite", raw(5), IOVS, 1, raw(100), BUF)
    + call("fd_filestat_get", raw(5), BUF)
    + call("fd_readdir", 3, BUF, raw(1024), 0, raw(0xA800)),
    "dirs": call("path_create_directory", 3, NAMES16, raw(3))
    + call("path_filestat_get", 3, 1, NAMES, 5, BUF)
    + call("path_rename", 3, NAMES, 5, 3, NAMES16, 3)
    + call("path_unlink_file", 3, NAMES16, 3),
    "links": call("path_symlink", NAMES32, 16, 3, NAMES16, 3)
    + call("path_readlink", 3, NAMES16, 3, BUF, raw(64), raw(0xA800))
    + call("path_link", 3, 0, NAMES, 8, 3, NAMES16, 5),
    "poll": call("clock_time_get", 0, 1, BUF)
    + call("poll_oneoff", IOVS, BUF, 2, raw(0xA800))
    + call("random_get", BUF, raw(300)),
    "wasm64": call("fd_write", 1, IOVS, 2, BUF, abi64=True)
    + call("path_open", 3, 0, NAMES, 8, 0, ALL, ALL, 0, BUF, abi64=True),
    "renumber": call("fd_renumber", 3, 1)
    + call("fd_renumber", 4, 0)
    + call("fd_fdstat_get", 0, BUF)
    + call("fd_close", 1),
    "exit": call("proc_exit", 3) + call("fd_write", 1, IOVS, 1, BUF),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, body in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes([0]) + body)


main()
