/*
 * beamr NIF: structures shared by the NIF files (resources, atoms, the
 * per-load private data) and the cross-file functions (prefix bnif_).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BEAMR_NIF_H
#define BEAMR_NIF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <erl_nif.h>

#include "beamr.h"

/* ------------------------------------------------------------------ */
/* Atoms: created once in load, kept in the private data                */

/* X(c_name, "erlang_name") */
#define BNIF_ATOMS(X)                           \
    X(ok, "ok")                                 \
    X(error, "error")                           \
    X(true_, "true")                            \
    X(false_, "false")                          \
    X(undefined, "undefined")                   \
    X(null, "null")                             \
    X(nan, "nan")                               \
    X(infinity, "infinity")                     \
    X(neg_infinity, "-infinity")                \
    X(i32, "i32")                               \
    X(i64, "i64")                               \
    X(f32, "f32")                               \
    X(f64, "f64")                               \
    X(v128, "v128")                             \
    X(funcref, "funcref")                       \
    X(externref, "externref")                   \
    X(exnref, "exnref")                         \
    X(anyref, "anyref")                         \
    X(i31, "i31")                               \
    X(func, "func")                             \
    X(table, "table")                           \
    X(memory, "memory")                         \
    X(global, "global")                         \
    X(tag, "tag")                               \
    X(module_, "module")                        \
    X(name, "name")                             \
    X(const_, "const")                          \
    X(var, "var")                               \
    X(min, "min")                               \
    X(max, "max")                               \
    X(is64, "is64")                             \
    X(shared, "shared")                         \
    X(page_size, "page_size")                   \
    X(done, "done")                             \
    X(import, "import")                         \
    X(trap, "trap")                             \
    X(reason, "reason")                         \
    X(message, "message")                       \
    X(stack, "stack")                           \
    X(offset, "offset")                         \
    X(malformed, "malformed")                   \
    X(validation, "validation")                 \
    X(link, "link")                             \
    X(engine, "engine")                         \
    X(invalid_args, "invalid_args")             \
    X(function_not_found, "function_not_found") \
    X(not_found, "not_found")                   \
    X(no_memory, "no_memory")                   \
    X(no_table, "no_table")                     \
    X(out_of_bounds, "out_of_bounds")           \
    X(immutable, "immutable")                   \
    X(limit, "limit")                           \
    X(stopped, "stopped")                       \
    X(timeout, "timeout")                       \
    X(out_of_fuel, "out_of_fuel")               \
    X(cancelled, "cancelled")                   \
    X(busy, "busy")                             \
    X(not_suspended, "not_suspended")           \
    X(default_, "default")                      \
    X(start, "$start")                          \
    X(parked, "$parked")                        \
    X(suspended, "suspended")                   \
    X(max_memory_pages, "max_memory_pages")     \
    X(max_table_size, "max_table_size")         \
    X(max_call_depth, "max_call_depth")         \
    X(max_stack_slots, "max_stack_slots")       \
    X(exit, "exit")                             \
    X(aot, "aot")                               \
    X(snapshot, "snapshot")                     \
    X(wasi, "wasi")                             \
    X(emscripten, "emscripten")                 \
    X(stdout_, "stdout")                        \
    X(stderr_, "stderr")                        \
    X(capture, "capture")                       \
    X(discard, "discard")                       \
    X(inherit, "inherit")                       \
    X(stream, "stream")                         \
    X(empty, "empty")                           \
    X(beamr_output, "beamr_output")             \
    X(beamr_lease_free, "beamr_lease_free")     \
    X(erl_nif, "erl_nif")                       \
    X(invoke, "invoke")                         \
    X(longjmp, "longjmp")                       \
    X(unwind, "$unwind")                        \
    X(retry, "$retry")                          \
    X(stdin_wait, "stdin_wait")

typedef struct bnif_atoms {
#define BNIF_ATOM_FIELD(c_name, erl_name) ERL_NIF_TERM c_name;
    BNIF_ATOMS(BNIF_ATOM_FIELD)
#undef BNIF_ATOM_FIELD
} bnif_atoms_t;

