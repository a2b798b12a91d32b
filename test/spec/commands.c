/*
 * beamr spec runner: executes the commands of a wast2json script (module,
 * register, action and the assert_* family) against the public beamr API.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "values.h"

#define TEXT_MODULE_REASON "text-format module"

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

/* Writes a printable, quoted form of a name (export names in the suite
 * contain control characters and quotes). */
const char *
spec_quote(const char *name, size_t len, char *buf, size_t size)
{
    size_t n = 0;
    buf[n++] = '"';
    for (size_t i = 0; i < len && n + 6 < size; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == '"' || c == '\\' || c == 0x7F)
            n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
        else
            buf[n++] = (char)c;
    }
    buf[n++] = '"';
    buf[n] = '\0';
    return buf;
}

bool
spec_str_eq(const char *s, const char *lit)
{
    return s && strcmp(s, lit) == 0;
}

bool
spec_add_binding(spec_bindings_t *b, const char *name, size_t len,
            br_instance_t *inst)
{
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        spec_binding_t *items = realloc(b->items, cap * sizeof *items);
        if (!items)
            return false;
        b->items = items;
        b->cap = cap;
    }
    b->items[b->count].name = name;
    b->items[b->count].len = len;
    b->items[b->count].inst = inst;
    b->count++;
    return true;
}

/* The newest binding wins: scripts may rebind a name. */
br_instance_t *
spec_find_binding(const spec_bindings_t *b, const char *name, size_t len)
{
    for (size_t i = b->count; i-- > 0;) {
        if (b->items[i].len == len && memcmp(b->items[i].name, name, len) == 0)
            return b->items[i].inst;
    }
    return NULL;
}

/* The trap kind whose message is the longest prefix of the expected text
 * ("uninitialized element 2" -> uninitialized element), or
 * BR_TRAP__COUNT if no kind matches (then any trap is accepted). */
br_trapkind_t
spec_trap_kind_for(const char *text)
{
    br_trapkind_t best = BR_TRAP__COUNT;
    size_t best_len = 0;
    for (int k = BR_TRAP_NONE + 1; k < BR_TRAP__COUNT; k++) {
        const char *msg = br_trap_message((br_trapkind_t)k);
        size_t n = strlen(msg);
        if (n > best_len && strncmp(text, msg, n) == 0) {
            best = (br_trapkind_t)k;
            best_len = n;
        }
    }
    return best;
}

/* A short description of what an outcome was, for failure reports. */
const char *
spec_describe(const outcome_t *o, char *buf, size_t size)
{
    size_t n;
    if (o->status != BR_DONE)
        return o->msg;
    n = (size_t)snprintf(buf, size, "results [");
    for (size_t i = 0; i < o->count && n + 2 < size; i++) {
        char v[96];
        spec_format_val(&o->vals[i], v, sizeof v);
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "", v);
    }
    if (n + 2 < size)
        snprintf(buf + n, size - n, "]");
    return buf;
}

/* ------------------------------------------------------------------ */
/* Running code                                                        */

/* Replaces an execution context left in an unknown state. */
static void
reset_exec(spec_file_t *f)
{
    br_exec_delete(f->exec);
    f->exec = br_exec_new(f->store);
}

static void
finish_call(spec_file_t *f, br_status_t st, outcome_t *o)
{
    const br_trap_t *trap;
    o->status = st;
    switch (st) {
    case BR_DONE:
        o->vals = br_exec_results(f->exec);
        o->count = br_exec_result_count(f->exec);
        return;
    case BR_TRAP:
        trap = br_exec_trap(f->exec);
        o->trap = trap->kind;
        snprintf(o->msg, sizeof o->msg, "trap \"%s\"",
                 br_trap_message(trap->kind));
        return;
    case BR_IMPORT:
        snprintf(o->msg, sizeof o->msg, "unexpected suspension (BR_IMPORT)");
        break;
    default:
        snprintf(o->msg, sizeof o->msg, "execution error: %s",
                 br_err_message(br_exec_error(f->exec)));
        break;
    }
    o->status = BR_ERROR;
    reset_exec(f);
}

/* Calls `fn`. With --fuel N the call runs in slices of N fuel and is
 * resumed after every BR_YIELD, which must not change any result. */
