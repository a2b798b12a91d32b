# beamr as a mix project: the Elixir modules of lib/, the Erlang
# application of src/ (compiled by mix's own erlang compiler) and the NIF,
# built by `make engine nif` from the custom compiler below. No hex
# package is needed, neither to build nor to test nor for the docs.
# SPDX-License-Identifier: Apache-2.0

defmodule Mix.Tasks.Compile.BeamrNif do
  @moduledoc false
  # Builds c_src/ into priv/beamr_nif.so with the project's Makefile, so
  # that `mix compile` works in a fresh clone and when beamr is a path or
  # git dependency (mix then runs this in the dependency's folder).
  use Mix.Task.Compiler

  @root __DIR__

  @impl true
  def run(_args) do
    make = System.get_env("MAKE", "make")

    case System.find_executable(make) do
      nil ->
        error("`#{make}` not found: beamr's NIF is built with GNU make and a C compiler")

      path ->
        build(path)
    end
  end

  defp build(make) do
    # In parallel, unless run by a make that shares its job slots.
    jobs = if System.get_env("MAKEFLAGS"), do: [], else: ["-j#{System.schedulers_online()}"]

    {output, status} =
      System.cmd(make, jobs ++ ["--no-print-directory", "engine", "nif"],
        cd: @root,
        stderr_to_stdout: true
      )

    # Quiet when nothing had to be built; the whole log otherwise.
    quiet? = String.contains?(output, "Nothing to be done") or output == ""
    if status != 0 or not quiet?, do: Mix.shell().info(output)

    if status == 0 do
      # In a fresh clone priv/ did not exist when mix laid out _build:
      # link it now, so that the NIF is found in the application's priv.
      Mix.Project.build_structure()
      {:ok, []}
    else
      error("`make engine nif` failed (exit #{status}), see its output above")
    end
  end

  defp error(message) do
    Mix.shell().error(message)

    diagnostic = %Mix.Task.Compiler.Diagnostic{
      compiler_name: "beamr_nif",
      file: Path.join(@root, "Makefile"),
      message: message,
      position: nil,
      severity: :error
    }

    {:error, [diagnostic]}
  end
end

defmodule Beamr.MixProject do
  use Mix.Project

  def project do
    [
      app: :beamr,
      version: "0.1.0",
      elixir: "~> 1.14",
      description: "A WebAssembly runtime for the BEAM with its own C11 engine",
      compilers: [:beamr_nif] ++ Mix.compilers(),
      erlc_paths: ["src"],
      erlc_options: [:debug_info, :warnings_as_errors, :warn_missing_spec],
      elixirc_paths: elixirc_paths(Mix.env()),
      elixirc_options: [warnings_as_errors: true],
      # test/ also holds the Erlang and C suites: ExUnit has its own folder.
      test_paths: ["test/elixir"],
      test_pattern: "*_test.exs",
      start_permanent: Mix.env() == :prod,
      deps: [],
      docs: [main: "readme", extras: ["README.md", "guides/elixir.md"]]
    ]
  end

  def application do
    [
      mod: {Beamr.Application, []},
      extra_applications: [:logger]
    ]
  end

  defp elixirc_paths(:test), do: ["lib", "test/elixir/support"]
  defp elixirc_paths(_), do: ["lib"]
end
