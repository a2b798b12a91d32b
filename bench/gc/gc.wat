;; beamr GC benchmark (issue 18): allocation and field access on the same
;; WAT for beamr and node (V8). bench/gc_bench.py runs it.
;; SPDX-License-Identifier: Apache-2.0
(module
  (type $tree (struct (field $left (ref null $tree))
                      (field $right (ref null $tree))))
  (type $point (struct (field $x (mut i32)) (field $y (mut i32))))
  (type $points (array (mut (ref null $point))))

  ;; a complete binary tree of the given depth
  (func $make (param $d i32) (result (ref $tree))
    (if (result (ref $tree)) (i32.eqz (local.get $d))
      (then (struct.new $tree (ref.null $tree) (ref.null $tree)))
      (else
        (local.set $d (i32.sub (local.get $d) (i32.const 1)))
        (struct.new $tree (call $make (local.get $d))
                          (call $make (local.get $d))))))

  ;; its node count (field reads)
  (func $count (param $t (ref null $tree)) (result i32)
    (if (result i32) (ref.is_null (local.get $t))
      (then (i32.const 0))
      (else
        (i32.add (i32.const 1)
          (i32.add (call $count (struct.get $tree $left (local.get $t)))
                   (call $count (struct.get $tree $right (local.get $t))))))))

  ;; allocation: `n` trees of depth 14 (32,767 nodes each), each counted
  ;; and dropped; returns the nodes counted
  (func (export "alloc") (param $n i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $sum (i32.add (local.get $sum)
                                 (call $count (call $make (i32.const 14)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $more)))
    (local.get $sum))

  ;; field access: 100,000 points made once, then `n` passes of
  ;; x += y over all of them (array.get, struct.get, struct.set);
  ;; returns the sum of x at the end
  (func (export "fields") (param $n i32) (result i32)
    (local $a (ref null $points)) (local $i i32) (local $p (ref null $point))
    (local $sum i32)
    (local.set $a (array.new_default $points (i32.const 100000)))
    (loop $fill
      (array.set $points (local.get $a) (local.get $i)
        (struct.new $point (i32.const 0) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 100000))))
    (block $done
      (loop $pass
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $i (i32.const 0))
        (loop $each
          (local.set $p (array.get $points (local.get $a) (local.get $i)))
          (struct.set $point $x (local.get $p)
            (i32.add (struct.get $point $x (local.get $p))
                     (struct.get $point $y (local.get $p))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $each (i32.lt_u (local.get $i) (i32.const 100000))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $pass)))
    (local.set $i (i32.const 0))
    (loop $total
      (local.set $sum (i32.add (local.get $sum)
        (struct.get $point $x (array.get $points (local.get $a)
                                                 (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $total (i32.lt_u (local.get $i) (i32.const 100000))))
    (local.get $sum))
)
