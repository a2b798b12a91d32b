/*
 * beamr NIF: sandboxed NIFs, the call's life. beamr_nif_guest.erl runs
 * a NIF call as nif_begin (lease, term table, argv in guest memory),
 * an ordinary beamr:call of the export (fuel, yielding, timeouts), and
 * nif_end (the result copied to the caller's heap); process binding.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "nif_guest.h"

/* Erlang functions have at most 255 arguments. */
#define MAX_ARGS 255

/* ------------------------------------------------------------------ */
/* Sizing terms: a copy cannot be sliced, so large ones go dirty        */

typedef struct walk {
    ERL_NIF_TERM local[64];
    ERL_NIF_TERM *items;
    size_t count, cap;
} walk_t;

static bool
walk_push(walk_t *w, ERL_NIF_TERM t)
{
    if (w->count == w->cap) {
        size_t cap = w->cap * 2;
        ERL_NIF_TERM *items = enif_alloc(cap * sizeof *items);
        if (items == NULL)
            return false;
        memcpy(items, w->items, w->count * sizeof *items);
        if (w->items != w->local)
            enif_free(w->items);
        w->items = items;
        w->cap = cap;
    }
    w->items[w->count++] = t;
    return true;
}

static bool
walk_map(ErlNifEnv *env, walk_t *w, ERL_NIF_TERM t, size_t *budget)
{
    ERL_NIF_TERM key, val;
    size_t size;
    ErlNifMapIterator it;
    if (!enif_get_map_size(env, t, &size) || size == 0)
        return true;
    if (size * 2 > *budget ||
        !enif_map_iterator_create(env, t, &it, ERL_NIF_MAP_ITERATOR_FIRST))
        return false;
    bool ok = true;
    while (ok && enif_map_iterator_get_pair(env, &it, &key, &val)) {
        ok = walk_push(w, key) && walk_push(w, val);
        enif_map_iterator_next(env, &it);
    }
    enif_map_iterator_destroy(env, &it);
    return ok;
}

/* Pushes what `t` contains; false if it has more than *budget nodes.
 * One enif_term_type per node: most are leaves (numbers, atoms,
 * binaries: a binary's bytes are shared or small when copied). */
static bool
walk_children(ErlNifEnv *env, walk_t *w, ERL_NIF_TERM t, size_t *budget)
{
    ERL_NIF_TERM head, tail;
    const ERL_NIF_TERM *els;
    int arity;
    switch (enif_term_type(env, t)) {
    case ERL_NIF_TERM_TYPE_LIST:
        if (!enif_get_list_cell(env, t, &head, &tail))
            return true; /* [] */
        return walk_push(w, tail) && walk_push(w, head);
    case ERL_NIF_TERM_TYPE_TUPLE:
        enif_get_tuple(env, t, &arity, &els);
        if ((size_t)arity > *budget)
            return false;
        for (int i = 0; i < arity; i++)
            if (!walk_push(w, els[i]))
                return false;
        return true;
    case ERL_NIF_TERM_TYPE_MAP:
        return walk_map(env, w, t, budget);
    default:
        return true;
    }
}

/*
 * True if `t` has more than `budget` nodes (list cells, tuple and map
 * elements), i.e. copying it takes more than about a millisecond.
 * Visits at most `budget` nodes, with a stack of its own (no
 * recursion: a deeply nested term cannot overflow the C stack).
 */
static bool
term_is_big(ErlNifEnv *env, ERL_NIF_TERM t, size_t budget)
{
    walk_t w;
    bool big = false;
    w.items = w.local;
    w.cap = sizeof w.local / sizeof w.local[0];
    w.count = 0;
    walk_push(&w, t);
    while (w.count > 0 && !big) {
        ERL_NIF_TERM next = w.items[--w.count];
        big = budget-- == 0 || !walk_children(env, &w, next, &budget);
    }
    if (w.items != w.local)
        enif_free(w.items);
    return big;
}

/* ------------------------------------------------------------------ */
/* Per-instance state                                                  */

