# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.CompileError do
  @moduledoc """
  The bytes are not a module beamr can run: `{:error, %Beamr.CompileError{}}`.

    * `:kind` - `:malformed` (not a wasm binary, or a broken one),
      `:validation` (well-formed but invalid, e.g. a type mismatch) or
      `:aot` (not a module saved by `Beamr.Module.serialize/1` of this
      version)
    * `:reason` - the engine's atom, e.g. `:magic_header_not_detected`,
      `:type_mismatch`, `:aot_checksum_mismatch`
    * `:message` - the engine's text
    * `:offset` - the byte offset of the fault (in a binary module)
    * `:line`, `:column` - where the fault is (in WebAssembly text)
    * `:function` - the index of the function at fault, or nil

      iex> {:error, error} = Beamr.Module.compile(<<0, 97, 115, 109, 2, 0, 0, 0>>)
      iex> Exception.message(error)
      "malformed module: unknown binary version (unknown_binary_version, at byte 4)"
  """
  defexception [:kind, :reason, :message, :offset, :line, :column, :function]

  @type t :: %__MODULE__{
          kind: :malformed | :validation | :aot,
          reason: atom(),
          message: String.t(),
          offset: non_neg_integer() | nil,
          line: pos_integer() | nil,
          column: pos_integer() | nil,
          function: non_neg_integer() | nil
        }

  @impl true
  def message(%__MODULE__{} = e) do
    where = [
      e.offset && "at byte #{e.offset}",
      e.line && "at line #{e.line}, column #{e.column}",
      e.function && "in func #{e.function}"
    ]

    "#{kind_text(e.kind)}: #{e.message} (" <>
      Enum.join([e.reason | Enum.reject(where, &is_nil/1)], ", ") <> ")"
  end

  defp kind_text(:malformed), do: "malformed module"
  defp kind_text(:validation), do: "invalid module"
  defp kind_text(:aot), do: "not a module saved by this beamr"
  defp kind_text(other), do: "#{other}"

  @doc false
  @spec from_detail(atom(), map()) :: t()
  def from_detail(kind, detail) do
    %__MODULE__{
      kind: kind,
      reason: Map.get(detail, :reason),
      message: Map.get(detail, :message, ""),
      offset: Map.get(detail, :offset),
      line: Map.get(detail, :line),
      column: Map.get(detail, :column),
      function: undefined_to_nil(Map.get(detail, :func))
    }
  end

  defp undefined_to_nil(:undefined), do: nil
  defp undefined_to_nil(value), do: value
end
