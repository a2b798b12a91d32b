# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.MemoryTest do
  use ExUnit.Case, async: true
  import Bitwise
  import TestHelper, only: [wasm: 1, fixture: 1]
  alias Beamr.Memory

  @wat ~S"""
  (module
    (memory (export "memory") 1 4)
    (data (i32.const 32) "abc\00def")
    (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
    (func (export "loadf32") (param i32) (result f32) (f32.load (local.get 0))))
  """

  setup do
    {:ok, pid} = Beamr.start_link(bytes: wasm(@wat))
    {:ok, memory} = Beamr.memory(pid)
    %{pid: pid, memory: memory}
  end

  test "bytes", %{memory: m} do
    assert :ok = Memory.set_byte(m, 0, 255)
    assert {:ok, 255} = Memory.get_byte(m, 0)
    assert :ok = Memory.set_byte(m, 1, -1)
    assert {:ok, 255} = Memory.get_byte(m, 1)
    assert {:error, {:invalid_args, [256]}} = Memory.set_byte(m, 0, 256)
    assert {:error, {:invalid_args, ["a"]}} = Memory.set_byte(m, 0, "a")
    assert {:error, {:invalid_args, [nil]}} = Memory.set_byte(m, 0, nil)
    assert {:error, :out_of_bounds} = Memory.get_byte(m, 65536)
    assert {:error, :out_of_bounds} = Memory.set_byte(m, 65536, 1)
  end

  test "binaries, strings and C strings", %{pid: pid, memory: m} do
    assert :ok = Memory.write_binary(m, 100, ["io", ?d, "ata"])
    assert {:ok, "iodata"} = Memory.read_binary(m, 100, 6)
    assert {:ok, "iodata"} = Memory.read_string(pid, 100, 6)
    assert {:ok, "abc"} = Memory.read_cstring(m, 32)
    assert {:ok, "abc"} = Memory.read_cstring(m, 32, 10)
    assert {:error, :string_too_long} = Memory.read_cstring(m, 32, 2)
    :ok = Memory.write_binary(m, 65530, "no nul")
    assert {:error, :out_of_bounds} = Memory.read_cstring(m, 65530)
    assert {:ok, ""} = Memory.read_binary(m, 65536, 0)
    assert {:error, :out_of_bounds} = Memory.read_binary(m, 65530, 7)
    assert {:error, :out_of_bounds} = Memory.write_binary(m, 65530, "1234567")
    assert {:error, {:invalid_args, [:atom]}} = Memory.write_binary(m, 0, :atom)
  end

  test "offsets that are not integers raise", %{memory: m} do
    assert_raise ArgumentError, fn -> Memory.read_binary(m, "0", 1) end
    assert_raise ArgumentError, fn -> Memory.read_binary(m, -1, 1) end
    assert_raise ArgumentError, fn -> Memory.read_binary(m, 0, nil) end
    assert_raise ArgumentError, fn -> Memory.write_i32(m, nil, 1) end
    assert_raise ArgumentError, fn -> Memory.write_binary(m, 1.0, "x") end
    assert_raise ArgumentError, fn -> Memory.grow(m, -1) end
    assert_raise ArgumentError, fn -> Memory.size("not an instance") end
  end

  test "little-endian integers of every width", %{memory: m} do
    for {bits, min, max} <- [
          {8, -128, 255},
          {16, -32768, 65535},
          {32, -(1 <<< 31), (1 <<< 32) - 1},
          {64, -(1 <<< 63), (1 <<< 64) - 1}
        ] do
      write = :"write_i#{bits}"
      read_i = :"read_i#{bits}"
      read_u = :"read_u#{bits}"
      assert :ok = apply(Memory, write, [m, 200, min])
      assert {:ok, ^min} = apply(Memory, read_i, [m, 200])
      assert {:ok, unsigned} = apply(Memory, read_u, [m, 200])
      assert unsigned == min + (1 <<< bits)
      assert :ok = apply(Memory, write, [m, 200, max])
      assert {:ok, ^max} = apply(Memory, read_u, [m, 200])
      assert {:ok, -1} = apply(Memory, read_i, [m, 200])
      assert {:error, {:invalid_args, _}} = apply(Memory, write, [m, 200, max + 1])
      assert {:error, {:invalid_args, _}} = apply(Memory, write, [m, 200, min - 1])
      assert {:error, {:invalid_args, _}} = apply(Memory, write, [m, 200, 1.0])
      assert {:error, :out_of_bounds} = apply(Memory, read_i, [m, 65536 - div(bits, 8) + 1])
    end
  end

  test "the layout is the wasm code's (little-endian)", %{pid: pid, memory: m} do
    :ok = Memory.write_i64(m, 8, 0x0102030405060708)
    assert {:ok, <<8, 7, 6, 5, 4, 3, 2, 1>>} = Memory.read_binary(m, 8, 8)
    assert {:ok, [0x0102030405060708]} = Beamr.call_function(pid, "load64", [8])
    :ok = Memory.write_f32(m, 16, 1.5)
    assert {:ok, [1.5]} = Beamr.call_function(pid, "loadf32", [16])
  end

  test "floats and their special values", %{memory: m} do
    for {w, r} <- [{:write_f32, :read_f32}, {:write_f64, :read_f64}] do
      for v <- [0.0, -2.5, 1.0e10, :nan, :infinity, :"-infinity"] do
        assert :ok = apply(Memory, w, [m, 300, v])
        assert {:ok, ^v} = apply(Memory, r, [m, 300])
      end

      assert :ok = apply(Memory, w, [m, 300, 3])
      assert {:ok, 3.0} = apply(Memory, r, [m, 300])
      assert {:error, {:invalid_args, ["1.0"]}} = apply(Memory, w, [m, 300, "1.0"])
    end

    # Beyond the f32 range rounds to infinity; a NaN's payload reads as :nan.
    assert :ok = Memory.write_f32(m, 300, 1.0e300)
    assert {:ok, :infinity} = Memory.read_f32(m, 300)
    assert :ok = Memory.write_i32(m, 300, 0x7FA00001)
    assert {:ok, :nan} = Memory.read_f32(m, 300)
    assert :ok = Memory.write_f64(m, 300, 0.1)
    assert {:ok, 0.1} = Memory.read_f64(m, 300)
  end

  test "size and grow, up to the declared maximum", %{memory: m} do
    assert {:ok, 65536} = Memory.size(m)
    assert {:ok, 1} = Memory.grow(m, 2)
    assert {:ok, 196_608} = Memory.size(m)
    assert {:error, :limit} = Memory.grow(m, 2)
    assert {:ok, 3} = Memory.grow(m, 0)
  end

  test "bang variants return bare values and raise Beamr.Error", %{memory: m} do
    assert :ok = Memory.set_byte!(m, 0, 7)
    assert 7 = Memory.get_byte!(m, 0)
    assert "abc" = Memory.read_cstring!(m, 32)
    assert 65536 = Memory.size!(m)
    assert_raise Beamr.Error, "beamr: out_of_bounds", fn -> Memory.read_u32!(m, 65535) end
    assert_raise Beamr.Error, ~r/invalid arguments/, fn -> Memory.write_i8!(m, 0, 1000) end
  end

  test "memory of a stopped instance, of an instance without memory", %{pid: pid, memory: m} do
    {:ok, none} = Beamr.start_link(bytes: File.read!(fixture("hyperbeam/test.wasm")))
    assert {:error, :no_memory} = Memory.size(none)
    Beamr.stop(pid)
    assert {:error, :stopped} = Memory.get_byte(m, 0)
    assert {:error, :stopped} = Memory.size(m)
  end

  test "HyperBEAM's test-print.wasm", %{} do
    {:ok, pid} =
      Beamr.start_link(bytes: File.read!(fixture("hyperbeam/test-print.wasm")), wasi: true)

    assert {:ok, 65536} = Memory.size(pid)
    assert {:ok, "Hello, World!"} = Memory.read_binary(pid, 66, 13)
  end
end
