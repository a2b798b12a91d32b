;; Found by fuzz_text on the text branch (a72d82a): wat.c sig_type computes
;; NULL + 0 for a signature without params or results (UBSan). Move to
;; fuzz/regress/text/ once fixed. SPDX-License-Identifier: Apache-2.0
(func) (memory 0) (func (export "f"))
