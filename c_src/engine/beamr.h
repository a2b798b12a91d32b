/*
 * beamr engine: the public C API (the only header embedders include).
 * Object model: engine -> module (immutable, shareable) -> store ->
 * instance -> func/memory/table/global/tag; execution through br_exec_t.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BEAMR_H
#define BEAMR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "br_errors.h"

#if defined(__GNUC__)
#define BR_API __attribute__((visibility("default")))
#else
#define BR_API
#endif

/* Ownership marker (wasm.h style): the receiver owns the pointee. */
#define own

/* ------------------------------------------------------------------ */
/* Kinds and values                                                    */

typedef uint8_t br_valkind_t;
enum {
    BR_I32 = 0x7F,
    BR_I64 = 0x7E,
    BR_F32 = 0x7D,
    BR_F64 = 0x7C,
    BR_V128 = 0x7B,
    BR_FUNCREF = 0x70,
    BR_EXTERNREF = 0x6F,
    BR_EXNREF = 0x69, /* a caught exception (try_table's catch_ref) */
    BR_ANYREF = 0x6E, /* a GC reference: struct, array, i31 (or a host
                         value made internal by any.convert_extern) */
};

typedef uint8_t br_externkind_t;
enum {
    BR_EXTERN_FUNC = 0,
    BR_EXTERN_TABLE = 1,
    BR_EXTERN_MEMORY = 2,
    BR_EXTERN_GLOBAL = 3,
    BR_EXTERN_TAG = 4,
};

/* A reference: a funcref is a br_func_t *, an externref an opaque host
 * pointer-sized value, an exnref an exception owned by the engine (the
 * host can read it but not make one). NULL is the null reference. */
typedef void *br_ref_t;

/* A typed value. Floats are kept as raw bits (u32/u64 members alias them)
 * so NaN payloads survive every crossing of the API. */
typedef struct br_val {
    br_valkind_t kind;
    union {
        int32_t i32;
        int64_t i64;
        uint32_t u32;
        uint64_t u64;
        float f32;
        double f64;
        uint8_t v128[16];
        br_ref_t ref;
    } of;
} br_val_t;

/* Status of an execution step (Lua's LUA_OK/LUA_YIELD shape). */
typedef enum br_status {
    BR_DONE = 0,   /* finished; results are available */
    BR_YIELD = 1,  /* fuel ran out; call br_exec_run again to continue */
    BR_TRAP = 2,   /* trapped; br_exec_trap tells why and where */
    BR_IMPORT = 3, /* suspended in a host function; answer, then run */
    BR_ERROR = 4,  /* misuse or allocation failure; br_exec_error */
} br_status_t;

/* Host functions return one of these. */
typedef enum br_host_status {
    BR_HOST_OK = 0,      /* results written */
    BR_HOST_TRAP = 1,    /* trap with BR_TRAP_HOST */
    BR_HOST_SUSPEND = 2, /* answer later: br_exec_run returns BR_IMPORT */
} br_host_status_t;

/* ------------------------------------------------------------------ */
/* Errors and traps                                                    */

#define BR_ERR_ENUM(name, msg, atom) BR_ERR_##name,
typedef enum br_err { BR_ERRORS(BR_ERR_ENUM) BR_ERR__COUNT } br_err_t;
#undef BR_ERR_ENUM

#define BR_TRAP_ENUM(name, msg, atom) BR_TRAP_##name,
typedef enum br_trapkind { BR_TRAPS(BR_TRAP_ENUM) BR_TRAP__COUNT } br_trapkind_t;
#undef BR_TRAP_ENUM

/* A failure to decode, validate, link or instantiate. */
typedef struct br_error {
    br_err_t code;
    char message[160];  /* spec wording plus detail, NUL-terminated */
    uint64_t offset;    /* byte offset in the module binary, if known */
    int64_t func_index; /* function index, or -1 */
    /* Where the module came from text (br_wat_locate): the 1-based line
     * and column of the error's function in the source; 0 if unknown. */
    uint32_t line;
    uint32_t column;
} br_error_t;

#define BR_TRAP_MAX_FRAMES 32
typedef struct br_frame_info {
    uint32_t func_index; /* in the function index space of its module */
    uint32_t code_offset; /* byte offset of the instruction in the binary */
} br_frame_info_t;

