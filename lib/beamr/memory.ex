# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Memory do
  @moduledoc """
  Memory 0 of an instance: bytes, strings and little-endian numbers.

  Get it with `Beamr.memory/1` (or from the `context` of an import). Each
  function also accepts the instance itself (pid or name). Reads and
  writes do not wait for a running call: they work between calls and
  from inside imports.

      iex> wat = ~S{(module (memory (export "memory") 1))}
      iex> {:ok, pid} = Beamr.start_link(%{bytes: wat})
      iex> {:ok, memory} = Beamr.memory(pid)
      iex> Beamr.Memory.set_byte(memory, 4, 42)
      :ok
      iex> Beamr.Memory.get_byte(memory, 4)
      {:ok, 42}
      iex> :ok = Beamr.Memory.write_binary(memory, 100, "hello, world")
      iex> Beamr.Memory.read_binary(memory, 100, 5)
      {:ok, "hello"}
      iex> :ok = Beamr.Memory.write_i32(memory, 8, -2)
      iex> {Beamr.Memory.read_i32(memory, 8), Beamr.Memory.read_u32(memory, 8)}
      {{:ok, -2}, {:ok, 4294967294}}
      iex> Beamr.Memory.read_binary(memory, 65535, 2)
      {:error, :out_of_bounds}

  Offsets and lengths are integers (anything else raises
  `ArgumentError`); a value that does not fit its type (a string, `nil`,
  an integer out of range) is `{:error, {:invalid_args, [value]}}`.

  Errors: `:out_of_bounds`, `:string_too_long` (`read_cstring/3`),
  `:no_memory` (the instance has no memory),
  `:stopped`, `:limit` (`grow/2` beyond the maximum).

  Each function has a bang variant that returns the bare value (or `:ok`)
  and raises `Beamr.Error` otherwise.
  """
  import Bitwise

  @enforce_keys [:instance]
  defstruct [:instance]

  @typedoc "Memory 0 of an instance."
  @type t :: %__MODULE__{instance: pid()}
  @typedoc "A memory, or the instance (pid or registered name)."
  @type memory :: t() | Beamr.InstanceRef.t()
  @type error :: {:error, Beamr.Error.reason()}

  @doc "The size in bytes."
  @spec size(memory()) :: {:ok, non_neg_integer()} | error()
  def size(memory), do: with_pid(memory, &:beamr.memory_size/1)

  @doc "Grows the memory by `pages` pages of 64 KiB; the old size in pages."
  @spec grow(memory(), non_neg_integer()) :: {:ok, non_neg_integer()} | error()
  def grow(memory, pages) when is_integer(pages) and pages >= 0,
    do: with_pid(memory, &:beamr.grow(&1, pages))

  def grow(_memory, pages), do: raise(ArgumentError, "pages must be >= 0, got: #{inspect(pages)}")

  @doc "The byte at `offset`."
  @spec get_byte(memory(), non_neg_integer()) :: {:ok, byte()} | error()
  def get_byte(memory, offset), do: read_u8(memory, offset)

  @doc "Writes one byte (0..255, or -128..-1 as its two's complement)."
  @spec set_byte(memory(), non_neg_integer(), integer()) :: :ok | error()
  def set_byte(memory, offset, value), do: write_int(memory, offset, value, 8)

  @doc "`length` bytes at `offset`."
  @spec read_binary(memory(), non_neg_integer(), non_neg_integer()) :: {:ok, binary()} | error()
  def read_binary(memory, offset, length) do
    check_offset!(offset)
    check_offset!(length)
    with_pid(memory, &:beamr.read(&1, offset, length))
  end

  @doc "Writes `data` (a binary or iodata) at `offset`."
  @spec write_binary(memory(), non_neg_integer(), iodata()) :: :ok | error()
  def write_binary(memory, offset, data) do
    check_offset!(offset)

    case iodata(data) do
      {:ok, bin} -> with_pid(memory, &:beamr.write(&1, offset, bin))
      :error -> {:error, {:invalid_args, [data]}}
    end
  end

  @doc """
  The string of `length` bytes at `offset` (Wasmex's `read_string`: the
  bytes as they are, no NUL handling).
  """
  @spec read_string(memory(), non_neg_integer(), non_neg_integer()) :: {:ok, binary()} | error()
  def read_string(memory, offset, length), do: read_binary(memory, offset, length)

  @doc """
  The NUL-terminated string at `offset` (without the NUL), looking at most
  `max` bytes ahead (`:string_too_long` when no NUL comes first;
  `:out_of_bounds` when the memory ends first).
  """
  @spec read_cstring(memory(), non_neg_integer(), non_neg_integer() | :infinity) ::
          {:ok, binary()} | error()
  def read_cstring(memory, offset, max \\ :infinity) do
    check_offset!(offset)
    with_pid(memory, &:beamr.read_string(&1, offset, max))
  end

  # ------------------------------------------------------------------
  # Little-endian numbers

  for bits <- [8, 16, 32, 64] do
    @doc "The signed #{bits}-bit little-endian integer at `offset`."
    @spec unquote(:"read_i#{bits}")(memory(), non_neg_integer()) :: {:ok, integer()} | error()
    def unquote(:"read_i#{bits}")(memory, offset) do
      with {:ok, <<v::signed-little-size(unquote(bits))>>} <-
             read_binary(memory, offset, unquote(div(bits, 8))),
           do: {:ok, v}
    end

    @doc "The unsigned #{bits}-bit little-endian integer at `offset`."
    @spec unquote(:"read_u#{bits}")(memory(), non_neg_integer()) ::
            {:ok, non_neg_integer()} | error()
    def unquote(:"read_u#{bits}")(memory, offset) do
      with {:ok, <<v::unsigned-little-size(unquote(bits))>>} <-
             read_binary(memory, offset, unquote(div(bits, 8))),
           do: {:ok, v}
    end

    @doc """
    Writes a #{bits}-bit little-endian integer, given signed or unsigned
    (#{-(1 <<< (bits - 1))}..#{(1 <<< bits) - 1}).
    """
    @spec unquote(:"write_i#{bits}")(memory(), non_neg_integer(), integer()) :: :ok | error()
    def unquote(:"write_i#{bits}")(memory, offset, value),
      do: write_int(memory, offset, value, unquote(bits))
  end

  @doc "The f32 at `offset`: a float, `:nan`, `:infinity` or `:\"-infinity\"`."
  @spec read_f32(memory(), non_neg_integer()) :: {:ok, float() | atom()} | error()
  def read_f32(memory, offset) do
    with {:ok, bin} <- read_binary(memory, offset, 4), do: {:ok, decode_float(bin, 32)}
  end

  @doc "The f64 at `offset`: a float, `:nan`, `:infinity` or `:\"-infinity\"`."
  @spec read_f64(memory(), non_neg_integer()) :: {:ok, float() | atom()} | error()
  def read_f64(memory, offset) do
    with {:ok, bin} <- read_binary(memory, offset, 8), do: {:ok, decode_float(bin, 64)}
  end

  @doc "Writes an f32 (a number, rounded to the nearest f32, or `:nan`, `:infinity`, `:\"-infinity\"`)."
  @spec write_f32(memory(), non_neg_integer(), number() | atom()) :: :ok | error()
  def write_f32(memory, offset, value), do: write_float(memory, offset, value, 32)

  @doc "Writes an f64 (a number, or `:nan`, `:infinity`, `:\"-infinity\"`)."
  @spec write_f64(memory(), non_neg_integer(), number() | atom()) :: :ok | error()
  def write_f64(memory, offset, value), do: write_float(memory, offset, value, 64)

  # Bang variants of every function above.
  for {name, arity} <-
        [
          size: 1,
          grow: 2,
          get_byte: 2,
          set_byte: 3,
          read_binary: 3,
          write_binary: 3,
          read_string: 3,
          read_cstring: 2,
          read_cstring: 3,
          read_f32: 2,
          read_f64: 2,
          write_f32: 3,
          write_f64: 3
        ] ++
          for(b <- [8, 16, 32, 64], f <- [:read_i, :read_u], do: {:"#{f}#{b}", 2}) ++
          for(b <- [8, 16, 32, 64], do: {:"write_i#{b}", 3}) do
    args = Macro.generate_arguments(arity, __MODULE__)
    types = [quote(do: memory()) | List.duplicate(quote(do: term()), arity - 1)]
    @doc "As `#{name}/#{arity}`, returning the bare value and raising the error."
    @spec unquote(:"#{name}!")(unquote_splicing(types)) :: term()
    def unquote(:"#{name}!")(unquote_splicing(args)),
      do: Beamr.Error.unwrap!(unquote(name)(unquote_splicing(args)))
  end

  # ------------------------------------------------------------------

  defp with_pid(%__MODULE__{instance: pid}, fun), do: wrap(Beamr.InstanceRef.with_pid(pid, fun))
  defp with_pid(ref, fun), do: wrap(Beamr.InstanceRef.with_pid(ref, fun))

  defp wrap({:error, reason}), do: Beamr.Error.error(reason)
  defp wrap(result), do: result

  defp check_offset!(n) when is_integer(n) and n >= 0, do: :ok

  defp check_offset!(n),
    do: raise(ArgumentError, "expected a non-negative integer offset or length, got: #{inspect(n)}")

  defp iodata(data) do
    {:ok, IO.iodata_to_binary(data)}
  rescue
    ArgumentError -> :error
  end

  defp write_int(memory, offset, value, bits)
       when is_integer(value) and value >= -(1 <<< (bits - 1)) and value < 1 <<< bits do
    write_binary(memory, offset, <<value::little-size(bits)>>)
  end

  defp write_int(_memory, offset, value, _bits) do
    check_offset!(offset)
    {:error, {:invalid_args, [value]}}
  end

  defp write_float(memory, offset, value, bits) do
    case encode_float(value, bits) do
      {:ok, bin} ->
        write_binary(memory, offset, bin)

      :error ->
        check_offset!(offset)
        {:error, {:invalid_args, [value]}}
    end
  end

  # IEEE 754 special values by their bits (Erlang floats hold none).
  defp encode_float(:nan, 32), do: {:ok, <<0x7FC00000::little-32>>}
  defp encode_float(:nan, 64), do: {:ok, <<0x7FF8000000000000::little-64>>}
  defp encode_float(:infinity, 32), do: {:ok, <<0x7F800000::little-32>>}
  defp encode_float(:infinity, 64), do: {:ok, <<0x7FF0000000000000::little-64>>}
  defp encode_float(:"-infinity", 32), do: {:ok, <<0xFF800000::little-32>>}
  defp encode_float(:"-infinity", 64), do: {:ok, <<0xFFF0000000000000::little-64>>}

  defp encode_float(v, 32) when is_number(v) do
    # Beyond the f32 range rounds to an infinity, as f32 arguments do.
    if abs(v) >= 3.4028235677973366e38,
      do: encode_float(if(v > 0, do: :infinity, else: :"-infinity"), 32),
      else: {:ok, <<v::float-little-32>>}
  end

  defp encode_float(v, 64) when is_number(v) do
    {:ok, <<v::float-little-64>>}
  rescue
    ArgumentError -> :error
  end

  defp encode_float(_v, _bits), do: :error

  defp decode_float(<<v::float-little-32>>, 32), do: v
  defp decode_float(<<v::float-little-64>>, 64), do: v
  # Not a finite float: an infinity (zero fraction) or a NaN.
  defp decode_float(bin, 32), do: special(bin, <<0x7F800000::little-32>>, <<0xFF800000::little-32>>)

  defp decode_float(bin, 64),
    do: special(bin, <<0x7FF0000000000000::little-64>>, <<0xFFF0000000000000::little-64>>)

  defp special(inf, inf, _neg), do: :infinity
  defp special(neg, _inf, neg), do: :"-infinity"
  defp special(_nan, _inf, _neg), do: :nan
end
