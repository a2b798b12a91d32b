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

# The example (examples/levenshtein/): one C file built as a sandboxed
# NIF with the documented command, and as a real NIF beside it.
#   make nif-guest-example    build/nif_guest/levenshtein.{wasm,_nif.so,beam}
#   make bench-nif-guest      call_nif vs call vs the native NIF (ratios)
NIF_EXAMPLE_SRC := examples/levenshtein/levenshtein.c
NIF_EXAMPLE_FUNCS := distance closest add
NIF_EXAMPLE := $(NIF_GUEST_BUILD)/levenshtein.wasm \
    $(NIF_GUEST_BUILD)/levenshtein_nif.so $(NIF_GUEST_BUILD)/levenshtein.beam

.PHONY: nif-guest-example bench-nif-guest
nif-guest-example: $(NIF_EXAMPLE)

$(NIF_GUEST_BUILD)/levenshtein.wasm: $(NIF_EXAMPLE_SRC) include/erl_nif_wasm.h
	@mkdir -p $(NIF_GUEST_BUILD)
	$(NIF_GUEST_CC) --target=wasm32-wasi -O2 -mexec-model=reactor -I include \
	    $(addprefix -Wl$(comma)--export=,$(NIF_EXAMPLE_FUNCS)) $< -o $@

$(NIF_GUEST_BUILD)/levenshtein_nif.so: $(NIF_EXAMPLE_SRC)
	@mkdir -p $(NIF_GUEST_BUILD)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared \
	    -isystem $(ERL_INCLUDE) $< -o $@

$(NIF_GUEST_BUILD)/levenshtein.beam: examples/levenshtein/levenshtein.erl
	@mkdir -p $(NIF_GUEST_BUILD)
	$(ERLC) +debug_info -Werror -o $(NIF_GUEST_BUILD) $<

erlang-test erlang-test-asan: nif-guest-example

bench-nif-guest: erlang $(NIF_EXAMPLE) $(NIF_GUEST_PROGRAMS)
	escript bench/nif_guest_bench.escript $(if $(BENCH_QUICK),quick)
