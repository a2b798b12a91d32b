/*
 * beamr spec runner: a small strict JSON parser for wast2json output
 * (RFC 8259: objects, arrays, strings with escapes, numbers, literals).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_SPEC_JSON_H
#define BR_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum json_type {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
} json_type_t;

typedef struct json_value json_value_t;

typedef struct json_member {
    char *key; /* NUL-terminated; may also contain NULs (see key_len) */
    size_t key_len;
    json_value_t *value;
} json_member_t;

struct json_value {
    json_type_t type;
    union {
        double number;
        struct {
            char *data; /* NUL-terminated copy; may contain \u0000 */
            size_t len;
        } string;
        struct {
            json_value_t **items;
            size_t count;
        } array;
        struct {
            json_member_t *members; /* in document order */
            size_t count;
        } object;
    } of;
};

typedef enum json_status {
    JSON_OK = 0,
    JSON_ERR_SYNTAX,    /* malformed document */
    JSON_ERR_DEPTH,     /* nesting deeper than JSON_MAX_DEPTH */
    JSON_ERR_NO_MEMORY, /* an allocation failed */
} json_status_t;

#define JSON_MAX_DEPTH 128

typedef struct json_error {
    json_status_t status;
    size_t offset; /* byte offset of the failure */
    size_t line;   /* 1-based line of the failure */
    const char *what;
} json_error_t;

/* Parses exactly one JSON value (surrounded by optional whitespace).
 * On failure returns the status, fills `err` and leaves *out NULL. */
json_status_t json_parse(const char *text, size_t len, json_value_t **out,
                         json_error_t *err);
void json_free(json_value_t *value);

/* Lookups return NULL when `obj` is not an object, the key is missing,
 * or (for the typed ones) the member has another type. */
const json_value_t *json_get(const json_value_t *obj, const char *key);
const char *json_get_string(const json_value_t *obj, const char *key,
                            size_t *len);
const json_value_t *json_get_array(const json_value_t *obj, const char *key);
/* Integer member; false if missing, not a number or not integral. */
bool json_get_int(const json_value_t *obj, const char *key, int64_t *out);

#endif
