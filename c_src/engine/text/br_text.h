/*
 * beamr engine: the text format (public API). WAT module text is turned
 * into the binary encoding, which br_module_new then decodes and
 * validates; .wast scripts are read into a list of commands with their
 * modules already encoded. Errors point at the text: line, column and
 * the spec's wording.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TEXT_H
#define BR_TEXT_H

#include "beamr.h"

/* X(ENUM_SUFFIX, "message (spec wording)", atom) -- ORDER TEXT_ERR */
#define BR_TEXT_ERRORS(X)                                                  \
    X(OK, "ok", ok)                                                        \
    X(OUT_OF_MEMORY, "out of memory", out_of_memory)                       \
    X(TOO_LARGE, "text too large", text_too_large)                         \
    X(UNEXPECTED_TOKEN, "unexpected token", unexpected_token)              \
    X(UNEXPECTED_END, "unexpected end of input", unexpected_end)           \
    X(UNEXPECTED_CHAR, "malformed character", unexpected_character)        \
    X(UNKNOWN_OPERATOR, "unknown operator", unknown_operator)              \
    X(MALFORMED_UTF8, "malformed UTF-8 encoding", malformed_utf8_encoding) \
    X(MALFORMED_STRING, "malformed string", malformed_string)              \
    X(UNCLOSED_COMMENT, "unclosed comment", unclosed_comment)              \
    X(OUT_OF_RANGE, "constant out of range", constant_out_of_range)        \
    X(ALIGNMENT, "alignment must be a power of two", alignment)            \
    X(LANE_INDEX, "malformed lane index", malformed_lane_index)            \
    X(LANE_COUNT, "wrong number of lane literals", wrong_lane_count)       \
    X(LANE_SHAPE, "invalid lane length", invalid_lane_length)              \
    X(MISMATCHING_LABEL, "mismatching label", mismatching_label)           \
    X(UNKNOWN_LABEL, "unknown label", unknown_label)                       \
    X(UNKNOWN_TYPE, "unknown type", unknown_type)                          \
    X(UNKNOWN_ID, "unknown identifier", unknown_identifier)                \
    X(DUPLICATE_ID, "duplicate identifier", duplicate_identifier)          \
    X(IMPORT_AFTER, "import after definition", import_after_definition)    \
    X(INLINE_TYPE, "inline function type", inline_function_type)           \
    X(MULTIPLE_START, "multiple start sections", multiple_start_sections)  \
    X(TOO_DEEP, "nesting too deep", nesting_too_deep)                      \
    X(BAD_SCRIPT, "malformed script", malformed_script)                    \
    X(PAGE_SIZE, "invalid custom page size", invalid_custom_page_size)

#define BR_TEXT_ERR_ENUM(name, msg, atom) BR_TEXT_ERR_##name,
typedef enum br_text_err {
    BR_TEXT_ERRORS(BR_TEXT_ERR_ENUM) BR_TEXT_ERR__COUNT
} br_text_err_t;
#undef BR_TEXT_ERR_ENUM

/* Where and why text was refused. */
typedef struct br_text_error {
    br_text_err_t code;
    uint32_t line;     /* 1-based */
    uint32_t column;   /* 1-based, in characters */
    char message[160]; /* spec wording plus detail, NUL-terminated */
} br_text_error_t;

BR_API const char *br_text_err_message(br_text_err_t code);
BR_API const char *br_text_err_atom(br_text_err_t code);

/* Whether `bytes` start with the binary magic "\0asm" (otherwise an
 * embedder may treat them as text). */
BR_API bool br_is_binary(const uint8_t *bytes, size_t size);

/* Encodes one WAT module (a "(module ...)" form, or its fields alone) to
 * the binary format. The buffer comes from the engine's allocator:
 * release it with br_engine_free_buffer. Only the text is checked here;
 * br_module_new decodes and validates the result. */
BR_API br_text_err_t br_wat_to_wasm(br_engine_t *engine, const char *text,
                                    size_t len, own uint8_t **out,
                                    size_t *out_size, br_text_error_t *error);

/* Adds the text position to an error of br_module_new on the binary
 * br_wat_to_wasm made of `text`: error->line and error->column become
 * the 1-based line and column of the "(func" whose body holds
 * error->offset, or stay 0 when the offset is outside every function
 * body (a type, import or data error, say) or the text does not encode.
 * Encodes the text again: meant for the error path only. */
BR_API void br_wat_locate(br_engine_t *engine, const char *text, size_t len,
                          br_error_t *error);

/* ------------------------------------------------------------------ */
/* .wast scripts                                                       */

