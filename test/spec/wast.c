/*
 * beamr spec runner: runs a .wast script read by the engine's own text
 * format reader (c_src/engine/text): modules arrive encoded, values as
 * br_val_t with their NaN and reference patterns.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "text/br_text.h"
#include "values.h"

typedef const br_wast_command_t cmd_t;

static const char *
text_of(cmd_t *cmd, char *buf, size_t size)
{
    snprintf(buf, size, "%.*s", (int)cmd->text.size,
             cmd->text.data ? cmd->text.data : "");
    return buf;
}

/* The wast value as the runner's expectation (externref N is the host
 * pointer spec_externref(N), as in the JSON scripts). */
static void
to_expect(const br_wast_value_t *v, spec_expect_t *e)
{
    memset(e, 0, sizeof *e);
    e->val = v->val;
    e->lanes.bits = v->lane_bits;
    e->lanes.is_float = v->lane_float;
    for (int k = 0; k < 16; k++)
        e->match[k] = (spec_match_t)v->match[k];
    if (v->val.kind == BR_FUNCREF || v->val.kind == BR_EXTERNREF ||
        v->val.kind == BR_EXNREF || v->val.kind == BR_ANYREF) {
        e->val.of.ref =
            v->is_null || v->match[0] ? NULL : spec_externref(v->val.of.u64);
    }
}

static br_val_t
to_arg(const br_wast_value_t *v)
{
    br_val_t a = v->val;
    if (v->val.kind == BR_FUNCREF || v->val.kind == BR_EXTERNREF ||
        v->val.kind == BR_EXNREF || v->val.kind == BR_ANYREF)
        a.of.ref = v->is_null ? NULL : spec_externref(v->val.of.u64);
    return a;
}

/* Compiles a command's module; LOAD_REJECTED with the reason in msg. */
static load_status_t
compile(spec_file_t *f, const br_wast_module_t *m, br_module_t **out, char *msg,
        size_t size)
{
    if (!m->bytes) {
        snprintf(msg, size, "text: %u:%u: %s", m->error.line, m->error.column,
                 m->error.message);
        return LOAD_REJECTED;
    }
    return spec_compile(f, m->bytes, m->size, out, msg, size);
}

static void
run_action(spec_file_t *f, const br_wast_action_t *a, outcome_t *o)
{
    br_instance_t *inst =
        a->module.size
            ? spec_find_binding(&f->names, a->module.data, a->module.size)
            : f->current;
    br_extern_t ext;
    char q[96];
    memset(o, 0, sizeof *o);
    o->status = BR_ERROR;
    if (!inst) {
        snprintf(o->msg, sizeof o->msg, "no module instance to act on");
        return;
    }
    if (!br_instance_export(inst, a->field.data, a->field.size, &ext)) {
        snprintf(o->msg, sizeof o->msg, "no export %s",
                 spec_quote(a->field.data, a->field.size, q, sizeof q));
        return;
    }
    if (!a->is_get && ext.kind == BR_EXTERN_FUNC) {
        br_val_t args[64];
        size_t n = a->arg_count < 64 ? a->arg_count : 64;
        for (size_t k = 0; k < n; k++)
            args[k] = to_arg(&a->args[k]);
        spec_call_func(f, ext.of.func, args, n, o);
    } else if (a->is_get && ext.kind == BR_EXTERN_GLOBAL) {
        br_global_get(ext.of.global, &o->global);
        o->vals = &o->global;
        o->count = 1;
        o->status = BR_DONE;
    } else {
        snprintf(o->msg, sizeof o->msg, "cannot %s export %s",
                 a->is_get ? "get" : "invoke",
                 spec_quote(a->field.data, a->field.size, q, sizeof q));
    }
}

static bool
add_def(spec_file_t *f, const br_name_t *name, br_module_t *m)
{
    spec_defs_t *d = &f->defs;
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        spec_def_t *items = realloc(d->items, cap * sizeof *items);
        if (!items)
            return false;
        d->items = items;
        d->cap = cap;
    }
    d->items[d->count].name = name->data;
    d->items[d->count].len = name->size;
    d->items[d->count].mod = m;
    d->count++;
    return true;
}

