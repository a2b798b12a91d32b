# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Error do
  @moduledoc """
  Errors of beamr that are not traps, compile, link or import errors,
  as raised by the bang functions, and the translation of the Erlang API's
  reasons into Elixir terms.

  The `{:error, reason}` of every function of this package is one of:

    * `%Beamr.CompileError{}`, `%Beamr.LinkError{}`, `%Beamr.Trap{}`,
      `%Beamr.ImportError{}`
    * `%Beamr.Error{kind: :snapshot | :wasi, ...}` - `Beamr.restore/2`
      rejected a snapshot; the WASI environment could not be set up
    * `{:exit, code}` - the program called WASI `proc_exit(code)`
    * `{:invalid_args, args}` - arguments of the wrong type or out of range
      (a string, `nil`, an integer beyond 64 bits, ...), as given
    * `{:unhandled_import, module, name}` - a call reached an import that
      nothing serves
    * an atom: `:function_not_found`, `:timeout`, `:out_of_fuel`,
      `:stopped`, `:out_of_bounds`, `:no_memory`, `:not_found`,
      `:immutable`, `:limit`, `:no_table`

  `kind` of a `%Beamr.Error{}` raised by a bang function is the atom or
  the tuple's tag, `reason` the whole reason.

      iex> Beamr.Error.from_erlang({:trap, %{reason: :unreachable, message: "unreachable", stack: []}})
      %Beamr.Trap{reason: :unreachable, message: "unreachable", backtrace: []}
      iex> Beamr.Error.from_erlang(:timeout)
      :timeout
      iex> Exception.message(Beamr.Error.exception(:timeout))
      "beamr: timeout"
  """
  defexception [:kind, :reason, :message]

  @type t :: %__MODULE__{kind: atom(), reason: term(), message: String.t()}

  @typedoc "The reason in an `{:error, reason}` of this package."
  @type reason ::
          Beamr.CompileError.t()
          | Beamr.LinkError.t()
          | Beamr.Trap.t()
          | Beamr.ImportError.t()
          | t()
          | {:exit, integer()}
          | {:invalid_args, list()}
          | {:unhandled_import, String.t(), String.t()}
          | atom()

  @impl true
  def exception(%__MODULE__{} = e), do: e
  def exception(reason) when is_exception(reason), do: reason

  def exception(reason) do
    kind = if is_tuple(reason), do: elem(reason, 0), else: reason
    %__MODULE__{kind: kind, reason: reason, message: describe(reason)}
  end

  @impl true
  def message(%__MODULE__{message: text}), do: text

  @doc "The Elixir form of a reason of the Erlang `beamr` API."
  @spec from_erlang(term()) :: reason()
  def from_erlang({kind, detail}) when kind in [:malformed, :validation, :aot] and is_map(detail),
    do: Beamr.CompileError.from_detail(kind, detail)

  def from_erlang({:trap, detail}) when is_map(detail), do: Beamr.Trap.from_detail(detail)
  def from_erlang({:link, detail}) when is_map(detail), do: Beamr.LinkError.from_detail(detail)

  def from_erlang({kind, detail}) when kind in [:snapshot, :wasi] and is_map(detail) do
    text = Map.get(detail, :message, "")
    %__MODULE__{kind: kind, reason: Map.get(detail, :reason), message: "#{kind}: #{text}"}
  end

  def from_erlang(reason), do: reason

  @doc false
  @spec error(term()) :: {:error, reason()}
  def error(erlang_reason), do: {:error, from_erlang(erlang_reason)}

  @doc false
  # The value of an {:ok, value} result, or raise the error.
  @spec unwrap!({:ok, value} | :ok | {:error, term()}) :: value | :ok when value: term()
  def unwrap!({:ok, value}), do: value
  def unwrap!(:ok), do: :ok
  def unwrap!({:error, reason}), do: raise(exception(reason))

  defp describe({:exit, code}), do: "beamr: the program exited with code #{code}"
  defp describe({:invalid_args, args}), do: "beamr: invalid arguments #{inspect(args)}"

  defp describe({:unhandled_import, m, n}),
    do: "beamr: the call reached import #{m}.#{n}, which nothing serves"

  defp describe(reason) when is_atom(reason), do: "beamr: #{reason}"
  defp describe(reason), do: "beamr: #{inspect(reason)}"
end