/* The instance's guest state, made on first need. Made before the
 * instance's pid is handed out (imports, binding) or under the lease,
 * and published atomically for bnif_guest_may_call's lock-free read. */
static struct bnif_guest *
guest_get(bnif_instance_t *in)
{
    struct bnif_guest *g = atomic_load(&in->guest);
    if (g != NULL)
        return g;
    g = enif_alloc(sizeof *g);
    if (g == NULL)
        return NULL;
    memset(g, 0, sizeof *g);
    g->inst = in;
    /* Generations start anywhere, so that a handle is hard to guess. */
    g->next_gen = (uint32_t)((uint64_t)enif_monotonic_time(ERL_NIF_NSEC) ^
                             (uint64_t)(uintptr_t)in);
    struct bnif_guest *expected = NULL;
    if (!atomic_compare_exchange_strong(&in->guest, &expected, g)) {
        enif_free(g);
        return expected;
    }
    return g;
}

void
bnif_guest_delete(bnif_instance_t *in)
{
    struct bnif_guest *g = atomic_load(&in->guest);
    if (g != NULL)
        enif_free(g);
    atomic_store(&in->guest, NULL);
}

bool
bnif_guest_import(ErlNifEnv *env, bnif_instance_t *in, uint32_t index,
                  br_extern_t *out)
{
    (void)env;
    br_name_t mod, name;
    br_externtype_t type;
    br_module_import(in->module->module, index, &mod, &name, &type);
    if (type.kind != BR_EXTERN_FUNC || mod.size != 7 ||
        memcmp(mod.data, "erl_nif", 7) != 0)
        return false;
    struct bnif_guest *g = guest_get(in);
    return g != NULL && bnif_terms_import(in, g, name, &type.func, out);
}

bool
bnif_guest_may_call(ErlNifEnv *env, bnif_instance_t *in)
{
    struct bnif_guest *g = atomic_load(&in->guest);
    ErlNifPid self;
    if (g == NULL || !g->bound)
        return true;
    return enif_self(env, &self) != NULL &&
           enif_compare_pids(&self, &g->bound_pid) == 0;
}

/* guest_bind(Instance) -> ok: only this process may call it from now
 * on (beamr:start/2's process_bound option). */
ERL_NIF_TERM
bnif_guest_bind(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    ErlNifPid self;
    if (!enif_get_resource(env, argv[0], bnif_priv(env)->instance_rt,
                           (void **)&in) ||
        enif_self(env, &self) == NULL)
        return enif_make_badarg(env);
    struct bnif_guest *g = guest_get(in);
    if (g == NULL)
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    g->bound_pid = self;
    g->bound = true;
    return bnif_atoms(env)->ok;
}

/* ------------------------------------------------------------------ */
/* Sessions                                                            */

static bool write_argv(bnif_session_t *s, uint64_t ptr, unsigned argc);

/* Takes a session out of the instance: off its stack (host functions
 * no longer reach its table) and its lease released. Caller holds
 * inst->lock. Safe to call twice. */
static void
session_detach(ErlNifEnv *env, bnif_session_t *s)
{
    bnif_instance_t *in = s->inst;
    struct bnif_guest *g = atomic_load(&in->guest);
    if (!s->active)
        return;
    s->active = false;
    if (g->top == s) {
        g->top = s->parent;
        /* A nested NIF call (from an import fun of this one) used the
         * same argv buffer: the outer call gets its own back. */
        if (g->top != NULL && g->has_argv)
            (void)write_argv(g->top, g->argv_ptr, g->top->argc);
    } else {
        for (bnif_session_t *t = g->top; t != NULL; t = t->parent)
            if (t->parent == s)
                t->parent = s->parent;
    }
    if (s->holds_lease) {
        s->holds_lease = false;
        bnif_lease_release(env, in);
    }
}

/* Frees a detached session's terms (no lock: nothing else reaches
 * them). Safe to call twice. */
