/*
 * beamr engine: the garbage-collection handlers of the dispatch loop.
 * Included inside bri_interp_run (interp.c); the work is out of line in
 * exec_gc.c (layouts: compile_gc.c), except for the one-word ops.
 * SPDX-License-Identifier: Apache-2.0
 */

/* clang-format off */
#define GC_OP(name, len)                                                  \
    OP(name) {                                                            \
        int64_t cost_ = 0;                                                \
        br_trapkind_t k_ = bri_gc_exec(inst, pc, S, &cost_);              \
        if (BR_UNLIKELY(k_ != BR_TRAP_NONE))                              \
            TRAP(k_);                                                     \
        pc += (len);                                                      \
        if (cost_ != 0)                                                   \
            CHARGE(cost_);                                                \
        NEXT();                                                           \
    }

    GC_OP(struct_new, 3)
    GC_OP(struct_new_default, 3)
    GC_OP(struct_get, 4)
    GC_OP(struct_get_s, 4)
    GC_OP(struct_get_u, 4)
    GC_OP(struct_set, 4)
    GC_OP(array_new, 3)
    GC_OP(array_new_default, 3)
    GC_OP(array_new_fixed, 4)
    GC_OP(array_new_data, 4)
    GC_OP(array_new_elem, 4)
    GC_OP(array_get, 3)
    GC_OP(array_get_s, 3)
    GC_OP(array_get_u, 3)
    GC_OP(array_set, 3)
    GC_OP(array_len, 2)
    GC_OP(array_fill, 3)
    GC_OP(array_copy, 4)
    GC_OP(array_init_data, 4)
    GC_OP(array_init_elem, 4)
    GC_OP(ref_cast, 3)
    GC_OP(ref_cast_null, 3)
    GC_OP(i31_get_s, 2)
    GC_OP(i31_get_u, 2)
    OP(ref_test) OP(ref_test_null) {
        br_slot_t *x_ = S + pc[1];
        x_->u64 = bri_gc_ref_test(inst, x_->ref, pc[2]);
        pc += 3;
        NEXT();
    }
    OP(ref_i31) {
        br_slot_t *x_ = S + pc[1];
        wr_ref(x_, bri_gc_i31_make(rd_i32(x_)));
        pc += 2;
        NEXT();
    }
    OP(ref_eq) {
        br_slot_t *x_ = S + pc[1];
        wr_i32(x_, x_[0].ref == x_[1].ref);
        pc += 2;
        NEXT();
    }
    OP(br_on_cast) OP(br_on_cast_fail) OP(any_convert_extern)
    OP(extern_convert_any)
        goto bad_op; /* never emitted (compile_gc.c) */
#undef GC_OP
/* clang-format on */
