# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Pipe do
  @moduledoc """
  An in-memory file for a WASI program's stdout or stderr (and stdin, see
  below), as Wasmex's `Pipe`: one buffer with one position; `write/2`
  writes at the position and moves it, `read/1` reads from the position to
  the end, `seek/2` moves it. What the program writes is appended at the
  position as it happens.

      iex> wat = ~S'''
      ...> (module
      ...>   (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      ...>   (memory (export "memory") 1)
      ...>   (data (i32.const 8) "\\10\\00\\00\\00\\03\\00\\00\\00hi\\n")
      ...>   (func (export "_start") (drop (call $w (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 0)))))
      ...> '''
      iex> {:ok, stdout} = Beamr.Pipe.new()
      iex> {:ok, pid} = Beamr.start_link(bytes: wat, wasi: [stdout: stdout])
      iex> Beamr.call_function(pid, :_start, [])
      {:ok, []}
      iex> Beamr.Pipe.seek(stdout, 0)
      :ok
      iex> Beamr.Pipe.read(stdout)
      "hi\\n"

  A pipe is a process that ends with the process that created it (or at
  `close/1`).

  As stdin, a pipe is handed to beamr's streaming stdin (`stdin =>
  {stream, Pid}` of the Erlang API); until that is in the Erlang API,
  stdin takes a binary: `%Beamr.Wasi{stdin: "input"}`.
  """
  use GenServer

  @enforce_keys [:pid]
  defstruct [:pid]

  @type t :: %__MODULE__{pid: pid()}

  @doc "A new, empty pipe."
  @spec new() :: {:ok, t()}
  def new do
    {:ok, pid} = GenServer.start(__MODULE__, self())
    {:ok, %__MODULE__{pid: pid}}
  end

  @doc "Writes `data` at the position; `{:ok, bytes_written}`."
  @spec write(t(), iodata()) :: {:ok, non_neg_integer()}
  def write(%__MODULE__{pid: pid}, data),
    do: GenServer.call(pid, {:write, IO.iodata_to_binary(data)})

  @doc "Everything from the position to the end; moves the position there."
  @spec read(t()) :: binary()
  def read(%__MODULE__{pid: pid}), do: GenServer.call(pid, :read)

  @doc "Moves the position (clamped to the size)."
  @spec seek(t(), non_neg_integer()) :: :ok
  def seek(%__MODULE__{pid: pid}, position) when is_integer(position) and position >= 0,
    do: GenServer.call(pid, {:seek, position})

  @doc "The number of bytes in the pipe."
  @spec size(t()) :: non_neg_integer()
  def size(%__MODULE__{pid: pid}), do: GenServer.call(pid, :size)

  @doc "Ends the pipe."
  @spec close(t()) :: :ok
  def close(%__MODULE__{pid: pid}), do: GenServer.stop(pid)

  # ------------------------------------------------------------------

  @impl true
  def init(owner) do
    Process.monitor(owner)
    {:ok, {<<>>, 0}}
  end

  @impl true
  def handle_call({:write, data}, _from, state),
    do: {:reply, {:ok, byte_size(data)}, put(state, data)}

  def handle_call(:read, _from, {buf, pos}) do
    {:reply, binary_part(buf, pos, byte_size(buf) - pos), {buf, byte_size(buf)}}
  end

  def handle_call({:seek, p}, _from, {buf, _}), do: {:reply, :ok, {buf, min(p, byte_size(buf))}}
  def handle_call(:size, _from, {buf, _} = state), do: {:reply, byte_size(buf), state}

  @impl true
  # A program's output (`{stream, Pid}` of the Erlang API's WASI options).
  def handle_info({:beamr_output, _instance, _stream, data}, state),
    do: {:noreply, put(state, data)}

  def handle_info({:DOWN, _, :process, _, _}, state), do: {:stop, :normal, state}
  def handle_info(_other, state), do: {:noreply, state}

  # Writes at the position, over what is there, extending the buffer.
  defp put({buf, pos}, data) do
    n = byte_size(data)
    tail_start = min(pos + n, byte_size(buf))
    tail = binary_part(buf, tail_start, byte_size(buf) - tail_start)
    {binary_part(buf, 0, pos) <> data <> tail, pos + n}
  end
end