/* ------------------------------------------------------------------ */
/* Resources: one type per engine object; children keep their parents   */

typedef struct bnif_reaper bnif_reaper_t;

typedef struct bnif_engine {
    br_engine_t *engine;
    bnif_reaper_t *reaper; /* kept: its unmap hook and big frees */
} bnif_engine_t;

typedef struct bnif_module {
    bnif_engine_t *engine; /* kept */
    br_module_t *module;
} bnif_module_t;

typedef struct bnif_call bnif_call_t;
typedef struct bnif_registry bnif_registry_t;

/* An externref made from an Erlang term: the wasm side holds a pointer
 * to this resource; the instance keeps it alive until it dies. */
typedef struct bnif_extern {
    ErlNifEnv *env; /* owns `term` */
    ERL_NIF_TERM term;
    ErlNifUInt64 hash; /* enif_hash(ERL_NIF_INTERNAL_HASH, term, 0) */
} bnif_extern_t;

/* Distinct externref terms an instance keeps at most (it keeps each
 * until it dies: wasm may have stored it anywhere). An identical term
 * given again reuses its holder. */
#define BNIF_MAX_EXTERNS 100000

/* Where a stream of a native-WASI instance goes when it is streamed
 * to a process ({stream, Pid}). */
typedef struct bnif_outstream {
    struct bnif_instance *inst;
    ErlNifPid pid;
    ERL_NIF_TERM tag; /* the atom stdout or stderr */
} bnif_outstream_t;

/*
 * The lease: which process may call into the instance. A call takes it
 * in the NIF when it is free (no message to the owner process); a call
 * from the process that holds it nests. When it is busy the caller
 * queues at the owner process, which grants it in order (lease_grant)
 * and is told by a message when a call releases it. Guarded by
 * calls_lock.
 */
typedef struct bnif_lease {
    bool held;
    ErlNifPid holder;
    bool owner_waiting; /* the owner has queued callers: tell it on release */
    bool has_owner;
    ErlNifPid owner; /* the instance's owner process */
    ErlNifMonitor owner_mon;
    bnif_registry_t *registry; /* where it is registered (has_owner) */
} bnif_lease_t;

typedef struct bnif_instance {
    bnif_module_t *module; /* kept */
    /* `lock` serialises every use of the store (one thread at a time);
     * `calls_lock` guards the list of live calls and the lease, so that
     * stop can cancel a running call without waiting for its slice to
     * end. Lock order: lock, then calls_lock. */
    ErlNifMutex *lock;
    ErlNifMutex *calls_lock;
    br_store_t *store;
    br_instance_t *inst;
    br_externtype_t *import_types; /* per import; outlives the store */
    br_exec_t *idle_exec; /* a finished context kept for the next call */
    bnif_call_t *calls;   /* live calls (calls_lock) */
    atomic_bool stopped;
    bnif_extern_t **externs; /* kept externref objects (lock) */
    size_t extern_count, extern_cap;
    bnif_extern_t **extern_index; /* hash set over `externs` (lock) */
    size_t extern_index_cap;      /* 0 or a power of two */
    bnif_lease_t lease; /* calls_lock */
    /* Native WASI (NULL without): host functions in `store`. */
    struct br_wasi *wasi;
    bnif_outstream_t out[2]; /* stdout, stderr when streamed */
    ErlNifEnv *run_env;      /* the NIF env of the running slice (lock) */
    /* Sandboxed NIFs (nif_guest.c): NULL until needed. */
    _Atomic(struct bnif_guest *) guest;
    /* nif_state.c: the instance's fuel budget (< 0: unmetered) and the
     * Erlang side's data (bound import funs, mode), both under `lock`. */
    int64_t fuel_budget;
    ErlNifEnv *data_env; /* owns `data`, or NULL */
    ERL_NIF_TERM data;
    ERL_NIF_TERM hb_mode; /* an atom (data's '$hb_mode'), or 0: seed */
    /* nif_link.c: instances whose exports this one imports (kept). They
     * share one store lock: `lock` is then links[0]'s, not our own. */
    struct bnif_instance **links;
    size_t link_count;
    br_link_t **link_envs; /* the links of its function imports (owned) */
    size_t link_env_count;
    bool shared_lock;
    struct bnif_pipe *stdin_pipe; /* nif_pipe.c: WASI stdin (kept) */
    br_exec_t *parked; /* nif_suspend.c: a restored or fuel-stopped call
                          waiting for beamr:resume (lock) */
} bnif_instance_t;