typedef struct br_trap {
    br_trapkind_t kind;
    uint32_t frame_count; /* frames recorded (innermost first) */
    br_frame_info_t frames[BR_TRAP_MAX_FRAMES];
    char message[160];    /* host message for BR_TRAP_HOST, else the kind */
    int32_t exit_code;    /* BR_TRAP_EXIT: the program's exit status */
} br_trap_t;

BR_API const char *br_err_message(br_err_t code);
BR_API const char *br_err_atom(br_err_t code);
BR_API const char *br_trap_message(br_trapkind_t kind);
BR_API const char *br_trap_atom(br_trapkind_t kind);

/* ------------------------------------------------------------------ */
/* Engine: allocator, features and default limits                      */

/* lua_Alloc-style allocator: nsize == 0 frees; returns NULL on failure. */
typedef void *(*br_alloc_fn)(void *ud, void *ptr, size_t osize,
                             size_t nsize);

/* Default cap on each linear memory: 65536 pages (4 GiB), the memory32
 * maximum; it also bounds memory64, whose spec maximum (2^48 pages)
 * would let any guest exhaust the host. BR_MEMORY_PAGES_UNLIMITED lifts
 * the cap (the spec maximum of the memory's index type applies). */
#define BR_DEFAULT_MAX_MEMORY_PAGES 65536u
#define BR_MEMORY_PAGES_UNLIMITED UINT64_MAX

/* Resource limits: in br_config_t for the engine's defaults, and in
 * br_store_new for one store (an instance's store), whose non-zero
 * fields override the engine's. */
typedef struct br_limits {
    /* per memory, in 64 KiB pages; 0 = BR_DEFAULT_MAX_MEMORY_PAGES */
    uint64_t max_memory_pages;
    uint64_t max_table_elems;  /* per table; 0 = 10,000,000 */
    uint32_t max_call_depth;   /* 0 = 20,000 frames */
    uint32_t max_stack_slots;  /* value stack, 8-byte slots; 0 = 4M */
} br_limits_t;

/* Proposals an embedder can turn off, for a decoder that follows
 * WebAssembly 2.0 strictly where a later proposal relaxed it. */
typedef enum br_feature {
    /* Several memories and explicit memory indices. Off, a module has at
     * most one memory ("multiple memories") and the memory index bytes of
     * memory.size/grow/fill/copy/init must be a plain zero byte ("zero
     * byte expected"), as in 2.0. */
    BR_FEATURE_MULTI_MEMORY = 1u << 0,
    /* 3.0's constant expressions: global.get of any immutable global
     * defined before the global being initialised (and of every global
     * in segment offsets and items). Off, only imported globals, as in
     * 2.0 ("unknown global"). */
    BR_FEATURE_CONST_GLOBALS = 1u << 1,
} br_feature_t;

/* Takes over a mapping of linear memory the engine no longer uses:
 * (addr, size) as mmap returned them, to be munmapped (at once or
 * later, on any thread). */
typedef void (*br_unmap_fn)(void *ud, void *addr, size_t size);

typedef struct br_config {
    br_alloc_fn alloc; /* NULL: malloc/realloc/free */
    void *alloc_ud;
    br_limits_t limits;
    uint32_t disabled_features; /* br_feature_t bits; 0: all enabled */
    uint32_t tier; /* br_tier_t of the engine's stores; 0: interpreter */
    /* NULL: the engine munmaps the mappings of linear memories itself,
     * in br_store_delete and br_engine_delete. Unmapping costs in
     * proportion to the pages touched (tens of ms per GiB): a host whose
     * threads must not block hands that work to a thread of its own. */
    br_unmap_fn unmap;
    void *unmap_ud;
} br_config_t;

typedef struct br_engine br_engine_t;

BR_API own br_engine_t *br_engine_new(const br_config_t *config);
BR_API void br_engine_delete(own br_engine_t *engine);

/* ------------------------------------------------------------------ */
/* Types                                                               */

typedef struct br_functype {
    uint32_t param_count;
    uint32_t result_count;
    const br_valkind_t *params;
    const br_valkind_t *results;
} br_functype_t;

