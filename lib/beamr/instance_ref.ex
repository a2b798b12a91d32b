# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.InstanceRef do
  @moduledoc false
  # Every function of this package that takes an instance accepts its pid,
  # the name it was registered under (`name:` of Beamr.start_link/1), an
  # import's context map or a %Beamr.Memory{}.

  @type t :: pid() | atom() | %{instance: pid()}

  @doc "The instance's pid; a name registered by nobody gives :stopped."
  @spec pid(t()) :: {:ok, pid()} | {:error, :stopped}
  def pid(pid) when is_pid(pid), do: {:ok, pid}
  def pid(%{instance: pid}) when is_pid(pid), do: {:ok, pid}

  def pid(name) when is_atom(name) and name != nil do
    case Process.whereis(name) do
      nil -> {:error, :stopped}
      pid -> {:ok, pid}
    end
  end

  def pid(other),
    do: raise(ArgumentError, "expected a beamr instance (pid or name), got: #{inspect(other)}")

  @doc "Runs `fun` with the instance's pid; `{:error, :stopped}` otherwise."
  @spec with_pid(t(), (pid() -> result)) :: result | {:error, :stopped} when result: term()
  def with_pid(ref, fun) do
    case pid(ref) do
      {:ok, pid} -> fun.(pid)
      error -> error
    end
  end
end
