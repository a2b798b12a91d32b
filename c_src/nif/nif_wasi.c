/*
 * beamr NIF: native WASI preview 1 for an instance (the engine's
 * br_wasi_t), its output captured, discarded, inherited or streamed to
 * a process as messages, and errno stubs for Emscripten's env.__syscall_*
 * imports. See docs/erlang-api.md, "WASI".
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "beamr_nif.h"
#include "wasi/beamr_wasi.h"

/* Emscripten's errno numbering (the WASI one): ENOSYS. */
#define EMSCRIPTEN_ENOSYS 52

/* Host env of the _emscripten_system stub (the syscall stubs get NULL). */
static const char EMSCRIPTEN_SYSTEM[] = "_emscripten_system";

/* The parts of a config term, and what they point into. */
typedef struct wasi_parse {
    br_wasi_config_t cfg;
    br_name_t *args, *env;
    br_wasi_preopen_t *preopens;
} wasi_parse_t;

/* ------------------------------------------------------------------ */
/* Output streamed to a process                                        */

/*
 * Sends {beamr_output, Instance, stdout | stderr, Data} to the stream's
 * process. Runs inside br_exec_run, on the thread of the NIF call that
 * runs the slice, so the message goes out with that call's env (a
 * process-independent env holds the message itself).
 */
static bool
stream_write(void *ud, uint32_t stream, const uint8_t *data, size_t size)
{
    (void)stream;
    bnif_outstream_t *o = ud;
    bnif_instance_t *in = o->inst;
    ErlNifEnv *env = in->run_env;
    if (env == NULL)
        return false;
    ErlNifEnv *msg_env = enif_alloc_env();
    if (msg_env == NULL)
        return false;
    ERL_NIF_TERM owner = enif_make_atom(msg_env, "undefined");
    enif_mutex_lock(in->calls_lock);
    if (in->lease.has_owner)
        owner = enif_make_pid(msg_env, &in->lease.owner);
    enif_mutex_unlock(in->calls_lock);
    ERL_NIF_TERM msg = enif_make_tuple4(
        msg_env, enif_make_atom(msg_env, "beamr_output"), owner,
        enif_make_copy(msg_env, o->tag), bnif_make_binary(msg_env, data, size));
    int sent = enif_send(env, &o->pid, msg_env, msg);
    enif_free_env(msg_env);
    return sent != 0;
}

/* ------------------------------------------------------------------ */
/* Parsing the config term                                             */

/* A list of binaries as names pointing into them (valid for this NIF
 * call; br_wasi_new copies them). */
static bool
get_names(ErlNifEnv *env, ERL_NIF_TERM list, br_name_t **out, size_t *count)
{
    unsigned n;
    ERL_NIF_TERM head;
    ErlNifBinary bin;
    if (!enif_get_list_length(env, list, &n))
        return false;
    *count = n;
    *out = enif_alloc((n > 0 ? n : 1) * sizeof **out);
    if (*out == NULL)
        return false;
    for (unsigned i = 0; i < n; i++) {
        if (!enif_get_list_cell(env, list, &head, &list) ||
            !enif_inspect_binary(env, head, &bin))
            return false;
        (*out)[i] = (br_name_t){bin.size, (const char *)bin.data};
    }
    return true;
}

/* [{GuestPath, HostPath, ReadOnly :: boolean()}] */
static bool
get_preopens(ErlNifEnv *env, ERL_NIF_TERM list, wasi_parse_t *p)
{
    unsigned n;
    ERL_NIF_TERM head;
    const ERL_NIF_TERM *el;
    int arity;
    ErlNifBinary guest, host;
    if (!enif_get_list_length(env, list, &n))
        return false;
    p->preopens = enif_alloc((n > 0 ? n : 1) * sizeof *p->preopens);
    if (p->preopens == NULL)
        return false;
    p->cfg.preopen_count = n;
    p->cfg.preopens = p->preopens;
    for (unsigned i = 0; i < n; i++) {
        if (!enif_get_list_cell(env, list, &head, &list) ||
            !enif_get_tuple(env, head, &arity, &el) || arity != 3 ||
            !enif_inspect_binary(env, el[0], &guest) ||
            !enif_inspect_binary(env, el[1], &host))
            return false;
        p->preopens[i].guest_path =
            (br_name_t){guest.size, (const char *)guest.data};
        p->preopens[i].host_path =
            (br_name_t){host.size, (const char *)host.data};
        p->preopens[i].read_only =
            enif_is_identical(el[2], bnif_atoms(env)->true_);
    }
    return true;
}