void
spec_call_func(spec_file_t *f, br_func_t *fn, const br_val_t *args, size_t n,
          outcome_t *o)
{
    int64_t fuel = f->opts->fuel > 0 ? f->opts->fuel : -1;
    br_status_t st;
    br_err_t err;
    o->status = BR_ERROR;
    if (!f->exec) {
        snprintf(o->msg, sizeof o->msg, "no execution context");
        return;
    }
    err = br_exec_call(f->exec, fn, args, n);
    if (err != BR_ERR_OK) {
        snprintf(o->msg, sizeof o->msg, "br_exec_call: %s",
                 br_err_message(err));
        return;
    }
    f->calls++;
    while ((st = br_exec_run(f->exec, fuel)) == BR_YIELD)
        f->yields++;
    finish_call(f, st, o);
}

/* ------------------------------------------------------------------ */
/* Modules                                                             */

static bool
read_file(const char *path, uint8_t **out, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = NULL;
    long len;
    bool ok = false;
    if (!fp)
        return false;
    if (fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 ||
        fseek(fp, 0, SEEK_SET) != 0)
        goto fail;
    buf = malloc(len ? (size_t)len : 1);
    if (!buf || fread(buf, 1, (size_t)len, fp) != (size_t)len)
        goto fail;
    *out = buf;
    *size = (size_t)len;
    buf = NULL;
    ok = true;
fail:
    free(buf);
    fclose(fp);
    return ok;
}

/* Keeps a compiled module until the store is gone: functions of failed
 * instantiations may live on in shared tables and point at it. */
static bool
keep_module(spec_file_t *f, br_module_t *m)
{
    if (f->module_count == f->module_cap) {
        size_t cap = f->module_cap ? f->module_cap * 2 : 16;
        br_module_t **mods = realloc(f->modules, cap * sizeof *mods);
        if (!mods)
            return false;
        f->modules = mods;
        f->module_cap = cap;
    }
    f->modules[f->module_count++] = m;
    return true;
}

/* Compiles `len` bytes into *out, kept with keep_module; LOAD_REJECTED
 * with the engine's reason in msg. */
load_status_t
spec_compile(spec_file_t *f, const uint8_t *bytes, size_t len,
             br_module_t **out, char *msg, size_t size)
{
    br_error_t error;
    br_err_t err;
    memset(&error, 0, sizeof error);
    err = br_module_new(f->engine, bytes, len, out, &error);
    if (err != BR_ERR_OK) {
        snprintf(msg, size, "%s",
                 error.message[0] ? error.message : br_err_message(err));
        return LOAD_REJECTED;
    }
    if (!keep_module(f, *out)) {
        br_module_delete(*out);
        snprintf(msg, size, "out of memory");
        return LOAD_HARNESS;
    }
    return LOAD_OK;
}

static load_status_t
load_module(spec_file_t *f, const json_value_t *cmd, br_module_t **out,
            char *msg, size_t size)
{
    const char *file = json_get_string(cmd, "filename", NULL);
    char path[4096];
    uint8_t *bytes;
    size_t len;
    load_status_t st;
    if (!file ||
        snprintf(path, sizeof path, "%s%s", f->dir, file) >= (int)sizeof path) {
        snprintf(msg, size, "bad or missing filename");
        return LOAD_HARNESS;
    }
    if (!read_file(path, &bytes, &len)) {
        snprintf(msg, size, "cannot read %.200s", path);
        return LOAD_HARNESS;
    }
    st = spec_compile(f, bytes, len, out, msg, size);
    free(bytes);
    return st;
}

/* Imports come from instances registered under the import's module
 * name, then from the spectest host module. */
static bool
resolve_import(spec_file_t *f, const br_name_t *mod, const br_name_t *field,
               br_extern_t *out)
{
    br_instance_t *inst = spec_find_binding(&f->registered, mod->data, mod->size);
    if (inst)
        return br_instance_export(inst, field->data, field->size, out);
    if (mod->size == 8 && memcmp(mod->data, "spectest", 8) == 0)
        return spectest_lookup(&f->spectest, field->data, field->size, out);
    return false;
}

static inst_status_t
link_imports(spec_file_t *f, const br_module_t *m, br_extern_t *imports,
             outcome_t *o)
{
    uint32_t n = br_module_import_count(m);
    for (uint32_t i = 0; i < n; i++) {
        br_name_t mod, field;
        br_externtype_t type;
        char q1[96], q2[96];
        br_module_import(m, i, &mod, &field, &type);
        if (!resolve_import(f, &mod, &field, &imports[i])) {
            snprintf(o->msg, sizeof o->msg, "unknown import %s.%s",
                     spec_quote(mod.data, mod.size, q1, sizeof q1),
                     spec_quote(field.data, field.size, q2, sizeof q2));
            return INST_LINK;
        }
    }
    return INST_OK;
}

