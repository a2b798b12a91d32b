;; beamr GC stress test (issue 18): allocates lists and arrays in a loop,
;; keeping only the last 256 lists alive, so that the whole run allocates
;; far more than the memory limit allows at once. test_gc_stress.c runs
;; `run` for 2 GiB under a 64 MiB limit; beamr_gc_tests runs `forever`
;; and stops it.
;; SPDX-License-Identifier: Apache-2.0
(module
  (type $node (struct (field $val (mut i32)) (field $next (mut (ref null $node)))))
  (type $words (array (mut i64)))
  (type $ring (array (mut (ref null $node))))

  (global $ring (mut (ref null $ring)) (ref.null $ring))

  ;; a list of n nodes valued 0 .. n-1 from the head
  (func $list (param $n i32) (result (ref null $node))
    (local $head (ref null $node))
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (local.set $head (struct.new $node (local.get $n) (local.get $head)))
        (br $more)))
    (local.get $head))

  ;; the sum of a list's values (-1 for a list that is not there)
  (func $sum (param $p (ref null $node)) (result i32)
    (local $s i32)
    (if (ref.is_null (local.get $p)) (then (return (i32.const -1))))
    (block $done
      (loop $more
        (br_if $done (ref.is_null (local.get $p)))
        (local.set $s (i32.add (local.get $s)
                               (struct.get $node $val (local.get $p))))
        (local.set $p (struct.get $node $next (local.get $p)))
        (br $more)))
    (local.get $s))

  ;; one round: slot i of the ring gets a new list of 100 nodes (the old
  ;; list, checked first, becomes garbage) and a short-lived array of
  ;; 1000 i64 is made and read; 0 if anything read back is wrong
  (func $round (param $i i32) (result i32)
    (local $slot i32) (local $old i32) (local $arr (ref null $words))
    (local.set $slot (i32.and (local.get $i) (i32.const 255)))
    (local.set $old (call $sum (array.get $ring (global.get $ring)
                                          (local.get $slot))))
    (if (i32.and (i32.ne (local.get $old) (i32.const -1))
                 (i32.ne (local.get $old) (i32.const 4950)))
      (then (return (i32.const 0))))
    (array.set $ring (global.get $ring) (local.get $slot)
               (call $list (i32.const 100)))
    (local.set $arr (array.new $words (i64.extend_i32_u (local.get $i))
                               (i32.const 1000)))
    (i64.eq (array.get $words (local.get $arr) (i32.const 999))
            (i64.extend_i32_u (local.get $i))))

  ;; rounds until `mib` MiB were allocated (11,216 bytes a round: 100
  ;; nodes of 32 bytes and an array of 8,016); 1 if every check held
  (func (export "run") (param $mib i64) (result i32)
    (local $i i32) (local $done i64) (local $target i64)
    (global.set $ring (array.new_default $ring (i32.const 256)))
    (local.set $target (i64.shl (local.get $mib) (i64.const 20)))
    (block $end
      (loop $more
        (br_if $end (i64.ge_u (local.get $done) (local.get $target)))
        (if (i32.eqz (call $round (local.get $i)))
          (then (return (i32.const 0))))
        (local.set $done (i64.add (local.get $done) (i64.const 11216)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $more)))
    (i32.const 1))

  ;; allocates until stopped
  (func (export "forever")
    (local $i i32)
    (global.set $ring (array.new_default $ring (i32.const 256)))
    (loop $more
      (drop (call $round (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $more)))
)
