# SPDX-License-Identifier: Apache-2.0
# Tests that need an Erlang feature of another branch are tagged (see
# test/elixir/README.md); they run once `:beamr` has it.
needs = [needs_dropin: not function_exported?(:beamr, :add_fuel, 2)]
exclude = for {tag, true} <- needs, do: tag

# One line that test/summary.sh counts, as the other suites print it.
ExUnit.after_suite(fn %{total: total, failures: failures, excluded: excluded, skipped: skipped} ->
  IO.puts("#{total - failures - excluded - skipped} passed, #{failures} failed, #{excluded + skipped} skipped")
end)

ExUnit.start(exclude: exclude)
