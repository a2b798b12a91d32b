;; beamr differential fuzzing: why SIMD is left out (docs/fuzzing.md). A
;; float lane operation on a NaN may give any quiet NaN: beamr keeps the
;; payload (quieted), V8 returns the canonical NaN; both are valid wasm.
;; SPDX-License-Identifier: Apache-2.0
(module
  (import "fuzzing-support" "log-i32" (func $log (param i32)))
  (func (export "f")
    (local $v v128)
    (local.set $v (f32x4.max (v128.const i32x4 0x7fa00001 0xffa00001 1 0)
                             (v128.const i32x4 0 0 0x7f800001 0x7fc00000)))
    (call $log (i32x4.extract_lane 0 (local.get $v)))
    (call $log (i32x4.extract_lane 1 (local.get $v)))
    (call $log (i32x4.extract_lane 2 (local.get $v)))
    (call $log (i32x4.extract_lane 3 (local.get $v)))))
