# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.LinksTest do
  # Not async: one test counts the instances running on the node.
  use ExUnit.Case, async: false
  import TestHelper, only: [wasm: 1]

  @utils ~S"""
  (module
    (memory (export "memory") 1)
    (func (export "sum") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
  """

  @calculator ~S"""
  (module
    (import "utils" "sum" (func $sum (param i32 i32) (result i32)))
    (import "utils" "memory" (memory 1))
    (func (export "sum_range") (param $from i32) (param $to i32) (result i32)
      (local $acc i32)
      (block $done
        (loop $next
          (br_if $done (i32.gt_s (local.get $from) (local.get $to)))
          (local.set $acc (call $sum (local.get $acc) (local.get $from)))
          (local.set $from (i32.add (local.get $from) (i32.const 1)))
          (br $next)))
      (local.get $acc))
    (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))
  """

  @main ~S"""
  (module
    (import "calculator" "sum_range" (func $r (param i32 i32) (result i32)))
    (func (export "triangle") (param i32) (result i32) (call $r (i32.const 1) (local.get 0))))
  """

  test "Wasmex's links: bytes, a compiled module, nested links" do
    links = %{utils: %{bytes: wasm(@utils)}}
    {:ok, pid} = Beamr.start_link(%{bytes: wasm(@calculator), links: links})
    assert {:ok, [15]} = Beamr.call_function(pid, "sum_range", [1, 5])

    {:ok, utils} = Beamr.Module.compile(wasm(@utils))
    {:ok, pid} = Beamr.start_link(bytes: wasm(@calculator), links: %{"utils" => %{module: utils}})
    assert {:ok, [55]} = Beamr.call_function(pid, "sum_range", [1, 10])

    nested = %{calculator: %{bytes: wasm(@calculator), links: %{utils: %{bytes: wasm(@utils)}}}}
    {:ok, pid} = Beamr.start_link(bytes: wasm(@main), links: nested)
    assert {:ok, [5050]} = Beamr.call_function(pid, "triangle", [100])
  end

  test "a module mapped to a running instance shares its memory" do
    {:ok, utils} = Beamr.start_link(bytes: wasm(@utils))
    {:ok, calc} = Beamr.start_link(bytes: wasm(@calculator), imports: %{"utils" => utils})
    assert {:ok, []} = Beamr.call_function(calc, "poke", [100, 42])
    assert {:ok, 42} = Beamr.Memory.get_byte(utils, 100)
    assert {:ok, [6]} = Beamr.call_function(calc, "sum_range", [1, 3])
  end

  test "single exports with {:export, instance, name}; an exporter that stops" do
    {:ok, utils} = Beamr.start_link(bytes: wasm(@utils))

    imports = %{
      "utils" => %{"sum" => {:export, utils, "sum"}, "memory" => {:export, utils, :memory}}
    }

    {:ok, calc} = Beamr.start_link(bytes: wasm(@calculator), imports: imports)
    assert {:ok, [6]} = Beamr.call_function(calc, "sum_range", [1, 3])
    :ok = Beamr.stop(utils)

    assert {:error, %Beamr.Trap{reason: :host_error}} =
             Beamr.call_function(calc, "sum_range", [1, 3])

    # The memory it linked stays.
    assert {:ok, []} = Beamr.call_function(calc, "poke", [0, 1])
  end

  test "link errors: an unknown export, a stopped instance, a wrong type" do
    {:ok, utils} = Beamr.start_link(bytes: wasm(@utils))

    bad = %{"utils" => %{"sum" => {:export, utils, "nope"}, "memory" => {:export, utils, "memory"}}}

    assert {:error, %Beamr.LinkError{reason: :unknown_export}} =
             Beamr.start_link(bytes: wasm(@calculator), imports: bad)

    wrong = %{
      "utils" => %{"sum" => {:export, utils, "memory"}, "memory" => {:export, utils, "memory"}}
    }

    assert {:error, %Beamr.LinkError{reason: :incompatible_import_type}} =
             Beamr.start_link(bytes: wasm(@calculator), imports: wrong)

    assert {:error, %Beamr.LinkError{}} =
             Beamr.start_link(
               bytes: wasm(@calculator),
               links: %{utils: %{bytes: wasm(~S{(module)})}}
             )

    :ok = Beamr.stop(utils)

    assert {:error, %Beamr.LinkError{reason: :instance_stopped}} =
             Beamr.start_link(bytes: wasm(@calculator), imports: %{"utils" => utils})
  end

  test "the instances of links: stop with the instance, and on a failed start" do
    {:ok, pid} =
      Beamr.start_link(
        bytes: wasm(@main),
        links: %{calculator: %{bytes: wasm(@calculator), links: %{utils: %{bytes: wasm(@utils)}}}}
      )

    # The registry knows the instances started for the links (an owner
    # just spawned may not have run proc_lib's start yet, which is what
    # sets the $initial_call that instances/0 looks for).
    assert wait_until(fn -> length(instances()) >= 3 end)
    # (main links calculator, which links utils).
    [calculator] = Map.fetch!(:sys.get_state(Beamr.Registry), pid)
    [utils] = Map.fetch!(:sys.get_state(Beamr.Registry), calculator)
    refs = for l <- [calculator, utils], do: Process.monitor(l)
    :ok = Beamr.stop(pid)
    for ref <- refs, do: assert_receive({:DOWN, ^ref, :process, _, _}, 2000)

    count = length(instances())

    assert {:error, %Beamr.CompileError{}} =
             Beamr.start_link(bytes: "junk", links: %{utils: %{bytes: wasm(@utils)}})

    assert {:error, %Beamr.LinkError{reason: :unknown_import}} =
             Beamr.start_link(bytes: wasm(@main), links: %{calculator: %{bytes: wasm(@calculator)}})

    assert wait_until(fn -> length(instances()) <= count end)
    assert_raise ArgumentError, fn -> Beamr.start_link(bytes: wasm(@main), links: [:x]) end
    assert_raise ArgumentError, fn -> Beamr.start_link(bytes: wasm(@main), links: %{x: "bytes"}) end
  end

  # The owner processes of the instances running on the node.
  defp instances do
    for p <- Process.list(),
        {:dictionary, d} <- [Process.info(p, :dictionary)],
        match?({:beamr_instance, _, _}, d[:"$initial_call"]),
        do: p
  end

  defp wait_until(f, tries \\ 200) do
    cond do
      f.() -> true
      tries == 0 -> false
      true -> Process.sleep(10) && wait_until(f, tries - 1)
    end
  end
end
