# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Module do
  @moduledoc """
  A compiled WebAssembly module: decoded, validated and compiled once,
  immutable, shared by all the instances started from it
  (`Beamr.start_link(%{module: module})`).

      iex> {:ok, module} = Beamr.Module.compile(File.read!(TestHelper.fixture("wasmex/simple.wasm")))
      iex> Beamr.Module.imports(module)
      %{"imports" => %{"imported_func" => {:fn, [:i32], []}}}
      iex> Beamr.Module.exports(module)
      %{"exported_func" => {:fn, [], []}}

  `serialize/1` saves the compiled module (in beamr's own format, for
  the same beamr version) and `deserialize/1` loads it back without
  recompiling.
  """
  @enforce_keys [:ref]
  defstruct [:ref]

  @typedoc "A compiled module (`ref` is the Erlang `beamr:wasm_module()`)."
  @type t :: %__MODULE__{ref: term()}

  @typedoc "A value type."
  @type valtype :: :i32 | :i64 | :f32 | :f64 | :v128 | :funcref | :externref

  @typedoc "The type of an import or export, in Wasmex's shapes."
  @type externtype ::
          {:fn, [valtype()], [valtype()]}
          | {:memory,
             %{
               minimum: non_neg_integer(),
               maximum: non_neg_integer() | nil,
               shared: boolean(),
               memory64: boolean()
             }}
          | {:table,
             %{type: valtype(), minimum: non_neg_integer(), maximum: non_neg_integer() | nil}}
          | {:global, %{type: valtype(), mutability: :const | :var}}
          | {:tag, [valtype()]}

  @doc """
  Compiles wasm bytes or WebAssembly text (a `(module ...)` form).

      iex> {:ok, module} = Beamr.Module.compile(~S{(module (func (export "f") (param f64) (result f64) local.get 0))})
      iex> Beamr.Module.exports(module)
      %{"f" => {:fn, [:f64], [:f64]}}
      iex> {:error, error} = Beamr.Module.compile("(module (func (result i32) i64.const 1))")
      iex> {error.kind, error.reason}
      {:validation, :type_mismatch}
      iex> {:error, error} = Beamr.Module.compile("(module (func $f (result i32)\\n  (i32.nope)))")
      iex> {error.kind, error.line, error.column}
      {:malformed, 2, 4}

  Errors: `%Beamr.CompileError{}`. Raises `ArgumentError` if `bytes` is
  not a binary.
  """
  @spec compile(binary()) :: {:ok, t()} | {:error, Beamr.CompileError.t()}
  def compile(bytes) when is_binary(bytes) do
    case :beamr.compile(bytes) do
      {:ok, ref} -> {:ok, %__MODULE__{ref: ref}}
      {:error, reason} -> Beamr.Error.error(reason)
    end
  end

  def compile(other), do: raise(ArgumentError, "expected wasm bytes, got: #{inspect(other)}")

  @doc "As `compile/1`, raising the error."
  @spec compile!(binary()) :: t()
  def compile!(bytes), do: bytes |> compile() |> Beamr.Error.unwrap!()

  @doc """
  Saves a compiled module as a binary that `deserialize/1` loads without
  recompiling (only with the same beamr version).

      iex> module = Beamr.Module.compile!(File.read!(TestHelper.fixture("hyperbeam/test.wasm")))
      iex> {:ok, saved} = Beamr.Module.serialize(module)
      iex> {:ok, loaded} = Beamr.Module.deserialize(saved)
      iex> Beamr.Module.exports(loaded) == Beamr.Module.exports(module)
      true
  """
  @spec serialize(t()) :: {:ok, binary()} | {:error, Beamr.Error.reason()}
  def serialize(%__MODULE__{ref: ref}) do
    case :beamr.module_to_binary(ref) do
      {:ok, bin} -> {:ok, bin}
      {:error, reason} -> Beamr.Error.error(reason)
    end
  end

  @doc """
  Loads a module saved by `serialize/1`. Foreign, truncated, corrupt or
  other-version input is `{:error, %Beamr.CompileError{kind: :aot}}`,
  never run.
  """
  @spec deserialize(binary()) :: {:ok, t()} | {:error, Beamr.CompileError.t()}
  def deserialize(saved) when is_binary(saved) do
    case :beamr.binary_to_module(saved) do
      {:ok, ref} -> {:ok, %__MODULE__{ref: ref}}
      {:error, reason} -> Beamr.Error.error(reason)
    end
  end

  def deserialize(other),
    do: raise(ArgumentError, "expected a serialized module, got: #{inspect(other)}")

  @doc "The imports, as `%{module_name => %{name => externtype}}`."
  @spec imports(t()) :: %{String.t() => %{String.t() => externtype()}}
  def imports(%__MODULE__{ref: ref}) do
    ref
    |> :beamr.imports()
    |> Enum.reduce(%{}, fn {m, n, type}, acc ->
      Map.update(acc, m, %{n => externtype(type)}, &Map.put(&1, n, externtype(type)))
    end)
  end

  @doc "The exports, as `%{name => externtype}`."
  @spec exports(t()) :: %{String.t() => externtype()}
  def exports(%__MODULE__{ref: ref}) do
    Map.new(:beamr.exports(ref), fn {n, type} -> {n, externtype(type)} end)
  end

  @doc false
  # The Erlang API's type of an import or export in Wasmex's shapes.
  @spec externtype(tuple()) :: externtype()
  def externtype({:func, params, results}), do: {:fn, params, results}

  def externtype({:memory, limits}) do
    {:memory,
     %{
       minimum: limits.min,
       maximum: nil_if_undefined(limits.max),
       shared: limits.shared,
       memory64: limits.is64
     }}
  end

  def externtype({:table, type, limits}),
    do: {:table, %{type: type, minimum: limits.min, maximum: nil_if_undefined(limits.max)}}

  def externtype({:global, type, mut}), do: {:global, %{type: type, mutability: mut}}
  def externtype({:tag, params}), do: {:tag, params}

  defp nil_if_undefined(:undefined), do: nil
  defp nil_if_undefined(value), do: value
end
