;; Scheduler-latency suite (test/beamr_latency_tests.erl): bulk memory
;; operations over a 1 GiB memory.
(module
  (memory (export "memory") 16384 16384)
  ;; memory.fill of the whole GiB, $n times (the byte changes each time)
  (func (export "fill") (param $n i32)
    (loop $again
      (memory.fill (i32.const 0) (local.get $n) (i32.const 0x40000000))
      (br_if $again
        (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ;; memory.copy of 1 GiB less a byte, overlapping, $n times
  (func (export "copy") (param $n i32)
    (loop $again
      (memory.copy (i32.const 1) (i32.const 0) (i32.const 0x3fffffff))
      (br_if $again
        (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
