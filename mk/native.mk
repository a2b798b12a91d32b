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
