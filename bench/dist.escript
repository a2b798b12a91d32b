#!/usr/bin/env escript
%% Distribution benchmark of beamr (not a timed test), with one peer node
%% on this machine (OTP's `peer'; `epmd -daemon' is started): remote
%% start (first, with the module sent, and cached), trivial call latency
%% to a remote instance against a local one, an import round trip from
%% a remote instance to the caller, and the migration of an AO process
%% (aos-2-pure-xs.wasm, driven as HyperBEAM does, after a few messages)
%% to the peer: time, snapshot bytes, and the next message's answer
%% there; and a mid-call move: a long computation suspended in an import
%% here, snapshot with the call, restored on the peer and resumed there
%% (time, bytes, same result). `make bench-dist'; figures in
%% bench/README.md.
%% SPDX-License-Identifier: Apache-2.0
%%! -noshell
-mode(compile).

main(_Args) ->
    Root = filename:dirname(filename:dirname(
                              filename:absname(escript:script_name()))),
    Ebin = filename:join(Root, "ebin"),
    TestEbin = filename:join([Root, "build", "test-ebin"]),
    true = code:add_patha(Ebin),
    true = code:add_patha(TestEbin),
    case os:getenv("BEAMR_FIXTURES") of
        false -> os:putenv("BEAMR_FIXTURES",
                           filename:join(filename:dirname(Root),
                                         "shared/fixtures"));
        _ -> ok
    end,
    _ = os:cmd("epmd -daemon"),
    {ok, _} = net_kernel:start(list_to_atom("beamr_bench_" ++ os:getpid()),
                               #{name_domain => shortnames}),
    {ok, PeerPid, Peer} = peer:start_link(
                            #{name => peer:random_name(beamr_bench_peer),
                              args => ["-pa", Ebin, "-pa", TestEbin]}),
    io:format("beamr distribution benchmark (OTP ~s, ~p schedulers, "
              "peer on this machine)~n",
              [erlang:system_info(otp_release),
               erlang:system_info(schedulers_online)]),
    {ok, Mod} = beamr:compile(module()),
    starts(Mod, Peer),
    calls(Mod, Peer),
    ao(Peer),
    mid_call(Peer),
    peer:stop(PeerPid),
    halt(0).

starts(Mod, Peer) ->
    {First, {ok, I}} = timer:tc(fun() ->
                                        beamr:start(Mod, #{node => Peer, lazy_imports => true})
                                end),
    ok = beamr:stop(I),
    N = 2000,
    {Us, _} = timer:tc(fun() ->
                               [begin
                                    {ok, J} = beamr:start(Mod, #{node => Peer, lazy_imports => true}),
                                    J
                                end || _ <- lists:seq(1, N)]
                       end),
    io:format("  remote start: first (module sent) ~.2f ms; then ~b starts "
              "of the cached module: ~.1f us each (~b/s)~n",
              [First / 1000, N, Us / N, round(N * 1.0e6 / Us)]).

calls(Mod, Peer) ->
    Add = fun([A, B]) -> [A + B] end,
    Opts = #{imports => #{{<<"env">>, <<"add">>} => Add}},
    {ok, L} = beamr:start(Mod, Opts),
    {ok, R} = beamr:start(Mod, Opts#{node => Peer}),
    [latency(Label, I, F, 5000)
     || {Label, I, F} <- [{"local trivial call", L, <<"id">>},
                          {"remote trivial call", R, <<"id">>},
                          {"local call with one import", L, <<"calc">>},
                          {"remote call with one import (run here)", R,
                           <<"calc">>}]],
    ok = beamr:stop(L),
    ok = beamr:stop(R).

latency(Label, I, F, M) ->
    Ts = lists:sort(
           [begin
                T0 = erlang:monotonic_time(nanosecond),
                {ok, [_]} = beamr:call(I, F, [K]),
                erlang:monotonic_time(nanosecond) - T0
            end || K <- lists:seq(1, M)]),
    P = fun(Q) -> lists:nth(max(1, round(Q * M)), Ts) / 1000 end,
    io:format("  ~s: p50 ~.1f us, p99 ~.1f us (~b calls)~n",
              [Label, P(0.5), P(0.99), M]).

%% An AO process after three messages, moved to the peer; the next
%% message must answer there what it answers on an unmoved twin.
ao(Peer) ->
    case catch beamr_aos:module() of
        Bin when is_binary(Bin) ->
            {ok, W} = beamr_aos:start(hb, Bin),
            {ok, Twin} = beamr_aos:start(hb, Bin),
            Msgs = [<<"X = 41">>, <<"Y = string.rep('ab', 1000)">>,
                    <<"return 1 + 1">>],
            [{ok, _} = beamr_aos:eval(hb, P, M) || P <- [W, Twin], M <- Msgs],
            {ok, Snap} = beamr:snapshot(W),
            {Us, {ok, W2}} = timer:tc(fun() -> beamr:migrate(W, Peer) end),
            Next = <<"return X + #Y">>,
            {ok, There} = beamr_aos:eval(hb, W2, Next),
            {ok, Here} = beamr_aos:eval(hb, Twin, Next),
            Same = beamr_aos:output(There) =:= beamr_aos:output(Here),
            {BackUs, {ok, W3}} = timer:tc(fun() -> beamr:migrate(W2, node()) end),
            {ok, Back} = beamr_aos:eval(hb, W3, <<"return X">>),
            {AgainUs, {ok, W4}} = timer:tc(fun() -> beamr:migrate(W3, Peer) end),
            {ok, Again} = beamr_aos:eval(hb, W4, <<"return X + 1">>),
            {ok, Compiled} = beamr:compile(Bin),
            {ok, Aot} = beamr:module_to_binary(Compiled),
            io:format("  AO process (aos-2-pure-xs.wasm, 3 messages) migrated "
                      "to the peer in ~.1f ms (snapshot ~.2f MiB, plus the "
                      "compiled module ~.2f MiB the first time); next "
                      "message there: ~p (~s the unmoved twin's); back in "
                      "~.1f ms (module sent too), then `return X` = ~p; to "
                      "the peer again (module cached there) in ~.1f ms, then "
                      "`return X + 1` = ~p~n",
                      [Us / 1000, byte_size(Snap) / 1048576,
                       byte_size(Aot) / 1048576,
                       beamr_aos:output(There),
                       case Same of true -> "same as"; false -> "DIFFERS from" end,
                       BackUs / 1000, beamr_aos:output(Back), AgainUs / 1000,
                       beamr_aos:output(Again)]),
            [beamr:stop(P) || P <- [W4, Twin]];
        _ ->
            io:format("  (no fixture aos-2-pure-xs.wasm: skipped the AO "
                      "migration)~n")
    end.

%% beamr_suspend_tests' run(40, 100000): stopped in the import fun at
%% half of its imports, its snapshot taken there (with the call), then
%% restored on the peer and resumed: the import served again here, the
%% rest run there. Timed: the snapshot, the restore on the peer, the
%% resume to the end there; against the same second half finished here.
mid_call(Peer) ->
    {ok, Mod} = beamr:compile(beamr_suspend_tests:module()),
    Fun = fun beamr_suspend_tests:answer/3,
    Args = [40, 100000],
    Start = fun(Opts) -> {ok, I} = beamr:start(Mod, Opts#{lazy_imports => true}), I end,
    Ref = Start(#{}),
    {WholeUs, {ok, [R], N}} =
        timer:tc(fun() -> beamr:call(Ref, run, Args, Fun, 0, #{}) end),
    K = N div 2,
    A = Start(#{}),
    Self = self(),
    Move = fun(S, _Import, _Opts) when S + 1 =:= K ->
                   {SnapUs, {ok, Snap}} = timer:tc(fun() -> beamr:snapshot(A) end),
                   {ok, Plain} = beamr:snapshot(A, #{call => false}),
                   Self ! {snap, SnapUs, Snap, byte_size(Snap) - byte_size(Plain)},
                   throw(moved);
              (S, Import, Opts) ->
                   Fun(S, Import, Opts)
           end,
    {error, throw, moved, _, _} = beamr:call(A, run, Args, Move, 0, #{}),
    {SnapUs, Snap, CallBytes} = receive {snap, T, B, C} -> {T, B, C} end,
    Local = Start(#{}),
    {LocalRestoreUs, ok} = timer:tc(fun() -> beamr:restore(Local, Snap) end),
    {LocalUs, {ok, [R], N}} =
        timer:tc(fun() -> beamr:resume(Local, Fun, K - 1, #{}) end),
    Far = Start(#{node => Peer}),
    {RestoreUs, ok} = timer:tc(fun() -> beamr:restore(Far, Snap) end),
    {FarUs, {ok, [R2], N2}} =
        timer:tc(fun() -> beamr:resume(Far, Fun, K - 1, #{}) end),
    io:format("  mid-call move (run(40, 100000) stopped in its ~bth of ~b "
              "imports): snapshot with the call ~.2f ms, ~b bytes (the call "
              "~b bytes, the rest the 64 KiB memory and globals); restore on "
              "the peer ~.2f ms; resumed there to the end in ~.1f ms, result "
              "~p and import-fun state ~p (~s the unmoved run's, which took "
              "~.1f ms in all); the same resume here: restore ~.2f ms, "
              "~.1f ms~n",
              [K, N, SnapUs / 1000, byte_size(Snap), CallBytes,
               RestoreUs / 1000, FarUs / 1000, R2, N2,
               case {R2, N2} =:= {R, N} of
                   true -> "the same as";
                   false -> "DIFFERS from"
               end,
               WholeUs / 1000, LocalRestoreUs / 1000, LocalUs / 1000]),
    [beamr:stop(I) || I <- [Ref, A, Local, Far]].

%% (memory 1), id(i32) -> i32, calc(a, b) = env.add(a, b), by hand.
module() ->
    iolist_to_binary(
      [<<0, "asm", 1, 0, 0, 0>>,
       section(1, vec([[16#60, 1, 16#7f, 1, 16#7f],
                       [16#60, 2, 16#7f, 16#7f, 1, 16#7f]])),
       section(2, vec([[name(<<"env">>), name(<<"add">>), 0, 1]])),
       section(3, vec([[0], [0]])),
       section(5, vec([[0, 1]])),
       section(7, vec([[name(<<"id">>), 0, 1], [name(<<"calc">>), 0, 2]])),
       section(10, vec([body([0, 16#20, 0, 16#0b]),
                        body([0, 16#20, 0, 16#20, 0, 16#10, 0, 16#0b])]))]).

section(Id, Content) ->
    Bin = iolist_to_binary(Content),
    [Id, leb(byte_size(Bin)), Bin].

vec(Items) -> [leb(length(Items)) | Items].

name(B) -> [leb(byte_size(B)), B].

body(Code) ->
    Bin = iolist_to_binary(Code),
    [leb(byte_size(Bin)), Bin].

leb(N) when N < 128 -> N;
leb(N) -> [128 bor (N band 127) | [leb(N bsr 7)]].
