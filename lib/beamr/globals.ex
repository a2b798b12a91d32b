# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Globals do
  @moduledoc """
  The exported globals of an instance (Wasmex's `get_global_value` and
  `set_global_value`).

      iex> {:ok, pid} = Beamr.start_link(%{bytes: File.read!(TestHelper.fixture("wasmex/globals.wasm"))})
      iex> Beamr.Globals.get(pid, "meaning_of_life")
      {:ok, 42}
      iex> Beamr.Globals.set(pid, "count_32", 1)
      :ok
      iex> Beamr.Globals.get(pid, "count_32")
      {:ok, 1}
      iex> Beamr.Globals.set(pid, "meaning_of_life", 0)
      {:error, :immutable}
      iex> Beamr.Globals.get(pid, "nope")
      {:error, :not_found}

  Values are those of calls: integers for i32/i64 (read back signed),
  floats (or `:nan`, `:infinity`, `:"-infinity"`) for f32/f64, `:null` or
  an opaque term for references. Names are strings or atoms.

  Errors: `:not_found`, `:immutable` (a const global), `{:invalid_args,
  [value]}` (a value that does not fit the global's type), `:stopped`.
  """

  @doc "The value of the exported global `name`."
  @spec get(Beamr.InstanceRef.t(), String.t() | atom()) ::
          {:ok, term()} | {:error, Beamr.Error.reason()}
  def get(instance, name) do
    Beamr.InstanceRef.with_pid(instance, &:beamr.global_get(&1, name!(name)))
  end

  @doc "Sets the exported mutable global `name` to `value`."
  @spec set(Beamr.InstanceRef.t(), String.t() | atom(), term()) ::
          :ok | {:error, Beamr.Error.reason()}
  def set(instance, name, value) do
    Beamr.InstanceRef.with_pid(instance, &:beamr.global_set(&1, name!(name), value))
  end

  @doc "The exported globals and their types, `%{name => {:global, %{type, mutability}}}`."
  @spec list(Beamr.InstanceRef.t()) ::
          {:ok, %{String.t() => Beamr.Module.externtype()}} | {:error, :stopped}
  def list(instance) do
    Beamr.InstanceRef.with_pid(instance, fn pid ->
      case :beamr.exports(pid) do
        {:error, _} = error ->
          error

        exports ->
          {:ok,
           for({n, {:global, _, _} = t} <- exports, into: %{}, do: {n, Beamr.Module.externtype(t)})}
      end
    end)
  end

  @doc "As `get/2`, returning the value and raising `Beamr.Error` otherwise."
  @spec get!(Beamr.InstanceRef.t(), String.t() | atom()) :: term()
  def get!(instance, name), do: Beamr.Error.unwrap!(get(instance, name))

  @doc "As `set/3`, raising `Beamr.Error` on failure."
  @spec set!(Beamr.InstanceRef.t(), String.t() | atom(), term()) :: :ok
  def set!(instance, name, value), do: Beamr.Error.unwrap!(set(instance, name, value))

  @doc false
  def name!(name) when is_binary(name), do: name
  def name!(name) when is_atom(name) and name not in [nil, true, false], do: Atom.to_string(name)

  def name!(name),
    do: raise(ArgumentError, "expected a name (string or atom), got: #{inspect(name)}")
end
