;; Scheduler-latency suite: memory.grow by $pages, $n times (until the
;; first failure); returns the final size in pages.
(module
  (memory (export "memory") 1 65536)
  (func (export "grow") (param $pages i32) (param $n i32) (result i32)
    (loop $again
      (if (i32.ne (memory.grow (local.get $pages)) (i32.const -1))
        (then
          (br_if $again
            (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
    (memory.size)))
