/*
 * beamr engine: the one list of error codes and trap kinds.
 * Each X-macro row generates an enumerator, the message (spec test suite
 * wording) and the atom the Erlang side uses.
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef BR_ERRORS_H
#define BR_ERRORS_H

/* X(ENUM_SUFFIX, "message (spec wording)", atom) -- ORDER ERR */
#define BR_ERRORS(X)                                                         \
    X(OK, "ok", ok)                                                          \
    X(OUT_OF_MEMORY, "out of memory", out_of_memory)                         \
    X(INVALID_ARGUMENT, "invalid argument", invalid_argument)                \
    /* malformed binaries (decoder) */                                       \
    X(MAGIC, "magic header not detected", magic_header_not_detected)         \
    X(VERSION, "unknown binary version", unknown_binary_version)             \
    X(UNEXPECTED_END, "unexpected end", unexpected_end)                      \
    X(UNEXPECTED_END_SECTION, "unexpected end of section or function",       \
      unexpected_end_of_section_or_function)                                 \
    X(SECTION_SIZE_MISMATCH, "section size mismatch", section_size_mismatch) \
    X(INTEGER_TOO_LONG, "integer representation too long",                   \
      integer_representation_too_long)                                       \
    X(INTEGER_TOO_LARGE, "integer too large", integer_too_large)             \
    X(MALFORMED_SECTION_ID, "malformed section id", malformed_section_id)    \
    X(JUNK_AFTER_LAST_SECTION, "junk after last section",                    \
      junk_after_last_section)                                               \
    X(UNEXPECTED_CONTENT, "unexpected content after last section",           \
      unexpected_content_after_last_section)                                 \
    X(MALFORMED_UTF8, "malformed UTF-8 encoding", malformed_utf8_encoding)   \
    X(TOO_MANY_LOCALS, "too many locals", too_many_locals)                   \
    X(FUNC_CODE_MISMATCH, "function and code section have inconsistent "     \
      "lengths", function_and_code_section_have_inconsistent_lengths)        \
    X(DATA_COUNT_MISMATCH, "data count and data section have inconsistent "  \
      "lengths", data_count_and_data_section_have_inconsistent_lengths)      \
    X(DATA_COUNT_REQUIRED, "data count section required",                    \
      data_count_section_required)                                           \
    X(MALFORMED_REFTYPE, "malformed reference type",                         \
      malformed_reference_type)                                              \
    X(MALFORMED_VALTYPE, "malformed value type", malformed_value_type)       \
    X(MALFORMED_IMPORT_KIND, "malformed import kind",                        \
      malformed_import_kind)                                                 \
    X(MALFORMED_EXPORT_KIND, "malformed export kind",                        \
      malformed_export_kind)                                                 \
    X(MALFORMED_MUTABILITY, "malformed mutability", malformed_mutability)    \
    X(MALFORMED_LIMITS, "malformed limits flags", malformed_limits_flags)    \
    X(MALFORMED_MEMOP_FLAGS, "malformed memop flags", malformed_memop_flags) \
    X(ZERO_BYTE_EXPECTED, "zero byte expected", zero_byte_expected)          \
    X(ILLEGAL_OPCODE, "illegal opcode", illegal_opcode)                      \
    X(MALFORMED_ELEM_KIND, "malformed element kind", malformed_element_kind) \
    X(MALFORMED_FUNC_TYPE, "malformed function type",                        \
      malformed_function_type)                                               \
    X(END_OPCODE_EXPECTED, "END opcode expected", end_opcode_expected)       \
    X(DUPLICATE_SECTION, "unexpected content after last section",            \
      duplicate_section)                                                     \
    X(MALFORMED_SECTION, "malformed section", malformed_section)             \
    X(LENGTH_OUT_OF_BOUNDS, "length out of bounds", length_out_of_bounds)    \
    X(MALFORMED_ELEM_SEGMENT, "malformed elements segment kind",             \
      malformed_elements_segment_kind)                                       \
    X(MALFORMED_DATA_SEGMENT, "malformed data segment kind",                 \
      malformed_data_segment_kind)                                           \
    X(MALFORMED_CATCH_KIND, "malformed catch clause", malformed_catch_clause) \
    X(INVALID_PAGE_SIZE, "invalid custom page size", invalid_custom_page_size) \
    /* invalid modules (validator) */                                        \
    X(TYPE_MISMATCH, "type mismatch", type_mismatch)                         \
    X(UNKNOWN_LOCAL, "unknown local", unknown_local)                         \
    X(UNKNOWN_GLOBAL, "unknown global", unknown_global)                      \
    X(UNKNOWN_FUNC, "unknown function", unknown_function)                    \
    X(UNKNOWN_TABLE, "unknown table", unknown_table)                         \
    X(UNKNOWN_MEMORY, "unknown memory", unknown_memory)                      \
    X(UNKNOWN_TYPE, "unknown type", unknown_type)                            \
    X(UNKNOWN_LABEL, "unknown label", unknown_label)                         \
    X(UNKNOWN_ELEM, "unknown elem segment", unknown_elem_segment)            \
    X(UNKNOWN_DATA, "unknown data segment", unknown_data_segment)            \
    X(UNKNOWN_TAG, "unknown tag", unknown_tag)                               \
    X(INVALID_RESULT_ARITY, "invalid result arity", invalid_result_arity)    \
    X(ALIGNMENT, "alignment must not be larger than natural",                \
      alignment_too_large)                                                   \
    X(MEMORY_SIZE_LIMIT, "memory size must be at most 65536 pages (4GiB)",   \
      memory_size_too_large)                                                 \
    X(TABLE_SIZE_LIMIT, "table size must be at most 2^32-1",                 \
      table_size_too_large)                                                  \
    X(SIZE_MINIMUM, "size minimum must not be greater than maximum",         \
      size_minimum_greater_than_maximum)                                     \
    X(MULTIPLE_MEMORIES, "multiple memories", multiple_memories)             \
    X(GLOBAL_IMMUTABLE, "global is immutable", global_is_immutable)          \
    X(CONSTANT_EXPR_REQUIRED, "constant expression required",                \
      constant_expression_required)                                          \
    X(DUPLICATE_EXPORT, "duplicate export name", duplicate_export_name)      \
    X(START_FUNCTION, "start function", invalid_start_function)              \
    X(UNDECLARED_FUNC_REF, "undeclared function reference",                  \
      undeclared_function_reference)                                         \
    X(INVALID_LANE, "invalid lane index", invalid_lane_index)                \
    X(INVALID_RETHROW_LABEL, "invalid rethrow label",                        \
      invalid_rethrow_label)                                                 \
    X(UNINITIALIZED_LOCAL, "uninitialized local", uninitialized_local)       \
    /* INVALID_TAG_TYPE ends the validator's rows (nif_error.c) */           \
    X(INVALID_TAG_TYPE, "non-empty tag result type", invalid_tag_type)       \
    /* linking and instantiation */                                          \
    X(UNKNOWN_IMPORT, "unknown import", unknown_import)                      \
    X(INCOMPATIBLE_IMPORT, "incompatible import type",                       \
      incompatible_import_type)                                              \
    X(LIMIT_EXCEEDED, "resource limit exceeded", limit_exceeded)             \
    X(TRAP, "instantiation trapped", trap)                                 \
    /* compiled-module files (aot) and instance snapshots */                 \
    X(AOT_FORMAT, "not a beamr compiled module", aot_bad_format)             \
    X(AOT_VERSION, "compiled module of another beamr version",               \
      aot_version_mismatch)                                                  \
    X(AOT_CHECKSUM, "compiled module checksum mismatch",                     \
      aot_checksum_mismatch)                                                 \
    X(AOT_CORRUPT, "compiled module is corrupt", aot_corrupt)                \
    X(SNAPSHOT_MISMATCH, "snapshot does not fit this instance",              \
      snapshot_mismatch)                                                     \
    X(SNAPSHOT_CALL, "suspended call cannot be captured",                    \
      call_not_capturable)                                                   \
    X(GC_HEAP_SNAPSHOT, "snapshots do not include GC objects",               \
      gc_heap_not_snapshotable)                                              \
    X(AOT_GC, "garbage-collected types cannot be saved as a compiled module", \
      aot_gc_unsupported)                                                    \
    X(NOT_FOUND, "not found", not_found)                                     \
    X(BUSY, "execution context busy", busy)                                   \
    X(SUB_TYPE, "sub type", sub_type)                                        \
    X(UNKNOWN_FIELD, "unknown field", unknown_field)                         \
    X(IMMUTABLE_FIELD, "field is immutable", immutable_field)               \
    X(IMMUTABLE_ARRAY, "array is immutable", immutable_array)