/* empty | inherit | Binary */
static bool
get_stdin(ErlNifEnv *env, ERL_NIF_TERM t, br_wasi_config_t *cfg)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    ErlNifBinary bin;
    if (enif_is_identical(t, a->empty)) {
        cfg->stdin_mode = BR_WASI_IN_EMPTY;
    } else if (enif_is_identical(t, a->inherit)) {
        cfg->stdin_mode = BR_WASI_IN_INHERIT;
    } else if (enif_inspect_binary(env, t, &bin)) {
        cfg->stdin_mode = BR_WASI_IN_BUFFER;
        cfg->stdin_data = (br_name_t){bin.size, (const char *)bin.data};
    } else if (bnif_pipe_stdin(env, t, cfg)) {
        /* a pipe (nif_pipe.c): the instance keeps it */
    } else {
        return false;
    }
    return true;
}

/* discard | capture | inherit | {stream, Pid} for stream 1 or 2. */
static bool
get_output(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM t, uint32_t stream,
           br_wasi_output_t *out)
{
    const bnif_atoms_t *a = bnif_atoms(env);
    const ERL_NIF_TERM *el;
    int arity;
    bnif_outstream_t *o = &in->out[stream - 1];
    memset(out, 0, sizeof *out);
    if (enif_is_identical(t, a->discard)) {
        out->mode = BR_WASI_OUT_DISCARD;
    } else if (enif_is_identical(t, a->capture)) {
        out->mode = BR_WASI_OUT_CAPTURE;
    } else if (enif_is_identical(t, a->inherit)) {
        out->mode = BR_WASI_OUT_INHERIT;
    } else if (enif_get_tuple(env, t, &arity, &el) && arity == 2 &&
               enif_is_identical(el[0], a->stream) &&
               enif_get_local_pid(env, el[1], &o->pid)) {
        o->inst = in;
        o->tag = stream == 1 ? a->stdout_ : a->stderr_;
        out->mode = BR_WASI_OUT_CALLBACK;
        out->fn = stream_write;
        out->ud = o;
    } else {
        return false;
    }
    return true;
}

/* {Args, Env, Preopens, Stdin, Stdout, Stderr, MaxCapture} */
static bool
parse_config(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM t,
             wasi_parse_t *p)
{
    const ERL_NIF_TERM *el;
    int arity;
    ErlNifUInt64 max_capture;
    if (!enif_get_tuple(env, t, &arity, &el) || arity != 7 ||
        !get_names(env, el[0], &p->args, &p->cfg.arg_count) ||
        !get_names(env, el[1], &p->env, &p->cfg.env_count) ||
        !get_preopens(env, el[2], p) || !get_stdin(env, el[3], &p->cfg) ||
        !get_output(env, in, el[4], 1, &p->cfg.out[0]) ||
        !get_output(env, in, el[5], 2, &p->cfg.out[1]) ||
        !enif_get_uint64(env, el[6], &max_capture))
        return false;
    p->cfg.args = p->args;
    p->cfg.env = p->env;
    p->cfg.max_capture = (size_t)max_capture;
    return true;
}

static void
parse_free(wasi_parse_t *p)
{
    if (p->args != NULL)
        enif_free(p->args);
    if (p->env != NULL)
        enif_free(p->env);
    if (p->preopens != NULL)
        enif_free(p->preopens);
}