enum {
    BNIF_CALL_RUNNING = 0,   /* between or inside slices */
    BNIF_CALL_SUSPENDED = 1, /* waiting for an import answer */
    BNIF_CALL_FINISHED = 2,  /* done, trapped, failed or abandoned */
};

struct bnif_call {
    bnif_instance_t *inst; /* kept */
    br_exec_t *exec;       /* NULL once given back or deleted */
    int state;             /* BNIF_CALL_* (inst->lock) */
    int64_t fuel_left;     /* < 0: unlimited */
    int64_t slice;         /* fuel per slice, adapted to ~200 us */
    bool fixed_slice;      /* test knob: never adapt `slice` */
    bool has_deadline;
    int64_t deadline;      /* Erlang monotonic ns (may be negative) */
    bool linked;           /* in inst->calls (calls_lock) */
    bool cancel_requested; /* br_exec_cancel reached it (calls_lock) */
    bool holds_lease;      /* took the lease: releases it when it ends */
    bool park_on_fuel;     /* out of fuel: park it (nif_suspend.c) */
    bnif_call_t *prev, *next;
};

/* A funcref handed to Erlang (table reads, funcref results). */
typedef struct bnif_func {
    bnif_instance_t *inst; /* kept */
    br_func_t *func;
} bnif_func_t;

/* A GC reference (struct or array) handed to Erlang: pinned in the
 * instance's store while the term lives (the destructor unpins). */
typedef struct bnif_gcref {
    bnif_instance_t *inst; /* kept; NULL: nothing to unpin */
    br_ref_t ref;
} bnif_gcref_t;

typedef struct bnif_priv {
    bnif_atoms_t atoms;
    ErlNifResourceType *engine_rt;
    ErlNifResourceType *module_rt;
    ErlNifResourceType *instance_rt;
    ErlNifResourceType *call_rt;
    ErlNifResourceType *func_rt;
    ErlNifResourceType *extern_rt;
    ErlNifResourceType *gcref_rt; /* bnif_gcref_t */
    ErlNifResourceType *buffer_rt;
    ErlNifResourceType *session_rt; /* nif_guest.c */
    /* nif_pipe.c */
    ErlNifResourceType *pipe_rt;
    bnif_engine_t *engine;     /* kept while this library version is loaded */
    bnif_reaper_t *reaper;     /* nif_reaper.c: this version's thread */
    bnif_registry_t *registry; /* handed on to the next version on upgrade */
} bnif_priv_t;

static inline bnif_priv_t *
bnif_priv(ErlNifEnv *env)
{
    return (bnif_priv_t *)enif_priv_data(env);
}

static inline const bnif_atoms_t *
bnif_atoms(ErlNifEnv *env)
{
    return &bnif_priv(env)->atoms;
}

/* ------------------------------------------------------------------ */
/* nif_resource.c: resource types, lifecycle                           */

int bnif_resources_open(ErlNifEnv *env, bnif_priv_t *priv);
/* max_memory_pages: the engine's cap on every memory (0: the engine's
 * default, BR_MEMORY_PAGES_UNLIMITED: none but the spec's). */
bnif_engine_t *bnif_engine_create(bnif_priv_t *priv, uint64_t max_memory_pages);
/* Makes a module resource from the binary `bin` with `load`
 * (br_module_new or br_module_deserialize): {ok, Module}, the error from
 * `fail`, or badarg if `bin` is not a binary. */
typedef br_err_t bnif_module_loader_t(br_engine_t *engine, const uint8_t *bytes,
                                      size_t size, br_module_t **out,
                                      br_error_t *error);
