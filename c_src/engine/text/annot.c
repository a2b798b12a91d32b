/*
 * beamr engine, text format: the annotations the 3.0 text format defines
 * (the annotations proposal's appendix), checked where they stand when
 * the module they sit in is encoded:
 *   (@custom "name" (before|after section)? "bytes"*)  a custom section,
 *       written into the binary at its placement (default: after last);
 *       only among the module's fields;
 *   (@name "text")  right after the keyword (and $id) of a module,
 *       function, tag, global ...; at most one per definition; checked,
 *       not encoded (a tool may ignore name annotations);
 *   (@metadata.code.branch_hint "\00"|"\01")  inside a function,
 *       before an `if` or `br_if`; checked, not encoded.
 * Other annotations are ignored, as the format allows. The lexer (lex.c)
 * took every annotation out of the token stream and recorded where it
 * stood (tann_t), so the parsers never see one.
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "text/text.h"

/* Section placements in binary order; a custom section's position is
 * 2 * k + 1 before section k, 2 * k + 2 after it (0: before first). */
static const char *const placement_sections[] = {
    "type",   "import", "func", "table",     "memory", "tag", "global",
    "export", "start",  "elem", "datacount", "code",   "data"};
#define PLACEMENT_COUNT \
    (sizeof placement_sections / sizeof placement_sections[0])
#define POSITION_LAST (2u * PLACEMENT_COUNT + 2u)

static const tann_t *
anns(const tctx_t *c, size_t *count)
{
    *count = c->anns.len / sizeof(tann_t);
    return (const tann_t *)(void *)c->anns.p;
}

static const tok_t *
ann_tok(const tctx_t *c, const tann_t *a, uint32_t k)
{
    return &((const tok_t *)(void *)c->ann_toks.p)[a->first + k];
}

/* Whether the annotation's id (after "(@") is `id`. */
static bool
ann_is(const tctx_t *c, const tann_t *a, const char *id)
{
    size_t n = strlen(id);
    const char *s = c->src + a->off + 2;
    return a->off + 2 + n < c->src_len && memcmp(s, id, n) == 0 &&
           (s[n] == ' ' || s[n] == '\t' || s[n] == '\n' || s[n] == '\r' ||
            s[n] == ')' || s[n] == '(' || s[n] == '"' || s[n] == ';');
}

_Noreturn static void
ann_fail(tctx_t *c, uint32_t off, const char *msg)
{
    bri_text_fail(c, BR_TEXT_ERR_MALFORMED_ANNOTATION, off, "%s", msg);
}

/* Whether the '(' at token `p` opens the keyword `kw`. */
static bool
opens(const tctx_t *c, int32_t p, const char *kw)
{
    return p >= 0 && c->toks[p + 1].kind == TK_KEYWORD &&
           bri_tok_is(c, &c->toks[p + 1], kw);
}

/* A string token's bytes into `out` (cleared first). */
static void
string_bytes(tctx_t *c, const tok_t *t, tbuf_t *out)
{
    out->len = 0;
    bri_lit_string(c, t, out);
}

/* ------------------------------------------------------------------ */
/* @custom                                                             */

/* The position of "(before s)" / "(after s)" at token k (a '('). */
static uint32_t
custom_placement(tctx_t *c, const tann_t *a, uint32_t k)
{
    const tok_t *where = ann_tok(c, a, k + 1), *sec = ann_tok(c, a, k + 2);
    bool before = where->kind == TK_KEYWORD && bri_tok_is(c, where, "before");
    bool after = where->kind == TK_KEYWORD && bri_tok_is(c, where, "after");
    if (!before && !after)
        ann_fail(c, where->off, "@custom annotation: malformed placement");
    if (sec->kind != TK_KEYWORD || ann_tok(c, a, k + 3)->kind != TK_RPAREN)
        ann_fail(c, sec->off, "@custom annotation: malformed section kind");
    if (before && bri_tok_is(c, sec, "first"))
        return 0;
    if (after && bri_tok_is(c, sec, "last"))
        return POSITION_LAST;
    for (uint32_t s = 0; s < PLACEMENT_COUNT; s++)
        if (bri_tok_is(c, sec, placement_sections[s]))
            return 2 * s + (before ? 1u : 2u);
    ann_fail(c, sec->off, "@custom annotation: malformed section kind");
}

/* Checks one @custom and, if `out` is given and it is placed at
 * `position`, appends its section (id 0, name, bytes). */
static void
custom_section(tctx_t *c, const tann_t *a, uint32_t position, tbuf_t *out)
{
    const tok_t *name = ann_tok(c, a, 1);
    tbuf_t bytes = {0}, content = {0};
    uint32_t k = 2, at = POSITION_LAST;
    if (name->kind != TK_STRING)
        ann_fail(c, name->off, "@custom annotation: missing section name");
    string_bytes(c, name, &bytes);
    if (!bri_utf8_valid(bytes.p, bytes.len))
        ann_fail(c, name->off, "@custom annotation: malformed UTF-8 encoding");
    if (ann_tok(c, a, k)->kind == TK_LPAREN) {
        at = custom_placement(c, a, k);
        k = tok_match(ann_tok(c, a, k)) - a->first + 1;
    }
    for (; k + 1 < a->count; k++) {
        const tok_t *t = ann_tok(c, a, k);
        if (t->kind != TK_STRING)
            ann_fail(c, t->off, "@custom annotation: unexpected token");
        bri_lit_string(c, t, &content);
    }
    if (out == NULL || at != position)
        return;
    tbuf_t head = {0};
    bri_tbuf_u32(c, &head, bytes.len);
    bri_tbuf_byte(c, out, 0);
    bri_tbuf_u32(c, out, head.len + bytes.len + content.len);
    bri_tbuf_bytes(c, out, head.p, head.len);
    bri_tbuf_bytes(c, out, bytes.p, bytes.len);
    bri_tbuf_bytes(c, out, content.p, content.len);
}

