;; beamr differential fuzzing: log-v128 for node (run.js embeds its binary):
;; JS cannot take a v128, so the vector reaches JS as four i32 lanes.
;; SPDX-License-Identifier: Apache-2.0
(module
  (import "js" "log" (func $log (param i32 i32 i32 i32)))
  (func (export "log-v128") (param v128)
    (call $log (i32x4.extract_lane 0 (local.get 0))
               (i32x4.extract_lane 1 (local.get 0))
               (i32x4.extract_lane 2 (local.get 0))
               (i32x4.extract_lane 3 (local.get 0)))))