typedef struct br_limits_type {
    uint64_t min;
    uint64_t max;   /* valid if has_max */
    bool has_max;
    bool is64;      /* memory64 / table64 index type */
    bool shared;
    /* custom-page-sizes (memories): with custom_page set a page is
     * 2^page_log2 bytes (1 and 65536 are valid), else 65536 bytes; min
     * and max count pages of that size */
    bool custom_page;
    uint8_t page_log2;
} br_limitstype_t;

/* Description of an import or export. */
typedef struct br_externtype {
    br_externkind_t kind;
    br_functype_t func;           /* BR_EXTERN_FUNC and BR_EXTERN_TAG */
    br_limitstype_t limits;       /* BR_EXTERN_TABLE and BR_EXTERN_MEMORY */
    br_valkind_t elem_or_global;  /* table element kind or global kind */
    bool mutable_global;          /* BR_EXTERN_GLOBAL */
} br_externtype_t;

typedef struct br_name {
    size_t size;
    const char *data; /* not NUL-terminated */
} br_name_t;

/* ------------------------------------------------------------------ */
/* Modules: decoded, validated and compiled once, then immutable        */

typedef struct br_module br_module_t;

/* Copies `bytes`; never keeps or mutates the caller's buffer. */
BR_API br_err_t br_module_new(br_engine_t *engine, const uint8_t *bytes,
                              size_t size, own br_module_t **out,
                              br_error_t *error);
BR_API void br_module_delete(own br_module_t *module);

BR_API uint32_t br_module_import_count(const br_module_t *module);
BR_API void br_module_import(const br_module_t *module, uint32_t index,
                             br_name_t *module_name, br_name_t *field_name,
                             br_externtype_t *type);
/* Bytes that br_instance_new writes before it returns (tables filled to
 * their minimum, element segments, active data segments; linear memory
 * is committed lazily and adds nothing). Instantiation cannot yield, so
 * an embedder that must not block a thread for long runs large ones
 * elsewhere: about 0.1 ns a byte in cached memory, up to 3.4 ns a byte
 * for pages touched the first time (measured on the project's VM). */
BR_API uint64_t br_module_instantiate_bytes(const br_module_t *module);
BR_API uint32_t br_module_export_count(const br_module_t *module);
BR_API void br_module_export(const br_module_t *module, uint32_t index,
                             br_name_t *name, br_externtype_t *type);

/* ------------------------------------------------------------------ */
/* Stores and the objects that live in them                             */

typedef struct br_store br_store_t;
typedef struct br_instance br_instance_t;
typedef struct br_func br_func_t;
typedef struct br_memory br_memory_t;
typedef struct br_table br_table_t;
typedef struct br_global br_global_t;
typedef struct br_tag br_tag_t;
typedef struct br_exec br_exec_t;

/* A store owns every instance and host object created in it; deleting the
 * store frees them all. One thread uses a store at a time. `limits`
 * overrides the engine's defaults where non-zero (may be NULL). */
BR_API own br_store_t *br_store_new(br_engine_t *engine,
                                    const br_limits_t *limits);
BR_API void br_store_delete(own br_store_t *store);

typedef struct br_extern {
    br_externkind_t kind;
    union {
        br_func_t *func;
        br_table_t *table;
        br_memory_t *memory;
        br_global_t *global;
        br_tag_t *tag;
    } of;
} br_extern_t;

/* Host function: reads args, writes results (kinds preset by the engine).
 * Returns BR_HOST_SUSPEND to answer later through br_exec_resume. */
typedef br_host_status_t (*br_host_fn)(void *env, br_exec_t *exec,
                                       const br_val_t *args,
                                       br_val_t *results);

BR_API br_func_t *br_func_new_host(br_store_t *store,
                                   const br_functype_t *type,
                                   br_host_fn fn, void *env);
/* Emscripten's JS-style exception and setjmp support, run inside the
 * engine instead of in JS glue. An invoke function (`env.invoke_*`:
 * the first parameter an i32 or i64 index, NULL otherwise) calls the
 * function at that index of the calling instance's table 0 with the
 * other arguments and returns its results; a wrong index or type traps
 * (undefined_element, uninitialized_element, indirect_call_type_
 * mismatch), and so does a trap inside the callee (Emscripten rethrows
 * what is not a C++ exception or longjmp). The longjmp function
 * (`env._emscripten_throw_longjmp`) unwinds to the innermost invoke
 * still running, which then returns zeros after the instance's exported
 * `setThrew(1, 0)`, as Emscripten's glue does; without an open invoke
 * or a setThrew it traps (host_error). */
