# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Wasi do
  @moduledoc """
  WASI (preview 1) options: `Beamr.start_link(%{bytes: ..., wasi: wasi})`
  with `wasi` a `%Beamr.Wasi{}`, a keyword list or map of its fields, or
  `true` for the defaults. The `wasi_snapshot_preview1` imports then run
  natively inside beamr (an Elixir import of the same name overrides one).

    * `:args` - the program's arguments, `argv[0]` included
    * `:env` - a map (or list of pairs) of environment variables
    * `:preopens` - `Beamr.Wasi.Preopen` structs (or host paths): the only
      host directories the program can reach
    * `:stdin` - a binary, `:empty` (the default: end of file), `:inherit`
      (the VM's own stdin) or a `Beamr.Pipe` written while the program
      runs (see there)
    * `:stdout`, `:stderr` - `:capture` (the default; read with
      `output/2`), `:discard`, `:inherit`, a `Beamr.Pipe`, or a pid that
      gets each write as `{:beamr_output, instance, :stdout | :stderr, data}`
    * `:max_capture` - bytes a captured stream holds at most (default
      64 MiB; then the program's writes fail with ENOSPC)

  Run a command to its end with `Beamr.run_wasi/2`:

      iex> Beamr.run_wasi(TestHelper.hello_wat(), %Beamr.Wasi{stdout: :discard})
      {:ok, %{exit_code: 0, stdout: "", stderr: ""}}
  """
  defstruct args: [],
            env: %{},
            preopens: [],
            stdin: :empty,
            stdout: :capture,
            stderr: :capture,
            max_capture: nil

  @type output :: :capture | :discard | :inherit | pid() | Beamr.Pipe.t()
  @type t :: %__MODULE__{
          args: [String.t()],
          env: %{String.t() => String.t()} | [{String.t(), String.t()}],
          preopens: [Beamr.Wasi.Preopen.t() | Path.t()],
          stdin: binary() | :empty | :inherit | Beamr.Pipe.t(),
          stdout: output(),
          stderr: output(),
          max_capture: pos_integer() | nil
        }

  @doc """
  The options of a struct, keyword list, map or `true`; raises
  `ArgumentError` for an unknown field.
  """
  @spec new(t() | keyword() | map() | true) :: t()
  def new(true), do: %__MODULE__{}
  def new(%__MODULE__{} = wasi), do: wasi

  def new(fields) when is_list(fields) or is_map(fields) do
    struct!(__MODULE__, fields)
  rescue
    e in KeyError -> reraise ArgumentError, "unknown WASI option #{inspect(e.key)}", __STACKTRACE__
  end

  def new(other), do: raise(ArgumentError, "expected WASI options, got: #{inspect(other)}")

  @doc """
  What an instance's program wrote to a captured stream (`:stdout` or
  `:stderr`) since the last take; the buffer is then emptied.
  """
  @spec output(Beamr.InstanceRef.t(), :stdout | :stderr) ::
          {:ok, binary()} | {:error, Beamr.Error.reason()}
  def output(instance, stream) when stream in [:stdout, :stderr],
    do: Beamr.InstanceRef.with_pid(instance, &:beamr.wasi_output(&1, stream))

  @doc false
  # The Erlang `wasi` start option.
  @spec to_erlang(t()) :: map()
  def to_erlang(%__MODULE__{} = w) do
    opts = %{
      args: w.args,
      env: w.env,
      preopens: Enum.map(w.preopens, &Beamr.Wasi.Preopen.to_erlang/1),
      stdin: stdin(w.stdin),
      stdout: output_opt(w.stdout),
      stderr: output_opt(w.stderr)
    }

    if w.max_capture, do: Map.put(opts, :max_capture, w.max_capture), else: opts
  end

  defp stdin(%Beamr.Pipe{stream: stream}), do: stream
  defp stdin(other), do: other

  defp output_opt(%Beamr.Pipe{pid: pid}), do: {:stream, pid}
  defp output_opt(pid) when is_pid(pid), do: {:stream, pid}
  defp output_opt(other), do: other
end
