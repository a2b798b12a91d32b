/*
 * beamr NIF: sandboxed NIFs (include/erl_nif_wasm.h). The per-instance
 * guest state, the per-call term table (a "session") and the functions
 * shared by nif_guest.c (lifecycle, Erlang entry points) and
 * nif_terms.c (the natively served `erl_nif` imports).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BEAMR_NIF_GUEST_H
#define BEAMR_NIF_GUEST_H

#include "beamr_nif.h"

/* Default limits of one NIF call (call_nif options override them). */
#define BNIF_GUEST_MAX_TERMS (1u << 22)
#define BNIF_GUEST_MAX_BINARY ((uint64_t)64 << 20)
/* A call that made more terms copies its answer and frees them on a
 * dirty scheduler (about 1 ms of work on the development machine). */
#define BNIF_GUEST_DIRTY_TERMS 20000
/* More binary bytes than this to copy in at the end: nif_end goes dirty
 * (a memcpy of about 0.1 ms). */
#define BNIF_GUEST_DIRTY_BYTES ((uint64_t)1 << 20)
/* enif_make_{list,tuple}_from_array take at most this many elements
 * (about half a millisecond: one import's work stays bounded). */
#define BNIF_GUEST_MAX_ARRAY 65536

/*
 * One call_nif: its term table lives in a process-independent env
 * owned by the session; handles are (gen << 32 | index), so that a
 * handle of another call (another gen) or past the table's end is
 * refused. A resource, so that a caller that dies mid-call ends it.
 */
typedef struct bnif_session {
    bnif_instance_t *inst;       /* kept */
    struct bnif_session *parent; /* the session this one nests in */
    bool active;
    bool holds_lease;
    uint32_t gen;
    ErlNifEnv *tenv;
    ERL_NIF_TERM *terms;
    uint8_t *pending; /* per entry: 1 if a binary not yet copied in */
    uint32_t count, cap;
    uint32_t argc; /* the arguments are entries 0..argc-1 */
    uint32_t max_terms;
    uint64_t max_binary, binary_bytes;
    /* enif_make_new_binary's guest bytes, copied at first read. */
    struct bnif_pending_bin {
        uint32_t index;
        uint64_t guest_ptr;
        uint8_t *host;
        uint64_t size;
    } * bins;
    size_t bin_count, bin_cap;
    /* What the call raised (enif_make_badarg, enif_raise_exception). */
    enum { BNIF_RAISED_NONE, BNIF_RAISED_BADARG, BNIF_RAISED_EXC } raised;
    uint32_t raised_index; /* the exception term's entry */
    const char *limit;     /* the limit that stopped the guest, or NULL */
    /* nif_end: the answer to copy out (an exception's reason if
     * out_exception), decided under the lock, copied after it. */
    bool copy_out, out_exception;
    ERL_NIF_TERM out_term;
} bnif_session_t;

/* Per instance (inst->guest), created on demand; freed with it. */
struct bnif_guest {
    bnif_instance_t *inst; /* not kept: it owns this */
    bool bound;
    ErlNifPid bound_pid;
    uint32_t next_gen;
    bool has_argv;
    uint64_t argv_ptr;
    bnif_session_t *top; /* the running session (inst->lock) */
};

/* nif_terms.c */
/* Resolves an `erl_nif` import natively; false if the name is unknown
 * or its type is not the one erl_nif_wasm.h declares. */
bool bnif_terms_import(bnif_instance_t *in, struct bnif_guest *g,
                       br_name_t name, const br_functype_t *type,
                       br_extern_t *out);
/* Adds a term to the table: its handle, or 0 at the limit. */
uint64_t bnif_session_add(bnif_session_t *s, ERL_NIF_TERM t);
/* The term of a handle (binary bytes copied in first); false if the
 * handle is not one of this session's. */
bool bnif_session_term(bnif_session_t *s, br_instance_t *inst, uint64_t h,
                       ERL_NIF_TERM *out);
/* Copies every pending binary's bytes in; false if one is out of
 * bounds. */
bool bnif_session_sync(bnif_session_t *s, br_instance_t *inst);
/* Guest memory [ptr, ptr+len) of memory 0, or NULL if out of bounds. */
uint8_t *bnif_guest_mem(br_instance_t *inst, uint64_t ptr, uint64_t len);

#endif
