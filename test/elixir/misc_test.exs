# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.MiscTest do
  use ExUnit.Case, async: true
  import TestHelper, only: [wasm: 1]

  describe "errors print readably and match the Erlang reasons" do
    test "Beamr.Error.from_erlang/1" do
      detail = %{reason: :type_mismatch, message: "type mismatch", offset: 12, func: :undefined}

      assert %Beamr.CompileError{
               kind: :validation,
               reason: :type_mismatch,
               offset: 12,
               function: nil
             } = Beamr.Error.from_erlang({:validation, detail})

      assert %Beamr.CompileError{kind: :aot} = Beamr.Error.from_erlang({:aot, detail})

      assert %Beamr.LinkError{reason: :limit, message: "too big"} =
               Beamr.Error.from_erlang({:link, %{reason: :limit, message: "too big"}})

      assert %Beamr.Error{kind: :wasi, reason: :enoent} =
               Beamr.Error.from_erlang({:wasi, %{reason: :enoent, message: "no such dir"}})

      for plain <- [:timeout, {:exit, 3}, {:invalid_args, [nil]}, {:unhandled_import, "a", "b"}] do
        assert Beamr.Error.from_erlang(plain) == plain
      end
    end

    test "messages" do
      assert Exception.message(Beamr.Error.exception({:exit, 3})) ==
               "beamr: the program exited with code 3"

      assert Exception.message(Beamr.Error.exception({:invalid_args, [nil]})) ==
               "beamr: invalid arguments [nil]"

      assert Exception.message(Beamr.Error.exception({:unhandled_import, "a", "b"})) =~ "import a.b"

      trap = %Beamr.Trap{
        reason: :out_of_bounds_memory_access,
        message: "out of bounds memory access",
        backtrace: [{4, 10}, {2, 7}]
      }

      assert Exception.message(trap) ==
               "wasm trap: out of bounds memory access (out_of_bounds_memory_access)\n" <>
                 "    at func 4, offset 10\n    at func 2, offset 7"

      assert inspect(trap) == "#Beamr.Trap<out_of_bounds_memory_access at func 4+10>"

      assert inspect(%Beamr.Trap{reason: :unreachable, message: "", backtrace: []}) ==
               "#Beamr.Trap<unreachable>"

      link = %Beamr.LinkError{reason: :unknown_import, module: "env", name: "f", message: "missing"}
      assert Exception.message(link) == "cannot link import env.f: missing"
    end

    test "a real trap's backtrace names the frames" do
      wat = ~S{(module (func $inner unreachable) (func (export "outer") (call $inner)))}
      {:ok, pid} = Beamr.start_link(bytes: wasm(wat))

      assert {:error, %Beamr.Trap{backtrace: [{0, _}, {1, _}]}} =
               Beamr.call_function(pid, "outer", [])
    end
  end

  describe "Beamr.Pipe" do
    test "one position, like a file" do
      {:ok, pipe} = Beamr.Pipe.new()
      assert {:ok, 5} = Beamr.Pipe.write(pipe, "hello")
      assert Beamr.Pipe.read(pipe) == ""
      assert :ok = Beamr.Pipe.seek(pipe, 1)
      assert {:ok, 2} = Beamr.Pipe.write(pipe, ["E", "L"])
      assert Beamr.Pipe.read(pipe) == "lo"
      assert :ok = Beamr.Pipe.seek(pipe, 100)
      assert {:ok, 1} = Beamr.Pipe.write(pipe, "!")
      assert :ok = Beamr.Pipe.seek(pipe, 0)
      assert Beamr.Pipe.read(pipe) == "hELlo!"
      assert Beamr.Pipe.size(pipe) == 6
      assert :ok = Beamr.Pipe.close(pipe)
      # Closed as a stream; the buffer stays.
      assert {:ok, 1} = Beamr.Pipe.write(pipe, "?")
      assert Beamr.Pipe.size(pipe) == 7
    end

    test "ends with the process that created it" do
      parent = self()

      {:ok, owner} =
        Task.start(fn -> send(parent, Beamr.Pipe.new()) && receive(do: (:never -> :ok)) end)

      assert_receive {:ok, %Beamr.Pipe{pid: pid}}
      ref = Process.monitor(pid)
      Process.exit(owner, :kill)
      assert_receive {:DOWN, ^ref, :process, ^pid, _}
    end
  end

  describe "Beamr.Limits and Beamr.Wasi structs" do
    test "from keyword lists and maps" do
      assert %Beamr.Limits{max_memory_pages: 2, fuel: 9} =
               Beamr.Limits.new(%{max_memory_pages: 2, fuel: 9})

      assert %Beamr.Limits{} = Beamr.Limits.new(nil)
      assert_raise ArgumentError, ~r/unknown limit :pages/, fn -> Beamr.Limits.new(pages: 1) end
      assert_raise ArgumentError, fn -> Beamr.Limits.new(max_call_depth: 0) end
      assert_raise ArgumentError, fn -> Beamr.Limits.new("x") end
      assert %Beamr.Wasi{args: ["a"]} = Beamr.Wasi.new(args: ["a"])
      assert %Beamr.Wasi{} = Beamr.Wasi.new(true)
    end
  end

  describe "the registry" do
    test "forgets an instance when it ends" do
      {:ok, pid} = Beamr.start_link(bytes: wasm("(module)"))
      assert %Beamr.Module{} = Beamr.Registry.module(pid)
      Beamr.stop(pid)
      # The registry's :DOWN comes after the instance's end: poll for it.
      assert Enum.any?(1..100, fn _ ->
               Beamr.Registry.module(pid) == nil || (Process.sleep(20) && false)
             end)
    end
  end
end