BR_API br_func_t *br_func_new_invoke(br_store_t *store,
                                     const br_functype_t *type);
BR_API br_func_t *br_func_new_longjmp(br_store_t *store,
                                      const br_functype_t *type);
/* A link: an import served by `target`, a function of another instance
 * (maybe of another store used by the same thread), called inside the
 * engine as if the importer called it directly. While `*gone` is true
 * (the exporter stopped) a call traps (host_error, "linked instance
 * stopped"). The caller keeps the br_link_t alive as long as the store. */
typedef struct br_link {
    br_func_t *target;
    const _Atomic bool *gone;
} br_link_t;
BR_API br_func_t *br_func_new_link(br_store_t *store, const br_link_t *link);
/* True for a host function (no wasm code of its own). */
BR_API bool br_func_is_host(const br_func_t *func);
/* Calls the pending host function again: one that suspended to wait
 * (WASI stdin from a pipe) answers now and the call can run on, or
 * suspends again (*waiting true), or traps (br_exec_trap). */
BR_API br_err_t br_exec_import_retry(br_exec_t *exec, bool *waiting);
/* Answers the pending import as a JS throw of a C++ exception or
 * longjmp would: unwinds to the innermost running invoke, as the
 * longjmp function does (a trap without one; br_exec_trap then tells). */
BR_API br_err_t br_exec_resume_unwind(br_exec_t *exec);
BR_API const br_functype_t *br_func_type(const br_func_t *func);
BR_API void *br_func_host_env(const br_func_t *func);

BR_API br_memory_t *br_memory_new(br_store_t *store,
                                  const br_limitstype_t *limits);
BR_API uint8_t *br_memory_data(br_memory_t *memory);
BR_API uint64_t br_memory_size(const br_memory_t *memory); /* bytes */
/* Grows by `delta` pages (of the memory's page size: 64 KiB, or 1 byte
 * with custom-page-sizes); returns the old size in pages via `old_pages`,
 * or false if the limit or the allocator refuses. */
BR_API bool br_memory_grow(br_memory_t *memory, uint64_t delta,
                           uint64_t *old_pages);
BR_API void br_memory_type(const br_memory_t *memory, br_limitstype_t *out);

BR_API br_table_t *br_table_new(br_store_t *store, br_valkind_t elem,
                                const br_limitstype_t *limits,
                                br_ref_t init);
BR_API uint64_t br_table_size(const br_table_t *table);
BR_API bool br_table_get(const br_table_t *table, uint64_t index,
                         br_ref_t *out);
BR_API bool br_table_set(br_table_t *table, uint64_t index, br_ref_t ref);
BR_API bool br_table_grow(br_table_t *table, uint64_t delta, br_ref_t init,
                          uint64_t *old_size);
BR_API br_valkind_t br_table_elem_kind(const br_table_t *table);

BR_API br_global_t *br_global_new(br_store_t *store, br_valkind_t kind,
                                  bool mutable_, const br_val_t *init);
BR_API void br_global_get(const br_global_t *global, br_val_t *out);
/* Fails (false) on an immutable global or a kind mismatch. */
BR_API bool br_global_set(br_global_t *global, const br_val_t *val);
BR_API bool br_global_is_mutable(const br_global_t *global);

BR_API br_tag_t *br_tag_new(br_store_t *store, const br_functype_t *type);

/* ------------------------------------------------------------------ */
/* Instances                                                           */

/* Instantiates `module` in `store`. `imports` holds one extern per module
 * import, in import order. Runs segment initialisation but not the start
 * function: get it with br_instance_start_func and call it (it may need
 * host imports that suspend). On failure returns an error code, fills
 * `error`, and *out is NULL (any partially written shared memory or table
 * keeps its writes, as the spec requires). */
BR_API br_err_t br_instance_new(br_store_t *store, const br_module_t *module,
                                const br_extern_t *imports,
                                size_t import_count,
                                br_instance_t **out, br_error_t *error,
                                br_trap_t *trap);
BR_API const br_module_t *br_instance_module(const br_instance_t *inst);
BR_API br_func_t *br_instance_start_func(br_instance_t *inst);
BR_API bool br_instance_export(br_instance_t *inst, const char *name,
                               size_t name_len, br_extern_t *out);
