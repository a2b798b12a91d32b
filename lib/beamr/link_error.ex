# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.LinkError do
  @moduledoc """
  The module could not be instantiated with the imports given:
  `{:error, %Beamr.LinkError{}}`.

    * `:reason` - `:unknown_import` (a function import nothing serves),
      `:incompatible_import_type` (an Elixir import whose `{:fn, params,
      results, fun}` types differ from the module's), or the engine's atom
      for a memory, table or global that does not fit or a limit exceeded
    * `:module`, `:name` - the import at fault, when known
    * `:message` - a readable text

      iex> {:error, error} = Beamr.start_link(%{bytes: File.read!(TestHelper.fixture("wasmex/simple.wasm"))})
      iex> error.reason
      :unknown_import
      iex> Exception.message(error)
      "cannot link import imports.imported_func: no import given for function (i32) -> ()"
  """
  defexception [:reason, :module, :name, :message]

  @type t :: %__MODULE__{
          reason: atom(),
          module: String.t() | nil,
          name: String.t() | nil,
          message: String.t()
        }

  @impl true
  def message(%__MODULE__{module: nil, message: text, reason: reason}),
    do: "cannot link: #{text} (#{reason})"

  def message(%__MODULE__{module: m, name: n, message: text}),
    do: "cannot link import #{m}.#{n}: #{text}"

  @doc false
  @spec from_detail(map()) :: t()
  def from_detail(detail) do
    %__MODULE__{
      reason: Map.get(detail, :reason),
      module: Map.get(detail, :module),
      name: Map.get(detail, :name),
      message: Map.get(detail, :message, "")
    }
  end
end
