;; WASI test program for the wasm64 ABI (the one Emscripten's memory64
;; modules import): pointers and sizes are i64, an iovec is {u64, u64},
;; argv entries are u64. Writes a greeting, its arguments and argc, then
;; proc_exit(3). node:wasi cannot run it: expected output by hand.
;; SPDX-License-Identifier: Apache-2.0
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i64 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))
  (memory i64 1)
  (data (i64.const 16) "hello from wasm64\n")

  ;; writes [ptr, ptr+len) to stdout through an iovec at 0; the count of
  ;; bytes written lands at 48 and must equal len
  (func $write (param $ptr i64) (param $len i64)
    (i64.store (i64.const 0) (local.get $ptr))
    (i64.store (i64.const 8) (local.get $len))
    (if (call $fd_write (i32.const 1) (i64.const 0) (i64.const 1)
                        (i64.const 48))
      (then unreachable))
    (if (i64.ne (i64.load (i64.const 48)) (local.get $len))
      (then unreachable)))

  (func $digit (param $v i64)
    (i64.store8 (i64.const 100) (i64.add (local.get $v) (i64.const 48)))
    (i64.store8 (i64.const 101) (i64.const 10))
    (call $write (i64.const 100) (i64.const 2)))

  (func (export "_start")
    (local $i i64)
    (call $write (i64.const 16) (i64.const 18))
    (drop (call $args_sizes_get (i64.const 64) (i64.const 72)))
    (drop (call $args_get (i64.const 256) (i64.const 512)))
    ;; argv[1] (a u64 at 264) points just past "hello64\0"
    (if (i64.ne (i64.load (i64.const 264)) (i64.const 520))
      (then unreachable))
    ;; the argument strings, NULs turned into newlines
    (loop $l
      (if (i64.eqz (i64.load8_u (i64.add (i64.const 512) (local.get $i))))
        (then (i64.store8 (i64.add (i64.const 512) (local.get $i))
                          (i64.const 10))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (i64.load (i64.const 72)))))
    (call $write (i64.const 512) (i64.load (i64.const 72)))
    (call $digit (i64.load (i64.const 64)))
    (drop (call $environ_sizes_get (i64.const 64) (i64.const 72)))
    (call $digit (i64.load (i64.const 64)))
    (call $digit (i64.load (i64.const 72)))
    (call $proc_exit (i32.const 3))))
