# SPDX-License-Identifier: Apache-2.0
defmodule TestHelper do
  @moduledoc false
  import Bitwise
  # Helpers of the ExUnit suites and doctests: fixtures from ../shared and
  # wasm bytes from WebAssembly text.

  @doc "The path of a fixture of `BEAMR_FIXTURES` (default ../shared/fixtures)."
  def fixture(name) do
    root = System.get_env("BEAMR_FIXTURES") || Path.expand("../shared/fixtures", File.cwd!())
    Path.join(root, name)
  end

  @doc "A WASI command that writes \"hi\" and a newline to stdout."
  def hello_wat do
    ~S'''
    (module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 8) "\10\00\00\00\03\00\00\00hi\n")
      (func (export "_start") (drop (call $w (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 0)))))
    '''
  end

  @doc "The path of a WASI program of test/wasi (build/wasi/NAME.wasm), built if missing."
  def wasi_program(name) do
    path = Path.join("build/wasi", name <> ".wasm")

    if not File.exists?(path) do
      {text, status} = System.cmd("make", ["--no-print-directory", path], stderr_to_stdout: true)
      if status != 0, do: raise("cannot build #{path}: #{text}")
    end

    path
  end

  @doc """
  A module's bytes from its WebAssembly text: the text itself (beamr's
  engine reads text), or wabt's `wat2wasm` output where beamr is built
  without its text reader (cached by text).
  """
  def wasm(wat) when is_binary(wat) do
    case :beamr.compile(wat) do
      {:ok, _} -> wat
      {:error, _} -> wat2wasm(wat)
    end
  end

  @doc "wat2wasm's output without its validation (for invalid modules)."
  def wasm_unchecked(wat), do: wat2wasm(wat, ["--no-check"])

  @doc "Where wasm/1 keeps what wat2wasm built (removed after the suite)."
  def wasm_cache_dir, do: Path.join(System.tmp_dir!(), "beamr-exunit-#{System.pid()}")

  defp wat2wasm(wat, flags \\ []) do
    dir = wasm_cache_dir()
    File.mkdir_p!(dir)

    base =
      Path.join(
        dir,
        Integer.to_string(:erlang.phash2({wat, flags}, 1 <<< 32), 16) <> "-#{byte_size(wat)}"
      )

    out = base <> ".wasm"

    if not File.exists?(out) do
      File.write!(base <> ".wat", wat)

      case System.cmd("wat2wasm", flags ++ [base <> ".wat", "-o", out], stderr_to_stdout: true) do
        {_, 0} -> :ok
        {text, _} -> raise "wat2wasm failed: #{text}"
      end
    end

    File.read!(out)
  end
end
