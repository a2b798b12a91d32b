# beamr: the one-way layers check (included by the top Makefile).
#
#   make layers   lists the cross-file calls of the engine's and the
#                 NIF's object files (nm) and fails on a cycle, printing
#                 it (tools/layers.py, after its self-test
#                 tools/layers_selftest.sh; the layers:
#                 docs/engine-layers.md)
#
# LAYERS_TARGETS: for `make test` (TEST_SUITES += $(LAYERS_TARGETS) in
# the Makefile) once no cycle is left in the engine.
# SPDX-License-Identifier: Apache-2.0

LAYERS_TARGETS := layers

# The objects of today's sources only (a renamed file's old object may
# still lie in build/).
LAYERS_OBJS := $(patsubst %.c,build/obj/%.o,$(ENGINE_SRCS)) \
	$(patsubst c_src/nif/%.c,build/nif/%.o,$(wildcard c_src/nif/*.c))

.PHONY: layers
layers: $(LAYERS_OBJS)
	@CC=$(CC) tools/layers_selftest.sh
	@python3 tools/layers.py $(LAYERS_OBJS)