ERL_NIF_TERM bnif_module_load(ErlNifEnv *env, ERL_NIF_TERM bin,
                              bnif_module_loader_t *load,
                              ERL_NIF_TERM (*fail)(ErlNifEnv *env,
                                                   const br_error_t *err));
/* Marks the instance stopped, cancels its calls, unregisters it. */
void bnif_instance_shutdown(bnif_instance_t *inst);

/* ------------------------------------------------------------------ */
/* nif_handle.c: engine objects by term, externrefs kept by instances  */

bool bnif_get_module(ErlNifEnv *env, ERL_NIF_TERM t, bnif_module_t **out);
/* An instance by resource or by its owner pid (then kept alive by a
 * resource term made in `env`, for this NIF call). */
bool bnif_get_instance(ErlNifEnv *env, ERL_NIF_TERM t, bnif_instance_t **out);
/* The same, kept for the caller, who releases it: for dirty NIFs,
 * whose env terms are no roots. */
bool bnif_hold_instance(ErlNifEnv *env, ERL_NIF_TERM t, bnif_instance_t **out);
/* The answer when bnif_get_instance fails: {error, stopped} for a pid
 * (no instance has that owner any more), else badarg. */
ERL_NIF_TERM bnif_no_instance(ErlNifEnv *env, ERL_NIF_TERM t);
bool bnif_get_call(ErlNifEnv *env, ERL_NIF_TERM t, bnif_call_t **out);
/* Keeps an externref object alive as long as the instance; false when
 * out of memory or at BNIF_MAX_EXTERNS. Caller holds inst->lock. */
bool bnif_instance_keep_extern(bnif_instance_t *inst, bnif_extern_t *ext);
/* The kept holder of a term identical to `t` (hash `hash`), or NULL.
 * Caller holds inst->lock. */
bnif_extern_t *bnif_instance_find_extern(bnif_instance_t *inst,
                                         ERL_NIF_TERM t, ErlNifUInt64 hash);

/* ------------------------------------------------------------------ */
/* nif_util.c: leaf helpers (they call no other file of the NIF)       */

/* lua_Alloc-style allocator over enif_alloc, for the engine and WASI:
 * their memory shows up in erlang:memory(). */
void *bnif_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
ERL_NIF_TERM bnif_make_binary(ErlNifEnv *env, const void *data, size_t size);

/* ------------------------------------------------------------------ */
/* nif_reaper.c: big unmaps and frees off the schedulers               */

/* Starts the thread; the caller holds the one reference (NULL: out of
 * memory or threads). */
bnif_reaper_t *bnif_reaper_new(void);
void bnif_reaper_keep(bnif_reaper_t *r);
void bnif_reaper_release(bnif_reaper_t *r);
/* Finishes the queued work and ends the thread (at unload); later
 * requests are done at once by their caller. */
void bnif_reaper_stop(bnif_reaper_t *r);
/* br_unmap_fn with the reaper as `ud`. */
void bnif_reaper_unmap(void *ud, void *addr, size_t size);
/* Queues enif_free(ptr) if the block is big (`size` bytes) and the
 * thread runs; false: the caller frees it. */
bool bnif_reaper_free(bnif_reaper_t *r, void *ptr, size_t size);

/* ------------------------------------------------------------------ */
/* nif_registry.c: owner pid -> instance                               */

bnif_registry_t *bnif_registry_new(void);
void bnif_registry_delete(bnif_registry_t *reg);
bool bnif_registry_put(bnif_registry_t *reg, const ErlNifPid *pid,
                       bnif_instance_t *inst);
void bnif_registry_remove(bnif_registry_t *reg, const ErlNifPid *pid,
                          bnif_instance_t *inst);
bnif_instance_t *bnif_registry_find(bnif_registry_t *reg, const ErlNifPid *pid);
/* Ends a call: gives a reusable context back to the instance (or
 * deletes it), unregisters it, releases its lease. Caller holds
 * inst->lock. */
