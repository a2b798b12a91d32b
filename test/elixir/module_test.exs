# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.ModuleTest do
  use ExUnit.Case, async: true
  import TestHelper, only: [wasm: 1, fixture: 1]

  test "compile, imports and exports in Wasmex's shapes" do
    wat = ~S"""
    (module
      (import "env" "f" (func (param i64) (result f32)))
      (import "env" "tab" (table 1 2 externref))
      (import "env" "g" (global (mut f64)))
      (table (export "t") 1 5 funcref)
      (memory (export "memory") 2)
      (global (export "c") i32 (i32.const 1))
      (func (export "run") (param i32 i64 f32 f64) (result i32) (i32.const 0)))
    """

    assert {:ok, %Beamr.Module{} = module} = Beamr.Module.compile(wasm(wat))

    assert %{
             "env" => %{
               "f" => {:fn, [:i64], [:f32]},
               "tab" => {:table, %{type: :externref, minimum: 1, maximum: 2}},
               "g" => {:global, %{type: :f64, mutability: :var}}
             }
           } == Beamr.Module.imports(module)

    assert %{
             "t" => {:table, %{type: :funcref, minimum: 1, maximum: 5}},
             "memory" => {:memory, %{minimum: 2, maximum: nil, shared: false, memory64: false}},
             "c" => {:global, %{type: :i32, mutability: :const}},
             "run" => {:fn, [:i32, :i64, :f32, :f64], [:i32]}
           } == Beamr.Module.exports(module)
  end

  test "HyperBEAM's pow_calculator.wasm and the wasm64 test-calling.wasm" do
    module = Beamr.Module.compile!(File.read!(fixture("hyperbeam/pow_calculator.wasm")))
    assert %{"my_lib" => %{"mul" => {:fn, [:i32, :i32], [:i32]}}} = Beamr.Module.imports(module)
    assert %{"pow" => {:fn, [:i32, :i32], [:i32]}} = Beamr.Module.exports(module)

    module = Beamr.Module.compile!(File.read!(fixture("hyperbeam/test-calling.wasm")))
    assert %{"memory" => {:memory, %{memory64: true}}} = Beamr.Module.exports(module)
  end

  test "compile errors" do
    assert {:error,
            %Beamr.CompileError{kind: :malformed, reason: :magic_header_not_detected, offset: 0}} =
             Beamr.Module.compile("not wasm")

    assert {:error, %Beamr.CompileError{kind: :malformed, reason: :unexpected_end}} =
             Beamr.Module.compile("")

    assert {:error, %Beamr.CompileError{kind: :malformed}} =
             Beamr.Module.compile(<<0, "asm", 1, 0, 0, 0, 1>>)

    bad = TestHelper.wasm_unchecked(~S{(module (func (result i32) (i64.const 1)))})

    assert {:error, %Beamr.CompileError{kind: :validation, reason: :type_mismatch, function: 0} = e} =
             Beamr.Module.compile(bad)

    assert Exception.message(e) =~
             ~r/^invalid module: type mismatch.* \(type_mismatch, at byte \d+, in func 0\)$/

    assert_raise Beamr.CompileError, fn -> Beamr.Module.compile!("junk") end
    assert_raise ArgumentError, fn -> Beamr.Module.compile(nil) end
    assert_raise ArgumentError, fn -> Beamr.Module.compile('(module)') end
  end

  test "serialize and deserialize, and what deserialize refuses" do
    module = Beamr.Module.compile!(File.read!(fixture("hyperbeam/pow_calculator.wasm")))
    assert {:ok, saved} = Beamr.Module.serialize(module)
    assert {:ok, loaded} = Beamr.Module.deserialize(saved)
    mul = fn _ctx, a, b -> a * b end
    stub = fn n -> {:fn, [:i32], [], fn _, _ -> raise "unexpected #{n}" end} end

    imports =
      for {m, fields} <- Beamr.Module.imports(loaded), into: %{} do
        {m,
         for {n, {:fn, p, r}} <- fields, into: %{} do
           case n do
             "mul" -> {n, {:fn, p, r, mul}}
             _ -> {n, put_elem(stub.(n), 1, p) |> put_elem(2, r) |> arity_fix(length(p))}
           end
         end}
      end

    {:ok, pid} = Beamr.start_link(module: loaded, imports: imports)
    assert {:ok, [81]} = Beamr.call_function(pid, "pow", [3, 4])

    size = byte_size(saved)
    corrupt = binary_part(saved, 0, size - 1) <> <<:erlang.bxor(:binary.last(saved), 0xFF)>>

    for input <- [
          binary_part(saved, 0, div(size, 2)),
          corrupt,
          "garbage",
          File.read!(fixture("hyperbeam/test.wasm"))
        ] do
      assert {:error, %Beamr.CompileError{kind: :aot}} = Beamr.Module.deserialize(input)
    end

    assert_raise ArgumentError, fn -> Beamr.Module.deserialize(nil) end
  end

  # A raising import function with the arity its parameters need.
  defp arity_fix({:fn, p, r, _}, n) do
    args = Macro.generate_arguments(n + 1, __MODULE__)
    {f, _} = Code.eval_quoted(quote(do: fn unquote_splicing(args) -> raise "unexpected" end))
    {:fn, p, r, f}
  end
end