typedef enum br_wast_kind {
    BR_WAST_MODULE,   /* module (instantiated unless definition) */
    BR_WAST_INSTANCE, /* (module instance $I $M) */
    BR_WAST_REGISTER, /* register "name" $M? */
    BR_WAST_ACTION,   /* invoke / get at top level */
    BR_WAST_ASSERT_RETURN,
    BR_WAST_ASSERT_TRAP, /* an action, or a module (instantiation) */
    BR_WAST_ASSERT_EXHAUSTION,
    BR_WAST_ASSERT_EXCEPTION,
    BR_WAST_ASSERT_INVALID,
    BR_WAST_ASSERT_MALFORMED,
    BR_WAST_ASSERT_UNLINKABLE,
    /* assert_malformed_custom: malformed only in its custom annotations
     * (@custom, @name, @metadata...), which this reader ignores */
    BR_WAST_ASSERT_MALFORMED_CUSTOM,
    BR_WAST_ASSERT_INVALID_CUSTOM, /* the same, invalid */
} br_wast_kind_t;

typedef enum br_wast_modform {
    BR_WAST_TEXT,   /* (module ...) fields */
    BR_WAST_BINARY, /* (module binary "...") */
    BR_WAST_QUOTE,  /* (module quote "...") */
} br_wast_modform_t;

/* How a scalar (or one v128 lane) of an expected result must match. */
typedef enum br_wast_match {
    BR_WAST_MATCH_BITS = 0,
    BR_WAST_MATCH_NAN_CANONICAL,
    BR_WAST_MATCH_NAN_ARITHMETIC,
    BR_WAST_MATCH_ANY_REF,  /* (ref.func) / (ref.extern) without a number */
    BR_WAST_MATCH_ANY_NULL, /* (ref.null) without a heap type: any null */
    /* GC (3.0): a non-null anyref that is a struct, an array, an i31,
     * any of those three (ref.eq), or anything (ref.any) */
    BR_WAST_MATCH_REF_STRUCT,
    BR_WAST_MATCH_REF_ARRAY,
    BR_WAST_MATCH_REF_I31,
    BR_WAST_MATCH_REF_EQ,
    BR_WAST_MATCH_REF_ANY,
} br_wast_match_t;

/* An argument or expected result. References: ref.null is `is_null`;
 * (ref.extern N) is kind BR_EXTERNREF with of.u64 = N (the host value
 * number, for the embedder to map), (ref.host N) the same host value as
 * an anyref (kind BR_ANYREF); (ref.func x) in results matches any
 * non-null funcref, (ref.struct) ... the BR_WAST_MATCH_REF_* classes. */
typedef struct br_wast_value {
    br_val_t val;
    bool is_null;
    uint8_t lane_bits; /* v128: 8, 16, 32 or 64 as written; 0 scalars */
    bool lane_float;
    uint8_t match[16]; /* br_wast_match_t: [0] scalars, per lane v128 */
    /* An expected (either v1 v2 ...): the result matches if one of the
     * alt_count values `alts` does (the fields above are then unused);
     * alt_count is 0 for a plain value. */
    const struct br_wast_value *alts;
    size_t alt_count;
} br_wast_value_t;

typedef struct br_wast_module {
    br_wast_modform_t form;
    bool definition;       /* (module definition ...): compile only */
    br_name_t name;        /* $id, or size 0 */
    br_name_t instance_of; /* BR_WAST_INSTANCE: the definition's $id */
    /* The binary encoding: the bytes of a binary form, or the text
     * encoded; NULL (and `error` filled) when the text was refused. */
    const uint8_t *bytes;
    size_t size;
    br_text_error_t error;
} br_wast_module_t;

typedef struct br_wast_action {
    bool is_get;      /* get a global, else invoke a function */
    br_name_t module; /* $id, or size 0 for the current module */
    br_name_t field;
    br_wast_value_t *args;
    size_t arg_count;
} br_wast_action_t;

typedef struct br_wast_command {
    br_wast_kind_t kind;
    uint32_t line;
    bool has_module; /* the command carries a module (else an action) */
    br_wast_module_t module;
    br_wast_action_t action;
    br_wast_value_t *expected; /* assert_return */
    size_t expected_count;
    br_name_t text;        /* the assertion's message */
    br_name_t register_as; /* BR_WAST_REGISTER */
} br_wast_command_t;

typedef struct br_wast_script br_wast_script_t;

/* Reads a script. Modules are encoded as they are read; a text module
 * that does not encode is not a script error (its command carries the
 * error), a malformed command structure is. Release with
 * br_wast_delete. */
BR_API br_text_err_t br_wast_parse(br_engine_t *engine, const char *text,
                                   size_t len, own br_wast_script_t **out,
                                   br_text_error_t *error);
BR_API size_t br_wast_command_count(const br_wast_script_t *script);
BR_API const br_wast_command_t *br_wast_command(const br_wast_script_t *script,
                                                size_t index);
BR_API void br_wast_delete(own br_wast_script_t *script);

#endif