void bnif_call_finish(ErlNifEnv *env, bnif_call_t *call, bool reusable);
/* br_exec_cancel on every live call (thread-safe). */
void bnif_instance_cancel_calls(bnif_instance_t *inst);
/* Wraps an engine buffer in a binary without copying it (the binary
 * frees it through the engine); a copy if that fails. */
ERL_NIF_TERM bnif_buffer_binary(ErlNifEnv *env, bnif_engine_t *engine,
                                uint8_t *data, size_t size);

/* ------------------------------------------------------------------ */
/* nif_lease.c: who may call into an instance                           */

typedef enum bnif_lease_take {
    BNIF_LEASE_TAKEN,  /* free: now held by the caller */
    BNIF_LEASE_NESTED, /* the caller already holds it */
    BNIF_LEASE_BUSY,   /* held by another process, or callers queue */
} bnif_lease_take_t;

bnif_lease_take_t bnif_lease_take(ErlNifEnv *env, bnif_instance_t *inst);
/* Releases a lease a call took; tells the owner if callers queue.
 * `env` is the caller's env (NULL only outside a scheduler). */
void bnif_lease_release(ErlNifEnv *env, bnif_instance_t *inst);

/* ------------------------------------------------------------------ */
/* nif_value.c: term <-> value conversion                               */

/* Converts `t` to a value of `kind`; false if out of range or wrong. */
bool bnif_term_to_val(ErlNifEnv *env, bnif_instance_t *inst, ERL_NIF_TERM t,
                      br_valkind_t kind, br_val_t *out);
ERL_NIF_TERM bnif_val_to_term(ErlNifEnv *env, bnif_instance_t *inst,
                              const br_val_t *val);
/* Converts an Erlang list to `count` values of the given kinds. */
bool bnif_list_to_vals(ErlNifEnv *env, bnif_instance_t *inst, ERL_NIF_TERM list,
                       const br_valkind_t *kinds, uint32_t count,
                       br_val_t *out);
ERL_NIF_TERM bnif_vals_to_list(ErlNifEnv *env, bnif_instance_t *inst,
                               const br_val_t *vals, size_t count);
ERL_NIF_TERM bnif_kind_atom(ErlNifEnv *env, br_valkind_t kind);
ERL_NIF_TERM bnif_kinds_list(ErlNifEnv *env, const br_valkind_t *kinds,
                             uint32_t count);

/* ------------------------------------------------------------------ */
/* nif_error.c: error terms                                            */

/* An empty error record (no function) for the engine to fill. */
void bnif_error_init(br_error_t *err);
ERL_NIF_TERM bnif_error(ErlNifEnv *env, ERL_NIF_TERM reason);
ERL_NIF_TERM bnif_error2(ErlNifEnv *env, ERL_NIF_TERM tag, ERL_NIF_TERM detail);
/* {error, {malformed|validation|link|engine, #{reason, message, ...}}} */
ERL_NIF_TERM bnif_error_from(ErlNifEnv *env, const br_error_t *err);
/* #{reason, message, stack} for a trap. */
ERL_NIF_TERM bnif_trap_map(ErlNifEnv *env, const br_trap_t *trap);
ERL_NIF_TERM bnif_err_atom(ErlNifEnv *env, br_err_t code);

/* `map` with `line` and `column` added when line is not 0 (an error
 * placed in a text source). */
ERL_NIF_TERM bnif_put_position(ErlNifEnv *env, ERL_NIF_TERM map,
                               uint32_t line, uint32_t column);

/* {error, {Tag, #{reason, message, offset, func}}} for any code. */
ERL_NIF_TERM bnif_error_tagged(ErlNifEnv *env, ERL_NIF_TERM tag,
                               const br_error_t *err);

/* ------------------------------------------------------------------ */
/* nif_wasi.c: native WASI for an instance                              */

/* Parses the WASI config term and creates inst->wasi in its store;
 * false with *err set on a bad config or a failure. */
bool bnif_wasi_setup(ErlNifEnv *env, bnif_instance_t *inst, ERL_NIF_TERM config,
                     ERL_NIF_TERM *err);
/* Reads the NIF load info (#{max_host_fds => N}): the VM-wide cap on
 * the host fds of all WASI environments (default 4096, at most half the
 * process's RLIMIT_NOFILE). */
