/*
 * beamr WASI: creating and deleting an environment (copies of the config,
 * the fd table), accessors for the embedder.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>

#include "wasi_internal.h"

#define DEFAULT_MAX_SLEEP_NS 10000000u          /* 10 ms */
#define DEFAULT_MAX_CAPTURE ((size_t)64 << 20)  /* 64 MiB */

static void
fail_with(br_error_t *error, br_err_t code, const char *msg)
{
    if (error == NULL)
        return;
    memset(error, 0, sizeof *error);
    error->code = code;
    error->func_index = -1;
    snprintf(error->message, sizeof error->message, "wasi: %s", msg);
}

/* Copies byte strings back to back, each NUL-terminated (the layout
 * args_get and environ_get hand to the guest). */
static bool
copy_strings(br_wasi_t *w, const br_name_t *v, size_t count, uint8_t **out,
             size_t *out_size)
{
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        if (memchr(v[i].data, 0, v[i].size) != NULL ||
            v[i].size > SIZE_MAX / 2 - total)
            return false;
        total += v[i].size + 1;
    }
    *out_size = total;
    *out = bri_wasi_alloc(w, total ? total : 1);
    if (*out == NULL)
        return false;
    uint8_t *p = *out;
    for (size_t i = 0; i < count; i++) {
        if (v[i].size > 0)
            memcpy(p, v[i].data, v[i].size);
        p += v[i].size;
        *p++ = 0;
    }
    return true;
}

static bool
copy_config(br_wasi_t *w, const br_wasi_config_t *c, br_error_t *error)
{
    w->arg_count = c->arg_count;
    w->env_count = c->env_count;
    if (!copy_strings(w, c->args, c->arg_count, &w->args, &w->args_size) ||
        !copy_strings(w, c->env, c->env_count, &w->env, &w->env_size)) {
        fail_with(error, BR_ERR_INVALID_ARGUMENT,
                  "argument or environment string with NUL (or no memory)");
        return false;
    }
    w->in_mode = c->stdin_mode;
    w->in_fn = c->stdin_fn;
    w->in_ud = c->stdin_ud;
    if (c->stdin_mode == BR_WASI_IN_CALLBACK && c->stdin_fn == NULL) {
        fail_with(error, BR_ERR_INVALID_ARGUMENT, "stdin callback missing");
        return false;
    }
    if (c->stdin_mode == BR_WASI_IN_BUFFER && c->stdin_data.size > 0) {
        w->in_data = bri_wasi_alloc(w, c->stdin_data.size);
        if (w->in_data == NULL) {
            fail_with(error, BR_ERR_OUT_OF_MEMORY, "out of memory");
            return false;
        }
        memcpy(w->in_data, c->stdin_data.data, c->stdin_data.size);
        w->in_size = c->stdin_data.size;
    }
    for (int i = 0; i < 2; i++) {
        w->out[i] = c->out[i];
        if (c->out[i].mode == BR_WASI_OUT_CALLBACK && c->out[i].fn == NULL) {
            fail_with(error, BR_ERR_INVALID_ARGUMENT, "output callback NULL");
            return false;
        }
    }
    return true;
}

br_wasi_t *
br_wasi_new(br_store_t *store, const br_wasi_config_t *config,
            br_error_t *error)
{
    static const br_wasi_config_t empty = {0};
    const br_wasi_config_t *c = config != NULL ? config : &empty;
    br_wasi_t proto = {0}, *w;
    proto.alloc = c->alloc;
    proto.alloc_ud = c->alloc_ud;
    w = bri_wasi_alloc(&proto, sizeof *w);
    if (w == NULL) {
        fail_with(error, BR_ERR_OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    *w = proto;
    w->store = store;
    w->max_sleep_ns = c->max_sleep_ns ? c->max_sleep_ns
                                      : DEFAULT_MAX_SLEEP_NS;
    w->max_capture = c->max_capture == BR_WASI_CAPTURE_NONE ? 0
                     : c->max_capture                  ? c->max_capture
                                                       : DEFAULT_MAX_CAPTURE;
    w->fd_hook = c->fd_hook;
    w->fd_ud = c->fd_ud;
    w->clock = c->clock;
    w->clock_ud = c->clock_ud;
    w->random = c->random;
    w->random_ud = c->random_ud;
    w->sleep = c->sleep;
    w->sleep_ud = c->sleep_ud;
    bri_wasi_build_sigs(w);
    if (!copy_config(w, c, error) || !bri_wasi_fdt_init(w, c, error))
        goto fail;
    return w;
fail:
    br_wasi_delete(w);
    return NULL;
}

void
br_wasi_delete(br_wasi_t *w)
{
    if (w == NULL)
        return;
    bri_wasi_fdt_free_all(w);
    bri_wasi_free(w, w->args, w->args_size ? w->args_size : 1);
    bri_wasi_free(w, w->env, w->env_size ? w->env_size : 1);
    bri_wasi_free(w, w->in_data, w->in_size);
    for (int i = 0; i < 2; i++)
        bri_wasi_free(w, w->captured[i].data, w->captured[i].cap);
    bri_wasi_free(w, w, sizeof *w);
}

void
br_wasi_set_memory(br_wasi_t *w, br_memory_t *memory)
{
    w->memory = memory;
}

const uint8_t *
br_wasi_output(const br_wasi_t *w, uint32_t stream, size_t *size)
{
    if (stream < 1 || stream > 2) {
        *size = 0;
        return NULL;
    }
    *size = w->captured[stream - 1].size;
    return w->captured[stream - 1].data;
}

void
br_wasi_output_clear(br_wasi_t *w, uint32_t stream)
{
    if (stream >= 1 && stream <= 2)
        w->captured[stream - 1].size = 0;
}

bool
br_wasi_exited(const br_wasi_t *w, int32_t *code)
{
    if (w->exited && code != NULL)
        *code = w->exit_code;
    return w->exited;
}

