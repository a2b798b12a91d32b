%% @doc Test helper: compiles WebAssembly text with wabt's `wat2wasm'
%% (installed with the build tools) into a binary.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_wat).

-export([wasm/1]).

-spec wasm(iodata()) -> binary().
wasm(Text) ->
    Dir = filename:join(["build", "wat", integer_to_list(
                                             erlang:unique_integer([positive]))]),
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    Wat = filename:join(Dir, "m.wat"),
    Wasm = filename:join(Dir, "m.wasm"),
    ok = file:write_file(Wat, Text),
    Out = os:cmd("wat2wasm --enable-all " ++ Wat ++ " -o " ++ Wasm ++ " 2>&1"),
    case file:read_file(Wasm) of
        {ok, Bin} ->
            _ = file:del_dir_r(Dir),
            Bin;
        {error, _} ->
            erlang:error({wat2wasm, Out})
    end.
