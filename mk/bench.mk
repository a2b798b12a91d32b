# Benchmarks (bench/): included by the top Makefile.
#   make bench        full run: medians, ratios to native, start-up figures
#   make bench-quick  small inputs, one run, checksum agreement only
#   make bench-gc     GC allocation and field access against node
# Options: BENCH_RUNS (default 3), BENCH_ONLY=fib,sieve,
#          BENCH_RUNTIMES=native,node,beamr,beam
# SPDX-License-Identifier: Apache-2.0

BENCH_PY ?= python3
BENCH_RUNS ?= 3
BENCH_ONLY ?=
BENCH_RUNTIMES ?=
BENCH_OPTS = $(if $(BENCH_ONLY),--only $(BENCH_ONLY)) \
             $(if $(BENCH_RUNTIMES),--runtimes $(BENCH_RUNTIMES))

# The part of `make test` that the benchmarks contribute.
BENCH_TARGETS := bench-quick

.PHONY: bench bench-quick
bench:
	$(BENCH_PY) bench/run.py --runs $(BENCH_RUNS) $(BENCH_OPTS)

bench-quick:
	$(BENCH_PY) bench/run.py --quick $(BENCH_OPTS)

# GC allocation and field access, beamr against node (bench/gc_bench.py).
.PHONY: bench-gc
bench-gc: build/beamr-run
	$(BENCH_PY) bench/gc_bench.py --runs $(BENCH_RUNS)