void bnif_wasi_configure(ErlNifEnv *env, ERL_NIF_TERM info);
/* Closes every host fd of the instance's WASI environment (its fd
 * table stays: the guest then sees EBADF). Caller holds inst->lock. */
void bnif_wasi_close_fds(bnif_instance_t *inst);
/* Resolves function import `index` natively: `wasi` (WASI preview 1)
 * or `emscripten` (the env.__syscall_* errno stubs). */
bool bnif_wasi_import(ErlNifEnv *env, bnif_instance_t *inst, uint32_t index,
                      ERL_NIF_TERM how, br_extern_t *out);

/* ------------------------------------------------------------------ */
/* NIF entry points, one file per job                                   */

/* nif_native.c: the `tier' key of a limits map (false: a bad value),
 * and module_native_info/1 */
bool bnif_native_tier(ErlNifEnv *env, ERL_NIF_TERM map, br_tier_t *out);
/* module_native_compile/1: the whole module to machine code (a dirty
 * CPU job: its registration in nif_main.c says so). */
ERL_NIF_TERM bnif_module_native_compile(ErlNifEnv *env, int argc,
                                        const ERL_NIF_TERM argv[]);
/* Functions above this many words of internal code (about 1.5 ms of
 * compile) are not compiled at a call, on the normal scheduler that
 * runs it: only by module_native_compile, on a dirty one. */
#define BNIF_NATIVE_LAZY_WORDS 16384u
ERL_NIF_TERM bnif_module_native_info(ErlNifEnv *env, int argc,
                                     const ERL_NIF_TERM argv[]);

/* nif_module.c */
/* A memory cap in pages: a positive integer, or `infinity'
 * (BR_MEMORY_PAGES_UNLIMITED). */
