# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.ImportsTest do
  use ExUnit.Case, async: true
  import Bitwise
  import TestHelper, only: [wasm: 1, fixture: 1]

  @wat ~S"""
  (module
    (import "env" "add" (func $add (param i32 i32) (result i32)))
    (import "env" "log" (func $log (param i32 i32)))
    (import "env" "pair" (func $pair (param f64) (result f64 i64)))
    (memory (export "memory") 1)
    (data (i32.const 16) "from wasm")
    (func (export "add") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))
    (func (export "log") (call $log (i32.const 16) (i32.const 9)))
    (func (export "pair") (param f64) (result f64 i64) (call $pair (local.get 0)))
    (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))
  """

  defp imports(overrides \\ %{}) do
    parent = self()

    env = %{
      "add" => {:fn, [:i32, :i32], [:i32], fn _ctx, a, b -> a + b end},
      "log" =>
        {:fn, [:i32, :i32], [],
         fn %{memory: memory}, ptr, len ->
           send(parent, {:log, Beamr.Memory.read_binary!(memory, ptr, len)})
         end},
      "pair" => {:fn, [:f64], [:f64, :i64], fn _ctx, x -> [x * 2, 7] end}
    }

    %{"env" => Map.merge(env, overrides)}
  end

  defp start(imports) do
    Beamr.start_link(%{bytes: wasm(@wat), imports: imports})
  end

  test "an Elixir function serves each import, in the caller's process" do
    parent = self()
    add = {:fn, [:i32, :i32], [:i32], fn _ctx, a, b -> send(parent, {:in, self()}) && a + b end}
    {:ok, pid} = start(imports(%{"add" => add}))
    assert {:ok, [42]} = Beamr.call_function(pid, "add", [40, 2])
    assert_received {:in, ^parent}
    assert {:ok, []} = Beamr.call_function(pid, "log", [])
    assert_received {:log, "from wasm"}
    assert {:ok, [3.0, 7]} = Beamr.call_function(pid, "pair", [1.5])
  end

  test "import names as atoms, results as a tuple or a one-element list" do
    imports = %{
      env: %{
        add: {:fn, [:i32, :i32], [:i32], fn _ctx, a, b -> [a + b] end},
        log: {:fn, [:i32, :i32], [], fn _ctx, _, _ -> :ignored end},
        pair: {:fn, [:f64], [:f64, :i64], fn _ctx, x -> {x, 1} end}
      }
    }

    {:ok, pid} = start(imports)
    assert {:ok, [5]} = Beamr.call_function(pid, :add, [2, 3])
    assert {:ok, [2.5, 1]} = Beamr.call_function(pid, :pair, [2.5])
  end

  test "the context writes memory and makes nested calls into the instance" do
    add =
      {:fn, [:i32, :i32], [:i32],
       fn %{instance: inst, memory: memory, caller: caller}, a, b ->
         assert inst == caller
         :ok = Beamr.Memory.write_i32(memory, 0, a)
         {:ok, [doubled]} = Beamr.call_function(inst, "double", [b])
         doubled + Beamr.Memory.read_i32!(memory, 0)
       end}

    {:ok, pid} = start(imports(%{"add" => add}))
    assert {:ok, [21]} = Beamr.call_function(pid, "add", [1, 10])
  end

  test "an import that raises gives %Beamr.ImportError{} and the instance stays usable" do
    add = {:fn, [:i32, :i32], [:i32], fn _ctx, _a, _b -> raise "boom" end}
    {:ok, pid} = start(imports(%{"add" => add}))

    assert {:error, %Beamr.ImportError{module: "env", name: "add", kind: :error} = error} =
             Beamr.call_function(pid, "add", [1, 2])

    assert %RuntimeError{message: "boom"} = error.reason
    assert [_ | _] = error.stacktrace
    assert Exception.message(error) == "import env.add failed: ** (RuntimeError) boom"
    assert {:ok, [8]} = Beamr.call_function(pid, "double", [4])
    assert_raise Beamr.ImportError, fn -> Beamr.call_function!(pid, "add", [1, 2]) end
  end

  test "an import of the start function that raises: start_link gives the error" do
    wat = ~S"""
    (module
      (import "env" "init" (func $init))
      (start $init))
    """

    imports = %{"env" => %{"init" => {:fn, [], [], fn _ -> raise ArgumentError, "no" end}}}

    assert {:error, %Beamr.ImportError{name: "init", reason: %ArgumentError{message: "no"}}} =
             Beamr.start_link(bytes: wasm(wat), imports: imports)

    parent = self()
    ok = %{"env" => %{"init" => {:fn, [], [], fn _ -> send(parent, :init_ran) end}}}
    assert {:ok, _pid} = Beamr.start_link(bytes: wasm(wat), imports: ok)
    assert_received :init_ran
  end

  test "the call's timeout covers a slow import: the instance is free at the deadline" do
    slow = {:fn, [:i32, :i32], [:i32], fn _, a, b -> Process.sleep(1_000) && a + b end}
    {:ok, pid} = start(imports(%{"add" => slow}))
    slow_call = Task.async(fn -> Beamr.call_function(pid, "add", [1, 2], 100) end)
    Process.sleep(300)
    # The slow import still runs in its caller, but the instance is released.
    assert {:ok, [8]} = Beamr.call_function(pid, "double", [4], 500)
    assert {:error, :timeout} = Task.await(slow_call)
  end

  test "an import that throws, exits or hits an Erlang error" do
    for {f, kind, reason} <- [
          {fn _, _, _ -> throw(:ball) end, :throw, :ball},
          {fn _, _, _ -> exit(:bye) end, :exit, :bye},
          {fn _, a, _ -> div(a, 0) end, :error, %ArithmeticError{}}
        ] do
      {:ok, pid} = start(imports(%{"add" => {:fn, [:i32, :i32], [:i32], f}}))

      assert {:error, %Beamr.ImportError{kind: ^kind, reason: got}} =
               Beamr.call_function(pid, "add", [1, 2])

      if is_struct(reason),
        do: assert(got.__struct__ == reason.__struct__),
        else: assert(got == reason)
    end
  end

  test "wrong results: count is an ImportError, type traps the wasm code" do
    {:ok, pid} = start(imports(%{"pair" => {:fn, [:f64], [:f64, :i64], fn _, _ -> [1.0] end}}))

    assert {:error, %Beamr.ImportError{reason: %ArgumentError{message: msg}}} =
             Beamr.call_function(pid, "pair", [1.0])

    assert msg =~ "must return 2 value(s)"

    {:ok, pid} = start(imports(%{"add" => {:fn, [:i32, :i32], [:i32], fn _, _, _ -> "three" end}}))
    assert {:error, %Beamr.Trap{reason: :host_error}} = Beamr.call_function(pid, "add", [1, 2])
    {:ok, pid} = start(imports(%{"add" => {:fn, [:i32, :i32], [:i32], fn _, _, _ -> nil end}}))
    assert {:error, %Beamr.Trap{reason: :host_error}} = Beamr.call_function(pid, "add", [1, 2])
    {:ok, pid} = start(imports(%{"add" => {:fn, [:i32, :i32], [:i32], fn _, _, _ -> 1 <<< 80 end}}))
    assert {:error, %Beamr.Trap{reason: :host_error}} = Beamr.call_function(pid, "add", [1, 2])
    assert {:ok, [8]} = Beamr.call_function(pid, "double", [4])
  end

  test "a missing import or one of the wrong type is a link error at start" do
    assert {:error, %Beamr.LinkError{reason: :unknown_import, module: "env", name: "log"}} =
             start(%{"env" => Map.delete(imports()["env"], "log")})

    wrong = {:fn, [:i64, :i32], [:i32], fn _, a, b -> a + b end}

    assert {:error, %Beamr.LinkError{reason: :incompatible_import_type, name: "add"} = e} =
             start(imports(%{"add" => wrong}))

    assert Exception.message(e) =~ "(i32, i32) -> (i32)"

    assert {:error, %Beamr.LinkError{reason: :incompatible_import_type}} =
             start(imports(%{"add" => {:global, 1}}))
  end

  test "bad import shapes raise ArgumentError" do
    assert_raise ArgumentError, ~r/must take 3 arguments/, fn ->
      start(imports(%{"add" => {:fn, [:i32, :i32], [:i32], fn a, b -> a + b end}}))
    end

    assert_raise ArgumentError, fn -> start(imports(%{"add" => :nope})) end
    assert_raise ArgumentError, fn -> start(%{"env" => [1]}) end
    assert_raise ArgumentError, fn -> start([:not_a_map]) end
  end

  test "Wasmex's simple.wasm: imports.imported_func" do
    bytes = File.read!(fixture("wasmex/simple.wasm"))
    parent = self()

    imports = %{
      imports: %{imported_func: {:fn, [:i32], [], fn _ctx, x -> send(parent, {:got, x}) end}}
    }

    {:ok, pid} = Beamr.start_link(%{bytes: bytes, imports: imports})
    assert {:ok, []} = Beamr.call_function(pid, "exported_func", [])
    assert_received {:got, 42}

    assert {:error,
            %Beamr.LinkError{reason: :unknown_import, module: "imports", name: "imported_func"}} =
             Beamr.start_link(%{bytes: bytes})
  end

  test "memories and globals given as imports" do
    wat = ~S"""
    (module
      (import "env" "memory" (memory 1))
      (import "env" "base" (global $base i32))
      (func (export "size") (result i32) (memory.size))
      (func (export "base") (result i32) (global.get $base)))
    """

    imports = %{"env" => %{"memory" => {:memory, 3, nil}, "base" => {:global, 1234}}}
    {:ok, pid} = Beamr.start_link(bytes: wasm(wat), imports: imports)
    assert {:ok, [3]} = Beamr.call_function(pid, "size", [])
    assert {:ok, [1234]} = Beamr.call_function(pid, "base", [])
  end

  test "an Elixir import overrides one WASI function" do
    wat = ~S"""
    (module
      (import "wasi_snapshot_preview1" "random_get" (func $r (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "roll") (result i32) (drop (call $r (i32.const 0) (i32.const 4))) (i32.load (i32.const 0))))
    """

    dice =
      {:fn, [:i32, :i32], [:i32],
       fn %{memory: memory}, ptr, len ->
         :ok = Beamr.Memory.write_binary(memory, ptr, :binary.copy(<<0>>, len))
         :ok = Beamr.Memory.set_byte(memory, ptr, 4)
         0
       end}

    imports = %{wasi_snapshot_preview1: %{random_get: dice}}
    {:ok, pid} = Beamr.start_link(bytes: wasm(wat), wasi: true, imports: imports)
    assert {:ok, [4]} = Beamr.call_function(pid, "roll", [])
  end
end
