# beamr WASI preview 1: test programs and test drivers.
# Included by the top Makefile (-include mk/*.mk); also usable alone:
#   make -f mk/wasi.mk wasi-programs   (needs clang with wasi-libc)
#   make -f mk/wasi.mk wasi-unit       (unit tests; need build/libbeamr.a)
#   make -f mk/wasi.mk wasi-test       (all programs; need build/libbeamr.a)
# SPDX-License-Identifier: Apache-2.0

WASI_TARGETS := wasi-programs wasi-unit wasi-test

WASI_BUILD ?= build/wasi
WASI_CC ?= clang
WASI_WAT2WASM ?= wat2wasm
WASI_GUEST_CFLAGS ?= --target=wasm32-wasi -O2 -Wall -Wno-unused-result
WASI_HOST_CC ?= cc
WASI_HOST_CFLAGS ?= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
    -fvisibility=hidden -Wshadow -Wundef -Wmissing-declarations \
    -Wstrict-prototypes -Wmissing-prototypes -O2 -g
WASI_LIBBEAMR ?= build/libbeamr.a

# Guest programs: test/wasi/*.c except the host-side wasi_*.c drivers.
WASI_PROGRAM_SRCS := $(filter-out test/wasi/wasi_%.c,\
    $(wildcard test/wasi/*.c))
WASI_WAT_SRCS := $(wildcard test/wasi/*.wat)
WASI_PROGRAMS := \
    $(patsubst test/wasi/%.c,$(WASI_BUILD)/%.wasm,$(WASI_PROGRAM_SRCS)) \
    $(patsubst test/wasi/%.wat,$(WASI_BUILD)/%.wasm,$(WASI_WAT_SRCS))
WASI_LIB_SRCS := $(wildcard c_src/engine/wasi/*.c)
WASI_LIB_HDRS := $(wildcard c_src/engine/wasi/*.h) c_src/engine/beamr.h

.PHONY: wasi-programs wasi-unit wasi-test

wasi-programs: $(WASI_PROGRAMS)

$(WASI_BUILD)/%.wasm: test/wasi/%.c
	@mkdir -p $(WASI_BUILD)
	$(WASI_CC) $(WASI_GUEST_CFLAGS) $< -o $@

$(WASI_BUILD)/%.wasm: test/wasi/%.wat
	@mkdir -p $(WASI_BUILD)
	$(WASI_WAT2WASM) --enable-memory64 $< -o $@

$(WASI_BUILD)/wasi_unit: test/wasi/wasi_unit.c $(WASI_LIB_SRCS) \
    $(WASI_LIB_HDRS) $(WASI_LIBBEAMR)
	@mkdir -p $(WASI_BUILD)
	$(WASI_HOST_CC) $(WASI_HOST_CFLAGS) -Ic_src/engine -Ic_src/engine/wasi \
	    -Itest/engine test/wasi/wasi_unit.c $(WASI_LIB_SRCS) $(WASI_LIBBEAMR) \
	    -lm -o $@

# The WASI objects come first, so the driver works whether or not
# libbeamr.a already holds them.
$(WASI_BUILD)/wasi_test: test/wasi/wasi_test.c $(WASI_LIB_SRCS) \
    $(WASI_LIB_HDRS) $(WASI_LIBBEAMR)
	@mkdir -p $(WASI_BUILD)
	$(WASI_HOST_CC) $(WASI_HOST_CFLAGS) -Ic_src/engine -Ic_src/engine/wasi \
	    test/wasi/wasi_test.c $(WASI_LIB_SRCS) $(WASI_LIBBEAMR) -lm -o $@

wasi-unit: $(WASI_BUILD)/wasi_unit
	$(WASI_BUILD)/wasi_unit

wasi-test: wasi-programs wasi-unit $(WASI_BUILD)/wasi_test
	$(WASI_BUILD)/wasi_test test/wasi $(WASI_BUILD)
