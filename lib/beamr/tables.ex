# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Tables do
  @moduledoc """
  The tables of an instance, by export name or by table index.

      iex> wat = ~S{(module (table (export "t") 2 funcref) (func $f) (elem (i32.const 1) $f))}
      iex> {:ok, pid} = Beamr.start_link(%{bytes: wat})
      iex> Beamr.Tables.size(pid, "t")
      {:ok, 2}
      iex> Beamr.Tables.get(pid, "t", 0)
      {:ok, :null}
      iex> {:ok, ref} = Beamr.Tables.get(pid, 0, 1)
      iex> ref != :null
      true
      iex> Beamr.Tables.get(pid, "t", 2)
      {:error, :out_of_bounds}

  An entry is `:null`, an opaque funcref (callable by its table index with
  `Beamr.call_function/3`) or the Elixir term of an externref.

  Errors: `:no_table`, `:out_of_bounds`, `:stopped`.
  """

  @typedoc "A table: its export name or its index."
  @type table :: String.t() | atom() | non_neg_integer()

  @doc "The number of entries of `table`."
  @spec size(Beamr.InstanceRef.t(), table()) :: {:ok, non_neg_integer()} | {:error, atom()}
  def size(instance, table),
    do: Beamr.InstanceRef.with_pid(instance, &:beamr.table_size(&1, table!(table)))

  @doc "The entry at `index` of `table`."
  @spec get(Beamr.InstanceRef.t(), table(), non_neg_integer()) :: {:ok, term()} | {:error, atom()}
  def get(instance, table, index) when is_integer(index),
    do: Beamr.InstanceRef.with_pid(instance, &:beamr.table_get(&1, table!(table), index))

  def get(_instance, _table, index),
    do: raise(ArgumentError, "expected an integer index, got: #{inspect(index)}")

  defp table!(index) when is_integer(index) and index >= 0, do: index
  defp table!(name), do: Beamr.Globals.name!(name)
end
