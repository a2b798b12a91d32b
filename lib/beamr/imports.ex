# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Imports do
  @moduledoc """
  Imports given to `Beamr.start_link/1` and `Beamr.run_wasi/2`, as Wasmex
  writes them: a map of module names to maps of import names (strings or
  atoms) to

    * `{:fn, params, results, fun}` - a function import, served by `fun`
      in the process that makes the call. `fun` takes a `context` and one
      argument per parameter, and returns the result (one value), a list
      of results, or anything when `results` is `[]`. The context is
      `%{instance: pid, memory: %Beamr.Memory{}, caller: pid}`: the
      instance's memory can be read and written and its exports called
      (nested calls) from inside the import.
    * `{:memory, min_pages, max_pages | nil}`, `{:table, min, max | nil}`,
      `{:global, value}` - the object given for a memory, table or global
      import (otherwise a fresh one of its declared type).
    * `{:export, instance, export_name}` - an export (function, memory,
      table or global) of another running instance, linked natively: a
      linked function runs inside the engine, a linked memory is one
      memory shared by both.

  Instead of a map of imports, a module name may map to an instance (pid
  or registered name): each import of that module is then the instance's
  export of the same name (`%{"utils" => utils_pid}`; Wasmex's `links:`
  option of `Beamr.start_link/1` starts such instances for you).

  ```
  %{"env" => %{"add" => {:fn, [:i32, :i32], [:i32], fn _context, a, b -> a + b end}}}
  ```

  Every function import of the module must be served, by this map, by a
  linked instance or by native WASI (`wasi:`), and with the module's
  types; otherwise starting is `{:error, %Beamr.LinkError{reason:
  :unknown_import | :incompatible_import_type}}` (`:unknown_export` or
  `:instance_stopped` for a link). An import function that raises, throws or
  exits, or returns the wrong number of results, makes the call return
  `{:error, %Beamr.ImportError{}}`; results of the wrong type trap the
  wasm code (`%Beamr.Trap{reason: :host_error}`). The call's timeout
  covers its imports: at the deadline the instance is released for other
  callers and the call returns `{:error, :timeout}` once the import
  function returns (Elixir code in the caller is not interrupted).
  """

  @wasi "wasi_snapshot_preview1"

  @type fn_import :: {:fn, [Beamr.Module.valtype()], [Beamr.Module.valtype()], function()}
  @type import ::
          fn_import()
          | {:memory, non_neg_integer(), non_neg_integer() | nil}
          | {:table, non_neg_integer(), non_neg_integer() | nil}
          | {:global, term()}
          | {:export, Beamr.instance(), String.t() | atom()}
  @type t :: %{(String.t() | atom()) => %{(String.t() | atom()) => import()} | Beamr.instance()}

  @doc false
  # `%{{module, name} => import, module => instance}` with binary names;
  # ArgumentError for a shape that is not an import.
  @spec normalize!(t() | nil) :: %{({binary(), binary()} | binary()) => import() | Beamr.instance()}
  def normalize!(nil), do: %{}

  def normalize!(imports) when is_map(imports) do
    Enum.reduce(imports, %{}, fn
      {m, instance}, acc
      when is_pid(instance) or (is_atom(instance) and instance not in [nil, true, false]) ->
        Map.put(acc, name!(m), instance)

      {m, fields}, acc ->
        for {n, import} <- fields!(m, fields), into: acc do
          {{name!(m), name!(n)}, check!(name!(m), name!(n), import)}
        end
    end)
  end

  def normalize!(other), do: raise(ArgumentError, "expected an imports map, got: #{inspect(other)}")

  defp fields!(_m, fields) when is_map(fields), do: fields

  defp fields!(m, other),
    do: raise(ArgumentError, "imports of #{inspect(m)} must be a map, got: #{inspect(other)}")

  defp name!(name) when is_binary(name), do: name
  defp name!(name) when is_atom(name), do: Atom.to_string(name)
  defp name!(name), do: raise(ArgumentError, "expected an import name, got: #{inspect(name)}")

  defp check!(m, n, {:fn, params, results, fun} = import)
       when is_list(params) and is_list(results) and is_function(fun) do
    if not is_function(fun, length(params) + 1) do
      raise ArgumentError,
            "import #{m}.#{n} takes #{length(params)} parameters: its function " <>
              "must take #{length(params) + 1} arguments (the context first)"
    end

    import
  end

  defp check!(_m, _n, {:memory, _, _} = import), do: import
  defp check!(_m, _n, {:table, _, _} = import), do: import
  defp check!(_m, _n, {:global, _} = import), do: import

  defp check!(_m, _n, {:export, instance, export})
       when (is_pid(instance) or is_atom(instance)) and (is_binary(export) or is_atom(export)),
       do: {:export, instance, name!(export)}

  defp check!(m, n, other),
    do: raise(ArgumentError, "import #{m}.#{n}: not an import: #{inspect(other)}")

  @doc false
  # :ok when every function import of `module` is served with the right
  # types, or the first %Beamr.LinkError{}.
  @spec link(Beamr.Module.t(), map(), boolean()) :: :ok | {:error, Beamr.LinkError.t()}
  def link(%Beamr.Module{ref: ref}, table, wasi?) do
    Enum.find_value(:beamr.imports(ref), :ok, fn
      {m, n, {:func, params, results}} -> link_error(m, n, params, results, table, wasi?)
      _ -> nil
    end)
  end

  defp link_error(m, n, params, results, table, wasi?) do
    case Map.fetch(table, {m, n}) do
      {:ok, {:fn, ^params, ^results, _}} ->
        nil

      {:ok, {:fn, p, r, _}} ->
        error(
          m,
          n,
          :incompatible_import_type,
          "the module imports #{signature(params, results)}, the import given is #{signature(p, r)}"
        )

      # A link: beamr checks the export's type at the start.
      {:ok, {:export, _, _}} ->
        nil

      {:ok, _other} ->
        error(m, n, :incompatible_import_type, "the module imports a function")

      :error ->
        if not (wasi? and native?(m, n)) and not Map.has_key?(table, m),
          do:
            error(
              m,
              n,
              :unknown_import,
              "no import given for function #{signature(params, results)}"
            )
    end
  end

  defp error(m, n, reason, text),
    do: {:error, %Beamr.LinkError{reason: reason, module: m, name: n, message: text}}

  defp signature(params, results),
    do: "(#{Enum.join(params, ", ")}) -> (#{Enum.join(results, ", ")})"

  # What beamr's native WASI serves (with Emscripten's syscall stubs).
  defp native?(@wasi, _), do: true
  defp native?("env", "_emscripten_system"), do: true
  defp native?("env", "__syscall_" <> _), do: true
  defp native?(_, _), do: false

  @doc false
  # The Erlang `imports` start option: the objects given for memories,
  # tables and globals, and `import_fun` for the WASI functions an Elixir
  # import overrides.
  @spec to_erlang(map(), boolean()) :: map()
  def to_erlang(table, wasi?) do
    for {key, import} <- table, value = erlang_value(key, import, wasi?), into: %{} do
      {key, value}
    end
  end

  defp erlang_value({m, n}, {:fn, _, _, _}, true), do: if(native?(m, n), do: :import_fun)
  defp erlang_value(_key, {:fn, _, _, _}, false), do: nil
  defp erlang_value(_key, {:memory, min, max}, _), do: {:memory, min, max || :undefined}
  defp erlang_value(_key, {:table, min, max}, _), do: {:table, min, max || :undefined}
  defp erlang_value(_key, {:global, value}, _), do: {:global, value}
  defp erlang_value(_key, {:export, instance, name}, _), do: {:export, instance, name}
  # A module mapped to an instance.
  defp erlang_value(_module, instance, _), do: instance

  @doc false
  # The Erlang import fun serving the function imports of `table`.
  @spec handler(map()) :: (term(), map(), term() -> {:ok, list(), term()})
  def handler(table) do
    functions = for {key, {:fn, _, _, _} = f} <- table, into: %{}, do: {key, f}

    fn state, %{module: m, func: n, args: args, instance: pid}, _opts ->
      {:ok, serve(Map.get(functions, {m, n}), m, n, args, pid), state}
    end
  end

  # Runs the Elixir function; whatever goes wrong comes back to the caller
  # as a thrown %Beamr.ImportError{} (see Beamr.call_function/4).
  defp serve(import, m, n, args, pid) do
    {:fn, _params, results, fun} = import || missing!(m, n)
    context = %{instance: pid, memory: %Beamr.Memory{instance: pid}, caller: pid}
    fun |> apply([context | args]) |> results!(results, m, n)
  catch
    kind, reason ->
      error = %Beamr.ImportError{
        module: m,
        name: n,
        kind: kind,
        reason: Exception.normalize(kind, reason, __STACKTRACE__),
        stacktrace: __STACKTRACE__
      }

      throw({:beamr_import_error, error})
  end

  defp missing!(m, n), do: raise(ArgumentError, "no Elixir import #{m}.#{n}")

  defp results!(_value, [], _m, _n), do: []
  defp results!([value], [_], _m, _n), do: [value]
  defp results!(value, [_], _m, _n) when not is_list(value) and not is_tuple(value), do: [value]

  defp results!(values, types, _m, _n) when is_list(values) and length(values) == length(types),
    do: values

  defp results!(values, types, _m, _n)
       when is_tuple(values) and tuple_size(values) == length(types),
       do: Tuple.to_list(values)

  defp results!(value, types, m, n) do
    raise ArgumentError,
          "import #{m}.#{n} must return #{length(types)} value(s) #{inspect(types)}, got: #{inspect(value)}"
  end
end