static void
session_free(bnif_session_t *s)
{
    if (s->tenv != NULL)
        enif_free_env(s->tenv);
    enif_free(s->terms);
    enif_free(s->pending);
    enif_free(s->bins);
    s->tenv = NULL;
    s->terms = NULL;
    s->pending = NULL;
    s->bins = NULL;
}

static void
session_end(ErlNifEnv *env, bnif_session_t *s)
{
    session_detach(env, s);
    session_free(s);
}

/* A caller that died mid-call ends its session here. Never released
 * while this thread holds the store lock. */
static void
session_dtor(ErlNifEnv *env, void *obj)
{
    bnif_session_t *s = obj;
    if (s->inst == NULL)
        return;
    enif_mutex_lock(s->inst->lock);
    session_detach(env, s);
    enif_mutex_unlock(s->inst->lock);
    session_free(s);
    enif_release_resource(s->inst);
}

bool
bnif_guest_open_types(ErlNifEnv *env, bnif_priv_t *priv)
{
    priv->session_rt =
        enif_open_resource_type(env, NULL, "beamr_nif_session", session_dtor,
                                ERL_NIF_RT_CREATE | ERL_NIF_RT_TAKEOVER, NULL);
    return priv->session_rt != NULL;
}

static bool
get_session(ErlNifEnv *env, ERL_NIF_TERM t, bnif_session_t **out)
{
    return enif_get_resource(env, t, bnif_priv(env)->session_rt,
                             (void **)out) &&
           (*out)->inst != NULL;
}

/* Copies the arguments into a new session's table (handles 0..n-1). */
static bool
session_fill(bnif_session_t *s, ErlNifEnv *env, ERL_NIF_TERM list)
{
    ERL_NIF_TERM head;
    s->tenv = enif_alloc_env();
    if (s->tenv == NULL)
        return false;
    while (enif_get_list_cell(env, list, &head, &list))
        if (bnif_session_add(s, enif_make_copy(s->tenv, head)) == 0)
            return false;
    return true;
}

/* {MaxTerms, MaxBinary} */
static bool
get_limits(ErlNifEnv *env, ERL_NIF_TERM t, bnif_session_t *s)
{
    const ERL_NIF_TERM *el;
    int arity;
    unsigned max_terms;
    ErlNifUInt64 max_binary;
    if (!enif_get_tuple(env, t, &arity, &el) || arity != 2 ||
        !enif_get_uint(env, el[0], &max_terms) ||
        !enif_get_uint64(env, el[1], &max_binary) || max_terms < MAX_ARGS + 1)
        return false;
    s->max_terms = max_terms;
    s->max_binary = max_binary;
    return true;
}

/* True if the export `ext` has a NIF's type: (env, argc, argv) ->
 * term, pointers i32 or i64. */
static bool
is_nif_export(const br_extern_t *ext)
{
    if (ext->kind != BR_EXTERN_FUNC)
        return false;
    const br_functype_t *t = br_func_type(ext->of.func);
    return t->param_count == 3 && t->result_count == 1 &&
           (t->params[0] == BR_I32 || t->params[0] == BR_I64) &&
           t->params[1] == BR_I32 && t->params[2] == t->params[0] &&
           t->results[0] == BR_I64;
}

/* Writes the argument handles at the guest's argv buffer. */
static bool
write_argv(bnif_session_t *s, uint64_t ptr, unsigned argc)
{
    uint8_t *dst = bnif_guest_mem(s->inst->inst, ptr, (uint64_t)argc * 8);
    if (dst == NULL)
        return false;
    for (unsigned i = 0; i < argc; i++) {
        uint64_t h = (uint64_t)s->gen << 32 | i;
        memcpy(dst + (size_t)i * 8, &h, 8);
    }
    return true;
}

/* [Env, Argc, Argv]: the export's arguments. */
static ERL_NIF_TERM
call_args(ErlNifEnv *env, unsigned argc, uint64_t argv_ptr)
{
    return enif_make_list3(env, enif_make_int(env, 1),
                           enif_make_uint(env, argc),
                           enif_make_uint64(env, argv_ptr));
}

