# The native tier's compile speed (docs/native-tier.md): included by the
# top Makefile.
#   make bench-native-compile   best of NATIVE_RUNS (default 5) compiles
#                     to machine code of every function of the 3.5 MiB
#                     and 630 KiB start-up modules, the bench programs
#                     and the HyperBEAM fixtures: MB of wasm per second
#                     and bytes of machine code
# SPDX-License-Identifier: Apache-2.0

NATIVE_RUNS ?= 5
NATIVE_MODULES = build/bench/aot/3.5m.wasm build/bench/aot/630k.wasm \
	$(wildcard build/bench/wasm/*.wasm \
	           ../shared/fixtures/hyperbeam/aos-2-pure-xs.wasm)

build/bench/native_compile: bench/tools/native_compile.c \
                            bench/tools/tool_util.h build/libbeamr.a
	@mkdir -p $(@D)
	$(CC) $(NORMAL_CFLAGS) -Ic_src/engine -o $@ $< build/libbeamr.a $(LDLIBS)

.PHONY: bench-native-compile
bench-native-compile: build/bench/native_compile $(NATIVE_MODULES)
	build/bench/native_compile -n $(NATIVE_RUNS) $(NATIVE_MODULES)

# EUnit in the interpreter tier: `auto' is the default tier, so
# `erlang-test' runs auto; these are erlang-test-native's suites
# (robustness included) with the application env `tier' set to interp.
.PHONY: erlang-test-interp
erlang-test-interp: erlang $(TEST_BEAMS)
	$(ERL) -noshell -beamr tier interp -pa ebin -pa $(TEST_EBIN) -eval \
	  'halt(case eunit:test([$(NATIVE_EUNIT)]) of ok -> 0; _ -> 1 end)'
# For `make test' (the top Makefile appends them to TEST_SUITES).
NATIVE_TEST_TARGETS = $(if $(ERLANG_TARGETS),erlang-test-interp)
