/*
 * beamr engine, text format: the module encoder's state, shared by the
 * module-level parser (wat.c) and the instruction parser (wat_instr.c).
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_TEXT_WAT_H
#define BR_TEXT_WAT_H

#include "text/text.h"

/* Index spaces with names. ORDER SPACE */
typedef enum wat_space {
    SP_TYPE,
    SP_FUNC,
    SP_TABLE,
    SP_MEMORY,
    SP_GLOBAL,
    SP_TAG,
    SP_ELEM,
    SP_DATA,
    SP__COUNT,
} wat_space_t;

/* A function type: parameter and result types in the type pool, where
 * each value type is a bri_valtype_t (internal.h) of 4 bytes. */
typedef struct wat_type {
    uint32_t params, nparams; /* byte offsets into wat_t.valtypes, counts */
    uint32_t results, nresults;
    /* 3.0: struct and array types keep their fields as `params` (storage
     * types), their mutability in wat_t.muts and their names' tokens in
     * wat_t.fnames from `fields` on */
    uint8_t kind;     /* BRI_COMP_* */
    bool final_;
    bool rec;         /* first type of a (rec ...) group */
    uint32_t super;   /* UINT32_MAX: none */
    uint32_t group_size; /* on a group's first type */
    uint32_t fields;  /* offset into muts and fnames */
} wat_type_t;

typedef struct wat_label {
    uint32_t name_off, name_len; /* name_len 0: no name */
    uint32_t shadowed;           /* the label this name meant before, or none */
} wat_label_t;

/* One open block of the instruction parser (explicit stack: nesting is
 * never C recursion). */
typedef struct wat_frame {
    uint8_t kind; /* frame_kind_t (wat_instr.c) */
    uint8_t state;
    uint32_t label; /* index in the label stack, or UINT32_MAX */
    uint32_t name;  /* folded if: token of its label name, or UINT32_MAX */
    size_t pending; /* start of this frame's bytes in wat_t.pending */
    size_t pending_len;
} wat_frame_t;

typedef struct wat {
    tctx_t *c;
    tmap_t names[SP__COUNT];
    uint32_t counts[SP__COUNT];  /* pass 1: entries per space */
    uint32_t imports[SP__COUNT]; /* pass 1: imported entries per space */
    wat_type_t *types;
    uint32_t ntypes, type_cap;
    uint32_t *type_slots; /* signature hash -> first type + 1 (0: empty) */
    uint32_t type_slot_cap;
    tbuf_t valtypes;         /* the pool of wat_type_t */
    tbuf_t muts;             /* fields' mutability, a byte each */
    tbuf_t fnames;           /* fields' name tokens, 4 bytes each */
    uint32_t explicit_types; /* (type) fields; implicit ones follow */
    bool defining;           /* a (type) or (rec) field being read */
    uint32_t empty_recs;     /* "(rec)" fields: empty groups */
    uint8_t *mem64;          /* per memory: i64 addresses */
    uint8_t *table64;

    /* Sections being built, in binary order, and their entry counts. */
    tbuf_t sec[14];
    uint32_t sec_count[14];
    bool has_start;
    bool uses_data_count; /* memory.init / data.drop seen */

    /* The function being encoded. */
    tmap_t locals;
    uint32_t nlocals;
    uint32_t *local_types; /* valtype bytes of params + locals */
    uint32_t local_cap;
    tbuf_t body;
    wat_label_t *labels;
    tmap_t label_names; /* name -> innermost label of that name */
    uint32_t nlabels, label_cap;
    wat_frame_t *frames;
    uint32_t nframes, frame_cap;
    tbuf_t pending; /* folded plain instructions' bytes */
    tbuf_t scratch;

    const wat_ops_t *ops;
} wat_t;

/* Binary section ids. */
enum {
    SEC_CUSTOM = 0,
    SEC_TYPE = 1,
    SEC_IMPORT = 2,
    SEC_FUNC = 3,
    SEC_TABLE = 4,
    SEC_MEMORY = 5,
    SEC_GLOBAL = 6,
    SEC_EXPORT = 7,
    SEC_START = 8,
    SEC_ELEM = 9,
    SEC_CODE = 10,
    SEC_DATA = 11,
    SEC_DATACOUNT = 12,
    SEC_TAG = 13,
};

