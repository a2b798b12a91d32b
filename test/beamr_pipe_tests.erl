%% @doc EUnit tests of WASI stdin pipes: a program reads stdin while
%% Erlang writes it; a read of an empty pipe suspends the call in a
%% receive of the calling process (no scheduler blocked) until data
%% comes or the pipe closes. Uses build/wasi/cat_stdin.wasm (make
%% wasi-programs): it echoes stdin upper-cased, then counts.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_pipe_tests).
-include_lib("eunit/include/eunit.hrl").

cat() ->
    Path = filename:join("build/wasi", "cat_stdin.wasm"),
    case file:read_file(Path) of
        {ok, Bin} -> Bin;
        {error, Reason} -> error({missing_program, Path, Reason,
                                  "run make wasi-programs"})
    end.

%% The expected output, as with the same input given at once.
expected(Input) ->
    {ok, #{stdout := Out}} = beamr:run_wasi(cat(), #{wasi => #{stdin => Input}}),
    Out.

pipe_feeds_a_running_program_test() ->
    P = beamr:pipe(),
    {ok, I} = beamr:start(cat(), #{wasi => #{stdin => P}}),
    Self = self(),
    Caller = spawn(fun() -> Self ! {done, beamr:call(I, <<"_start">>, [])} end),
    %% The call waits for stdin in a receive: its process is waiting,
    %% not running on a scheduler.
    ok = wait_status(Caller, waiting, 100),
    Chunks = [<<"hello pipe\n">>, <<"second line, ">>,
              binary:copy(<<"x">>, 100), <<"\nend\n">>],
    [begin
         ok = beamr:pipe_write(P, C),
         timer:sleep(20)
     end || C <- Chunks],
    ok = beamr:pipe_close(P),
    ?assertEqual({error, closed}, beamr:pipe_write(P, <<"late">>)),
    receive {done, R} -> ?assertMatch({error, {exit, 0}}, exit_or_ok(R)) after 5000 -> ?assert(false) end,
    {ok, Out} = beamr:wasi_output(I, stdout),
    ?assertEqual(expected(iolist_to_binary(Chunks)), Out),
    beamr:stop(I).

%% _start returns or calls proc_exit(0): both mean the program ended.
exit_or_ok({ok, []}) -> {error, {exit, 0}};
exit_or_ok(Other) -> Other.

wait_status(_Pid, _Status, 0) ->
    timeout;
wait_status(Pid, Status, N) ->
    case process_info(Pid, status) of
        {status, Status} -> ok;
        _ -> timer:sleep(10), wait_status(Pid, Status, N - 1)
    end.

%% Data written before the program reads, and a pipe closed at once.
prefilled_and_empty_test() ->
    P = beamr:pipe(),
    ok = beamr:pipe_write(P, [<<"abc ">>, "def"]),
    ok = beamr:pipe_close(P),
    ?assertEqual({ok, expected(<<"abc def">>)},
                 stdout(beamr:run_wasi(cat(), #{wasi => #{stdin => P}}))),
    E = beamr:pipe(),
    ok = beamr:pipe_close(E),
    ok = beamr:pipe_close(E), %% idempotent
    ?assertEqual({ok, expected(<<>>)},
                 stdout(beamr:run_wasi(cat(), #{wasi => #{stdin => E}}))).

stdout({ok, #{stdout := Out}}) -> {ok, Out};
stdout(Other) -> Other.

%% The call's timeout covers the wait; stop ends it too.
timeout_and_stop_test() ->
    P = beamr:pipe(),
    {ok, I} = beamr:start(cat(), #{wasi => #{stdin => P}}),
    ?assertEqual({error, timeout},
                 beamr:call(I, <<"_start">>, [], #{timeout => 100})),
    P2 = beamr:pipe(),
    {ok, I2} = beamr:start(cat(), #{wasi => #{stdin => P2}}),
    Self = self(),
    spawn(fun() -> Self ! {done, beamr:call(I2, <<"_start">>, [])} end),
    timer:sleep(50),
    ok = beamr:stop(I2),
    receive {done, R} -> ?assertEqual({error, stopped}, R)
    after 2000 -> ?assert(false)
    end,
    beamr:stop(I).

bad_pipe_test() ->
    ?assertError(badarg, beamr:pipe_write(not_a_pipe, <<"x">>)),
    ?assertError(badarg, beamr:start(cat(), #{wasi => #{stdin => make_ref()}})).
