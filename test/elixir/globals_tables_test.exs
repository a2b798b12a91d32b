# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.GlobalsTablesTest do
  use ExUnit.Case, async: true
  import Bitwise
  import TestHelper, only: [wasm: 1, fixture: 1]

  setup do
    {:ok, pid} = Beamr.start_link(bytes: File.read!(fixture("wasmex/globals.wasm")))
    %{pid: pid}
  end

  test "Wasmex's globals.wasm: get every type", %{pid: pid} do
    assert {:ok, 42} = Beamr.Globals.get(pid, "meaning_of_life")
    assert {:ok, -32} = Beamr.Globals.get(pid, :count_32)
    assert {:ok, -64} = Beamr.Globals.get(pid, "count_64")
    assert {:ok, 0.0} = Beamr.Globals.get(pid, "bad_pi_32")
    assert {:ok, 0.0} = Beamr.Globals.get(pid, "bad_pi_64")
    assert {:ok, :null} = Beamr.Globals.get(pid, "externref")
    assert {:ok, :null} = Beamr.Globals.get(pid, "funcref")
  end

  test "set mutable globals; const ones and bad values are errors", %{pid: pid} do
    assert :ok = Beamr.Globals.set(pid, "count_32", 0xFFFFFFFF)
    assert {:ok, -1} = Beamr.Globals.get(pid, "count_32")
    assert :ok = Beamr.Globals.set(pid, "count_64", 1 <<< 62)
    assert {:ok, 4_611_686_018_427_387_904} = Beamr.Globals.get(pid, "count_64")
    assert :ok = Beamr.Globals.set(pid, "bad_pi_32", 3.25)
    assert {:ok, 3.25} = Beamr.Globals.get(pid, "bad_pi_32")
    assert :ok = Beamr.Globals.set(pid, "bad_pi_64", :"-infinity")
    assert {:ok, :"-infinity"} = Beamr.Globals.get(pid, "bad_pi_64")

    assert {:error, :immutable} = Beamr.Globals.set(pid, "meaning_of_life", 1)
    assert {:error, :not_found} = Beamr.Globals.set(pid, "nope", 1)
    assert {:error, {:invalid_args, ["1"]}} = Beamr.Globals.set(pid, "count_32", "1")
    assert {:error, {:invalid_args, [nil]}} = Beamr.Globals.set(pid, "count_32", nil)
    assert {:error, {:invalid_args, [_]}} = Beamr.Globals.set(pid, "count_32", 1 <<< 40)
    assert {:ok, -1} = Beamr.Globals.get(pid, "count_32")
    assert_raise ArgumentError, fn -> Beamr.Globals.get(pid, 42) end
    assert_raise ArgumentError, fn -> Beamr.Globals.get(pid, nil) end
  end

  test "list and bang variants", %{pid: pid} do
    assert {:ok, globals} = Beamr.Globals.list(pid)
    assert map_size(globals) == 7
    assert {:global, %{type: :i64, mutability: :var}} = globals["count_64"]
    assert 42 = Beamr.Globals.get!(pid, "meaning_of_life")
    assert :ok = Beamr.Globals.set!(pid, "count_32", 5)

    assert_raise Beamr.Error, "beamr: immutable", fn ->
      Beamr.Globals.set!(pid, "meaning_of_life", 1)
    end

    Beamr.stop(pid)
    assert {:error, :stopped} = Beamr.Globals.get(pid, "count_32")
    assert {:error, :stopped} = Beamr.Globals.list(pid)
  end

  test "tables: size, entries by export name and by index, call by index" do
    wat = ~S"""
    (module
      (table $t (export "funcs") 3 funcref)
      (table $e (export "refs") 1 externref)
      (func $seven (result i32) (i32.const 7))
      (elem (table $t) (i32.const 2) func $seven)
      (func (export "put") (param externref) (table.set $e (i32.const 0) (local.get 0))))
    """

    {:ok, pid} = Beamr.start_link(bytes: wasm(wat))
    assert {:ok, 3} = Beamr.Tables.size(pid, "funcs")
    assert {:ok, 3} = Beamr.Tables.size(pid, 0)
    assert {:ok, :null} = Beamr.Tables.get(pid, "funcs", 0)
    assert {:ok, ref} = Beamr.Tables.get(pid, "funcs", 2)
    assert ref != :null
    assert {:ok, [7]} = Beamr.call_function(pid, 2, [])
    assert {:ok, []} = Beamr.call_function(pid, "put", [%{any: "term"}])
    assert {:ok, %{any: "term"}} = Beamr.Tables.get(pid, :refs, 0)
    assert {:error, :out_of_bounds} = Beamr.Tables.get(pid, "funcs", 3)
    assert {:error, :out_of_bounds} = Beamr.Tables.get(pid, "funcs", -1)
    assert {:error, :no_table} = Beamr.Tables.size(pid, "nope")
    assert {:error, :no_table} = Beamr.Tables.get(pid, 9, 0)
    assert_raise ArgumentError, fn -> Beamr.Tables.get(pid, "funcs", "0") end
  end
end
