;; Scheduler-latency suite: instantiating a 4 GiB memory whose data
;; segment sits at its very end.
(module
  (memory (export "memory") 65536)
  (data (i32.const 0xfffffff0) "the end of 4 GiB"))
