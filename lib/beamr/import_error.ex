# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.ImportError do
  @moduledoc """
  An Elixir import function raised, threw or exited, or returned values
  that do not fit its declared results: `{:error, %Beamr.ImportError{}}`.

  The wasm call is abandoned (the instance stays usable for the next
  call).

    * `:module`, `:name` - the import
    * `:kind`, `:reason`, `:stacktrace` - what was raised (`:error` and an
      exception struct for a `raise`)
  """
  defexception [:module, :name, :kind, :reason, stacktrace: []]

  @type t :: %__MODULE__{
          module: String.t(),
          name: String.t(),
          kind: :error | :exit | :throw,
          reason: term(),
          stacktrace: Exception.stacktrace()
        }

  @impl true
  def message(%__MODULE__{} = e) do
    "import #{e.module}.#{e.name} failed: " <>
      Exception.format_banner(e.kind, e.reason, e.stacktrace)
  end
end
