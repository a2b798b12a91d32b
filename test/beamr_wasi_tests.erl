%% @doc EUnit tests of native WASI through beamr: every case of
%% test/wasi/cases.txt (the C programs `make wasi-programs' builds into
%% build/wasi/) run with beamr:run_wasi/2 and compared byte for byte
%% with test/wasi/expected/, plus streaming, overriding a WASI function
%% with an Erlang import fun, proc_exit, options and hb_beamr:start/3.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_wasi_tests).
-include_lib("eunit/include/eunit.hrl").

-define(TDIR, "test/wasi").

program(Name) ->
    beamr_wasi_program:read(Name).

%% ------------------------------------------------------------------
%% The cases of test/wasi/cases.txt

cases_test_() ->
    {ok, Text} = file:read_file(filename:join(?TDIR, "cases.txt")),
    Lines = binary:split(Text, <<"\n">>, [global]),
    [{binary_to_list(Name), {timeout, 60, fun() -> run_case(Fields) end}}
     || Line <- Lines, Line =/= <<>>, binary:first(Line) =/= $#,
        Fields = [Name | _] <- [binary:split(Line, <<"|">>, [global])]].

run_case([Name, Prog, Argv, Env, Stdin, Preopens, _Source]) ->
    Root = make_dirs(),
    try
        Opts = #{args => words(Argv),
                 env => [list_to_tuple(binary:split(W, <<"=">>))
                         || W <- words(Env)],
                 preopens => [preopen(P, Root)
                              || P <- binary:split(Preopens, <<",">>,
                                                   [global, trim_all])],
                 stdin => stdin(Stdin)},
        {ok, Result} = beamr:run_wasi(program(binary_to_list(Prog)),
                                      #{wasi => Opts, timeout => 30000}),
        #{exit_code := Code, stdout := Out, stderr := Err} = Result,
        ?assertEqual(expected(Name, "stdout"), Out),
        ?assertEqual(expected(Name, "stderr"), Err),
        ?assertEqual(binary_to_integer(string:trim(expected(Name, "exit"))),
                     Code)
    after
        ok = file:del_dir_r(Root)
    end.

words(B) ->
    binary:split(B, <<" ">>, [global, trim_all]).

stdin(<<"-">>) -> empty;
stdin(File) ->
    {ok, Data} = file:read_file(filename:join(?TDIR, File)),
    Data.

%% "/guest=dir[:ro]" with dir under Root.
preopen(Spec, Root) ->
    [Guest, Dir0] = binary:split(Spec, <<"=">>),
    {Dir, Mode} = case binary:split(Dir0, <<":ro">>) of
                      [D, <<>>] -> {D, read_only};
                      [D] -> {D, read_write}
                  end,
    {Guest, filename:join(Root, Dir), Mode}.

expected(Name, Ext) ->
    Path = filename:join([?TDIR, "expected",
                          binary_to_list(Name) ++ "." ++ Ext]),
    {ok, Bin} = file:read_file(Path),
    Bin.

%% The directories every case starts with (as wasi_test.c and record.sh
%% make them): sandbox/ with symlinks out of it, ro/data.txt, and
%% outside/secret.txt beside them.
make_dirs() ->
    Root = filename:join(tmp_dir(), "beamr-wasi-" ++
                             integer_to_list(erlang:unique_integer(
                                               [positive]))),
    [ok = filelib:ensure_path(filename:join(Root, D))
     || D <- ["sandbox", "ro", "outside"]],
    ok = file:write_file(filename:join([Root, "ro", "data.txt"]),
                         <<"read only data\n">>),
    ok = file:write_file(filename:join([Root, "outside", "secret.txt"]),
                         <<"top secret\n">>),
    ok = file:make_symlink("../outside",
                           filename:join([Root, "sandbox", "out_rel"])),
    ok = file:make_symlink(filename:join(Root, "outside"),
                           filename:join([Root, "sandbox", "out_abs"])),
    Root.

tmp_dir() ->
    case os:getenv("TMPDIR") of
        false -> "/tmp";
        "" -> "/tmp";
        Dir -> Dir
    end.

%% ------------------------------------------------------------------
%% Output modes

stream_stdout_test() ->
    Input = iolist_to_binary(lists:duplicate(2000, <<"stream me\n">>)),
    {ok, #{exit_code := 0, stdout := <<>>}} =
        beamr:run_wasi(program("cat_stdin"),
                       #{wasi => #{args => ["cat_stdin"], stdin => Input,
                                   stdout => {stream, self()}}}),
    Streamed = collect(stdout, []),
    ?assertEqual(<<(string:uppercase(Input))/binary,
                   "--\nbytes=20000 lines=2000 words=4000 again=0\n">>,
                 Streamed).

collect(Stream, Acc) ->
    receive
        {beamr_output, Inst, Stream, Data} when is_pid(Inst) ->
            collect(Stream, [Acc, Data])
    after 0 ->
        iolist_to_binary(Acc)
    end.

discard_test() ->
    {ok, R} = beamr:run_wasi(program("hello"),
                             #{wasi => #{args => ["hello"],
                                         stdout => discard,
                                         stderr => discard}}),
    ?assertEqual(#{exit_code => 0, stdout => <<>>, stderr => <<>>}, R).

%% A long-lived instance: output is taken (and emptied) per call.
wasi_output_test() ->
    {ok, I} = beamr:start(program("hello"), #{wasi => #{args => ["h"]}}),
    ?assertEqual({ok, []}, beamr:call(I, <<"_start">>, [])),
    {ok, Out} = beamr:wasi_output(I, stdout),
    ?assertMatch(<<"Hello, WASI! argc=1\n", _/binary>>, Out),
    ?assertEqual({ok, <<>>}, beamr:wasi_output(I, stdout)),
    ?assertEqual({ok, <<"this goes to stderr\n">>},
                 beamr:wasi_output(I, stderr)),
    ok = beamr:stop(I),
    ?assertEqual({error, stopped}, beamr:wasi_output(I, stdout)).

%% ------------------------------------------------------------------
%% Overriding WASI functions with Erlang

%% fd_write served by an Erlang import fun (it reads the iovecs from the
%% instance's memory); every other WASI function stays native.
override_fd_write_test() ->
    Imports = #{{<<"wasi_snapshot_preview1">>, <<"fd_write">>} =>
                    import_fun},
    {ok, I} = beamr:start(program("hello"),
                          #{wasi => #{args => ["hello", "x"]},
                            imports => Imports}),
    {ok, [], Written} = beamr:call(I, <<"_start">>, [], fun fd_write/3,
                                   #{}, #{}),
    ?assertEqual(<<"Hello, WASI! argc=2\narg 1: x\n 3.14|ab    |00ff|"
                   "-1234567890123\nbye\n">>,
                 iolist_to_binary(maps:get(1, Written, []))),
    ?assertEqual(<<"this goes to stderr\n">>,
                 iolist_to_binary(maps:get(2, Written, []))),
    %% Nothing reached the native (captured) stdout.
    ?assertEqual({ok, <<>>}, beamr:wasi_output(I, stdout)),
    beamr:stop(I).

fd_write(Acc, #{func := <<"fd_write">>, instance := I,
                args := [Fd, Iovs, Count, NPtr]}, _Opts) ->
    {ok, Vec} = beamr:read(I, Iovs, 8 * Count),
    Data = [begin {ok, D} = beamr:read(I, P, L), D end
            || <<P:32/little, L:32/little>> <= Vec],
    ok = beamr:write(I, NPtr, <<(iolist_size(Data)):32/little>>),
    {ok, [0], Acc#{Fd => [maps:get(Fd, Acc, []), Data]}}.

%% ------------------------------------------------------------------
%% Exit codes, errors, options

proc_exit_test() ->
    {ok, I} = beamr:start(program("exit_code"),
                          #{wasi => #{args => ["exit_code", "7"]}}),
    ?assertEqual({error, {exit, 7}}, beamr:call(I, <<"_start">>, [])),
    beamr:stop(I).

missing_preopen_test() ->
    ?assertMatch({error, {wasi, #{reason := _, message := _}}},
                 beamr:start(program("files"),
                             #{wasi => #{preopens =>
                                             [{"/sandbox",
                                               "/nonexistent/beamr/dir",
                                               read_write}]}})).

bad_options_test() ->
    Bin = program("hello"),
    ?assertError(badarg, beamr:start(Bin, #{wasi => #{stdout => bogus}})),
    ?assertError(badarg, beamr:start(Bin, #{wasi => #{nope => 1}})),
    ?assertError(badarg, beamr:start(Bin, #{wasi => #{args => [1, 2]}})),
    ?assertError(badarg, beamr:start(Bin, #{wasi => #{env => [x]}})),
    ?assertError(badarg, beamr:start(Bin, #{wasi => #{preopens =>
                                                          [{"/", "/", rw}]}})),
    ?assertError(badarg, beamr:start(Bin, #{wasi => not_a_map})),
    ?assertError(badarg, beamr:start(Bin, #{imports =>
                                                #{{<<"wasi_snapshot_preview1">>,
                                                   <<"fd_write">>} => 3}})).

%% A NUL inside an argument cannot be passed to a C program.
nul_in_argument_test() ->
    ?assertMatch({error, {wasi, _}},
                 beamr:run_wasi(program("hello"),
                                #{wasi => #{args => [<<"a", 0, "b">>]}})).

%% Without the option, WASI imports go to the import fun (as before);
%% nothing serves them unless resolved lazily.
no_wasi_option_test() ->
    ?assertMatch({error, {link, #{reason := unknown_import,
                                  module := <<"wasi_snapshot_preview1">>}}},
                 beamr:start(program("hello"))),
    {ok, I} = beamr:start(program("hello"), #{lazy_imports => true}),
    ?assertMatch({error, {unhandled_import, <<"wasi_snapshot_preview1">>, _}},
                 beamr:call(I, <<"_start">>, [])),
    beamr:stop(I).

hb_beamr_native_wasi_test() ->
    {ok, W, Imports, _} = hb_beamr:start(program("hello"), wasm,
                                         #{wasi => #{args => ["hi"]}}),
    ?assert(length(Imports) > 0),
    %% Every import is native: the import fun is never called.
    Fail = fun(_, Import, _) -> error({unexpected_import, Import}) end,
    ?assertMatch({ok, [], #{}}, hb_beamr:call(W, "_start", [], Fail)),
    {ok, Out} = beamr:wasi_output(W, stdout),
    ?assertMatch(<<"Hello, WASI! argc=1\n", _/binary>>, Out),
    hb_beamr:stop(W).
