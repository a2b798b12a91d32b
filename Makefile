# beamr: top-level build (plain GNU make).
#
#   make              build everything (engine, runners, tests, all variants)
#   make test         run every test suite; the last line is the summary
#   make spec         run the WebAssembly spec test suite
#   make clean        remove build/
#
# Three builds of the same sources:
#   build/         -O2, computed-goto dispatch (the default)
#   build/asan/    AddressSanitizer + UndefinedBehaviorSanitizer
#   build/switch/  -DBR_USE_COMPUTED_GOTO=0 (switch dispatch) and
#                  -DBRI_PORTABLE_SIMD=1 (no CPU-specific SIMD paths)
# SPDX-License-Identifier: Apache-2.0

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

ifeq ($(origin CC),default)
CC := gcc
endif
AR ?= ar

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wundef \
	-Wmissing-declarations -Wstrict-prototypes -Wmissing-prototypes
# Required flags; CFLAGS (optimisation, debug info) may be overridden.
BR_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARNINGS) -fvisibility=hidden -fPIC
CFLAGS ?= -O2 -g
LDLIBS := -lm

SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer
NORMAL_CFLAGS := $(BR_CFLAGS) $(CFLAGS)
ASAN_CFLAGS := $(BR_CFLAGS) $(filter-out -O%,$(CFLAGS)) -O1 $(SANITIZE)
SWITCH_CFLAGS := $(BR_CFLAGS) $(CFLAGS) -DBR_USE_COMPUTED_GOTO=0 \
                 -DBRI_PORTABLE_SIMD=1
# Sanitizer findings are failures, not warnings.
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

INCLUDES := -Ic_src/engine -Ic_src/engine/wasi -Itest/engine -Itest/spec