/* ------------------------------------------------------------------ */
/* @name and @metadata.code.branch_hint                                */

/* Definitions a name annotation may follow the keyword (and $id) of. */
static const char *const named_fields[] = {
    "module", "func", "tag",   "global", "table", "memory", "type",
    "elem",   "data", "param", "local",  "field", "import"};

static void
check_name(tctx_t *c, const tann_t *a, const tann_t *prev)
{
    const tok_t *text = ann_tok(c, a, 1);
    int32_t p = a->parent;
    bool named = false;
    for (size_t k = 0; k < sizeof named_fields / sizeof *named_fields; k++)
        named = named || opens(c, p, named_fields[k]);
    if (!named || !(a->at == (uint32_t)p + 2 ||
                    (a->at == (uint32_t)p + 3 && c->toks[p + 2].kind == TK_ID)))
        ann_fail(c, a->off, "misplaced @name annotation");
    if (text->kind != TK_STRING || a->count != 3)
        ann_fail(c, text->off, "@name annotation: malformed name");
    if (prev != NULL && prev->parent == p && ann_is(c, prev, "name"))
        ann_fail(c, a->off,
                 opens(c, p, "module") ? "@name annotation: multiple module"
                                       : "@name annotation: multiple names");
}

static bool
is_branch(const tctx_t *c, const tok_t *t)
{
    return t->kind == TK_KEYWORD &&
           (bri_tok_is(c, t, "if") || bri_tok_is(c, t, "br_if"));
}

static void
check_branch_hint(tctx_t *c, const tann_t *a, const tann_t *prev)
{
    const tok_t *hint = ann_tok(c, a, 1), *next = &c->toks[a->at];
    tbuf_t bytes = {0};
    if (!a->in_func)
        ann_fail(c, a->off,
                 "@metadata.code.branch_hint annotation: not in a function");
    if (prev != NULL && prev->at == a->at &&
        ann_is(c, prev, "metadata.code.branch_hint"))
        ann_fail(c, a->off,
                 "@metadata.code.branch_hint annotation: duplicate annotation");
    if (hint->kind != TK_STRING || a->count != 3)
        ann_fail(c, hint->off,
                 "@metadata.code.branch_hint annotation: malformed hint");
    string_bytes(c, hint, &bytes);
    if (bytes.len != 1 || bytes.p[0] > 1)
        ann_fail(c, hint->off,
                 "@metadata.code.branch_hint annotation: malformed hint");
    if (!is_branch(c, next) &&
        !(next->kind == TK_LPAREN && is_branch(c, next + 1)))
        ann_fail(c, a->off,
                 "@metadata.code.branch_hint annotation: invalid target");
}

/* ------------------------------------------------------------------ */
/* Per module                                                          */

/* Whether annotation `a` lies in the module whose fields are tokens
 * [first, end) (`end` its ')' or the end of a bare module text): the
 * range is the inside of the module's parentheses. */
static bool
in_module(const tann_t *a, size_t first, size_t end)
{
    return a->at >= first && a->at <= end;
}

/* Whether `a` stands among the module's fields themselves (not inside
 * a field, whose '(' would lie at or after `first`). */
static bool
at_field_level(const tann_t *a, size_t first)
{
    return a->parent < 0 || (size_t)a->parent < first;
}

void
bri_annot_check(tctx_t *c, size_t first, size_t end)
{
    size_t n;
    const tann_t *all = anns(c, &n), *prev = NULL;
    for (size_t k = 0; k < n; k++) {
        const tann_t *a = &all[k];
        if (!in_module(a, first, end))
            continue;
        if (ann_is(c, a, "custom")) {
            if (!at_field_level(a, first))
                ann_fail(c, a->off, "misplaced @custom annotation");
            custom_section(c, a, 0, NULL);
        } else if (ann_is(c, a, "name")) {
            check_name(c, a, prev);
        } else if (ann_is(c, a, "metadata.code.branch_hint")) {
            check_branch_hint(c, a, prev);
        }
        prev = a;
    }
}

void
bri_annot_customs(tctx_t *c, size_t first, size_t end, uint32_t position,
                  tbuf_t *out)
{
    size_t n;
    const tann_t *all = anns(c, &n);
    for (size_t k = 0; k < n; k++)
        if (in_module(&all[k], first, end) && ann_is(c, &all[k], "custom"))
            custom_section(c, &all[k], position, out);
}

uint32_t
bri_annot_position(uint8_t section_id, bool after)
{
    static const uint8_t ids[] = {1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11};
    for (uint32_t s = 0; s < PLACEMENT_COUNT; s++)
        if (ids[s] == section_id)
            return 2 * s + (after ? 2u : 1u);
    return POSITION_LAST;
}

uint32_t
bri_annot_last(void)
{
    return POSITION_LAST;
}
