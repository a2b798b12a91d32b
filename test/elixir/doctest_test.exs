# SPDX-License-Identifier: Apache-2.0
defmodule Beamr.DoctestTest do
  use ExUnit.Case, async: true

  doctest Beamr
  doctest Beamr.Module
  doctest Beamr.Memory
  doctest Beamr.Globals
  doctest Beamr.Tables
  doctest Beamr.Limits
  doctest Beamr.Wasi
  doctest Beamr.Pipe
  doctest Beamr.Trap
  doctest Beamr.CompileError
  doctest Beamr.LinkError
  doctest Beamr.Error
end