/* Instantiates `m` as the current instance, bound to the command's
 * module name if it has one. */
static spec_result_t
instantiate_current(spec_file_t *f, cmd_t *cmd, br_module_t *m)
{
    br_instance_t *inst;
    outcome_t o;
    if (spec_instantiate(f, m, &inst, &o) != INST_OK)
        return spec_fail(f, "instantiation failed: %s", o.msg);
    f->current = inst;
    if (cmd->module.name.size &&
        !spec_add_binding(&f->names, cmd->module.name.data,
                          cmd->module.name.size, inst))
        return spec_fail(f, "out of memory");
    return SPEC_PASS;
}

static spec_result_t
cmd_module(spec_file_t *f, cmd_t *cmd)
{
    br_module_t *m;
    outcome_t o;
    f->current = NULL;
    if (compile(f, &cmd->module, &m, o.msg, sizeof o.msg) != LOAD_OK)
        return spec_fail(f, "module rejected: %s", o.msg);
    if (cmd->module.definition)
        return add_def(f, &cmd->module.name, m) ? SPEC_PASS
                                                : spec_fail(f, "out of memory");
    return instantiate_current(f, cmd, m);
}

static spec_result_t
cmd_register(spec_file_t *f, cmd_t *cmd)
{
    const br_name_t *name = &cmd->module.name;
    br_instance_t *inst =
        name->size ? spec_find_binding(&f->names, name->data, name->size)
                   : f->current;
    if (!inst)
        return spec_fail(f, "nothing to register");
    if (!spec_add_binding(&f->registered, cmd->register_as.data,
                          cmd->register_as.size, inst))
        return spec_fail(f, "out of memory");
    return SPEC_PASS;
}

static spec_result_t
cmd_action(spec_file_t *f, cmd_t *cmd)
{
    outcome_t o;
    run_action(f, &cmd->action, &o);
    return o.status == BR_DONE ? SPEC_PASS : spec_fail(f, "%s", o.msg);
}

/* An expected (either ...) that one of its values matches; a failing
 * one is reported with its first value. */
static bool
matches_either(const br_wast_value_t *v, const br_val_t *got)
{
    for (size_t a = 0; a < v->alt_count; a++) {
        spec_expect_t e;
        to_expect(&v->alts[a], &e);
        if (spec_match(&e, got))
            return true;
    }
    return false;
}

static spec_result_t
cmd_assert_return(spec_file_t *f, cmd_t *cmd)
{
    outcome_t o;
    char want[96], got[96];
    run_action(f, &cmd->action, &o);
    if (o.status != BR_DONE)
        return spec_fail(f, "expected results, got %s", o.msg);
    if (o.count != cmd->expected_count)
        return spec_fail(f, "expected %zu results, got %s", cmd->expected_count,
                         spec_describe(&o, f->scratch, sizeof f->scratch));
    for (size_t k = 0; k < o.count; k++) {
        spec_expect_t e;
        const br_wast_value_t *want_v = &cmd->expected[k];
        if (matches_either(want_v, &o.vals[k]))
            continue;
        to_expect(want_v->alt_count ? &want_v->alts[0] : want_v, &e);
        if (!spec_match(&e, &o.vals[k])) {
            spec_format_expect(&e, want, sizeof want);
            spec_format_val(&o.vals[k], got, sizeof got);
            return spec_fail(f, "result %zu: expected %s, got %s", k, want,
                             got);
        }
    }
    return SPEC_PASS;
}

/* assert_trap on a module: instantiation (or its start) must trap. */
static spec_result_t
module_trap(spec_file_t *f, cmd_t *cmd, br_trapkind_t kind, const char *text)
{
    br_module_t *m;
    br_instance_t *inst;
    outcome_t o;
    inst_status_t st;
    if (compile(f, &cmd->module, &m, o.msg, sizeof o.msg) != LOAD_OK)
        return spec_fail(f, "module rejected: %s", o.msg);
    st = spec_instantiate(f, m, &inst, &o);
    if (st == INST_TRAP && (kind == BR_TRAP__COUNT || o.trap == kind))
        return SPEC_PASS;
    return spec_fail(f, "expected trap \"%s\", got %s", text,
                     st == INST_OK ? "an instance" : o.msg);
}

