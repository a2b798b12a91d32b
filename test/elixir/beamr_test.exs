# SPDX-License-Identifier: Apache-2.0
defmodule BeamrTest do
  use ExUnit.Case, async: true
  import Bitwise
  import TestHelper, only: [wasm: 1, fixture: 1]

  @wat ~S"""
  (module
    (memory (export "memory") 1)
    (global $n (export "n") (mut i32) (i32.const 0))
    (table (export "table") 2 funcref)
    (elem (i32.const 0) $sum $next)
    (func $sum (export "sum") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func $next (export "next") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n))
    (func (export "sum64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
    (func (export "half") (param f64) (result f64) (f64.div (local.get 0) (f64.const 2)))
    (func (export "swap") (param i32 f32) (result f32 i32) (local.get 1) (local.get 0))
    (func (export "boom") unreachable)
    (func (export "spin") (loop br 0))
    (func $deep (export "deep") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1))))))))
  """

  setup do
    {:ok, pid} = Beamr.start_link(%{bytes: wasm(@wat)})
    %{pid: pid}
  end

  describe "start_link/1" do
    test "takes a map or a keyword list, bytes or a module" do
      bytes = wasm(@wat)
      assert {:ok, a} = Beamr.start_link(bytes: bytes)
      assert {:ok, module} = Beamr.Module.compile(bytes)
      assert {:ok, b} = Beamr.start_link(%{module: module})
      assert {:ok, [3]} = Beamr.call_function(a, "sum", [1, 2])
      assert {:ok, [3]} = Beamr.call_function(b, "sum", [1, 2])
      assert a != b
    end

    test "links the instance to the caller" do
      {:ok, pid} = Beamr.start_link(bytes: wasm(@wat))
      assert pid in elem(Process.info(self(), :links), 1)
    end

    test "bad bytes are a compile error, not a crash" do
      assert {:error, %Beamr.CompileError{kind: :malformed, reason: :magic_header_not_detected}} =
               Beamr.start_link(bytes: "not wasm")

      assert {:error, %Beamr.CompileError{kind: :malformed}} =
               Beamr.start_link(bytes: <<0, "asm", 1, 0, 0>>)

      # i32.add of an i32 and an i64: valid binary, invalid module.
      bad =
        TestHelper.wasm_unchecked(
          ~S{(module (func (result i32) (i32.add (i32.const 1) (i64.const 2))))}
        )

      assert {:error, %Beamr.CompileError{kind: :validation, reason: :type_mismatch}} =
               Beamr.start_link(bytes: bad)
    end

    test "WebAssembly text, and its errors with line and column" do
      assert {:ok, pid} =
               Beamr.start_link(bytes: ~S{(module (func (export "f") (result i32) i32.const 7))})

      assert {:ok, [7]} = Beamr.call_function(pid, :f, [])

      assert {:error, %Beamr.CompileError{kind: :malformed, line: 1, column: col} = e} =
               Beamr.start_link(bytes: "(module (func (i32.bogus)))")

      assert is_integer(col) and Exception.message(e) =~ "at line 1, column #{col}"
    end

    test "programmer errors raise ArgumentError" do
      assert_raise ArgumentError, ~r/unknown Beamr.start_link\/1 options: \[:bogus\]/, fn ->
        Beamr.start_link(bytes: wasm(@wat), bogus: 1)
      end

      assert_raise ArgumentError, fn -> Beamr.start_link(bytes: nil) end
      assert_raise ArgumentError, fn -> Beamr.start_link(%{}) end
      assert_raise ArgumentError, fn -> Beamr.start_link("bytes") end
      assert_raise ArgumentError, fn -> Beamr.start_link(bytes: wasm(@wat), name: "str") end
      assert_raise ArgumentError, fn -> Beamr.start_link(bytes: wasm(@wat), limits: [fuel: -1]) end
      assert_raise ArgumentError, fn -> Beamr.start_link(bytes: wasm(@wat), limits: [nope: 1]) end
      assert_raise ArgumentError, fn -> Beamr.start_link(bytes: wasm(@wat), wasi: [nope: 1]) end
    end

    test "the start function runs; a trap in it is an error" do
      ok = wasm(~S{(module (global $g (export "g") (mut i32) (i32.const 0))
                    (func $s (global.set $g (i32.const 5))) (start $s))})
      assert {:ok, pid} = Beamr.start_link(bytes: ok)
      assert {:ok, 5} = Beamr.Globals.get(pid, "g")

      trap = wasm(~S{(module (func $s unreachable) (start $s))})
      assert {:error, %Beamr.Trap{reason: :unreachable}} = Beamr.start_link(bytes: trap)
    end

    test "name registration, calls by name, a taken name" do
      name = :"beamr_test_#{System.unique_integer([:positive])}"
      {:ok, pid} = Beamr.start_link(bytes: wasm(@wat), name: name)
      assert Process.whereis(name) == pid
      assert {:ok, [3]} = Beamr.call_function(name, :sum, [1, 2])
      assert {:error, {:already_started, ^pid}} = Beamr.start_link(bytes: wasm(@wat), name: name)
      assert :ok = Beamr.stop(name)
      assert {:error, :stopped} = Beamr.call_function(name, :sum, [1, 2])
      assert :ok = Beamr.stop(name)
    end

    test "limits: memory pages and call depth" do
      grow = wasm(~S{(module (memory (export "memory") 1)
                      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))})
      {:ok, pid} = Beamr.start_link(bytes: grow, limits: %Beamr.Limits{max_memory_pages: 2})
      assert {:ok, [1]} = Beamr.call_function(pid, "grow", [1])
      assert {:ok, [-1]} = Beamr.call_function(pid, "grow", [1])

      {:ok, pid} = Beamr.start_link(bytes: wasm(@wat), limits: [max_call_depth: 50])
      assert {:ok, [40]} = Beamr.call_function(pid, "deep", [40])

      assert {:error, %Beamr.Trap{reason: :call_stack_exhausted}} =
               Beamr.call_function(pid, "deep", [100])

      assert {:ok, [3]} = Beamr.call_function(pid, "sum", [1, 2])
    end
  end

  describe "call_function/3,4" do
    test "values of every number type", %{pid: pid} do
      assert {:ok, [3]} = Beamr.call_function(pid, "sum", [1, 2])
      assert {:ok, [-1]} = Beamr.call_function(pid, "sum", [0xFFFFFFFF, 0])
      assert {:ok, [-2]} = Beamr.call_function(pid, "sum64", [0xFFFFFFFFFFFFFFFF, -1])
      assert {:ok, [1.25]} = Beamr.call_function(pid, "half", [2.5])
      assert {:ok, [2.0]} = Beamr.call_function(pid, "half", [4])
      assert {:ok, [:infinity]} = Beamr.call_function(pid, "half", [:infinity])
      assert {:ok, [:nan]} = Beamr.call_function(pid, "half", [:nan])
      assert {:ok, [1.5, 7]} = Beamr.call_function(pid, "swap", [7, 1.5])
    end

    test "v128 as an integer or as lanes" do
      wat = ~S{(module (func (export "add4") (param v128 v128) (result v128)
                 (i32x4.add (local.get 0) (local.get 1))))}

      {:ok, pid} = Beamr.start_link(bytes: wasm(wat))

      assert {:ok, [v]} =
               Beamr.call_function(pid, "add4", [{:i32x4, [1, 2, 3, -1]}, {:i32x4, [10, 20, 30, 0]}])

      assert :beamr.v128_lanes(:i32x4, v) == [11, 22, 33, -1]
      assert {:ok, [3]} = Beamr.call_function(pid, "add4", [1, 2])
      assert {:error, {:invalid_args, _}} = Beamr.call_function(pid, "add4", [{:i32x4, [1]}, 0])
    end

    test "names as strings or atoms, functions by table index", %{pid: pid} do
      assert {:ok, [5]} = Beamr.call_function(pid, :sum, [2, 3])
      assert {:ok, [5]} = Beamr.call_function(pid, 0, [2, 3])
      assert {:ok, [1]} = Beamr.call_function(pid, 1, [])
    end

    test "wrong types from Elixir are {:invalid_args, params}", %{pid: pid} do
      for params <- [
            ["1", 2],
            [nil, 2],
            [1 <<< 70, 2],
            [-(1 <<< 40), 2],
            [1.5, 2],
            [1],
            [1, 2, 3],
            [%{}, 2]
          ] do
        assert {:error, {:invalid_args, ^params}} = Beamr.call_function(pid, "sum", params)
      end

      assert {:error, {:invalid_args, ["x"]}} = Beamr.call_function(pid, "half", ["x"])
      # The instance is unharmed.
      assert {:ok, [3]} = Beamr.call_function(pid, "sum", [1, 2])
    end

    test "programmer errors raise ArgumentError", %{pid: pid} do
      assert_raise ArgumentError, fn -> Beamr.call_function(pid, "sum", {1, 2}) end
      assert_raise ArgumentError, fn -> Beamr.call_function(pid, nil, []) end
      assert_raise ArgumentError, fn -> Beamr.call_function(pid, 'sum', [1, 2]) end
      assert_raise ArgumentError, fn -> Beamr.call_function(pid, "sum", [1, 2], bogus: 1) end
      assert_raise ArgumentError, fn -> Beamr.call_function(pid, "sum", [1, 2], -5) end
      assert_raise ArgumentError, fn -> Beamr.call_function("pid", "sum", [1, 2]) end
    end

    test "traps are %Beamr.Trap{} and the instance stays usable", %{pid: pid} do
      assert {:error, %Beamr.Trap{reason: :unreachable, backtrace: [{_, _} | _]} = trap} =
               Beamr.call_function(pid, "boom", [])

      assert Exception.message(trap) =~ "wasm trap: unreachable"
      assert {:ok, [3]} = Beamr.call_function(pid, "sum", [1, 2])
    end

    test "unknown functions", %{pid: pid} do
      assert {:error, :function_not_found} = Beamr.call_function(pid, "nope", [])
      assert {:error, :function_not_found} = Beamr.call_function(pid, :nope, [])
    end

    test "a timeout ends an endless loop; the instance stays usable", %{pid: pid} do
      t0 = System.monotonic_time(:millisecond)
      assert {:error, :timeout} = Beamr.call_function(pid, "spin", [], 100)
      assert System.monotonic_time(:millisecond) - t0 < 5000
      assert {:error, :timeout} = Beamr.call_function(pid, "spin", [], timeout: 20)
      assert {:ok, [3]} = Beamr.call_function(pid, "sum", [1, 2])
    end

    test "fuel per call and from the instance's limits", %{pid: pid} do
      assert {:error, :out_of_fuel} = Beamr.call_function(pid, "spin", [], fuel: 1000)
      assert {:ok, [3]} = Beamr.call_function(pid, "sum", [1, 2], fuel: 1000)

      {:ok, limited} = Beamr.start_link(bytes: wasm(@wat), limits: [fuel: 1000])
      assert {:error, :out_of_fuel} = Beamr.call_function(limited, "spin", [], :infinity)
      assert {:ok, [10]} = Beamr.call_function(limited, "deep", [10])
      # A call's own fuel wins over the instance's.
      assert {:error, :out_of_fuel} = Beamr.call_function(limited, "deep", [10], fuel: 5)
    end

    test "a fuel budget: add_fuel/2, fuel_remaining/1", %{pid: pid} do
      assert {:ok, :infinity} = Beamr.fuel_remaining(pid)
      assert :ok = Beamr.add_fuel(pid, 1000)
      assert {:ok, 1000} = Beamr.fuel_remaining(pid)
      assert {:ok, [3]} = Beamr.call_function(pid, "sum", [1, 2])
      assert {:ok, left} = Beamr.fuel_remaining(pid)
      assert left <= 1000 and left > 900
      assert {:error, :out_of_fuel} = Beamr.call_function(pid, "spin", [])
      assert {:ok, 0} = Beamr.fuel_remaining(pid)
      assert {:error, :out_of_fuel} = Beamr.call_function(pid, "sum", [1, 2])
      assert :ok = Beamr.add_fuel(pid, 100)
      assert {:ok, [3]} = Beamr.call_function(pid, "sum", [1, 2])
      assert_raise ArgumentError, fn -> Beamr.add_fuel(pid, -1) end
      assert_raise ArgumentError, fn -> Beamr.add_fuel(pid, "10") end
      Beamr.stop(pid)
      assert {:error, :stopped} = Beamr.add_fuel(pid, 1)
      assert {:error, :stopped} = Beamr.fuel_remaining(pid)
    end

    test "bang variant", %{pid: pid} do
      assert [3] = Beamr.call_function!(pid, "sum", [1, 2])
      assert_raise Beamr.Trap, ~r/unreachable/, fn -> Beamr.call_function!(pid, "boom", []) end

      assert_raise Beamr.Error, "beamr: function_not_found", fn ->
        Beamr.call_function!(pid, "x", [])
      end
    end

    test "calls from many processes queue and all complete", %{pid: pid} do
      tasks = for _ <- 1..20, do: Task.async(fn -> Beamr.call_function(pid, "next", []) end)
      results = for t <- tasks, do: elem(Task.await(t), 1)
      assert Enum.sort(List.flatten(results)) == Enum.to_list(1..20)
    end
  end

  describe "function_exists/2, memory/1, module/1" do
    test "function_exists", %{pid: pid} do
      assert Beamr.function_exists(pid, "sum")
      assert Beamr.function_exists(pid, :sum)
      refute Beamr.function_exists(pid, "memory")
      refute Beamr.function_exists(pid, "nope")
      Beamr.stop(pid)
      refute Beamr.function_exists(pid, "sum")
    end

    test "memory", %{pid: pid} do
      assert {:ok, %Beamr.Memory{instance: ^pid} = memory} = Beamr.memory(pid)
      assert {:ok, 65536} = Beamr.Memory.size(memory)
      {:ok, no_memory} = Beamr.start_link(bytes: File.read!(fixture("hyperbeam/test.wasm")))
      assert {:error, :no_memory} = Beamr.memory(no_memory)
    end

    test "module", %{pid: pid} do
      assert {:ok, %Beamr.Module{} = module} = Beamr.module(pid)
      assert %{"sum" => {:fn, [:i32, :i32], [:i32]}} = Beamr.Module.exports(module)
      # An instance started from Erlang has no Elixir module.
      {:ok, erlang_pid} = :beamr.start(wasm(@wat))
      assert {:error, :not_found} = Beamr.module(erlang_pid)
      assert {:ok, [3]} = Beamr.call_function(erlang_pid, "sum", [1, 2])
      :beamr.stop(erlang_pid)
      assert {:error, :stopped} = Beamr.module(erlang_pid)
    end
  end

  describe "stop/1" do
    test "is idempotent; later calls are :stopped", %{pid: pid} do
      assert :ok = Beamr.stop(pid)
      assert :ok = Beamr.stop(pid)
      refute Process.alive?(pid)
      assert {:error, :stopped} = Beamr.call_function(pid, "sum", [1, 2])
      assert {:error, :stopped} = Beamr.memory(pid)
      assert {:error, :stopped} = Beamr.snapshot(pid)
    end

    test "ends a running call at once", %{pid: pid} do
      task = Task.async(fn -> Beamr.call_function(pid, "spin", [], :infinity) end)
      Process.sleep(50)
      assert :ok = Beamr.stop(pid)
      assert {:error, :stopped} = Task.await(task, 2000)
    end

    test "the instance stops when the process that started it ends" do
      parent = self()

      {:ok, starter} =
        Task.start(fn ->
          {:ok, pid} = Beamr.start_link(bytes: wasm(@wat))
          send(parent, {:pid, pid})
          receive do: (:never -> :ok)
        end)

      assert_receive {:pid, pid}
      ref = Process.monitor(pid)
      Process.exit(starter, :kill)
      assert_receive {:DOWN, ^ref, :process, ^pid, _}, 2000
    end
  end

  describe "snapshot/1 and restore/2" do
    test "a fresh instance goes on where the snapshot was taken", %{pid: pid} do
      {:ok, [1]} = Beamr.call_function(pid, "next", [])
      {:ok, [2]} = Beamr.call_function(pid, "next", [])
      {:ok, memory} = Beamr.memory(pid)
      :ok = Beamr.Memory.write_binary(memory, 1000, "saved")
      assert {:ok, snapshot} = Beamr.snapshot(pid)

      {:ok, module} = Beamr.module(pid)
      {:ok, other} = Beamr.start_link(module: module)
      assert :ok = Beamr.restore(other, snapshot)
      assert {:ok, [3]} = Beamr.call_function(other, "next", [])
      assert {:ok, "saved"} = Beamr.Memory.read_binary(other, 1000, 5)
      # The original is unchanged by the restore.
      assert {:ok, [3]} = Beamr.call_function(pid, "next", [])
    end

    test "another module's snapshot and garbage are errors", %{pid: pid} do
      {:ok, other} =
        Beamr.start_link(bytes: File.read!(fixture("hyperbeam/test-print.wasm")), wasi: true)

      {:ok, snapshot} = Beamr.snapshot(other)

      assert {:error, %Beamr.Error{kind: :snapshot, reason: :snapshot_mismatch}} =
               Beamr.restore(pid, snapshot)

      assert {:error, %Beamr.Error{kind: :snapshot}} = Beamr.restore(pid, "garbage")
      assert_raise ArgumentError, fn -> Beamr.restore(pid, nil) end
      assert {:ok, [3]} = Beamr.call_function(pid, "sum", [1, 2])
    end
  end

  describe "supervision" do
    test "child_spec/1 and a supervisor restarting a crashed instance" do
      name = :"supervised_#{System.unique_integer([:positive])}"
      opts = %{bytes: wasm(@wat), name: name}
      assert %{id: ^name, start: {Beamr, :start_link, [^opts]}} = Beamr.child_spec(opts)

      {:ok, sup} = Supervisor.start_link([{Beamr, opts}], strategy: :one_for_one)
      first = Process.whereis(name)
      assert {:ok, [1]} = Beamr.call_function(name, "next", [])

      ref = Process.monitor(first)
      Process.exit(first, :kill)
      assert_receive {:DOWN, ^ref, :process, ^first, :killed}

      second = wait_for_name(name, first)
      assert second != first
      # A fresh instance: its state starts over.
      assert {:ok, [1]} = Beamr.call_function(name, "next", [])

      # beamr's stop/1 under a supervisor: a permanent child comes back.
      :ok = Beamr.stop(name)
      third = wait_for_name(name, second)
      assert {:ok, [3]} = Beamr.call_function(third, "sum", [1, 2])

      Supervisor.stop(sup)
      refute Process.alive?(third)
    end

    test "a keyword child spec takes its id from the name" do
      assert %{id: Beamr} = Beamr.child_spec(bytes: "x")
      assert %{id: :x} = Beamr.child_spec(bytes: "x", name: :x)
    end
  end

  describe "HyperBEAM's fixtures" do
    test "test.wasm: fac(5.0)" do
      {:ok, pid} = Beamr.start_link(bytes: File.read!(fixture("hyperbeam/test.wasm")))
      assert {:ok, [120.0]} = Beamr.call_function(pid, "fac", [5.0])
    end

    test "pow_calculator.wasm: every multiplication by an Elixir import" do
      bytes = File.read!(fixture("hyperbeam/pow_calculator.wasm"))
      {:ok, module} = Beamr.Module.compile(bytes)
      parent = self()

      # Serve the wasm-bindgen imports with functions that should not run.
      imports =
        for {m, fields} <- Beamr.Module.imports(module), into: %{} do
          {m,
           for {n, {:fn, params, results}} <- fields, into: %{} do
             {n, {:fn, params, results, stub(n, length(params), parent)}}
           end}
        end

      {:ok, pid} = Beamr.start_link(module: module, imports: imports)
      assert {:ok, [32]} = Beamr.call_function(pid, "pow", [2, 5])
      assert_received {:mul, 1, 2}
      for _ <- 1..4, do: assert_received({:mul, _, 2})
      refute_received {:mul, _, _}
    end
  end

  defp stub("mul", 2, parent) do
    fn _ctx, a, b ->
      send(parent, {:mul, a, b})
      a * b
    end
  end

  defp stub(name, arity, _parent) do
    # fn/arity+1 that raises: wasm-bindgen's helpers are never reached.
    args = Macro.generate_arguments(arity + 1, __MODULE__)

    {f, _} =
      Code.eval_quoted(
        quote(do: fn unquote_splicing(args) -> raise "unexpected #{unquote(name)}" end)
      )

    f
  end

  defp wait_for_name(name, old, tries \\ 500) do
    case Process.whereis(name) do
      pid when is_pid(pid) and pid != old -> pid
      _ when tries > 0 -> Process.sleep(10) && wait_for_name(name, old, tries - 1)
      _ -> flunk("#{name} was not restarted")
    end
  end
end
