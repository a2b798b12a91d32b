# SPDX-License-Identifier: Apache-2.0
# Tests that need an Erlang feature not yet in `:beamr` are tagged and
# excluded until it is there (probed here, not assumed):
#   :needs_stdin_stream  WASI stdin fed while the program runs (beamr:pipe/0)
{:module, :beamr} = Code.ensure_loaded(:beamr)
probe_stdin_stream = fn -> function_exported?(:beamr, :pipe, 0) end

needs = [needs_stdin_stream: not probe_stdin_stream.()]
exclude = for {tag, true} <- needs, do: tag

# The Erlang layer logs every instance stop at :info; keep test output
# to what matters.
Logger.configure(level: :warning)

# One line that test/summary.sh counts, as the other suites print it.
ExUnit.after_suite(fn %{total: total, failures: failures, excluded: excluded, skipped: skipped} ->
  File.rm_rf!(TestHelper.wasm_cache_dir())

  IO.puts(
    "#{total - failures - excluded - skipped} passed, #{failures} failed, #{excluded + skipped} skipped"
  )
end)

ExUnit.start(exclude: exclude)
