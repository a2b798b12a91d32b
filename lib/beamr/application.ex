# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.Application do
  @moduledoc false
  # Starts the registry that remembers, for each instance started from
  # Elixir, its module and its imports.
  use Application

  @impl true
  def start(_type, _args) do
    Supervisor.start_link([Beamr.Registry], strategy: :one_for_one, name: Beamr.Supervisor)
  end
end
