/*
 * beamr engine: error and trap messages and atoms, generated from the
 * X-macro lists in br_errors.h, and bri_error to fill a br_error_t.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

#define ERR_MSG(name, msg, atom) [BR_ERR_##name] = msg,
static const char *const err_messages[BR_ERR__COUNT] = {BR_ERRORS(ERR_MSG)};
#undef ERR_MSG

#define ERR_ATOM(name, msg, atom) [BR_ERR_##name] = #atom,
static const char *const err_atoms[BR_ERR__COUNT] = {BR_ERRORS(ERR_ATOM)};
#undef ERR_ATOM

#define TRAP_MSG(name, msg, atom) [BR_TRAP_##name] = msg,
static const char *const trap_messages[BR_TRAP__COUNT] = {BR_TRAPS(TRAP_MSG)};
#undef TRAP_MSG

#define TRAP_ATOM(name, msg, atom) [BR_TRAP_##name] = #atom,
static const char *const trap_atoms[BR_TRAP__COUNT] = {BR_TRAPS(TRAP_ATOM)};
#undef TRAP_ATOM

const char *
br_err_message(br_err_t code)
{
    if ((unsigned)code >= BR_ERR__COUNT)
        return "unknown error";
    return err_messages[code];
}

const char *
br_err_atom(br_err_t code)
{
    if ((unsigned)code >= BR_ERR__COUNT)
        return "unknown_error";
    return err_atoms[code];
}

const char *
br_trap_message(br_trapkind_t kind)
{
    if ((unsigned)kind >= BR_TRAP__COUNT)
        return "unknown trap";
    return trap_messages[kind];
}

const char *
br_trap_atom(br_trapkind_t kind)
{
    if ((unsigned)kind >= BR_TRAP__COUNT)
        return "unknown_trap";
    return trap_atoms[kind];
}

/* The message starts with the spec test suite's wording so a runner can
 * match it by prefix; the optional detail follows after ": ". */
br_err_t
bri_error(br_error_t *error, br_err_t code, uint64_t offset, int64_t func_index,
          const char *fmt, ...)
{
    if (!error)
        return code;
    error->code = code;
    error->offset = offset;
    error->func_index = func_index;
    error->line = 0; /* a text position is added by br_wat_locate */
    error->column = 0;

    /* the detail is formatted straight after "message: " and the
     * separator is kept only if the detail is not empty */
    size_t cap = sizeof error->message;
    int n = snprintf(error->message, cap, "%s", br_err_message(code));
    if (fmt && n >= 0 && (size_t)n + 2 < cap) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(error->message + n + 2, cap - (size_t)n - 2, fmt, ap);
        va_end(ap);
        if (k > 0) {
            error->message[n] = ':';
            error->message[n + 1] = ' ';
        }
    }
    return code;
}
