# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Limits do
  @moduledoc """
  Per-instance limits, given to `Beamr.start_link/1` as `limits:` (a
  struct, keyword list or map):

    * `:max_memory_pages` - pages of 64 KiB memory may grow to (a grow
      beyond fails as wasm's `memory.grow` fails: it returns -1)
    * `:max_table_size` - entries a table may grow to
    * `:max_call_depth` - nested wasm calls; deeper traps with
      `:call_stack_exhausted`
    * `:fuel` - the fuel (about one unit per wasm instruction) each call
      gets unless the call gives its own `fuel:`; a call that spends it
      is `{:error, :out_of_fuel}` and the instance stays usable

  `nil` (the default) keeps the engine's default (no fuel limit).

      iex> wat = ~S{(module (func (export "spin") (loop br 0)))}
      iex> {:ok, pid} = Beamr.start_link(bytes: wat, limits: [fuel: 10_000])
      iex> Beamr.call_function(pid, "spin", [])
      {:error, :out_of_fuel}
  """
  defstruct max_memory_pages: nil, max_table_size: nil, max_call_depth: nil, fuel: nil

  @type t :: %__MODULE__{
          max_memory_pages: pos_integer() | nil,
          max_table_size: pos_integer() | nil,
          max_call_depth: pos_integer() | nil,
          fuel: pos_integer() | nil
        }

  @doc """
  The limits of a struct, keyword list or map; raises `ArgumentError` for
  an unknown key or a value that is not a positive integer or nil.

      iex> Beamr.Limits.new(max_call_depth: 100)
      %Beamr.Limits{max_call_depth: 100}
  """
  @spec new(t() | keyword() | map() | nil) :: t()
  def new(nil), do: %__MODULE__{}
  def new(%__MODULE__{} = limits), do: check!(limits)

  def new(fields) when is_list(fields) or is_map(fields) do
    check!(struct!(__MODULE__, fields))
  rescue
    e in KeyError -> raise ArgumentError, "unknown limit #{inspect(e.key)}"
  end

  def new(other), do: raise(ArgumentError, "expected limits, got: #{inspect(other)}")

  @doc false
  # The Erlang `limits` start option.
  @spec to_erlang(t()) :: map()
  def to_erlang(%__MODULE__{} = l) do
    for {k, v} <-
          Map.take(Map.from_struct(l), [:max_memory_pages, :max_table_size, :max_call_depth]),
        v != nil,
        into: %{},
        do: {k, v}
  end

  defp check!(limits) do
    for {key, v} <- Map.from_struct(limits), v != nil and not (is_integer(v) and v > 0) do
      raise ArgumentError, "limit #{key} must be a positive integer, got: #{inspect(v)}"
    end

    limits
  end
end
