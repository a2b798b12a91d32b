# beamr: the Elixir side (mix.exs, lib/, test/elixir/), included by the
# top Makefile.
#
#   make elixir-test   ExUnit through `mix test` (doctests included); the
#                      last line is "N passed, M failed, K skipped"
#   make elixir-format-check  `mix format --check-formatted` (advisory,
#                      like format-check: not part of `make test`)
#   make elixir-clean  remove mix's _build/
#
# mix builds the engine and the NIF itself (its beamr_nif compiler runs
# `make engine nif`) and compiles src/ and lib/; no hex package is used.
# SPDX-License-Identifier: Apache-2.0

# The part of `make test` that Elixir contributes.
ELIXIR_TEST_TARGETS := elixir-test

MIX ?= mix

.PHONY: elixir-test elixir-format-check elixir-clean
# The WASI programs of test/wasi are inputs of the suite (as for EUnit).
elixir-test: erlang
	@command -v $(MIX) >/dev/null || { echo "elixir-test: '$(MIX)' not found" \
	  "(Debian: apt-get install elixir)"; exit 1; }
	$(if $(filter wasi-programs,$(WASI_TARGETS)),\
	  @$(MAKE) --no-print-directory wasi-programs)
	MIX_ENV=test BEAMR_FIXTURES=$(BEAMR_FIXTURES) $(MIX) test

elixir-format-check:
	$(MIX) format --check-formatted

elixir-clean:
	rm -rf _build
