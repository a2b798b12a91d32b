#!/usr/bin/env escript
%% Sandboxed NIFs against the same C built as a real NIF (not a timed
%% test): examples/levenshtein/levenshtein.c, run by beamr:call_nif/3
%% and natively, plus beamr:call/3 of a plain wasm function, for the
%% call overhead. Prints times per call and ratios. `make
%% bench-nif-guest' (it builds the example first); figures in
%% bench/README.md.
%% Usage: nif_guest_bench.escript [quick]
%% SPDX-License-Identifier: Apache-2.0
%%! -noshell
-mode(compile).

main(Args) ->
    Root = filename:dirname(filename:dirname(
                              filename:absname(escript:script_name()))),
    Build = filename:join(Root, "build/nif_guest"),
    true = code:add_patha(filename:join(Root, "ebin")),
    true = code:add_patha(Build),
    Scale = case Args of ["quick"] -> 10; _ -> 1 end,
    io:format("beamr sandboxed NIF benchmark (OTP ~s, ~p schedulers)~n",
              [erlang:system_info(otp_release),
               erlang:system_info(schedulers_online)]),
    {ok, Wasm} = file:read_file(filename:join(Build, "levenshtein.wasm")),
    {ok, I} = beamr:start(Wasm),
    overhead(I, 200000 div Scale),
    work(I, 2000 div Scale),
    closest(I, 100 div Scale),
    ok = beamr:stop(I),
    halt(0).

%% A trivial function three ways: the cost of a call.
overhead(I, N) ->
    Native = per_call(N, fun() -> 11 = levenshtein:add(4, 7) end),
    Call = per_call(N, fun() -> {ok, [11]} = beamr:call(I, <<"add_i32">>,
                                                         [4, 7]) end),
    Nif = per_call(N, fun() -> {ok, 11} = beamr:call_nif(I, <<"add">>,
                                                          [4, 7]) end),
    io:format("add(4, 7), us per call: native NIF ~.3f, beamr:call ~.3f, "
              "beamr:call_nif ~.3f~n", [Native, Call, Nif]),
    io:format("  call_nif / call = ~.1f, call_nif / native NIF = ~.1f~n",
              [Nif / Call, Nif / Native]).

%% Real work: the distance of two 200-byte binaries.
work(I, N) ->
    A = rand_bin(200), B = rand_bin(200),
    D = levenshtein:distance(A, B),
    {ok, D} = beamr:call_nif(I, <<"distance">>, [A, B]),
    Native = per_call(N, fun() -> D = levenshtein:distance(A, B) end),
    Nif = per_call(N, fun() -> {ok, D} = beamr:call_nif(I, <<"distance">>,
                                                         [A, B]) end),
    io:format("distance of two 200-byte binaries, us per call: native NIF "
              "~.1f, beamr:call_nif ~.1f (ratio ~.1f)~n",
              [Native, Nif, Nif / Native]).

%% A list of 1,000 binaries of 8..24 bytes read by the guest.
closest(I, N) ->
    Words = [rand_bin(8 + rand:uniform(16)) || _ <- lists:seq(1, 1000)],
    W = rand_bin(12),
    R = levenshtein:closest(W, Words),
    {ok, R} = beamr:call_nif(I, <<"closest">>, [W, Words]),
    Native = per_call(N, fun() -> R = levenshtein:closest(W, Words) end),
    Nif = per_call(N, fun() -> {ok, R} = beamr:call_nif(I, <<"closest">>,
                                                         [W, Words]) end),
    io:format("closest of 1,000 words, us per call: native NIF ~.1f, "
              "beamr:call_nif ~.1f (ratio ~.1f)~n",
              [Native, Nif, Nif / Native]).

rand_bin(N) ->
    << <<($a + rand:uniform(4) - 1)>> || _ <- lists:seq(1, N) >>.

%% Microseconds per call, best of 5 runs of N calls.
per_call(N, F) ->
    F(),
    Times = [element(1, timer:tc(fun() -> loop(N, F) end))
             || _ <- lists:seq(1, 5)],
    lists:min(Times) / N.

loop(0, _F) -> ok;
loop(N, F) -> F(), loop(N - 1, F).
