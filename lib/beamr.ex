# SPDX-License-Identifier: Apache-2.0
defmodule Beamr do
  @moduledoc """
  WebAssembly on the BEAM, with the shapes Wasmex users know.

  `start_link/1` compiles and instantiates a module and returns the pid of
  the instance; `call_function/4` calls its exports:

      iex> wat = ~S'''
      ...> (module
      ...>   (func (export "sum") (param i32 i32) (result i32)
      ...>     local.get 0 local.get 1 i32.add))
      ...> '''
      iex> {:ok, pid} = Beamr.start_link(%{bytes: wat})
      iex> Beamr.call_function(pid, "sum", [50, -8])
      {:ok, [42]}
      iex> Beamr.call_function(pid, :sum, ["50", -8])
      {:error, {:invalid_args, ["50", -8]}}

  `bytes:` takes a wasm binary or WebAssembly text (as above), which
  beamr's engine reads itself.

  ## How it runs

  Unlike Wasmex, there is no GenServer between the caller and the wasm
  code: the call runs in the calling process, on a normal scheduler, in
  slices of about 0.2 ms, so that a long or endless call never blocks the
  VM and is ended by its `timeout:`. Imports are Elixir functions that
  run in the calling process too (see `Beamr.Imports`). The pid is the
  instance's owner process: one call runs at a time per instance, calls
  from other processes queue. The instance is linked to the process that
  called `start_link/1` and stops when that process ends; under a
  supervisor (`child_spec/1`) a crashed instance is restarted.

  ## Errors

  `{:error, reason}` with `reason` one of those listed in `Beamr.Error`:
  `%Beamr.Trap{}` when the wasm code traps, `%Beamr.CompileError{}`,
  `%Beamr.LinkError{}`, `%Beamr.ImportError{}` when an import raised,
  `{:invalid_args, args}`, `:timeout`, `:out_of_fuel`, `:stopped`, ...
  Programmer errors (an options map with unknown keys, a params value
  that is not a list) raise `ArgumentError`.

  ## Beyond Wasmex

  `stop/1`, `snapshot/1` and `restore/2` (the whole state of an instance),
  `run_wasi/2` (a WASI command to its end), `add_fuel/2` and
  `fuel_remaining/1` (a fuel budget), `Beamr.Limits` (memory, tables,
  call depth, fuel per call) and the Erlang API underneath (`:beamr`).
  """

  alias Beamr.{Error, Imports, InstanceRef}

  @typedoc "An instance: its pid or the name it was registered under."
  @type instance :: pid() | atom()

  @typedoc """
  Options of `start_link/1`, as a map or a keyword list:

    * `:bytes` - wasm bytes or WebAssembly text
    * `:module` - a `Beamr.Module` instead of `:bytes` (compiled once,
      shared by its instances)
    * `:imports` - see `Beamr.Imports`
    * `:wasi` - `true`, a `Beamr.Wasi` struct or its fields: WASI preview 1
      served natively (`false`, the default: no WASI)
    * `:limits` - a `Beamr.Limits` struct or its fields
    * `:name` - an atom to register the instance under
    * `:links` - Wasmex's module linking: `%{module_name => %{bytes: bytes}
      | %{module: module}}` (each may have `:imports` and `:links` of its
      own); each is started as an instance whose exports serve the
      imports of `module_name`, natively, and stops with this instance
  """
  @type start_opts :: map() | keyword()

  @start_keys [:bytes, :module, :imports, :wasi, :limits, :name, :links]

  @doc """
  Compiles (from `:bytes`) and instantiates a module, runs its start
  function, and returns the instance's pid, linked to the caller.

      iex> {:ok, pid} = Beamr.start_link(bytes: File.read!(TestHelper.fixture("hyperbeam/test.wasm")), name: :fac)
      iex> Beamr.call_function(:fac, "fac", [5.0])
      {:ok, [120.0]}
      iex> Beamr.start_link(bytes: File.read!(TestHelper.fixture("hyperbeam/test.wasm")), name: :fac)
      {:error, {:already_started, pid}}

  Imports as Wasmex writes them (see `Beamr.Imports`):

      iex> wat = ~S'''
      ...> (module
      ...>   (import "env" "add" (func $add (param i32 i32) (result i32)))
      ...>   (func (export "add_twice") (param i32 i32) (result i32)
      ...>     (call $add (call $add (local.get 0) (local.get 1)) (local.get 1))))
      ...> '''
      iex> imports = %{"env" => %{"add" => {:fn, [:i32, :i32], [:i32], fn _context, a, b -> a + b end}}}
      iex> {:ok, pid} = Beamr.start_link(%{bytes: wat, imports: imports})
      iex> Beamr.call_function(pid, "add_twice", [1, 10])
      {:ok, [21]}
      iex> {:error, %Beamr.LinkError{reason: :unknown_import}} = Beamr.start_link(%{bytes: wat})

  Errors: `%Beamr.CompileError{}`, `%Beamr.LinkError{}`, `%Beamr.Trap{}`
  (the start function trapped), `%Beamr.ImportError{}`,
  `{:already_started, pid}` (the `:name` is taken), `%Beamr.Error{kind:
  :wasi}`. Raises `ArgumentError` for an unknown option or one of the
  wrong type.
  """
  @spec start_link(start_opts()) ::
          {:ok, pid()} | {:error, Error.reason() | {:already_started, pid()}}
  def start_link(opts), do: start(opts, true)

  @doc """
  As `start_link/1`, but not linked to the caller (the instance still stops
  when the calling process ends; `stop/1` stops it earlier).
  """
  @spec start(start_opts()) :: {:ok, pid()} | {:error, Error.reason() | {:already_started, pid()}}
  def start(opts), do: start(opts, false)

  defp start(opts, link?) do
    opts = options!(opts)
    wasi = if opts[:wasi] in [nil, false], do: nil, else: Beamr.Wasi.new(opts.wasi)
    limits = Beamr.Limits.new(opts[:limits])
    table = Imports.normalize!(opts[:imports])

    with :ok <- name_free(opts[:name]),
         {:ok, module} <- load_module(opts),
         {:ok, linked} <- start_links(opts[:links]) do
      table = Map.merge(table, linked)

      case start_instance(module, table, wasi, limits) do
        {:ok, pid} ->
          if link?, do: Process.link(pid)
          Beamr.Registry.put(pid, module, limits.fuel, Map.values(linked))
          register(pid, opts[:name])

        error ->
          Enum.each(Map.values(linked), &stop/1)
          error
      end
    end
  end

  defp start_instance(module, table, wasi, limits) do
    with :ok <- Imports.link(module, table, wasi != nil),
         do: instantiate(module, table, wasi, limits)
  end

  # Wasmex's `links:`: one instance per entry (its own links first), for
  # the imports of that module name; all stopped again if one fails.
  defp start_links(nil), do: {:ok, %{}}

  defp start_links(links) when is_map(links) do
    Enum.reduce_while(links, {:ok, %{}}, fn {name, spec}, {:ok, acc} ->
      case start(link_opts!(name, spec), false) do
        {:ok, pid} ->
          {:cont, {:ok, Map.put(acc, Beamr.Globals.name!(name), pid)}}

        error ->
          Enum.each(Map.values(acc), &stop/1)
          {:halt, error}
      end
    end)
  end

  defp start_links(other), do: raise(ArgumentError, "links: must be a map, got: #{inspect(other)}")

  defp link_opts!(_name, spec) when is_map(spec) or is_list(spec) do
    Map.take(Map.new(spec), [:bytes, :module, :imports, :links])
  end

  defp link_opts!(name, spec),
    do:
      raise(
        ArgumentError,
        "link #{inspect(name)}: expected %{bytes: ...} or %{module: ...}, got: #{inspect(spec)}"
      )

  defp options!(opts) when is_list(opts) do
    if Keyword.keyword?(opts), do: options!(Map.new(opts)), else: bad_options!(opts)
  end

  defp options!(opts) when is_map(opts) do
    case Map.keys(opts) -- @start_keys do
      [] -> opts
      keys -> raise ArgumentError, "unknown Beamr.start_link/1 options: #{inspect(keys)}"
    end
  end

  defp options!(opts), do: bad_options!(opts)

  defp bad_options!(opts),
    do: raise(ArgumentError, "expected a map or keyword list of options, got: #{inspect(opts)}")

  defp load_module(%{module: %Beamr.Module{} = module}), do: {:ok, module}
  defp load_module(%{bytes: bytes}) when is_binary(bytes), do: Beamr.Module.compile(bytes)

  defp load_module(opts) do
    raise ArgumentError,
          "expected bytes: (a binary) or module: (a Beamr.Module), got: " <>
            inspect(Map.take(opts, [:bytes, :module]))
  end

  defp instantiate(module, table, wasi, limits) do
    erl_opts = %{
      imports: Imports.to_erlang(table, wasi != nil),
      limits: Beamr.Limits.to_erlang(limits),
      import_fun: Imports.handler(table)
    }

    erl_opts = if wasi, do: Map.put(erl_opts, :wasi, Beamr.Wasi.to_erlang(wasi)), else: erl_opts
    result(:beamr.start(module.ref, erl_opts))
  end

  defp name_free(nil), do: :ok

  defp name_free(name) when is_atom(name) do
    case Process.whereis(name) do
      nil -> :ok
      pid -> {:error, {:already_started, pid}}
    end
  end

  defp name_free(name), do: raise(ArgumentError, "name: must be an atom, got: #{inspect(name)}")

  defp register(pid, nil), do: {:ok, pid}

  defp register(pid, name) do
    Process.register(pid, name)
    {:ok, pid}
  rescue
    # Taken meanwhile by another process.
    ArgumentError ->
      other = Process.whereis(name)
      stop(pid)
      {:error, {:already_started, other}}
  end

  @doc """
  A child specification to start an instance under a supervisor with
  `start_link/1` (`:permanent`: a crashed instance is started again from
  the same options).

      children = [{Beamr, %{bytes: File.read!("app.wasm"), name: :app}}]
      Supervisor.start_link(children, strategy: :one_for_one)
  """
  @spec child_spec(start_opts()) :: Supervisor.child_spec()
  def child_spec(opts) do
    name = if is_list(opts), do: Keyword.get(opts, :name), else: Map.get(opts, :name)

    %{
      id: name || __MODULE__,
      start: {__MODULE__, :start_link, [opts]},
      type: :worker,
      restart: :permanent
    }
  end

  @doc """
  Calls the export `name` (a string or an atom; or an integer: the function
  at that index of table 0) with `params`, and returns its results.

  The fourth argument is the timeout in milliseconds (default 5000, as
  Wasmex; `:infinity` for none) or a keyword list:

    * `:timeout` - milliseconds for the whole call, the wait for the
      instance included; a call still running then is ended and returns
      `{:error, :timeout}`, leaving the instance usable
    * `:fuel` - about this many wasm instructions, then `{:error,
      :out_of_fuel}` (default: the instance's `Beamr.Limits` fuel)

  Params are integers for i32/i64 (from -2^31 to 2^32-1 and -2^63 to
  2^64-1), numbers or `:nan`, `:infinity`, `:"-infinity"` for f32/f64,
  integers (or `{shape, lanes}`, see `:beamr.v128/2`) for v128, `:null` or
  a term from a table for references. Results: integers are signed.

      iex> wat = ~S'''
      ...> (module
      ...>   (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      ...>   (func (export "spin") (loop br 0)))
      ...> '''
      iex> {:ok, pid} = Beamr.start_link(%{bytes: wat})
      iex> Beamr.call_function(pid, "div", [7, 2])
      {:ok, [3]}
      iex> {:error, %Beamr.Trap{reason: :integer_divide_by_zero}} = Beamr.call_function(pid, "div", [7, 0])
      iex> Beamr.call_function(pid, "spin", [], 50)
      {:error, :timeout}
      iex> Beamr.call_function(pid, "nope", [])
      {:error, :function_not_found}

  Errors: `%Beamr.Trap{}`, `%Beamr.ImportError{}`, `{:invalid_args,
  params}`, `:function_not_found`, `:timeout`, `:out_of_fuel`,
  `:stopped`, `{:exit, code}` (WASI `proc_exit`).
  """
  @spec call_function(
          instance(),
          String.t() | atom() | non_neg_integer(),
          list(),
          timeout() | keyword()
        ) ::
          {:ok, list()} | {:error, Error.reason()}
  def call_function(instance, name, params, opts \\ [])

  def call_function(instance, name, params, opts) when is_list(params) do
    func = func_name!(name)
    opts = call_opts!(opts)

    InstanceRef.with_pid(instance, fn pid ->
      erl_opts = erl_call_opts(opts, Beamr.Registry.fuel(pid))
      # No import fun: the Elixir imports were bound at the start.
      result(:beamr.call(pid, func, params, :undefined, nil, erl_opts))
    end)
  end

  def call_function(_instance, _name, params, _opts),
    do: raise(ArgumentError, "params must be a list, got: #{inspect(params)}")

  @doc "As `call_function/4`, returning the results and raising the error."
  @spec call_function!(
          instance(),
          String.t() | atom() | non_neg_integer(),
          list(),
          timeout() | keyword()
        ) ::
          list()
  def call_function!(instance, name, params, opts \\ []),
    do: Error.unwrap!(call_function(instance, name, params, opts))

  defp func_name!(name) when is_binary(name), do: name
  defp func_name!(index) when is_integer(index) and index >= 0, do: index

  defp func_name!(name) when is_atom(name) and name not in [nil, true, false],
    do: Atom.to_string(name)

  defp func_name!(name),
    do:
      raise(
        ArgumentError,
        "expected a function name (string or atom) or index, got: #{inspect(name)}"
      )

  defp call_opts!(timeout) when is_integer(timeout) or timeout == :infinity, do: [timeout: timeout]

  defp call_opts!(opts) when is_list(opts) do
    case Keyword.keys(opts) -- [:timeout, :fuel] do
      [] -> opts
      keys -> raise ArgumentError, "unknown call options: #{inspect(keys)}"
    end
  end

  defp call_opts!(other),
    do: raise(ArgumentError, "expected a timeout or call options, got: #{inspect(other)}")

  defp erl_call_opts(opts, default_fuel) do
    timeout = Keyword.get(opts, :timeout, 5000)

    if not (timeout == :infinity or (is_integer(timeout) and timeout >= 0)),
      do: raise(ArgumentError, "timeout must be a non-negative integer or :infinity")

    case Keyword.get(opts, :fuel, default_fuel) do
      nil -> %{timeout: timeout}
      fuel when is_integer(fuel) and fuel > 0 -> %{timeout: timeout, fuel: fuel}
      fuel -> raise ArgumentError, "fuel must be a positive integer, got: #{inspect(fuel)}"
    end
  end

  @doc """
  Whether the instance exports a function `name`.

      iex> {:ok, pid} = Beamr.start_link(bytes: File.read!(TestHelper.fixture("hyperbeam/test.wasm")))
      iex> Beamr.function_exists(pid, "fac")
      true
      iex> Beamr.function_exists(pid, :something_else)
      false
  """
  @spec function_exists(instance(), String.t() | atom()) :: boolean()
  def function_exists(instance, name) do
    name = Beamr.Globals.name!(name)

    case InstanceRef.pid(instance) do
      {:ok, pid} ->
        case :beamr.exports(pid) do
          exports when is_list(exports) -> Enum.any?(exports, &match?({^name, {:func, _, _}}, &1))
          {:error, _} -> false
        end

      {:error, _} ->
        false
    end
  end

  @doc """
  The instance's memory 0, for `Beamr.Memory`.

      iex> {:ok, pid} = Beamr.start_link(bytes: File.read!(TestHelper.fixture("hyperbeam/test-print.wasm")), wasi: true)
      iex> {:ok, memory} = Beamr.memory(pid)
      iex> Beamr.Memory.read_binary(memory, 66, 13)
      {:ok, "Hello, World!"}

  Errors: `:no_memory`, `:stopped`.
  """
  @spec memory(instance()) :: {:ok, Beamr.Memory.t()} | {:error, Error.reason()}
  def memory(instance) do
    InstanceRef.with_pid(instance, fn pid ->
      with {:ok, _size} <- result(:beamr.memory_size(pid)), do: {:ok, %Beamr.Memory{instance: pid}}
    end)
  end

  @doc """
  The `Beamr.Module` the instance was started from.

  Errors: `:stopped`, `:not_found` (an instance started from Erlang
  rather than with `start_link/1`).
  """
  @spec module(instance()) :: {:ok, Beamr.Module.t()} | {:error, :stopped | :not_found}
  def module(instance) do
    InstanceRef.with_pid(instance, fn pid ->
      case Beamr.Registry.module(pid) do
        %Beamr.Module{} = module -> {:ok, module}
        nil -> {:error, if(Process.alive?(pid), do: :not_found, else: :stopped)}
      end
    end)
  end

  @doc """
  Stops the instance: a running call ends at once with `{:error,
  :stopped}`, and so do later calls. Idempotent.
  """
  @spec stop(instance()) :: :ok
  def stop(instance) do
    case InstanceRef.pid(instance) do
      {:ok, pid} -> :beamr.stop(pid)
      {:error, :stopped} -> :ok
    end
  end

  @doc """
  Gives the instance `units` more fuel (about one unit per wasm
  instruction; Wasmex's `set_fuel`/`consume_fuel` on a store). From then
  on every call draws from this budget, and a call that spends it ends
  with `{:error, :out_of_fuel}`, leaving the instance usable: add fuel to
  go on. An instance never given fuel is unmetered. A call's own `fuel:`
  (or the `Beamr.Limits` fuel) still bounds each call as well.

      iex> wat = ~S{(module (func (export "spin") (loop br 0)) (func (export "nop")))}
      iex> {:ok, pid} = Beamr.start_link(bytes: wat)
      iex> Beamr.fuel_remaining(pid)
      {:ok, :infinity}
      iex> Beamr.add_fuel(pid, 5000)
      :ok
      iex> Beamr.call_function(pid, "spin", [])
      {:error, :out_of_fuel}
      iex> Beamr.fuel_remaining(pid)
      {:ok, 0}

  Errors: `:stopped`. Raises `ArgumentError` unless `units` is a
  non-negative integer.
  """
  @spec add_fuel(instance(), non_neg_integer()) :: :ok | {:error, :stopped}
  def add_fuel(instance, units) when is_integer(units) and units >= 0,
    do: InstanceRef.with_pid(instance, &:beamr.add_fuel(&1, units))

  def add_fuel(_instance, units),
    do: raise(ArgumentError, "fuel must be a non-negative integer, got: #{inspect(units)}")

  @doc """
  The instance's fuel budget (`add_fuel/2`): `{:ok, units}`, or `{:ok,
  :infinity}` for an instance never given fuel.

  Errors: `:stopped`.
  """
  @spec fuel_remaining(instance()) :: {:ok, non_neg_integer() | :infinity} | {:error, :stopped}
  def fuel_remaining(instance), do: InstanceRef.with_pid(instance, &:beamr.fuel_remaining/1)

  @doc """
  The whole mutable state of the instance (memories, mutable globals,
  tables) as a binary that `restore/2` puts into an instance of the same
  module, which then goes on where this one was.

      iex> wat = ~S'''
      ...> (module
      ...>   (global $n (mut i32) (i32.const 0))
      ...>   (func (export "next") (result i32)
      ...>     (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))
      ...> '''
      iex> {:ok, module} = Beamr.Module.compile(wat)
      iex> {:ok, a} = Beamr.start_link(module: module)
      iex> {:ok, [1]} = Beamr.call_function(a, "next", [])
      iex> {:ok, snapshot} = Beamr.snapshot(a)
      iex> {:ok, b} = Beamr.start_link(module: module)
      iex> Beamr.restore(b, snapshot)
      :ok
      iex> Beamr.call_function(b, "next", [])
      {:ok, [2]}

  Errors: `:stopped`, `%Beamr.Error{kind: :snapshot}`.
  """
  @spec snapshot(instance()) :: {:ok, binary()} | {:error, Error.reason()}
  def snapshot(instance), do: InstanceRef.with_pid(instance, &result(:beamr.snapshot(&1)))

  @doc """
  Restores a `snapshot/1` into an instance of the same module.

  Errors: `%Beamr.Error{kind: :snapshot, reason: :snapshot_mismatch}`
  (another module's snapshot), `%Beamr.Error{kind: :snapshot}` with an
  `aot_*` reason (not a snapshot), `:stopped`.
  """
  @spec restore(instance(), binary()) :: :ok | {:error, Error.reason()}
  def restore(instance, snapshot) when is_binary(snapshot),
    do: InstanceRef.with_pid(instance, &result(:beamr.restore(&1, snapshot)))

  def restore(_instance, other),
    do: raise(ArgumentError, "expected a snapshot binary, got: #{inspect(other)}")

  @doc """
  Runs a WASI command to its end: starts an instance with native WASI,
  calls `_start`, stops the instance and returns the exit code with what
  the program wrote to its captured stdout and stderr.

  `opts` (a map or keyword list): `:wasi` (a `Beamr.Wasi` or its fields;
  default all defaults), `:imports`, `:limits`, and for the `_start`
  call `:timeout` (default `:infinity`) and `:fuel`. `opts` may also be a
  `Beamr.Wasi` struct alone.

      iex> {:ok, result} = Beamr.run_wasi(TestHelper.hello_wat(), wasi: [args: ["hello"]])
      iex> result
      %{exit_code: 0, stdout: "hi\\n", stderr: ""}

  Errors: those of `start_link/1` and `call_function/4`, and
  `:function_not_found` without a `_start` export.
  """
  @spec run_wasi(binary() | Beamr.Module.t(), map() | keyword()) ::
          {:ok, %{exit_code: integer(), stdout: binary(), stderr: binary()}}
          | {:error, Error.reason()}
  def run_wasi(bytes_or_module, opts \\ [])

  def run_wasi(bytes_or_module, %Beamr.Wasi{} = wasi), do: run_wasi(bytes_or_module, wasi: wasi)

  def run_wasi(bytes_or_module, opts) do
    opts = Map.new(opts)

    case Map.keys(opts) -- [:wasi, :imports, :limits, :timeout, :fuel] do
      [] -> :ok
      keys -> raise ArgumentError, "unknown Beamr.run_wasi/2 options: #{inspect(keys)}"
    end

    wasi = Beamr.Wasi.new(Map.get(opts, :wasi, true))
    limits = Beamr.Limits.new(opts[:limits])
    table = Imports.normalize!(opts[:imports])

    source =
      if is_binary(bytes_or_module), do: %{bytes: bytes_or_module}, else: %{module: bytes_or_module}

    with {:ok, module} <- load_module(source),
         :ok <- Imports.link(module, table, true) do
      call =
        erl_call_opts(
          Keyword.take(Map.to_list(opts), [:timeout, :fuel]) |> default_infinity(),
          limits.fuel
        )

      erl_opts =
        Map.merge(call, %{
          wasi: Beamr.Wasi.to_erlang(wasi),
          imports: Imports.to_erlang(table, true),
          limits: Beamr.Limits.to_erlang(limits),
          import_fun: Imports.handler(table)
        })

      result(:beamr.run_wasi(module.ref, erl_opts))
    end
  end

  defp default_infinity(opts), do: Keyword.put_new(opts, :timeout, :infinity)

  # The Erlang API's results in Elixir's terms.
  defp result({:ok, results, _state}), do: {:ok, results}
  defp result({:ok, _} = ok), do: ok
  defp result(:ok), do: :ok
  defp result({:error, :throw, {:beamr_import_error, error}, _stack, _state}), do: {:error, error}

  defp result({:error, kind, reason, stack, _state}) do
    {:error, %Beamr.ImportError{kind: kind, reason: reason, stacktrace: stack}}
  end

  defp result({:error, reason}), do: Error.error(reason)
end