static inst_status_t
new_instance(spec_file_t *f, const br_module_t *m, br_instance_t **out,
             outcome_t *o)
{
    uint32_t n = br_module_import_count(m);
    br_extern_t *imports = calloc(n ? n : 1, sizeof *imports);
    br_error_t error;
    br_trap_t trap;
    br_err_t err;
    inst_status_t st;
    if (!imports) {
        snprintf(o->msg, sizeof o->msg, "out of memory");
        return INST_ERROR;
    }
    st = link_imports(f, m, imports, o);
    if (st != INST_OK) {
        free(imports);
        return st;
    }
    memset(&error, 0, sizeof error);
    memset(&trap, 0, sizeof trap);
    err = br_instance_new(f->store, m, imports, n, out, &error, &trap);
    free(imports);
    if (err == BR_ERR_OK)
        return INST_OK;
    if (trap.kind != BR_TRAP_NONE) {
        o->trap = trap.kind;
        snprintf(o->msg, sizeof o->msg, "trap \"%s\" while instantiating",
                 br_trap_message(trap.kind));
        return INST_TRAP;
    }
    snprintf(o->msg, sizeof o->msg, "%s",
             error.message[0] ? error.message : br_err_message(err));
    return err == BR_ERR_UNKNOWN_IMPORT || err == BR_ERR_INCOMPATIBLE_IMPORT
               ? INST_LINK
               : INST_ERROR;
}