BR_API void br_instance_export_at(br_instance_t *inst, uint32_t index,
                                  br_extern_t *out);
/* The instance's memory 0 (imported or defined), or NULL. */
BR_API br_memory_t *br_instance_memory(br_instance_t *inst, uint32_t index);
BR_API br_table_t *br_instance_table(br_instance_t *inst, uint32_t index);

/* ------------------------------------------------------------------ */
/* Execution (resumable; the primary calling convention)                */

/* An execution context: value stack, frames, status. Reusable for many
 * calls, one at a time; several contexts may run on one store (nested
 * calls from a suspended host function) as long as one thread does. */
BR_API own br_exec_t *br_exec_new(br_store_t *store);
BR_API void br_exec_delete(own br_exec_t *exec);

/* Prepares a call of `func` with `args` (checked against its type).
 * Nothing runs until br_exec_run. */
BR_API br_err_t br_exec_call(br_exec_t *exec, br_func_t *func,
                             const br_val_t *args, size_t arg_count);
/* Runs for about `fuel` instructions (< 0: unlimited). */
BR_API br_status_t br_exec_run(br_exec_t *exec, int64_t fuel);
/* Results after BR_DONE. */
BR_API size_t br_exec_result_count(const br_exec_t *exec);
BR_API const br_val_t *br_exec_results(const br_exec_t *exec);
BR_API const br_trap_t *br_exec_trap(const br_exec_t *exec);
BR_API br_err_t br_exec_error(const br_exec_t *exec);

/* After BR_IMPORT: the host function being called and its arguments. */
BR_API br_func_t *br_exec_import_func(const br_exec_t *exec);
BR_API const br_val_t *br_exec_import_args(const br_exec_t *exec);
/* Answers the pending import; then br_exec_run continues. Results are
 * checked against the import's type (BR_ERR_INVALID_ARGUMENT if wrong). */
BR_API br_err_t br_exec_resume(br_exec_t *exec, const br_val_t *results,
                               size_t result_count);
/* Answers the pending import with a trap (BR_TRAP_HOST and a message). */
BR_API void br_exec_resume_trap(br_exec_t *exec, const char *message);
/* Called by a host function just before it returns BR_HOST_TRAP, to
 * choose the trap kind (default BR_TRAP_HOST), the exit code for
 * BR_TRAP_EXIT and a message (may be NULL). */
BR_API void br_exec_host_trap(br_exec_t *exec, br_trapkind_t kind,
                              int32_t exit_code, const char *message);
/* The instance whose code called the running host function (NULL when
 * the host function was called directly by br_exec_call). */
BR_API br_instance_t *br_exec_caller_instance(const br_exec_t *exec);
/* Makes the next fuel check end the run with BR_TRAP_CANCELLED. May be
 * called from another thread (it sets an atomic flag). */
BR_API void br_exec_cancel(br_exec_t *exec);
/* Fuel used by the last br_exec_run. */
BR_API int64_t br_exec_fuel_used(const br_exec_t *exec);
/* The store the context runs in. */
BR_API br_store_t *br_exec_store(const br_exec_t *exec);

/* Blocking convenience wrapper: runs to completion; host functions must
 * not suspend. Returns BR_DONE, BR_TRAP or BR_ERROR. */
BR_API br_status_t br_func_call(br_store_t *store, br_func_t *func,
                                const br_val_t *args, size_t arg_count,
                                br_val_t *results, size_t result_cap,
                                br_trap_t *trap);

/* ------------------------------------------------------------------ */
/* Compiled modules (aot) and instance snapshots                        */

/* Serializes a compiled module to a self-checking binary of our own
 * format (magic "BEAMRAOT", format version, build id, checksum, then the
 * module's binary and its compiled code). The buffer comes from the
 * engine's allocator: release it with br_engine_free_buffer. A file is
 * only loadable by a build with the same internal code format. A module
 * with garbage-collected types (struct, array or any-hierarchy values)
 * or GC instructions cannot be saved: BR_ERR_AOT_GC. */
BR_API br_err_t br_module_serialize(const br_module_t *module,
                                    own uint8_t **out, size_t *out_size);
