# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Registry do
  @moduledoc false
  # What Elixir keeps about an instance it started: the %Beamr.Module{}
  # (for Beamr.module/1), the default fuel of each call (Beamr.Limits) and
  # the instances started for its `links:` (stopped when it ends).
  # (The import handler is bound in :beamr at the start.) One public ETS
  # table of {pid, module, fuel}, read without a message and one field at
  # a time (a call copies the fuel only); this process owns it and drops
  # an instance's row when the instance ends.
  use GenServer

  @table __MODULE__

  @doc false
  def start_link(_arg), do: GenServer.start_link(__MODULE__, nil, name: __MODULE__)

  @doc false
  def child_spec(arg), do: %{id: __MODULE__, start: {__MODULE__, :start_link, [arg]}}

  @doc "Remembers `module` and `fuel` for `pid` until `pid` ends, then stops `links`."
  @spec put(pid(), Beamr.Module.t(), pos_integer() | nil, [pid()]) :: :ok
  def put(pid, module, fuel, links \\ []) do
    case Process.whereis(__MODULE__) do
      nil ->
        raise ArgumentError,
              "the :beamr application is not started (Application.ensure_all_started(:beamr))"

      _ ->
        :ets.insert(@table, {pid, module, fuel})
        GenServer.cast(__MODULE__, {:watch, pid, links})
    end
  end

  @doc "The module of `pid`, or nil (not started from Elixir, or ended)."
  @spec module(pid()) :: Beamr.Module.t() | nil
  def module(pid), do: field(pid, 2)

  @doc "The default fuel of the calls to `pid`, or nil."
  @spec fuel(pid()) :: pos_integer() | nil
  def fuel(pid), do: field(pid, 3)

  defp field(pid, pos) do
    :ets.lookup_element(@table, pid, pos)
  rescue
    # No such row (or no table: the application is not started).
    ArgumentError -> nil
  end

  @impl true
  def init(nil) do
    :ets.new(@table, [:named_table, :public, :set, read_concurrency: true])
    # The links of each watched instance.
    {:ok, %{}}
  end

  @impl true
  def handle_cast({:watch, pid, links}, state) do
    # A pid that is already gone gives its :DOWN at once.
    Process.monitor(pid)
    {:noreply, if(links == [], do: state, else: Map.put(state, pid, links))}
  end

  @impl true
  def handle_info({:DOWN, _ref, :process, pid, _reason}, state) do
    :ets.delete(@table, pid)
    {links, state} = Map.pop(state, pid, [])
    # beamr's stop waits for the instance to end: not in this process.
    if links != [], do: spawn(fn -> Enum.each(links, &:beamr.stop/1) end)
    {:noreply, state}
  end
end
