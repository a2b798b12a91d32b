;; Scheduler-latency suite: a table grown to 40 million entries (the
;; test raises max_table_size to allow it), then filled $n times.
(module
  (table $t 0 40000000 funcref)
  (elem declare func $f)
  (func $f)
  (func (export "fill") (param $n i32)
    (if (i32.eqz (table.size $t))
      (then (drop (table.grow $t (ref.null func) (i32.const 40000000)))))
    (loop $again
      (table.fill $t (i32.const 0) (ref.func $f) (i32.const 40000000))
      (br_if $again
        (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
