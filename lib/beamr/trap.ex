# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Trap do
  @moduledoc """
  The wasm code trapped: `{:error, %Beamr.Trap{}}`.

  Fields (from the Erlang `{trap, Detail}` underneath):

    * `:reason` - an atom: `:unreachable`, `:out_of_bounds_memory_access`,
      `:integer_divide_by_zero`, `:call_stack_exhausted`, `:host_error`
      (an import answered with the wrong number or types of results), ...
    * `:message` - the engine's text (the spec test suite's wording)
    * `:backtrace` - the wasm frames, innermost first, as
      `{function_index, code_offset}`

  It prints as its message with the frames:

      iex> trap = %Beamr.Trap{reason: :unreachable, message: "unreachable", backtrace: [{3, 132}]}
      iex> Exception.message(trap)
      "wasm trap: unreachable (unreachable)\\n    at func 3, offset 132"
      iex> inspect(trap)
      "#Beamr.Trap<unreachable at func 3+132>"
  """
  defexception [:reason, :message, backtrace: []]

  @type t :: %__MODULE__{
          reason: atom(),
          message: String.t(),
          backtrace: [{non_neg_integer(), non_neg_integer()}]
        }

  @impl true
  def message(%__MODULE__{reason: reason, message: text, backtrace: frames}) do
    lines = Enum.map(frames, fn {f, o} -> "\n    at func #{f}, offset #{o}" end)
    "wasm trap: #{text} (#{reason})" <> Enum.join(lines)
  end

  @doc false
  @spec from_detail(map()) :: t()
  def from_detail(detail) do
    %__MODULE__{
      reason: Map.get(detail, :reason),
      message: Map.get(detail, :message, ""),
      backtrace: Map.get(detail, :stack, [])
    }
  end

  defimpl Inspect do
    def inspect(%{reason: reason, backtrace: frames}, _opts) do
      at =
        case frames do
          [{f, o} | _] -> " at func #{f}+#{o}"
          [] -> ""
        end

      "#Beamr.Trap<#{reason}#{at}>"
    end
  end
end