static ERL_NIF_TERM
invalid_nif(ErlNifEnv *env, const char *why)
{
    return bnif_error2(env, enif_make_atom(env, "invalid_nif"),
                       enif_make_atom(env, why));
}

/* A session for the call; NULL on a bad limits term or no memory. */
static bnif_session_t *
session_new(ErlNifEnv *env, bnif_instance_t *in, struct bnif_guest *g,
            const ERL_NIF_TERM argv[])
{
    bnif_session_t *s =
        enif_alloc_resource(bnif_priv(env)->session_rt, sizeof *s);
    if (s == NULL)
        return NULL;
    memset(s, 0, sizeof *s);
    if (++g->next_gen == 0) /* handles are never 0 */
        g->next_gen = 1;
    s->gen = g->next_gen;
    if (!get_limits(env, argv[3], s) || !session_fill(s, env, argv[2])) {
        if (s->tenv != NULL)
            enif_free_env(s->tenv);
        enif_free(s->terms);
        enif_free(s->pending);
        enif_release_resource(s); /* inst is NULL: the dtor does nothing */
        return NULL;
    }
    s->argc = s->count;
    s->inst = in;
    enif_keep_resource(in);
    s->parent = g->top;
    g->top = s;
    s->active = true;
    return s;
}

/* Under the store lock: checks the export, makes the session, writes
 * argv if the guest's buffer is known. */
static ERL_NIF_TERM
begin_locked(ErlNifEnv *env, bnif_instance_t *in, struct bnif_guest *g,
             const ERL_NIF_TERM argv[], unsigned argc, bool *took_lease)
{
    ErlNifBinary name;
    br_extern_t ext;
    if (!enif_inspect_binary(env, argv[1], &name) || in->inst == NULL ||
        !br_instance_export(in->inst, (const char *)name.data, name.size, &ext))
        return bnif_error(env, bnif_atoms(env)->function_not_found);
    if (!is_nif_export(&ext))
        return invalid_nif(env, "not_a_nif_function");
    bnif_session_t *s = session_new(env, in, g, argv);
    if (s == NULL)
        return enif_make_badarg(env);
    s->holds_lease = *took_lease;
    *took_lease = false; /* the session has it now */
    ERL_NIF_TERM st = enif_make_resource(env, s);
    enif_release_resource(s); /* the term keeps it: no dtor under lock */
    if (!g->has_argv)
        return enif_make_tuple3(env, enif_make_atom(env, "argv"), st,
                                enif_make_uint(env, argc));
    if (!write_argv(s, g->argv_ptr, argc)) {
        session_end(env, s);
        return invalid_nif(env, "argv_out_of_bounds");
    }
    return enif_make_tuple3(env, bnif_atoms(env)->ok, st,
                            call_args(env, argc, g->argv_ptr));
}

/* nif_begin(Instance, Name, Args, {MaxTerms, MaxBinary}) ->
 *     {ok, Session, CallArgs} | {argv, Session, Argc} | busy |
 *     {error, _}
 * Takes the lease for the whole NIF call (it ends with nif_end or the
 * session's death); `argv': ask the guest for its argv buffer once
 * (erl_nif_wasm_argv) and give it with nif_argv. */