static spec_result_t
expect_trap(spec_file_t *f, cmd_t *cmd, br_trapkind_t kind, const char *text)
{
    outcome_t o;
    if (cmd->has_module)
        return module_trap(f, cmd, kind, text);
    run_action(f, &cmd->action, &o);
    if (o.status == BR_TRAP && (kind == BR_TRAP__COUNT || o.trap == kind))
        return SPEC_PASS;
    return spec_fail(f, "expected trap \"%s\", got %s", text,
                     spec_describe(&o, f->scratch, sizeof f->scratch));
}

static spec_result_t
cmd_assert_trap(spec_file_t *f, cmd_t *cmd)
{
    char text[128];
    text_of(cmd, text, sizeof text);
    return expect_trap(f, cmd, spec_trap_kind_for(text), text);
}

static spec_result_t
cmd_assert_exhaustion(spec_file_t *f, cmd_t *cmd)
{
    return expect_trap(f, cmd, BR_TRAP_STACK_EXHAUSTED,
                       br_trap_message(BR_TRAP_STACK_EXHAUSTED));
}

static spec_result_t
cmd_assert_exception(spec_file_t *f, cmd_t *cmd)
{
    return expect_trap(f, cmd, BR_TRAP_UNCAUGHT_EXCEPTION,
                       br_trap_message(BR_TRAP_UNCAUGHT_EXCEPTION));
}

static spec_result_t
cmd_assert_unlinkable(spec_file_t *f, cmd_t *cmd)
{
    br_module_t *m;
    br_instance_t *inst;
    outcome_t o;
    inst_status_t st;
    char text[128];
    text_of(cmd, text, sizeof text);
    if (compile(f, &cmd->module, &m, o.msg, sizeof o.msg) != LOAD_OK)
        return spec_fail(f, "module rejected: %s", o.msg);
    st = spec_instantiate(f, m, &inst, &o);
    if (st == INST_LINK)
        return SPEC_PASS;
    return spec_fail(f, "expected link error \"%s\", got %s", text,
                     st == INST_OK ? "an instance" : o.msg);
}

/* assert_malformed and assert_invalid: the text format or the decoder
 * and validator must refuse the module. A quoted module must be refused
 * by the text format itself when malformed (the spec's text rules). */
static spec_result_t
cmd_assert_rejected(spec_file_t *f, cmd_t *cmd)
{
    br_module_t *m;
    char msg[256], text[128];
    text_of(cmd, text, sizeof text);
    switch (compile(f, &cmd->module, &m, msg, sizeof msg)) {
    case LOAD_REJECTED:
        /* which layer refused it (run.sh documents the variable) */
        if (getenv("SPEC_TEXT_DEBUG"))
            printf("  %s:%u: %s \"%s\": %s\n", f->source, cmd->line, f->label,
                   text, msg);
        return SPEC_PASS;
    case LOAD_OK:
        return spec_fail(f, "module accepted, expected \"%s\"", text);
    default:
        return spec_fail(f, "%s", msg);
    }
}

/* assert_malformed_custom and assert_invalid_custom: the module is
 * malformed or invalid only in a custom annotation. The text format ignores
 * annotations (the annotations proposal allows it), so such a module loads:
 * that is a skip with its reason, not a pass; a module refused anyway passes.
 */
static spec_result_t
cmd_assert_malformed_custom(spec_file_t *f, cmd_t *cmd)
{
    br_module_t *m;
    char msg[256];
    switch (compile(f, &cmd->module, &m, msg, sizeof msg)) {
    case LOAD_REJECTED:
        return SPEC_PASS;
    case LOAD_OK:
        return spec_skip(f,
                         "custom annotations are ignored (as the text "
                         "format allows), so a malformed or invalid one is not "
                         "detected");
    default:
        return spec_fail(f, "%s", msg);
    }
}

/* (module instance $I $M): a new instance of a module definition (the
 * latest one when $M is not given), named $I. */
