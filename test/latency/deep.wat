;; Scheduler-latency suite: recursion without end; the call traps when
;; the call stack is exhausted and unwinds every frame.
(module
  (func $deep (export "deep") (param $x i32) (result i32)
    (i32.add (call $deep (i32.add (local.get $x) (i32.const 1)))
             (i32.const 1))))