static ERL_NIF_TERM
nif_begin(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_instance_t *in;
    unsigned n;
    if (!bnif_get_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    if (!enif_get_list_length(env, argv[2], &n) || n > MAX_ARGS ||
        !enif_is_binary(env, argv[1]))
        return enif_make_badarg(env);
    if (!bnif_guest_may_call(env, in))
        return bnif_error(env, enif_make_atom(env, "wrong_process"));
    if (atomic_load(&in->stopped))
        return bnif_error(env, bnif_atoms(env)->stopped);
    struct bnif_guest *g = guest_get(in);
    if (g == NULL)
        return bnif_error(env, bnif_err_atom(env, BR_ERR_OUT_OF_MEMORY));
    bnif_lease_take_t lease = bnif_lease_take(env, in);
    if (lease == BNIF_LEASE_BUSY)
        return bnif_atoms(env)->busy;
    bool took = lease == BNIF_LEASE_TAKEN;
    enif_mutex_lock(in->lock);
    /* `took` is cleared once a session holds the lease. */
    ERL_NIF_TERM out = begin_locked(env, in, g, argv, n, &took);
    enif_mutex_unlock(in->lock);
    if (took)
        bnif_lease_release(env, in);
    return out;
}

/* Large arguments are copied into the call's table on a dirty
 * scheduler. */
ERL_NIF_TERM
bnif_nif_begin(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    if (term_is_big(env, argv[2], BNIF_GUEST_DIRTY_TERMS))
        return enif_schedule_nif(env, "nif_begin", ERL_NIF_DIRTY_JOB_CPU_BOUND,
                                 nif_begin, argc, argv);
    return nif_begin(env, argc, argv);
}

/* nif_argv(Session, Ptr) -> {ok, CallArgs} | {error, _}: the guest's
 * argv buffer (kept for the instance's later calls). */
ERL_NIF_TERM
bnif_nif_argv(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_session_t *s;
    ErlNifSInt64 ptr;
    if (!get_session(env, argv[0], &s) || !enif_get_int64(env, argv[1], &ptr))
        return enif_make_badarg(env);
    bnif_instance_t *in = s->inst;
    struct bnif_guest *g = atomic_load(&in->guest);
    ERL_NIF_TERM out;
    enif_mutex_lock(in->lock);
    /* An i32 result is signed: the pointer is its unsigned value. */
    uint64_t p = ptr < 0 && ptr >= INT32_MIN ? (uint32_t)ptr : (uint64_t)ptr;
    if (!s->active) {
        out = bnif_error(env, bnif_atoms(env)->cancelled);
    } else if (p == 0 || !write_argv(s, p, s->argc)) {
        session_end(env, s);
        out = invalid_nif(env, "argv_out_of_bounds");
    } else {
        g->argv_ptr = p;
        g->has_argv = true;
        out = enif_make_tuple2(env, bnif_atoms(env)->ok,
                               call_args(env, s->argc, p));
    }
    enif_mutex_unlock(in->lock);
    return out;
}

/* {error, {trap, #{reason, message, stack}}} for a host-side failure
 * found after the guest returned. */
static ERL_NIF_TERM
host_trap(ErlNifEnv *env, const char *msg)
{
    br_trap_t trap;
    memset(&trap, 0, sizeof trap);
    trap.kind = BR_TRAP_HOST;
    strncpy(trap.message, msg, sizeof trap.message - 1);
    return bnif_error2(env, bnif_atoms(env)->trap, bnif_trap_map(env, &trap));
}

/* The NIF call's answer from the export's result `{ok, [Handle]}`: an
 * error now, or true with the term to copy out in s->out_term (binary
 * bytes copied in first: guest memory needs the lock). */
static bool
nif_result(ErlNifEnv *env, bnif_session_t *s, ERL_NIF_TERM handle,
           ERL_NIF_TERM *err)
{
    ErlNifSInt64 h;
    if (s->raised == BNIF_RAISED_BADARG) {
        *err = bnif_error(env, enif_make_atom(env, "badarg"));
        return false;
    }
    s->out_exception = s->raised == BNIF_RAISED_EXC;
    if (s->out_exception) {
        s->out_term = s->terms[s->raised_index];
        return true;
    }
    if (!enif_get_int64(env, handle, &h))
        *err = host_trap(env, "erl_nif: invalid term handle");
    else if (!bnif_session_sync(s, s->inst->inst))
        *err = host_trap(env, "erl_nif: binary pointer out of bounds");
    else if (!bnif_session_term(s, s->inst->inst, (uint64_t)h, &s->out_term))
        *err = host_trap(env, "erl_nif: invalid term handle");
    else
        return true;
    return false;
}

/* The outcome of the export call `result`, under the store lock: true
 * if a term is to be copied out, else the answer in *out. */
static bool
end_locked(ErlNifEnv *env, bnif_session_t *s, ERL_NIF_TERM result,
           ERL_NIF_TERM *out)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    const ERL_NIF_TERM *el;
    int arity;
    ERL_NIF_TERM head, tail;
    *out = result;
    if (!enif_get_tuple(env, result, &arity, &el) || arity != 2)
        return false;
    if (enif_is_identical(el[0], a->ok) &&
        enif_get_list_cell(env, el[1], &head, &tail))
        return nif_result(env, s, head, out);
    if (s->limit != NULL && enif_is_identical(el[0], a->error) &&
        enif_get_tuple(env, el[1], &arity, &el) && arity == 2 &&
        enif_is_identical(el[0], a->trap))
        *out = bnif_error2(env, a->limit, enif_make_atom(env, s->limit));
    return false;
}

