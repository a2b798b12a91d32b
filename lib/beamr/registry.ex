# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Registry do
  @moduledoc false
  # What Elixir keeps about an instance it started: the %Beamr.Module{}
  # (for Beamr.module/1) and the import handler every call passes to
  # :beamr.call/6 (imports run in the caller's process, so each call
  # brings them). One public ETS table, read without a message; this
  # process owns it and drops an instance's row when the instance ends.
  use GenServer

  @table __MODULE__

  @doc false
  def start_link(_arg), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)

  @doc false
  def child_spec(arg), do: %{id: __MODULE__, start: {__MODULE__, :start_link, [arg]}}

  @doc "Remembers `entry` for `pid` until `pid` ends."
  @spec put(pid(), map()) :: :ok
  def put(pid, entry) do
    case Process.whereis(__MODULE__) do
      nil ->
        raise ArgumentError,
              "the :beamr application is not started (Application.ensure_all_started(:beamr))"

      _ ->
        :ets.insert(@table, {pid, entry})
        GenServer.cast(__MODULE__, {:watch, pid})
    end
  end

  @doc "The entry of `pid`, or nil (not started from Elixir, or ended)."
  @spec get(pid()) :: map() | nil
  def get(pid) do
    case :ets.lookup(@table, pid) do
      [{^pid, entry}] -> entry
      [] -> nil
    end
  rescue
    ArgumentError -> nil
  end

  @impl true
  def init(nil) do
    :ets.new(@table, [:named_table, :public, :set, read_concurrency: true])
    {:ok, nil}
  end

  @impl true
  def handle_cast({:watch, pid}, state) do
    # A pid that is already gone gives its :DOWN at once.
    Process.monitor(pid)
    {:noreply, state}
  end

  @impl true
  def handle_info({:DOWN, _ref, :process, pid, _reason}, state) do
    :ets.delete(@table, pid)
    {:noreply, state}
  end
end
