%% @doc Test helper: reads a WASI test program (test/wasi/*.c or *.wat)
%% that `make wasi-programs' built into build/wasi/; shared by the WASI
%% and the limits suites.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_wasi_program).

-export([read/1]).

-define(BUILD, "build/wasi").

%% @doc The bytes of build/wasi/`Name'.wasm; raises
%% `{missing_program, Path, Reason, Hint}' when it is not built.
-spec read(string()) -> binary().
read(Name) ->
    Path = filename:join(?BUILD, Name ++ ".wasm"),
    case file:read_file(Path) of
        {ok, Bin} -> Bin;
        {error, Reason} -> error({missing_program, Path, Reason,
                                  "run make wasi-programs"})
    end.