/* X(ENUM_SUFFIX, "message (spec wording)", atom) -- ORDER TRAP */
#define BR_TRAPS(X)                                                          \
    X(NONE, "no trap", none)                                                 \
    X(UNREACHABLE, "unreachable", unreachable)                               \
    X(MEMORY_OOB, "out of bounds memory access", out_of_bounds_memory_access) \
    X(INT_OVERFLOW, "integer overflow", integer_overflow)                    \
    X(INT_DIV_ZERO, "integer divide by zero", integer_divide_by_zero)        \
    X(INVALID_CONVERSION, "invalid conversion to integer",                   \
      invalid_conversion_to_integer)                                         \
    X(INDIRECT_TYPE_MISMATCH, "indirect call type mismatch",                 \
      indirect_call_type_mismatch)                                           \
    X(UNDEFINED_ELEMENT, "undefined element", undefined_element)             \
    X(UNINITIALIZED_ELEMENT, "uninitialized element", uninitialized_element) \
    X(TABLE_OOB, "out of bounds table access", out_of_bounds_table_access)   \
    X(NULL_REFERENCE, "null reference", null_reference)                      \
    X(NULL_EXCEPTION, "null exception reference",                            \
      null_exception_reference)                                              \
    X(NULL_FUNC_REFERENCE, "null function reference",                        \
      null_function_reference)                                               \
    X(STACK_EXHAUSTED, "call stack exhausted", call_stack_exhausted)         \
    X(UNCAUGHT_EXCEPTION, "uncaught exception", uncaught_exception)          \
    X(OUT_OF_MEMORY, "out of memory", out_of_memory)                         \
    X(HOST, "host function failed", host_error)                              \
    X(CANCELLED, "execution cancelled", cancelled)                           \
    X(EXIT, "program exited", exit) /* WASI proc_exit: not an error */     \
    X(NULL_STRUCT, "null structure reference", null_structure_reference)     \
    X(NULL_ARRAY, "null array reference", null_array_reference)              \
    X(NULL_I31, "null i31 reference", null_i31_reference)                    \
    X(ARRAY_OOB, "out of bounds array access", out_of_bounds_array_access)   \
    X(CAST_FAILURE, "cast failure", cast_failure)

#endif
