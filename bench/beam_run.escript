#!/usr/bin/env escript
%% Runs a WASI command module through the BEAM (beamr:start + beamr:call
%% of `_start`), serving its WASI imports in Erlang through an import fun:
%% just what the benchmark programs use (args, fd_write to stdout/stderr,
%% fdstat, seek, close, proc_exit). Usage: beam_run.escript prog.wasm args
%% SPDX-License-Identifier: Apache-2.0
%%! -noshell
-mode(compile).

-define(ESUCCESS, 0).
-define(EBADF, 8).
-define(ESPIPE, 70).

main([Wasm | Args]) ->
    Root = filename:dirname(filename:dirname(
                              filename:absname(escript:script_name()))),
    true = code:add_patha(filename:join(Root, "ebin")),
    {ok, Bin} = file:read_file(Wasm),
    {ok, Inst} = beamr:start(Bin, #{lazy_imports => true}),
    Argv = [unicode:characters_to_binary(A) || A <- [Wasm | Args]],
    Result = beamr:call(Inst, <<"_start">>, [], fun wasi/3, Argv, #{}),
    beamr:stop(Inst),
    case Result of
        {ok, _, _} ->
            halt(0);
        {error, throw, {proc_exit, Code}, _, _} ->
            halt(Code);
        Other ->
            io:format(standard_error, "beam_run: ~p~n", [Other]),
            halt(70)
    end;
main(_) ->
    io:format(standard_error, "usage: beam_run.escript prog.wasm [args]~n",
              []),
    halt(2).

u32(X) -> X band 16#FFFFFFFF.

wasi(Argv, #{func := F, args := A, instance := I}, _Opts) ->
    {ok, [call(F, [u32(X) || X <- A], I, Argv)], Argv}.

call(<<"args_sizes_get">>, [CountPtr, SizePtr], I, Argv) ->
    Size = lists:sum([byte_size(A) + 1 || A <- Argv]),
    ok = beamr:write(I, CountPtr, <<(length(Argv)):32/little>>),
    ok = beamr:write(I, SizePtr, <<Size:32/little>>),
    ?ESUCCESS;
call(<<"args_get">>, [ArgvPtr, BufPtr], I, Argv) ->
    lists:foldl(fun(A, {P, B}) ->
                        ok = beamr:write(I, P, <<B:32/little>>),
                        ok = beamr:write(I, B, [A, 0]),
                        {P + 4, B + byte_size(A) + 1}
                end, {ArgvPtr, BufPtr}, Argv),
    ?ESUCCESS;
call(<<"fd_write">>, [Fd, Iovs, N, NwPtr], I, _) when Fd =:= 1; Fd =:= 2 ->
    {ok, Vec} = beamr:read(I, Iovs, 8 * N),
    Data = [begin {ok, D} = beamr:read(I, P, L), D end
            || <<P:32/little, L:32/little>> <= Vec],
    Dev = case Fd of 1 -> standard_io; 2 -> standard_error end,
    ok = file:write(Dev, Data),
    ok = beamr:write(I, NwPtr, <<(iolist_size(Data)):32/little>>),
    ?ESUCCESS;
call(<<"fd_fdstat_get">>, [Fd, Buf], I, _) when Fd =< 2 ->
    %% A character device with all rights: stdout gets line buffering.
    ok = beamr:write(I, Buf, <<2, 0, 0:16, 0:32, -1:64, -1:64>>),
    ?ESUCCESS;
call(<<"fd_seek">>, _, _, _) ->
    ?ESPIPE;
call(<<"fd_close">>, _, _, _) ->
    ?ESUCCESS;
call(<<"proc_exit">>, [Code], _, _) ->
    throw({proc_exit, Code});
call(_, _, _, _) ->
    ?EBADF.