bool
bnif_wasi_setup(ErlNifEnv *env, bnif_instance_t *in, ERL_NIF_TERM config,
                ERL_NIF_TERM *err)
{
    wasi_parse_t p;
    br_error_t error;
    memset(&p, 0, sizeof p);
    bnif_error_init(&error);
    if (!parse_config(env, in, config, &p)) {
        parse_free(&p);
        *err = enif_make_badarg(env);
        return false;
    }
    p.cfg.alloc = bnif_alloc; /* the engine's: WASI memory shows too */
    in->wasi = br_wasi_new(in->store, &p.cfg, &error);
    parse_free(&p);
    if (in->wasi == NULL) {
        if (error.code == BR_ERR_OK)
            error.code = BR_ERR_OUT_OF_MEMORY;
        *err = bnif_error_tagged(env, bnif_atoms(env)->wasi, &error);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Imports                                                             */

/*
 * Emscripten's syscalls that have no WASI counterpart (unlink, rmdir,
 * rename, readlink, dup3): there is no such file system in the sandbox,
 * so they fail with -ENOSYS, as Emscripten does without its JS file
 * system. _emscripten_system(NULL) asks whether a shell exists: 0 (no);
 * running a command is -ENOSYS too.
 */
static br_host_status_t
emscripten_stub(void *env, br_exec_t *exec, const br_val_t *args,
                br_val_t *results)
{
    (void)exec;
    bool is_system = env != NULL;
    bool null_command = is_system && args[0].of.u64 == 0;
    results[0].of.i32 = null_command ? 0 : -EMSCRIPTEN_ENOSYS;
    return BR_HOST_OK;
}

static bool
is_name(br_name_t n, const char *s)
{
    size_t len = strlen(s);
    return n.size == len && memcmp(n.data, s, len) == 0;
}

static bool
emscripten_import(bnif_instance_t *in, br_name_t name,
                  const br_externtype_t *type, br_extern_t *out)
{
    const br_functype_t *f = &type->func;
    bool is_system = is_name(name, "_emscripten_system");
    if (f->result_count != 1 || f->results[0] != BR_I32 ||
        (is_system && (f->param_count != 1 || f->params[0] == BR_F32 ||
                       f->params[0] == BR_F64)))
        return false;
    out->kind = BR_EXTERN_FUNC;
    out->of.func =
        br_func_new_host(in->store, f, emscripten_stub,
                         is_system ? (void *)EMSCRIPTEN_SYSTEM : NULL);
    return out->of.func != NULL;
}

bool
bnif_wasi_import(ErlNifEnv *env, bnif_instance_t *in, uint32_t index,
                 ERL_NIF_TERM how, br_extern_t *out)
{
    br_name_t mod, name;
    br_externtype_t type;
    br_module_import(in->module->module, index, &mod, &name, &type);
    if (type.kind != BR_EXTERN_FUNC)
        return false;
    if (enif_is_identical(how, bnif_atoms(env)->emscripten))
        return emscripten_import(in, name, &type, out);
    return in->wasi != NULL &&
           br_wasi_import(in->wasi, mod, name, &type.func, out);
}

/* ------------------------------------------------------------------ */
/* Captured output                                                     */

/* wasi_output(Instance, stdout | stderr) -> {ok, Binary}: what the
 * guest wrote since the last take (then cleared); <<>> if not
 * captured. */
ERL_NIF_TERM
bnif_wasi_output(ErlNifEnv *env, int argc, const ERL_NIF_TERM argv[])
{
    (void)argc;
    const bnif_atoms_t *a = bnif_atoms(env);
    bnif_instance_t *in;
    uint32_t stream;
    size_t size = 0;
    if (!bnif_get_instance(env, argv[0], &in))
        return bnif_no_instance(env, argv[0]);
    if (enif_is_identical(argv[1], a->stdout_))
        stream = 1;
    else if (enif_is_identical(argv[1], a->stderr_))
        stream = 2;
    else
        return enif_make_badarg(env);
    enif_mutex_lock(in->lock);
    const uint8_t *data =
        in->wasi != NULL ? br_wasi_output(in->wasi, stream, &size) : NULL;
    ERL_NIF_TERM bin = bnif_make_binary(env, data, data != NULL ? size : 0);
    if (in->wasi != NULL)
        br_wasi_output_clear(in->wasi, stream);
    enif_mutex_unlock(in->lock);
    return enif_make_tuple2(env, a->ok, bin);
}
