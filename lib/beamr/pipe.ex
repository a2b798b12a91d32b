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

  As a program's stdin, a pipe is a stream: the program reads what
  `write/2` adds, in order (`seek/2` does not rewind what the program
  reads), and `close/1` ends it (the program reads what is left, then end
  of file). A read of an empty pipe that is not closed waits for data:
  the call waits in the calling process (no scheduler is blocked), and
  its timeout and `Beamr.stop/1` still apply. (Wasmex's pipe gives end of
  file at once instead: `close/1` the pipe before the call for that.)

      iex> {:ok, stdin} = Beamr.Pipe.new()
      iex> {:ok, 6} = Beamr.Pipe.write(stdin, "hello\\n")
      iex> :ok = Beamr.Pipe.close(stdin)
      iex> bytes = File.read!(TestHelper.wasi_program("cat_stdin"))
      iex> {:ok, %{stdout: out}} = Beamr.run_wasi(bytes, wasi: [stdin: stdin])
      iex> out
      "HELLO\\n--\\nbytes=6 lines=1 words=1 again=0\\n"

  A pipe is a process (and a stream inside beamr) that ends with the
  process that created it.
  """
  use GenServer

  @enforce_keys [:pid, :stream]
  defstruct [:pid, :stream]

  @typedoc "A pipe: its buffer's process and its stream for stdin (a `beamr:pipe()`)."
  @type t :: %__MODULE__{pid: pid(), stream: reference()}

  @doc "A new, empty pipe."
  @spec new() :: {:ok, t()}
  def new do
    stream = :beamr.pipe()
    {:ok, pid} = GenServer.start(__MODULE__, self())
    {:ok, %__MODULE__{pid: pid, stream: stream}}
  end

  @doc """
  Writes `data` at the position; `{:ok, bytes_written}`. A program that
  reads the pipe as stdin gets it too (unless the pipe was closed).
  """
  @spec write(t(), iodata()) :: {:ok, non_neg_integer()}
  def write(%__MODULE__{pid: pid, stream: stream}, data) do
    bin = IO.iodata_to_binary(data)
    {:ok, n} = GenServer.call(pid, {:write, bin})
    # {:error, :closed} after close/1: the buffer still takes it.
    _ = :beamr.pipe_write(stream, bin)
    {:ok, n}
  end

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

  @doc """
  Ends the pipe as a program's stdin: the program reads what is left,
  then end of file. The buffer stays readable.
  """
  @spec close(t()) :: :ok
  def close(%__MODULE__{stream: stream}), do: :beamr.pipe_close(stream)

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
