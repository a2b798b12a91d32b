# beamr: the Erlang side of the build (included by the top Makefile).
#
#   make erlang        priv/beamr_nif.so + ebin/ (needs the engine)
#   make nif           only priv/beamr_nif.so (rebar3's pre-compile hook)
#   make erlang-test   EUnit over test/*_tests.erl
#   make run           the demo in examples/
#   make bench-erlang  calls/s, import round trips/s, scheduling delay
#   make bench-aos     the AO workload: first and steady message times
#                      (BENCH_QUICK=1: fewer runs, for a smoke test)
#   make erlang-test-asan  the same suites with the NIF and engine built
#                      with ASan + UBSan (build/asan-nif/), loaded into
#                      a normal erl with the sanitizer runtimes preloaded
#   make erlang-clean  remove ebin/ and the NIF library
#
# Fixtures are read from $(BEAMR_FIXTURES) (default ../shared/fixtures).
# SPDX-License-Identifier: Apache-2.0

ERLANG_TARGETS := erlang

ERL ?= erl
ERLC ?= erlc
ERL_ROOT := $(shell $(ERL) -noshell -eval \
	'io:format("~s",[code:root_dir()])' -s init stop 2>/dev/null)
ERL_INCLUDE ?= $(firstword $(wildcard $(ERL_ROOT)/usr/include \
	$(ERL_ROOT)/erts-*/include))