/* Loads a serialized module without recompiling it: the binary is
 * decoded and its declarations validated, the function bodies are not
 * recompiled. Errors: BR_ERR_AOT_FORMAT (no magic), BR_ERR_AOT_VERSION
 * (other format or build), BR_ERR_AOT_CHECKSUM (truncated or damaged),
 * BR_ERR_AOT_CORRUPT (consistent checksum, inconsistent content). The
 * loaded code is verified before use: instructions, slots, indices,
 * jump targets, handlers, fuel on back-edges and the kinds of reference
 * slots, so a crafted file cannot make the interpreter leave its frame
 * or code or use a number as a pointer (it may still compute garbage or
 * trap, like any wasm). The data flow that checks reference slots runs
 * only for functions that read a slot as a reference, so loading typical
 * modules costs about half of compiling them or less (bench/README.md). */
BR_API br_err_t br_module_deserialize(br_engine_t *engine,
                                      const uint8_t *bytes, size_t size,
                                      own br_module_t **out,
                                      br_error_t *error);
BR_API void br_engine_free_buffer(br_engine_t *engine, own void *buffer,
                                  size_t size);

/* Snapshot of an instance's mutable state: every memory it defines
 * (size and contents), its mutable defined globals, the tables it
 * defines (funcrefs as function indices of this instance; externrefs
 * must be null) and the dropped segments; imported objects are not
 * included. A reference the instance cannot name (a non-null externref,
 * a function of another instance or host that is not one of its
 * imports) fails with BR_ERR_SNAPSHOT_MISMATCH. The buffer (magic
 * "BEAMRSNP", version, module fingerprint, checksum) comes from the
 * engine's allocator: release it with br_engine_free_buffer. */
BR_API br_err_t br_instance_snapshot(br_instance_t *inst, own uint8_t **out,
                                     size_t *out_size);
/* Restores a snapshot into an instance of the same module (a fresh one,
 * or the one that took it: restoring rolls it back), which then
 * continues where the snapshot left off. Memories and tables grow to the
 * snapshot's sizes; one already larger than the snapshot's, another
 * module, or a count or kind that differs gives BR_ERR_SNAPSHOT_MISMATCH,
 * a damaged buffer BR_ERR_AOT_CHECKSUM: the snapshot is checked
 * completely before anything changes. Only growing can then fail
 * (BR_ERR_OUT_OF_MEMORY), before any contents are written. */
BR_API br_err_t br_instance_restore(br_instance_t *inst,
                                    const uint8_t *bytes, size_t size,
                                    br_error_t *error);

/* ------------------------------------------------------------------ */
/* Execution tiers (docs/native-tier.md)                                */

/* How a store's calls run. Every tier gives the same results, traps,
 * backtraces, fuel accounting and suspension points. */
typedef enum br_tier {
    BR_TIER_INTERP = 0, /* the interpreter */
    BR_TIER_NATIVE = 1, /* x86-64 machine code, each function compiled at
                           its first call */
    BR_TIER_AUTO = 2,   /* machine code for functions called again or
                           running long; the interpreter for the rest */
} br_tier_t;

/* True if this build has the native tier (x86-64 hosts); elsewhere the
 * native and auto tiers run the interpreter. */
BR_API bool br_native_available(void);
/* The tier of the store's calls (from br_config_t.tier by default);
 * takes effect at the next br_exec_run. */
BR_API void br_store_set_tier(br_store_t *store, br_tier_t tier);
BR_API br_tier_t br_store_tier(const br_store_t *store);
/* Functions of more than `words` words of internal code (about 10,000
 * compile per millisecond) are not compiled at a call in this store:
 * they run in the interpreter until br_module_native_compile compiles
 * them (a host whose calling threads must not block for long does that
 * on another thread). 0, the default: no limit. */
BR_API void br_store_set_native_lazy_limit(br_store_t *store,
                                           uint32_t words);
/* The module's machine code so far: functions compiled and bytes of
 * code (mapped memory is whole pages: *mapped_bytes). */
BR_API void br_module_native_info(const br_module_t *module,
                                  uint32_t *functions, size_t *code_bytes,
                                  size_t *mapped_bytes);
/* Compiles every function of the module that has no machine code yet
 * (an embedder's choice to pay for all of it up front, e.g. on a thread
 * that may block, instead of at each function's first call). False if
 * memory ran out (functions compiled so far keep their code); without
 * the native tier, true and nothing is done. */
BR_API bool br_module_native_compile(const br_module_t *module);