bool bnif_get_max_pages(ErlNifEnv *env, ERL_NIF_TERM t, uint64_t *out);
ERL_NIF_TERM bnif_module_new(ErlNifEnv *env, int argc,
                             const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_module_imports(ErlNifEnv *env, int argc,
                                 const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_module_exports(ErlNifEnv *env, int argc,
                                 const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_instance_new(ErlNifEnv *env, int argc,
                               const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_instance_owner(ErlNifEnv *env, int argc,
                                 const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_instance_stop(ErlNifEnv *env, int argc,
                                const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_instance_cancel(ErlNifEnv *env, int argc,
                                  const ERL_NIF_TERM argv[]);

/* nif_wat.c: the text format. Whether bytes are WAT text (no binary
 * magic, a form or comment first); text to binary; text compiled. */
bool bnif_is_text(const uint8_t *bytes, size_t size);
ERL_NIF_TERM bnif_wat_to_wasm(ErlNifEnv *env, int argc,
                              const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_wat_module_new(ErlNifEnv *env, int argc,
                                 const ERL_NIF_TERM argv[]);

/* nif_lease.c */
ERL_NIF_TERM bnif_lease_grant(ErlNifEnv *env, int argc,
                              const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_lease_return(ErlNifEnv *env, int argc,
                               const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_lease_idle(ErlNifEnv *env, int argc,
                             const ERL_NIF_TERM argv[]);

/* nif_wasi.c */
ERL_NIF_TERM bnif_wasi_output(ErlNifEnv *env, int argc,
                              const ERL_NIF_TERM argv[]);

/* nif_state.c */
ERL_NIF_TERM bnif_instance_set_data(ErlNifEnv *env, int argc,
                                    const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_instance_data(ErlNifEnv *env, int argc,
                                const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_instance_mode(ErlNifEnv *env, int argc,
                                const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_fuel_add(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_fuel_remaining(ErlNifEnv *env, int argc,
                                 const ERL_NIF_TERM argv[]);
/* nif_link.c: import `index' from a `{link, Instance, Name}' spec;
 * false with *err set ({error, {link, #{reason := instance_stopped |
 * unknown_export | incompatible_import_type | link_conflict |
 * unsupported_export}}}). */
bool bnif_link_import(ErlNifEnv *env, bnif_instance_t *inst, uint32_t index,
                      ERL_NIF_TERM spec, br_extern_t *out, ERL_NIF_TERM *err);
bool bnif_instance_keep_link(bnif_instance_t *inst, br_link_t *link);
/* Frees what nif_state.c and nif_link.c keep (instance destructor). */
void bnif_instance_release_extras(bnif_instance_t *inst);

/* nif_pipe.c: WASI stdin that Erlang writes to */
typedef struct bnif_pipe bnif_pipe_t;
ErlNifResourceType *bnif_pipe_open_type(ErlNifEnv *env);
bool bnif_get_pipe(ErlNifEnv *env, ERL_NIF_TERM t, bnif_pipe_t **out);
/* A pipe term as the stdin of a WASI config (false if not a pipe). */
struct br_wasi_config;
bool bnif_pipe_stdin(ErlNifEnv *env, ERL_NIF_TERM t,
                     struct br_wasi_config *cfg);
bool bnif_pipe_take_blocked(bnif_pipe_t *p);
ERL_NIF_TERM bnif_pipe_new(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_pipe_write(ErlNifEnv *env, int argc,
                             const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_pipe_close(ErlNifEnv *env, int argc,
                             const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_pipe_wait(ErlNifEnv *env, int argc,
                            const ERL_NIF_TERM argv[]);

/* nif_aot.c */
ERL_NIF_TERM bnif_module_serialize(ErlNifEnv *env, int argc,
                                   const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_module_deserialize(ErlNifEnv *env, int argc,
                                     const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_instance_snapshot(ErlNifEnv *env, int argc,
                                    const ERL_NIF_TERM argv[]);

/* nif_suspend.c: snapshots with the waiting call; parked calls. */
ERL_NIF_TERM bnif_instance_snapshot_call(ErlNifEnv *env, int argc,
                                         const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_instance_restore_call(ErlNifEnv *env, int argc,
                                        const ERL_NIF_TERM argv[]);
/* Both under inst->lock: take the parked call out, park one. */
br_exec_t *bnif_take_parked(bnif_instance_t *in);
void bnif_park(bnif_instance_t *in, br_exec_t *exec);

/* nif_call.c */
ERL_NIF_TERM bnif_call_start(ErlNifEnv *env, int argc,
                             const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_call_resume(ErlNifEnv *env, int argc,
                              const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_call_abort(ErlNifEnv *env, int argc,
                             const ERL_NIF_TERM argv[]);

/* nif_guest.c: sandboxed NIFs (erl_nif_wasm.h) */
bool bnif_guest_open_types(ErlNifEnv *env, bnif_priv_t *priv);
void bnif_guest_delete(bnif_instance_t *inst);
/* Serves `erl_nif` import `index` natively; false if it is not one. */
bool bnif_guest_import(ErlNifEnv *env, bnif_instance_t *inst, uint32_t index,
                       br_extern_t *out);
/* False if the instance is bound to another process (process_bound). */
bool bnif_guest_may_call(ErlNifEnv *env, bnif_instance_t *inst);
ERL_NIF_TERM bnif_guest_bind(ErlNifEnv *env, int argc,
                             const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_nif_begin(ErlNifEnv *env, int argc,
                            const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_nif_argv(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_nif_end(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);

/* nif_memory.c */
ERL_NIF_TERM bnif_memory_size(ErlNifEnv *env, int argc,
                              const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_gc_stats(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_memory_read(ErlNifEnv *env, int argc,
                              const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_memory_read_cstring(ErlNifEnv *env, int argc,
                                      const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_memory_write(ErlNifEnv *env, int argc,
                               const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_memory_grow(ErlNifEnv *env, int argc,
                              const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_global_get(ErlNifEnv *env, int argc,
                             const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_global_set(ErlNifEnv *env, int argc,
                             const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_table_size(ErlNifEnv *env, int argc,
                             const ERL_NIF_TERM argv[]);
ERL_NIF_TERM bnif_table_get(ErlNifEnv *env, int argc,
                            const ERL_NIF_TERM argv[]);

#endif
