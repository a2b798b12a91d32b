# The AO steady message without the BEAM (bench/tools/aos_steady.c): the
# engine's CPU time per `return 1 + 1' message, native WASI, for
# profiling (callgrind --toggle-collect=steady). Included by the top
# Makefile.
#   make bench-aos-engine   AOS_TIER (default auto) and AOS_MESSAGES
#                           (default 300)
# SPDX-License-Identifier: Apache-2.0

AOS_TIER ?= auto
AOS_MESSAGES ?= 300
AOS_MODULE = ../shared/fixtures/hyperbeam/aos-2-pure-xs.wasm

build/bench/aos_steady: bench/tools/aos_steady.c bench/tools/tool_util.h \
                        build/libbeamr.a
	@mkdir -p $(@D)
	$(CC) $(NORMAL_CFLAGS) -Ic_src/engine -Ic_src/engine/wasi -o $@ $< \
	  build/libbeamr.a $(LDLIBS)

.PHONY: bench-aos-engine
bench-aos-engine: build/bench/aos_steady
	build/bench/aos_steady -t $(AOS_TIER) -n $(AOS_MESSAGES) $(AOS_MODULE)