/* Snapshot of the call `exec` runs in `inst` while it waits: at a yield
 * (out of fuel, between slices), ready to run, or suspended in a host
 * import (its function and arguments included). Every frame must be a
 * wasm function of `inst` (interpreter frames). What cannot be written
 * down gives BR_ERR_SNAPSHOT_CALL with the reason in `error`: a live
 * non-null externref or caught exception, a funcref of another instance,
 * frames of another instance (linked calls), Emscripten invoke_* in
 * progress, a table.grow in progress, or no wasm frame. The buffer
 * (magic "BEAMRCAL", version, module fingerprint, checksum; see
 * docs/snapshot.md) comes from the engine's allocator: release it with
 * br_engine_free_buffer. The instance's own state is a separate
 * br_instance_snapshot. */
BR_API br_err_t br_exec_snapshot(const br_exec_t *exec,
                                 const br_instance_t *inst, own uint8_t **out,
                                 size_t *out_size, br_error_t *error);
/* Rebuilds a captured call in `exec` (a context of inst's store not in
 * a call) on `inst`, an instance of the same module: br_exec_run then
 * continues it, or, suspended in an import, br_exec_import_func/args
 * show the pending import and br_exec_resume answers it. Nothing is
 * trusted: each frame's pc must be a resume point of its function (an
 * instruction start the code reaches; below the top, just after a
 * call whose result types are the next frame's), slot counts follow
 * from the code, and every slot's value fits the kind the code's data
 * flow gives it there (funcrefs as function indices of `inst`).
 * BR_ERR_SNAPSHOT_MISMATCH for anything that does not fit,
 * BR_ERR_AOT_CHECKSUM for a damaged buffer; `exec` is then left idle. */
BR_API br_err_t br_exec_restore(br_exec_t *exec, br_instance_t *inst,
                                const uint8_t *bytes, size_t size,
                                br_error_t *error);
/* The length of the buffer's first part when it starts with a snapshot
 * or call snapshot header (header + payload size), else 0: how a
 * snapshot followed by a call snapshot is split again. */
BR_API size_t br_snapshot_part_size(const uint8_t *bytes, size_t size);

/* ------------------------------------------------------------------ */
/* GC heap (WebAssembly 3.0 structs and arrays; docs/gc.md)            */

/* What a store's GC heap has done so far. A work unit is about one byte
 * traced or swept; a step is the collector work one allocation pays. */
typedef struct br_gc_stats {
    uint64_t heap_bytes;      /* pages and large objects held now */
    uint64_t peak_heap_bytes; /* the most heap_bytes has been */
    uint64_t limit_bytes;     /* max_memory_pages * 64 KiB */
    uint64_t live_bytes;      /* in allocated cells (dead ones included
                                 until the sweep reaches them) */
    uint64_t allocated_bytes; /* ever allocated */
    uint64_t allocations;
    uint64_t cycles;          /* completed collections */
    uint64_t full_collections; /* run to the end at the limit or asked */
    uint64_t abandoned;       /* cycles given up (no memory to mark) */
    uint64_t steps;
    uint64_t max_step_work;   /* work units of the largest step */
    uint64_t max_step_ns;     /* wall time of the longest step */
    uint64_t max_root_work;   /* of the largest root scan (in a step) */
    uint64_t root_slots;      /* values looked at by root scans, in all */
    uint64_t pages, large_objects, pinned;
} br_gc_stats_t;

/* Statistics of the store's GC heap (all 0 before its first object). */
BR_API void br_gc_stats(const br_store_t *store, br_gc_stats_t *out);
/* Whether `ref` is a struct or array of the store's GC heap. */
BR_API bool br_gc_is_object(const br_store_t *store, br_ref_t ref);
/* Keeps a GC reference alive while the host holds it: pins count, and
 * each pin needs an unpin. Anything that is not a GC object (null, i31,
 * a function, an externref) needs none: pin returns BR_ERR_OK and unpin
 * does nothing. BR_ERR_OUT_OF_MEMORY if the pin cannot be recorded. */
BR_API br_err_t br_gc_pin(br_store_t *store, br_ref_t ref);
BR_API void br_gc_unpin(br_store_t *store, br_ref_t ref);
/* Collects the store's GC heap to the end now (tests, idle hosts). */
BR_API void br_gc_collect(br_store_t *store);

#endif