/* Copies the answer into the caller's heap and frees the terms; on a
 * dirty scheduler for a large table (a copy cannot be sliced). */
static ERL_NIF_TERM
nif_end_copy(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_session_t *s;
    ERL_NIF_TERM out;
    if (!get_session(env, argv[0], &s))
        return enif_make_badarg(env);
    if (s->tenv == NULL)
        return bnif_error(env, bnif_atoms(env)->cancelled);
    if (s->copy_out) {
        ERL_NIF_TERM t = enif_make_copy(env, s->out_term);
        out = s->out_exception
                  ? bnif_error2(env, enif_make_atom(env, "exception"), t)
                  : enif_make_tuple2(env, bnif_atoms(env)->ok, t);
    } else {
        out = argv[1];
    }
    session_free(s);
    return out;
}

static ERL_NIF_TERM
nif_end(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    bnif_session_t *s;
    ERL_NIF_TERM out, args[2];
    if (!get_session(env, argv[0], &s))
        return enif_make_badarg(env);
    enif_mutex_lock(s->inst->lock);
    if (s->active)
        s->copy_out = end_locked(env, s, argv[1], &out);
    else
        out = bnif_error(env, bnif_atoms(env)->cancelled);
    session_detach(env, s);
    enif_mutex_unlock(s->inst->lock);
    if (s->tenv == NULL)
        return out;
    args[0] = argv[0];
    args[1] = out;
    bool dirty = enif_thread_type() == ERL_NIF_THR_DIRTY_CPU_SCHEDULER;
    if (!dirty && (s->count > BNIF_GUEST_DIRTY_TERMS ||
                   (s->copy_out &&
                    term_is_big(s->tenv, s->out_term, BNIF_GUEST_DIRTY_TERMS))))
        return enif_schedule_nif(env, "nif_end_copy",
                                 ERL_NIF_DIRTY_JOB_CPU_BOUND, nif_end_copy, 2,
                                 args);
    return nif_end_copy(env, 2, args);
}

/* Bytes of enif_make_new_binary still to copy in from guest memory. */
static uint64_t
pending_bytes(const bnif_session_t *s)
{
    uint64_t n = 0;
    for (size_t k = 0; k < s->bin_count; k++)
        n += s->bins[k].size;
    return n;
}

/* nif_end(Session, CallResult) -> {ok, Term} | {error, _}: the NIF
 * call's outcome (the result term copied into the caller's heap);
 * ends the session and releases the lease it took. Many binary bytes
 * still to copy in make it a dirty job (the session is this process's
 * alone: no wasm runs for it any more). */
ERL_NIF_TERM
bnif_nif_end(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    bnif_session_t *s;
    if (!get_session(env, argv[0], &s))
        return enif_make_badarg(env);
    if (s->active && pending_bytes(s) > BNIF_GUEST_DIRTY_BYTES)
        return enif_schedule_nif(env, "nif_end", ERL_NIF_DIRTY_JOB_CPU_BOUND,
                                 nif_end, argc, argv);
    return nif_end(env, argc, argv);
}
