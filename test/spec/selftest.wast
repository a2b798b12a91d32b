;; beamr spec runner self-test: every command kind, with deliberate
;; failures. selftest.sh checks that the runner fails exactly the commands
;; marked FAIL, skips exactly those marked SKIP (none since the runner
;; reads text modules) and passes all others.
;; SPDX-License-Identifier: Apache-2.0

(module $M
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "global_i32" (global $g666 i32))
  (global (export "g") (mut i32) (i32.const 7))
  (func (export "add") (param i32 i32) (result i32)
    (call $print (local.get 0))
    (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "snan") (result f32) (f32.const nan:0x200000))
  (func (export "qnan") (result f64) (f64.const -nan:0x8000000000001))
  (func (export "two") (result i64 f64) (i64.const -1) (f64.const 0.5))
  (func (export "ext") (param externref) (result externref) (local.get 0))
  (func (export "null") (result funcref) (ref.null func))
  (func (export "666") (result i32) (global.get $g666))
  (func $rec (export "rec") (call $rec))
  ;; long enough to yield many times with a tiny fuel budget
  (func (export "count") (param i32) (result i32) (local i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (i32.const 2)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 0)))
    (local.get 1))
)
(register "M" $M)

(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4)) ;; FAIL
(assert_return (invoke "add" (i32.const -1) (i32.const 0)) (i32.const -1))
(assert_return (get "g") (i32.const 7))
(assert_return (get "g") (i32.const 8)) ;; FAIL
(assert_return (invoke "666") (i32.const 666))
(assert_return (invoke "two") (i64.const -1) (f64.const 0.5))
(assert_return (invoke "two") (i64.const -1) (f64.const 0.25)) ;; FAIL
(assert_return (invoke "snan") (f32.const nan:0x200000))
(assert_return (invoke "snan") (f32.const nan:arithmetic)) ;; FAIL
(assert_return (invoke "qnan") (f64.const nan:arithmetic))
(assert_return (invoke "qnan") (f64.const nan:canonical)) ;; FAIL
(assert_return (invoke "ext" (ref.extern 0)) (ref.extern 0))
(assert_return (invoke "ext" (ref.extern 0)) (ref.null extern)) ;; FAIL
(assert_return (invoke "ext" (ref.null extern)) (ref.null extern))
(assert_return (invoke "null") (ref.null func))
(assert_return (invoke "count" (i32.const 1000)) (i32.const 2000))
(invoke "count" (i32.const 10))
(invoke "div" (i32.const 1) (i32.const 0)) ;; FAIL

(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer overflow") ;; FAIL
(assert_trap (invoke "div" (i32.const 1) (i32.const 1)) "integer overflow") ;; FAIL
(assert_exhaustion (invoke "rec") "call stack exhausted")
(assert_exhaustion (invoke "div" (i32.const 1) (i32.const 0)) "call stack exhausted") ;; FAIL

;; linking against the registered instance
(module
  (import "M" "add" (func (param i32 i32) (result i32)))
  (import "M" "g" (global (mut i32))))
(assert_unlinkable (module (import "M" "nothing" (func))) "unknown import")
(assert_unlinkable (module (import "M" "add" (func (param i64)))) "incompatible import type")
(assert_unlinkable (module (import "M" "add" (func (param i32 i32) (result i32)))) "unknown import") ;; FAIL
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i32)))) "unknown import") ;; FAIL
(assert_unlinkable (module (import "spectest" "print_i33" (func (param i32)))) "unknown import")
(assert_trap (module (func $start unreachable) (start $start)) "unreachable")
(assert_trap (module (func $start) (start $start)) "unreachable") ;; FAIL
(assert_trap (module (memory 1) (data (i32.const 65536) "a")) "out of bounds memory access")
(module (func $start unreachable) (start $start)) ;; FAIL

(assert_invalid (module (func (result i32))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch") ;; FAIL
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_malformed (module binary "\00asm\01\00\00\00") "unknown binary version") ;; FAIL
(assert_malformed (module quote "(func") "unexpected token")
(assert_malformed (module quote "(func (i32.const 0x))") "unknown operator")
(assert_malformed (module quote "(func)") "unexpected token") ;; FAIL
(assert_invalid (module quote "(func (result i32))") "type mismatch")

;; legacy exception handling
(module
  (tag $e (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0)))
  (func (export "catch") (result i32)
    (try (result i32) (do (i32.const 5) (throw $e)) (catch $e))))
(assert_exception (invoke "throw" (i32.const 1)))
(assert_return (invoke "catch") (i32.const 5))
(assert_exception (invoke "catch")) ;; FAIL
