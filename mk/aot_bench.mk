# Compile versus load of compiled (aot) modules: included by the top
# Makefile.
#   make bench-aot    best of AOT_RUNS (default 7) compiles and loads of
#                     the 3.5 MiB and 630 KiB start-up modules and the
#                     QuickJS-sized HyperBEAM fixtures; prints the ratios
# SPDX-License-Identifier: Apache-2.0

AOT_RUNS ?= 7
AOT_MODULES = build/bench/aot/3.5m.wasm build/bench/aot/630k.wasm \
	$(wildcard ../shared/fixtures/hyperbeam/aos-2-pure-xs.wasm \
	           ../shared/fixtures/hyperbeam/test-ex.wasm \
	           ../shared/fixtures/hyperbeam/test-aos.wasm)

build/bench/aot/aot_load: bench/tools/aot_load.c bench/tools/tool_util.h \
                          build/libbeamr.a
	@mkdir -p $(@D)
	$(CC) $(NORMAL_CFLAGS) -Ic_src/engine -o $@ $< build/libbeamr.a $(LDLIBS)

build/bench/aot/3.5m.wasm: bench/gen_module.py
	@mkdir -p $(@D)
	python3 bench/gen_module.py $@ 3670016 > /dev/null

build/bench/aot/630k.wasm: bench/gen_module.py
	@mkdir -p $(@D)
	python3 bench/gen_module.py $@ 645120 > /dev/null

.PHONY: bench-aot
bench-aot: build/bench/aot/aot_load $(AOT_MODULES)
	build/bench/aot/aot_load -n $(AOT_RUNS) $(AOT_MODULES) | grep -v '^{'