/* Token access. */
static inline const tok_t *
wat_tok(const wat_t *w, size_t i)
{
    return &w->c->toks[i];
}

static inline bool
wat_is_open(const wat_t *w, size_t i, const char *kw)
{
    const tok_t *t = wat_tok(w, i);
    return t->kind == TK_LPAREN && wat_tok(w, i + 1)->kind == TK_KEYWORD &&
           bri_tok_is(w->c, wat_tok(w, i + 1), kw);
}

_Noreturn void bri_wat_unexpected(wat_t *w, size_t i, const char *expected);
void bri_wat_expect_close(wat_t *w, size_t *i);
void bri_wat_expect_keyword(wat_t *w, size_t *i, const char *kw);

/* Indices: a number, or a $name of the space. */
uint32_t bri_wat_index(wat_t *w, size_t *i, wat_space_t space);
bool bri_wat_is_index(const wat_t *w, size_t i);
uint32_t bri_wat_u32(wat_t *w, size_t *i);

/* Value types as bri_valtype_t (text type indices, as the binary has
 * them): returns false (without consuming) if no value type. */
bool bri_wat_valtype(wat_t *w, size_t *i, uint32_t *out);
bool bri_wat_reftype(wat_t *w, size_t *i, uint32_t *out);
/* ref.null's heap type as the nullable reference type. */
uint32_t bri_wat_heaptype(wat_t *w, size_t *i);
/* A field index of struct type `type`: a number or a field's $name. */
uint32_t bri_wat_field(wat_t *w, size_t *i, uint32_t type);
/* Pass 1: binds the names of the types of a (type ...) or (rec ...)
 * field from index `first`; returns how many types it defines. */
uint32_t bri_wat_bind_types(wat_t *w, size_t i, uint32_t first);
/* The type section's bytes. */
void bri_wat_type_section(wat_t *w);
/* The binary encoding of a value type, and of a heap type (ref.null). */
void bri_wat_put_valtype(wat_t *w, tbuf_t *out, uint32_t t);
void bri_wat_put_heaptype(wat_t *w, tbuf_t *out, uint32_t t);
/* The token after a value type at token i (one keyword or one
 * parenthesised form), without reading it (pass 1). */
size_t bri_wat_skip_valtype(const wat_t *w, size_t i);

/* Value type k of a pool of 4-byte value types, and appending one. */
static inline uint32_t
wat_vt_at(const uint8_t *pool, uint32_t k)
{
    uint32_t v;
    memcpy(&v, pool + (size_t)k * 4, 4);
    return v;
}

static inline void
wat_vt_push(wat_t *w, tbuf_t *b, uint32_t t)
{
    bri_tbuf_bytes(w->c, b, &t, 4);
}

/* Type uses: "(type x)? (param ...)* (result ...)*". Parameter names
 * are refused (call_indirect), allowed, or bound as locals (function
 * definitions). Returns the type index (found or added). */
typedef enum wat_names { TU_ANON, TU_NAMED, TU_BIND } wat_names_t;
uint32_t bri_wat_typeuse(wat_t *w, size_t *i, wat_names_t names);
/* Block types: "0x40", a value type, or a type index (-1 - index is not
 * needed: the encoder writes it directly). */
void bri_wat_blocktype(wat_t *w, size_t *i, tbuf_t *out);

/* An optional $id at token i: bound to `index` in `space` when `bind`
 * (pass 1); the token after it. */
size_t bri_wat_bind_id(wat_t *w, size_t i, wat_space_t space, uint32_t index,
                       bool bind);
/* Appends a local of `type`, bound to `name` (NULL: unnamed). */
void bri_wat_bind_local(wat_t *w, const tok_t *name, uint32_t type);
/* "(type $t? (func (param ...)* (result ...)*))" at token i (pass 1). */
void bri_wat_type_field(wat_t *w, size_t i);

/* The instruction parser: instructions from token i until the ')' that
 * closes the enclosing form (not consumed). */
void bri_wat_instrs(wat_t *w, size_t *i, tbuf_t *out);
/* Exactly one folded instruction "(...)" at token i (offsets, elem
 * items); i ends after its ')'. */
void bri_wat_instrs_one(wat_t *w, size_t *i, tbuf_t *out);
/* A constant expression: instructions then `end`. */
void bri_wat_const_expr(wat_t *w, size_t *i, tbuf_t *out);

#endif