/* Links, instantiates and runs the start function. */
inst_status_t
spec_instantiate(spec_file_t *f, const br_module_t *m, br_instance_t **out,
            outcome_t *o)
{
    br_func_t *start;
    inst_status_t st;
    memset(o, 0, sizeof *o);
    *out = NULL;
    st = new_instance(f, m, out, o);
    if (st != INST_OK)
        return st;
    start = br_instance_start_func(*out);
    if (!start)
        return INST_OK;
    spec_call_func(f, start, NULL, 0, o);
    if (o->status == BR_DONE)
        return INST_OK;
    *out = NULL;
    if (o->status == BR_TRAP) {
        snprintf(o->msg, sizeof o->msg, "trap \"%s\" in the start function",
                 br_trap_message(o->trap));
        return INST_TRAP;
    }
    return INST_ERROR;
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */

static br_instance_t *
action_instance(spec_file_t *f, const json_value_t *action)
{
    size_t len;
    const char *name = json_get_string(action, "module", &len);
    return name ? spec_find_binding(&f->names, name, len) : f->current;
}

static void
invoke(spec_file_t *f, br_func_t *fn, const json_value_t *action, outcome_t *o)
{
    const json_value_t *args = json_get_array(action, "args");
    size_t n = args ? args->of.array.count : 0;
    br_val_t *vals = calloc(n ? n : 1, sizeof *vals);
    char why[96];
    if (!vals) {
        snprintf(o->msg, sizeof o->msg, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!spec_parse_arg(args->of.array.items[i], &vals[i], why)) {
            snprintf(o->msg, sizeof o->msg, "argument %zu: %s", i, why);
            free(vals);
            return;
        }
    }
    spec_call_func(f, fn, vals, n, o);
    free(vals);
}

/* Runs an "invoke" or "get" action; o->msg names the export on error. */
static void
run_action(spec_file_t *f, const json_value_t *action, outcome_t *o)
{
    const char *type = json_get_string(action, "type", NULL);
    size_t len;
    const char *field = json_get_string(action, "field", &len);
    br_instance_t *inst = action_instance(f, action);
    br_extern_t ext;
    char q[96];
    memset(o, 0, sizeof *o);
    o->status = BR_ERROR;
    if (!field || !inst) {
        snprintf(o->msg, sizeof o->msg, "no %s to act on",
                 field ? "module instance" : "field");
        return;
    }
    if (!br_instance_export(inst, field, len, &ext)) {
        snprintf(o->msg, sizeof o->msg, "no export %s",
                 spec_quote(field, len, q, sizeof q));
        return;
    }
    if (spec_str_eq(type, "invoke") && ext.kind == BR_EXTERN_FUNC) {
        invoke(f, ext.of.func, action, o);
    } else if (spec_str_eq(type, "get") && ext.kind == BR_EXTERN_GLOBAL) {
        br_global_get(ext.of.global, &o->global);
        o->vals = &o->global;
        o->count = 1;
        o->status = BR_DONE;
    } else {
        snprintf(o->msg, sizeof o->msg, "cannot %s export %s",
                 type ? type : "?", spec_quote(field, len, q, sizeof q));
    }
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static spec_result_t
cmd_module(spec_file_t *f, const json_value_t *cmd)
{
    br_module_t *m;
    br_instance_t *inst;
    outcome_t o;
    size_t len;
    const char *name = json_get_string(cmd, "name", &len);
    f->current = NULL;
    if (spec_str_eq(json_get_string(cmd, "module_type", NULL), "text"))
        return spec_skip(f, TEXT_MODULE_REASON);
    if (load_module(f, cmd, &m, o.msg, sizeof o.msg) != LOAD_OK)
        return spec_fail(f, "module rejected: %s", o.msg);
    if (spec_instantiate(f, m, &inst, &o) != INST_OK)
        return spec_fail(f, "instantiation failed: %s", o.msg);
    f->current = inst;
    if (name && !spec_add_binding(&f->names, name, len, inst))
        return spec_fail(f, "out of memory");
    return SPEC_PASS;
}

static spec_result_t
cmd_register(spec_file_t *f, const json_value_t *cmd)
{
    size_t as_len, len;
    const char *as = json_get_string(cmd, "as", &as_len);
    const char *name = json_get_string(cmd, "name", &len);
    br_instance_t *inst =
        name ? spec_find_binding(&f->names, name, len) : f->current;
    if (!as || !inst)
        return spec_fail(f, "nothing to register");
    if (!spec_add_binding(&f->registered, as, as_len, inst))
        return spec_fail(f, "out of memory");
    return SPEC_PASS;
}

static spec_result_t
cmd_action(spec_file_t *f, const json_value_t *cmd)
{
    outcome_t o;
    run_action(f, json_get(cmd, "action"), &o);
    if (o.status != BR_DONE)
        return spec_fail(f, "%s", o.msg);
    return SPEC_PASS;
}

static spec_result_t
check_results(spec_file_t *f, const json_value_t *expected, const outcome_t *o)
{
    char why[96], want[96], got[96];
    if (o->count != expected->of.array.count)
        return spec_fail(f, "expected %zu results, got %s",
                         expected->of.array.count,
                         spec_describe(o, f->scratch, sizeof f->scratch));
    for (size_t i = 0; i < o->count; i++) {
        spec_expect_t e;
        if (!spec_parse_expect(expected->of.array.items[i], &e, why))
            return spec_fail(f, "expected value %zu: %s", i, why);
        if (!spec_match(&e, &o->vals[i])) {
            spec_format_expect(&e, want, sizeof want);
            spec_format_val(&o->vals[i], got, sizeof got);
            return spec_fail(f, "result %zu: expected %s, got %s", i, want,
                             got);
        }
    }
    return SPEC_PASS;
}

static spec_result_t
cmd_assert_return(spec_file_t *f, const json_value_t *cmd)
{
    const json_value_t *expected = json_get_array(cmd, "expected");
    outcome_t o;
    if (!expected)
        return spec_fail(f, "no expected results");
    run_action(f, json_get(cmd, "action"), &o);
    if (o.status != BR_DONE)
        return spec_fail(f, "expected results, got %s", o.msg);
    return check_results(f, expected, &o);
}

/* The action must trap with `kind` (BR_TRAP__COUNT: with any kind). */
static spec_result_t
expect_trap(spec_file_t *f, const json_value_t *cmd, br_trapkind_t kind,
            const char *text)
{
    outcome_t o;
    run_action(f, json_get(cmd, "action"), &o);
    if (o.status == BR_TRAP && (kind == BR_TRAP__COUNT || o.trap == kind))
        return SPEC_PASS;
    return spec_fail(f, "expected trap \"%s\", got %s", text,
                     spec_describe(&o, f->scratch, sizeof f->scratch));
}

/* Loads a module that must compile; for the instantiation asserts. */
static spec_result_t
instantiate_cmd(spec_file_t *f, const json_value_t *cmd, inst_status_t *st,
                outcome_t *o)
{
    br_module_t *m;
    br_instance_t *inst;
    if (spec_str_eq(json_get_string(cmd, "module_type", NULL), "text"))
        return spec_skip(f, TEXT_MODULE_REASON);
    if (load_module(f, cmd, &m, o->msg, sizeof o->msg) != LOAD_OK)
        return spec_fail(f, "module rejected: %s", o->msg);
    *st = spec_instantiate(f, m, &inst, o);
    return SPEC_PASS;
}

static spec_result_t
cmd_assert_uninstantiable(spec_file_t *f, const json_value_t *cmd)
{
    const char *text = json_get_string(cmd, "text", NULL);
    br_trapkind_t kind = spec_trap_kind_for(text ? text : "");
    inst_status_t st;
    outcome_t o;
    spec_result_t r = instantiate_cmd(f, cmd, &st, &o);
    if (r != SPEC_PASS)
        return r;
    if (st == INST_TRAP && (kind == BR_TRAP__COUNT || o.trap == kind))
        return SPEC_PASS;
    return spec_fail(f, "expected trap \"%s\", got %s", text ? text : "",
                     st == INST_OK ? "an instance" : o.msg);
}

static spec_result_t
cmd_assert_trap(spec_file_t *f, const json_value_t *cmd)
{
    const char *text = json_get_string(cmd, "text", NULL);
    if (!json_get(cmd, "action"))
        return cmd_assert_uninstantiable(f, cmd);
    return expect_trap(f, cmd, spec_trap_kind_for(text ? text : ""),
                       text ? text : "");
}

static spec_result_t
cmd_assert_exhaustion(spec_file_t *f, const json_value_t *cmd)
{
    return expect_trap(f, cmd, BR_TRAP_STACK_EXHAUSTED,
                       br_trap_message(BR_TRAP_STACK_EXHAUSTED));
}

static spec_result_t
cmd_assert_exception(spec_file_t *f, const json_value_t *cmd)
{
    return expect_trap(f, cmd, BR_TRAP_UNCAUGHT_EXCEPTION,
                       br_trap_message(BR_TRAP_UNCAUGHT_EXCEPTION));
}

static spec_result_t
cmd_assert_unlinkable(spec_file_t *f, const json_value_t *cmd)
{
    const char *text = json_get_string(cmd, "text", NULL);
    inst_status_t st;
    outcome_t o;
    spec_result_t r = instantiate_cmd(f, cmd, &st, &o);
    if (r != SPEC_PASS)
        return r;
    if (st == INST_LINK)
        return SPEC_PASS;
    return spec_fail(f, "expected link error \"%s\", got %s", text ? text : "",
                     st == INST_OK ? "an instance" : o.msg);
}

/* assert_invalid and assert_malformed: br_module_new must refuse. */
static spec_result_t
cmd_assert_rejected(spec_file_t *f, const json_value_t *cmd)
{
    const char *text = json_get_string(cmd, "text", NULL);
    br_module_t *m;
    char msg[256];
    if (spec_str_eq(json_get_string(cmd, "module_type", NULL), "text"))
        return spec_skip(f, TEXT_MODULE_REASON);
    switch (load_module(f, cmd, &m, msg, sizeof msg)) {
    case LOAD_REJECTED:
        return SPEC_PASS;
    case LOAD_OK:
        return spec_fail(f, "module accepted, expected \"%s\"",
                         text ? text : "");
    default:
        return spec_fail(f, "%s", msg);
    }
}

static const struct {
    const char *type;
    spec_result_t (*run)(spec_file_t *f, const json_value_t *cmd);
} commands[] = {
    {"module", cmd_module},
    {"register", cmd_register},
    {"action", cmd_action},
    {"assert_return", cmd_assert_return},
    {"assert_trap", cmd_assert_trap},
    {"assert_exhaustion", cmd_assert_exhaustion},
    {"assert_exception", cmd_assert_exception},
    {"assert_invalid", cmd_assert_rejected},
    {"assert_malformed", cmd_assert_rejected},
    {"assert_unlinkable", cmd_assert_unlinkable},
    {"assert_uninstantiable", cmd_assert_uninstantiable},
};

/* "assert_return \"add\"": the command type and the export it acts on. */
static void
set_label(spec_file_t *f, const char *type, const json_value_t *cmd)
{
    size_t len;
    const char *field = json_get_string(json_get(cmd, "action"), "field", &len);
    char q[96];
    snprintf(f->label, sizeof f->label, "%.40s%s%s", type ? type : "?",
             field ? " " : "", field ? spec_quote(field, len, q, sizeof q) : "");
}

spec_result_t
spec_run_command(spec_file_t *f, const json_value_t *cmd)
{
    const char *type = json_get_string(cmd, "type", NULL);
    set_label(f, type, cmd);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (spec_str_eq(type, commands[i].type))
            return commands[i].run(f, cmd);
    return spec_fail(f, "unknown command type \"%s\"", type ? type : "");
}
