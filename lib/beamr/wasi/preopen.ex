# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Wasi.Preopen do
  @moduledoc """
  A host directory a WASI program may reach (Wasmex's `PreopenOptions`):

    * `:path` - the host directory
    * `:alias` - the name the program sees (default: `path`)
    * `:read`, `:write` - what the program may do there (default both);
      beamr grants read-only or read-write, so `read: false` is refused

  The program reaches nothing outside its preopens; they get guest fds 3,
  4, ... in order.
  """
  @enforce_keys [:path]
  defstruct [:path, :alias, read: true, write: true]

  @type t :: %__MODULE__{
          path: Path.t(),
          alias: String.t() | nil,
          read: boolean(),
          write: boolean()
        }

  @doc false
  # The Erlang `preopens` entry; ArgumentError for what beamr cannot grant.
  @spec to_erlang(t() | {Path.t(), Path.t()} | Path.t()) :: tuple()
  def to_erlang(%__MODULE__{path: path, read: true, write: write} = p) when is_binary(path) do
    {p.alias || path, path, if(write, do: :read_write, else: :read_only)}
  end

  def to_erlang(%__MODULE__{read: false}),
    do: raise(ArgumentError, "a preopen cannot be write-only (read: false)")

  def to_erlang(path) when is_binary(path), do: to_erlang(%__MODULE__{path: path})
  def to_erlang({guest, host}), do: to_erlang(%__MODULE__{path: host, alias: guest})
  def to_erlang(other), do: raise(ArgumentError, "expected a preopen, got: #{inspect(other)}")
end
