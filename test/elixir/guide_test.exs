# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.GuideTest do
  # guides/elixir.md's C example, built from the guide's own text with
  # clang, and the steps the guide shows for it.
  use ExUnit.Case, async: true

  # A fresh directory of the system's temporary folder, removed after.
  setup do
    dir = Path.join(System.tmp_dir!(), "beamr-exunit-#{System.unique_integer([:positive])}")
    File.mkdir_p!(dir)
    on_exit(fn -> File.rm_rf!(dir) end)
    %{tmp_dir: dir}
  end

  test "the guide's greet.c, built with clang, called from Elixir", %{tmp_dir: dir} do
    [c_source] =
      Regex.run(~r/```c\n(.*?)```/s, File.read!("guides/elixir.md"), capture: :all_but_first)

    File.write!(Path.join(dir, "greet.c"), c_source)
    wasm = Path.join(dir, "greet.wasm")

    args =
      ~w(--target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-dynamic -o) ++
        [wasm, Path.join(dir, "greet.c")]

    assert {_, 0} = System.cmd("clang", args, stderr_to_stdout: true)

    parent = self()

    imports = %{
      "env" => %{
        "shout" =>
          {:fn, [:i32, :i32], [],
           fn %{memory: memory}, ptr, len ->
             send(parent, {:shout, Beamr.Memory.read_binary!(memory, ptr, len)})
           end}
      }
    }

    {:ok, pid} = Beamr.start_link(%{bytes: File.read!(wasm), imports: imports})
    {:ok, memory} = Beamr.memory(pid)
    text = "hello, wasm"
    {:ok, [ptr]} = Beamr.call_function(pid, :alloc, [byte_size(text)])
    :ok = Beamr.Memory.write_binary(memory, ptr, text)
    assert {:ok, [9]} = Beamr.call_function(pid, :upcase, [ptr, byte_size(text)])
    assert_received {:shout, "HELLO, WASM"}
    assert {:ok, "HELLO, WASM"} = Beamr.Memory.read_binary(memory, ptr, byte_size(text))
  end

  test "the README's Elixir quick start runs as written, on the shared fixtures" do
    readme = File.read!("README.md")
    [_, elixir] = String.split(readme, "\n## Elixir\n", parts: 2)
    [code] = Regex.run(~r/```elixir\n(.*?)```/s, elixir, capture: :all_but_first)

    paths = %{
      "test.wasm" => "hyperbeam/test.wasm",
      "simple.wasm" => "wasmex/simple.wasm",
      "test-print.wasm" => "hyperbeam/test-print.wasm"
    }

    code =
      Regex.replace(~r/File\.read!\("([^"]+)"\)/, code, fn _, name ->
        "File.read!(#{inspect(TestHelper.fixture(Map.fetch!(paths, name)))})"
      end)

    {_, binding} = Code.eval_string(code)
    assert is_binary(binding[:snapshot])
  end
end
