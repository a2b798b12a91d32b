# beamr sandboxed NIFs: guest programs of the EUnit suite
# (test/beamr_nif_guest_tests.erl), built against include/erl_nif_wasm.h.
#   make nif-guest-programs   build/nif_guest/*.wasm (needs clang with
#                             wasi-libc)
# EUnit (erlang-test, erlang-test-asan) builds them first.
# SPDX-License-Identifier: Apache-2.0

NIF_GUEST_BUILD ?= build/nif_guest
NIF_GUEST_CC ?= clang
NIF_GUEST_CFLAGS ?= --target=wasm32-wasi -O2 -mexec-model=reactor \
    -Wall -Wextra -Werror -Iinclude
NIF_GUEST_SRCS := $(wildcard test/nif_guest/*.c)
NIF_GUEST_PROGRAMS := \
    $(patsubst test/nif_guest/%.c,$(NIF_GUEST_BUILD)/%.wasm,$(NIF_GUEST_SRCS))

.PHONY: nif-guest-programs
nif-guest-programs: $(NIF_GUEST_PROGRAMS)

# Each NIF function is exported with ERL_NIF_WASM_EXPORT in the source.
$(NIF_GUEST_BUILD)/%.wasm: test/nif_guest/%.c include/erl_nif_wasm.h
	@mkdir -p $(NIF_GUEST_BUILD)
	$(NIF_GUEST_CC) $(NIF_GUEST_CFLAGS) $< -o $@

# The EUnit suites read them.
erlang-test erlang-test-asan: nif-guest-programs