ENGINE_SRCS := $(wildcard c_src/engine/*.c c_src/engine/wasi/*.c \
	c_src/engine/text/*.c c_src/engine/native/*.c \
	c_src/engine/gc/*.c)
UNIT_SRCS := $(wildcard test/engine/test_*.c)
SPEC_SRCS := test/spec/json.c test/spec/values.c test/spec/spectest.c \
	test/spec/commands.c test/spec/wast.c test/spec/runner.c test/spec/main.c
# beamr-run --wast runs scripts with the spec runner (all but its main).
SPEC_LIB_SRCS := $(filter-out test/spec/main.c,$(SPEC_SRCS))
TOOL_SRCS := $(wildcard tools/beamr_run.c)
# The runner's own helpers, tested without the engine. test_json fails
# each allocation in turn through the linker's --wrap.
SPEC_UNIT_NAMES := test_json test_values
WRAP_ALLOC := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

UNIT_NAMES := $(patsubst test/engine/%.c,%,$(UNIT_SRCS)) $(SPEC_UNIT_NAMES)

# Make fragments of the other parts (mk/*.mk) plug in through variables:
#   ERLANG_TARGETS        built by `all` (mk/erlang.mk: erlang)
#   ERLANG_TEST_TARGETS   run by `test` (default: erlang-test when
#                         ERLANG_TARGETS is set)
#   WASI_TEST_TARGETS     run by `test` (default: wasi-test when
#                         mk/wasi.mk lists it in WASI_TARGETS; it builds
#                         wasi-programs and runs wasi-unit itself)
#   BENCH_TARGETS         run by `test` (mk/bench.mk: bench-quick)
#   ELIXIR_TEST_TARGETS   run by `test` (mk/elixir.mk: elixir-test)
-include $(wildcard mk/*.mk)
ERLANG_TEST_TARGETS ?= $(if $(strip $(ERLANG_TARGETS)),erlang-test)
WASI_TEST_TARGETS ?= $(filter wasi-test,$(WASI_TARGETS))

# ------------------------------------------------------------------
# One variant: $(call variant,DIR,CFLAGS)

define variant
# Rebuild the variant when its compiler or flags change.
$(1)/cflags.txt: FORCE
	@mkdir -p $$(@D)
	@echo '$$(CC) $(2)' | cmp -s - $$@ || echo '$$(CC) $(2)' > $$@

$(1)/obj/%.o: %.c $(1)/cflags.txt
	@mkdir -p $$(@D)
	$$(CC) $(2) $$(INCLUDES) -MMD -MP -c $$< -o $$@

$(1)/libbeamr.a: $$(patsubst %.c,$(1)/obj/%.o,$$(ENGINE_SRCS))
	@rm -f $$@
	$$(AR) rcs $$@ $$^

$(1)/spec-runner: $$(patsubst %.c,$(1)/obj/%.o,$$(SPEC_SRCS)) \
		$(1)/libbeamr.a
	$$(CC) $(2) -o $$@ $$^ $$(LDLIBS)

$(1)/test_%: $(1)/obj/test/engine/test_%.o $(1)/libbeamr.a
	$$(CC) $(2) -o $$@ $$^ $$(LDLIBS)

$(1)/test_json: $(1)/obj/test/spec/test_json.o $(1)/obj/test/spec/json.o
	$$(CC) $(2) $$(WRAP_ALLOC) -o $$@ $$^ $$(LDLIBS)

$(1)/test_values: $(1)/obj/test/spec/test_values.o \
		$(1)/obj/test/spec/values.o $(1)/obj/test/spec/json.o
	$$(CC) $(2) -o $$@ $$^ $$(LDLIBS)
endef

.PHONY: FORCE
FORCE:

$(eval $(call variant,build,$(NORMAL_CFLAGS)))
$(eval $(call variant,build/asan,$(ASAN_CFLAGS)))
$(eval $(call variant,build/switch,$(SWITCH_CFLAGS)))

build/beamr-run: build/obj/tools/beamr_run.o \
		$(patsubst %.c,build/obj/%.o,$(SPEC_LIB_SRCS)) build/libbeamr.a
	$(CC) $(NORMAL_CFLAGS) -o $@ $^ $(LDLIBS)

-include $(shell find build -name '*.d' 2>/dev/null)

# ------------------------------------------------------------------
# Build targets

TOOLS := $(if $(TOOL_SRCS),build/beamr-run)
units_in = $(addprefix $(1)/,$(UNIT_NAMES))

.PHONY: all engine runners units units-asan units-switch
all: engine runners units units-asan units-switch $(ERLANG_TARGETS)
engine: build/libbeamr.a
runners: build/spec-runner build/asan/spec-runner build/switch/spec-runner \
	$(TOOLS)
units: $(call units_in,build)
units-asan: $(call units_in,build/asan)
units-switch: $(call units_in,build/switch)

# ------------------------------------------------------------------
# Test targets

# Runs each unit test binary of a variant; all run even if one fails.
run_units = status=0; for t in $(call units_in,$(1)); do \
	$(2) ./$$t || { rc=$$?; status=1; echo "$$t: FAILED (exit $$rc)"; }; \
	done; exit $$status

.PHONY: unit unit-asan unit-switch spec-selftest spec spec-fuel spec-asan \
	spec-switch test
unit: units
	@$(call run_units,build,)
unit-asan: units-asan
	@$(call run_units,build/asan,$(SAN_ENV))
unit-switch: units-switch
	@$(call run_units,build/switch,)

# The runner must fail exactly the deliberately wrong commands.
spec-selftest: build/spec-runner
	@test/spec/selftest.sh build/spec-runner
spec: build/spec-runner
	@test/spec/run.sh build/spec-runner
# Yields every 3 units of fuel and resumes: results must not change.
spec-fuel: build/spec-runner
	@test/spec/run.sh build/spec-runner --fuel 3
spec-asan: build/asan/spec-runner
	@$(SAN_ENV) test/spec/run.sh build/asan/spec-runner
spec-switch: build/switch/spec-runner
	@test/spec/run.sh build/switch/spec-runner
# The same suite in the native tier (docs/native-tier.md): machine code
# for every function, also yielding every few units of fuel and under
# ASan + UBSan; tier auto with tiny fuel mixes both tiers in one call.
.PHONY: spec-native spec-native-fuel spec-native-asan spec-auto-fuel
spec-native: build/spec-runner
	@test/spec/run.sh build/spec-runner --tier native
spec-native-fuel: build/spec-runner
	@test/spec/run.sh build/spec-runner --tier native --fuel 3
spec-native-asan: build/asan/spec-runner
	@$(SAN_ENV) test/spec/run.sh build/asan/spec-runner --tier native
spec-auto-fuel: build/spec-runner
	@test/spec/run.sh build/spec-runner --tier auto --fuel 3
# Both tiers on random wasm-opt -ttf modules, the bench and WASI programs,
# compared bit for bit (test/native_diff.sh N [SEED] runs longer ones).
.PHONY: native-diff erlang-test-native
native-diff: build/beamr-run build/fuzz/diff-run
	@test/native_diff.sh 8
# EUnit in the native tier: the tier's own suite, the robustness suite
# (endless loops on every scheduler, stop, dead callers, many callers)
# and the API suites, with the application env `tier` set to native.
# (One line for -eval: a backslash-newline inside the quotes would reach
# erl as a backslash.)
NATIVE_EUNIT := beamr_native_tests,beamr_robust_tests,beamr_tests,$\
hb_beamr_tests,beamr_suspend_tests
erlang-test-native: erlang $(TEST_BEAMS)
	$(ERL) -noshell -beamr tier native -pa ebin -pa $(TEST_EBIN) -eval \
	  'halt(case eunit:test([$(NATIVE_EUNIT)]) of ok -> 0; _ -> 1 end)'
# The WebAssembly 3.0 suite (../shared/spec/wasm-3.0, issue 18): a
# progress measure, not part of `make test`; SPEC3_FLAGS=--verbose lists
# the failures of each failing file.
.PHONY: spec3
spec3: build/spec-runner
	@test/spec/run3.sh build/spec-runner $(SPEC3_FLAGS)
# The part of it `make test` runs: every file of a 3.0 feature the pinned
# suite lacks (GC, typed references, exnref, relaxed SIMD, memory64 and
# table64, annotations, wide arithmetic, custom page sizes; 1,563
# commands), in the four modes and the native tier, in about a minute.
SPEC3_PART := $(addsuffix .wast,annotations array array_copy array_fill \
	array_init_data array_init_elem array_new_data array_new_elem \
	br_on_cast br_on_cast_fail br_on_non_null br_on_null call_indirect64 \
	call_ref extern i31 id instance local_init memory64 ref_as_non_null \
	ref_cast ref_eq ref_func ref_null ref_test relaxed_dot_product \
	relaxed_laneselect relaxed_madd_nmadd relaxed_min_max return_call_ref \
	struct table64 tag throw throw_ref try_table type-canon \
	type-equivalence type-rec type-subtyping custom/branch_hint \
	custom/custom_annot custom/name_annot \
	proposals/custom-page-sizes/custom-page-sizes \
	proposals/wide-arithmetic/wide-arithmetic)
.PHONY: spec3-part
spec3-part: build/spec-runner build/asan/spec-runner build/switch/spec-runner
	@SPEC3_FILES="$(SPEC3_PART)" test/spec/run3.sh build/spec-runner
	@SPEC3_FILES="$(SPEC3_PART)" test/spec/run3.sh build/spec-runner --fuel 3
	@SPEC3_FILES="$(SPEC3_PART)" $(SAN_ENV) test/spec/run3.sh \
	  build/asan/spec-runner
	@SPEC3_FILES="$(SPEC3_PART)" test/spec/run3.sh build/switch/spec-runner
	@SPEC3_FILES="$(SPEC3_PART)" test/spec/run3.sh build/spec-runner \
	  --tier native --fuel 3

TEST_SUITES := unit unit-asan unit-switch \
	spec-selftest spec spec-fuel spec-asan spec-switch spec3-part \
	spec-native spec-native-fuel spec-native-asan spec-auto-fuel \
	native-diff $(if $(ERLANG_TARGETS),erlang-test-native) \
	$(ERLANG_TEST_TARGETS) $(WASI_TEST_TARGETS) $(BENCH_TARGETS) \
	$(ELIXIR_TEST_TARGETS)
LOG_DIR := build/test-logs
# FUZZ_TARGETS: run by `test` too (mk/fuzz.mk: fuzz-smoke).
TEST_SUITES += $(FUZZ_TARGETS)
# LAYERS_TARGETS (mk/layers.mk): no call cycle among the engine's and
# the NIF's files (tools/layers.py).
TEST_SUITES += $(LAYERS_TARGETS)
TEST_SUITES += $(NATIVE_TEST_TARGETS)

# Every suite runs even if an earlier one fails; each one's output is
# also logged, and test/summary.sh prints the totals as the last line.
# The WASI programs are built first: the unit tests round-trip them
# through aot serialization too, so the count must not depend on
# whether an earlier run left them in build/wasi.
test: all wasi-programs
	@mkdir -p $(LOG_DIR); rm -f $(LOG_DIR)/*.log; status=0; \
	for s in $(TEST_SUITES); do \
	  start=$$SECONDS; echo "== $$s"; \
	  $(MAKE) --no-print-directory $$s 2>&1 | tee $(LOG_DIR)/$$s.log; \
	  rc=$${PIPESTATUS[0]}; \
	  echo "== $$s: exit $$rc, $$((SECONDS - start))s"; \
	  if [ $$rc -ne 0 ]; then status=1; \
	    echo "suite-failed: $$s" >> $(LOG_DIR)/$$s.log; fi; \
	done; \
	test/summary.sh $(patsubst %,$(LOG_DIR)/%.log,$(TEST_SUITES)) \
	  || status=1; exit $$status

# ------------------------------------------------------------------
# Formatting (advisory: not part of `test`)

FORMAT_FILES := $(wildcard c_src/engine/*.[ch] c_src/engine/*/*.[ch] \
	c_src/nif/*.[ch] test/engine/*.[ch] test/spec/*.[ch] tools/*.[ch])

.PHONY: format-check clean
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

# The Erlang fragment's own clean target removes ebin/ and priv/.
clean: $(if $(strip $(ERLANG_TARGETS)),erlang-clean)
	rm -rf build