static spec_result_t
cmd_instance(spec_file_t *f, cmd_t *cmd)
{
    const br_name_t *of = &cmd->module.instance_of;
    br_module_t *m = NULL;
    for (size_t k = f->defs.count; k-- > 0 && !m;) {
        const spec_def_t *d = &f->defs.items[k];
        if (!of->size ||
            (d->len == of->size && memcmp(d->name, of->data, of->size) == 0))
            m = d->mod;
    }
    f->current = NULL;
    if (!m)
        return spec_fail(f, "no module definition %.*s", (int)of->size,
                         of->data ? of->data : "");
    return instantiate_current(f, cmd, m);
}

static spec_result_t (*const handlers[])(spec_file_t *, cmd_t *) = {
    [BR_WAST_MODULE] = cmd_module,
    [BR_WAST_INSTANCE] = cmd_instance,
    [BR_WAST_REGISTER] = cmd_register,
    [BR_WAST_ACTION] = cmd_action,
    [BR_WAST_ASSERT_RETURN] = cmd_assert_return,
    [BR_WAST_ASSERT_TRAP] = cmd_assert_trap,
    [BR_WAST_ASSERT_EXHAUSTION] = cmd_assert_exhaustion,
    [BR_WAST_ASSERT_EXCEPTION] = cmd_assert_exception,
    [BR_WAST_ASSERT_INVALID] = cmd_assert_rejected,
    [BR_WAST_ASSERT_MALFORMED] = cmd_assert_rejected,
    [BR_WAST_ASSERT_UNLINKABLE] = cmd_assert_unlinkable,
    [BR_WAST_ASSERT_MALFORMED_CUSTOM] = cmd_assert_malformed_custom,
    [BR_WAST_ASSERT_INVALID_CUSTOM] = cmd_assert_malformed_custom,
};

static const char *const kind_names[] = {
    [BR_WAST_MODULE] = "module",
    [BR_WAST_INSTANCE] = "module instance",
    [BR_WAST_REGISTER] = "register",
    [BR_WAST_ACTION] = "action",
    [BR_WAST_ASSERT_RETURN] = "assert_return",
    [BR_WAST_ASSERT_TRAP] = "assert_trap",
    [BR_WAST_ASSERT_EXHAUSTION] = "assert_exhaustion",
    [BR_WAST_ASSERT_EXCEPTION] = "assert_exception",
    [BR_WAST_ASSERT_INVALID] = "assert_invalid",
    [BR_WAST_ASSERT_MALFORMED] = "assert_malformed",
    [BR_WAST_ASSERT_UNLINKABLE] = "assert_unlinkable",
    [BR_WAST_ASSERT_MALFORMED_CUSTOM] = "assert_malformed_custom",
    [BR_WAST_ASSERT_INVALID_CUSTOM] = "assert_invalid_custom",
};

static void
set_label(spec_file_t *f, cmd_t *cmd)
{
    char q[96];
    bool act = !cmd->has_module && cmd->action.field.data;
    snprintf(f->label, sizeof f->label, "%s%s%s", kind_names[cmd->kind],
             act ? " " : "",
             act ? spec_quote(cmd->action.field.data, cmd->action.field.size, q,
                              sizeof q)
                 : "");
}

static void
count(spec_file_t *f, spec_result_t r)
{
    if (r == SPEC_PASS)
        f->passed++;
    else if (r == SPEC_FAIL)
        f->failed++;
    else
        f->skipped++;
}

void
spec_run_wast(spec_file_t *f, const char *text, size_t len)
{
    br_wast_script_t *script;
    br_text_error_t err;
    if (br_wast_parse(f->engine, text, len, &script, &err) != BR_TEXT_ERR_OK) {
        printf("  %s:%u:%u: %s\n", f->source, err.line, err.column,
               err.message);
        f->failed++;
        return;
    }
    for (size_t i = 0; i < br_wast_command_count(script); i++) {
        cmd_t *cmd = br_wast_command(script, i);
        f->line = cmd->line;
        set_label(f, cmd);
        count(f, handlers[cmd->kind](f, cmd));
    }
    br_wast_delete(script);
}