NIF_SRCS := $(wildcard c_src/nif/*.c)
NIF_HDRS := $(wildcard c_src/nif/*.h) c_src/engine/beamr.h \
	c_src/engine/br_errors.h c_src/engine/text/br_text.h
NIF_OBJS := $(patsubst c_src/nif/%.c,build/nif/%.o,$(NIF_SRCS))
NIF_SO := priv/beamr_nif.so
# The NIF may only include beamr.h (and br_errors.h through it), and
# the text format's public header (nif_wat.c).
NIF_CFLAGS = $(NORMAL_CFLAGS) -Ic_src/engine -isystem $(ERL_INCLUDE)
NIF_LDFLAGS := -shared
ifeq ($(shell uname -s),Darwin)
NIF_LDFLAGS += -undefined dynamic_lookup
endif

ERL_SRCS := $(wildcard src/*.erl)
ERL_BEAMS := $(patsubst src/%.erl,ebin/%.beam,$(ERL_SRCS))
ERL_APP := ebin/beamr.app
ERLC_FLAGS := +debug_info -Werror +warn_missing_spec
# Suites are test/*_tests.erl; other test/*.erl files are helpers.
TEST_SRCS := $(wildcard test/*.erl)
TEST_MODS := $(patsubst test/%.erl,%,$(wildcard test/*_tests.erl))
TEST_EBIN := build/test-ebin
TEST_BEAMS := $(patsubst test/%.erl,$(TEST_EBIN)/%.beam,$(TEST_SRCS))
BEAMR_FIXTURES ?= ../shared/fixtures
export BEAMR_FIXTURES

.PHONY: erlang nif erlang-test run erlang-clean bench-erlang bench-aos
erlang: engine $(NIF_SO) $(ERL_BEAMS) $(ERL_APP)
nif: $(NIF_SO)

build/nif/%.o: c_src/nif/%.c $(NIF_HDRS) build/cflags.txt
	@mkdir -p $(@D)
	$(CC) $(NIF_CFLAGS) -c $< -o $@

$(NIF_SO): $(NIF_OBJS) build/libbeamr.a
	@mkdir -p $(@D)
	$(CC) $(NORMAL_CFLAGS) $(NIF_LDFLAGS) -o $@ $(NIF_OBJS) \
		build/libbeamr.a $(LDLIBS)

ebin/%.beam: src/%.erl
	@mkdir -p ebin
	$(ERLC) $(ERLC_FLAGS) -o ebin $<

comma := ,
ERL_MODS := $(subst $(eval) ,$(comma),$(patsubst src/%.erl,%,$(ERL_SRCS)))
TEST_MOD_LIST := $(subst $(eval) ,$(comma),$(TEST_MODS))

$(ERL_APP): src/beamr.app.src $(ERL_SRCS)
	@mkdir -p ebin
	sed 's/{modules, *\[\]}/{modules, [$(ERL_MODS)]}/' $< > $@

$(TEST_EBIN)/%.beam: test/%.erl $(ERL_BEAMS)
	@mkdir -p $(@D)
	$(ERLC) +debug_info -Werror -pa ebin -o $(TEST_EBIN) $<

# Prints EUnit's "All N tests passed." or "Failed: ..." line; exits
# non-zero on any failure. The WASI suite runs the C programs of
# test/wasi/ (mk/wasi.mk builds them; its variables are read when the
# recipe runs, after every fragment is included).
erlang-test: erlang $(TEST_BEAMS)
	$(if $(filter wasi-programs,$(WASI_TARGETS)),\
	  @$(MAKE) --no-print-directory wasi-programs)
	$(ERL) -noshell -pa ebin -pa $(TEST_EBIN) -eval \
	  'halt(case eunit:test([$(TEST_MOD_LIST)]) of ok -> 0; _ -> 1 end)'

$(TEST_EBIN)/demo.beam: examples/demo.erl $(ERL_BEAMS)
	@mkdir -p $(@D)
	$(ERLC) +debug_info -Werror -o $(TEST_EBIN) $<

run: erlang $(TEST_EBIN)/demo.beam
	$(ERL) -noshell -pa ebin -pa $(TEST_EBIN) -eval 'demo:main(), halt().'

# ------------------------------------------------------------------
# The NIF under ASan + UBSan. beamr_nif loads priv/ next to the ebin/
# it came from, so the sanitized library gets its own ebin/ + priv/.
# Leak checking is off: the VM itself does not free everything at
# exit; the suites' own memory-growth test covers leaks.

ASAN_NIF_DIR := build/asan-nif
ASAN_NIF_OBJS := $(patsubst c_src/nif/%.c,$(ASAN_NIF_DIR)/obj/%.o,$(NIF_SRCS))
ASAN_RUNTIMES = $(shell $(CC) -print-file-name=libasan.so) \
	$(shell $(CC) -print-file-name=libubsan.so)

$(ASAN_NIF_DIR)/obj/%.o: c_src/nif/%.c $(NIF_HDRS) build/asan/cflags.txt
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Ic_src/engine -isystem $(ERL_INCLUDE) -c $< -o $@

$(ASAN_NIF_DIR)/priv/beamr_nif.so: $(ASAN_NIF_OBJS) build/asan/libbeamr.a
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(NIF_LDFLAGS) -o $@ $(ASAN_NIF_OBJS) \
		build/asan/libbeamr.a $(LDLIBS)

.PHONY: erlang-test-asan
erlang-test-asan: erlang $(TEST_BEAMS) $(ASAN_NIF_DIR)/priv/beamr_nif.so
	$(if $(filter wasi-programs,$(WASI_TARGETS)),\
	  @$(MAKE) --no-print-directory wasi-programs)
	@mkdir -p $(ASAN_NIF_DIR)/ebin
	cp ebin/*.beam ebin/beamr.app $(ASAN_NIF_DIR)/ebin/
	LD_PRELOAD="$(ASAN_RUNTIMES)" \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(ERL) -noshell -pa $(ASAN_NIF_DIR)/ebin -pa $(TEST_EBIN) -eval \
	  'halt(case eunit:test([$(TEST_MOD_LIST)]) of ok -> 0; _ -> 1 end)'

# Benchmarks, not timed tests: figures go to bench/README.md by hand.
BENCH_ERL_ARGS = $(if $(BENCH_QUICK),quick)

bench-erlang: erlang
	escript bench/erlang_bench.escript $(BENCH_ERL_ARGS)

bench-aos: erlang $(TEST_BEAMS)
	escript bench/aos_bench.escript $(BENCH_ERL_ARGS)

erlang-clean:
	rm -rf ebin $(NIF_SO) build/nif $(TEST_EBIN)
