#!/usr/bin/env escript
%% Erlang-side benchmark of beamr (not a timed test): calls per second of
%% a trivial export, import round trips per second, instances started
%% (and stopped) per second, and the worst
%% scheduling delay of a ticker process while wasm runs on every
%% scheduler. `make bench-erlang'; figures in bench/README.md.
%% Usage: erlang_bench.escript [quick]
%% SPDX-License-Identifier: Apache-2.0
%%! -noshell
-mode(compile).

main(Args) ->
    Root = filename:dirname(filename:dirname(
                              filename:absname(escript:script_name()))),
    true = code:add_patha(filename:join(Root, "ebin")),
    tier_from_env(),
    Quick = Args =:= ["quick"],
    Scale = case Quick of true -> 10; false -> 1 end,
    io:format("beamr Erlang benchmark (OTP ~s, ~p schedulers)~n",
              [erlang:system_info(otp_release),
               erlang:system_info(schedulers_online)]),
    {ok, Mod} = beamr:compile(bench_module()),
    calls(Mod, 300000 div Scale),
    hb_calls(Root, 300000 div Scale),
    imports(Mod, 300000 div Scale),
    starts(Mod, 20000 div Scale),
    ticker(Mod, case Quick of true -> 500; false -> 3000 end),
    halt(0).

%% ------------------------------------------------------------------
%% Calls

calls(Mod, N) ->
    {ok, I} = beamr:start(Mod, #{lazy_imports => true}),
    Rate = best_rate(N, fun() -> {ok, [7]} = beamr:call(I, <<"nop">>, [7])
                        end),
    report("beamr:call/3 of nop(i32) -> i32", Rate, "calls/s"),
    ok = beamr:stop(I).

hb_calls(Root, N) ->
    Fixtures = os:getenv("BEAMR_FIXTURES",
                         filename:join(filename:dirname(Root),
                                       "shared/fixtures")),
    case file:read_file(filename:join([Fixtures, "hyperbeam",
                                       "test.wasm"])) of
        {ok, Bin} ->
            {ok, W, _, _} = hb_beamr:start(Bin),
            Rate = best_rate(N, fun() ->
                                        {ok, [120.0]} =
                                            hb_beamr:call(W, "fac", [5.0])
                                end),
            report("hb_beamr:call/3 of fac(5.0) (test.wasm)", Rate,
                   "calls/s"),
            hb_beamr:stop(W);
        {error, _} ->
            io:format("  (no fixture test.wasm: skipped hb_beamr calls)~n")
    end.

imports(Mod, N) ->
    {ok, I} = beamr:start(Mod, #{lazy_imports => true}),
    Fun = fun(S, #{args := [X]}, _) -> {ok, [X], S} end,
    Rate = best_rate(N, 1, fun() ->
                                   {ok, [0], _} = beamr:call(
                                                    I, <<"imp_loop">>, [N],
                                                    Fun, ok, #{})
                           end),
    report("import round trips (imp_loop, Erlang import fun)", Rate,
           "round trips/s"),
    ok = beamr:stop(I).

%% Instances started from a compiled module, called once and stopped:
%% the cost of a fresh instance per request.
starts(Mod, N) ->
    Rate = best_rate(N, fun() ->
                                {ok, I} = beamr:start(Mod, #{lazy_imports => true}),
                                {ok, [1]} = beamr:call(I, <<"nop">>, [1]),
                                ok = beamr:stop(I)
                        end),
    report("instances started, called and stopped", Rate, "instances/s").

%% Best of three runs of N operations (Reps calls of F doing N/Reps
%% operations each).
best_rate(N, F) ->
    best_rate(N, N, F).

best_rate(N, Reps, F) ->
    Times = [begin
                 garbage_collect(),
                 T0 = erlang:monotonic_time(nanosecond),
                 loop(Reps, F),
                 erlang:monotonic_time(nanosecond) - T0
             end || _ <- [1, 2, 3]],
    N * 1.0e9 / lists:min(Times).

loop(0, _F) -> ok;
loop(K, F) -> F(), loop(K - 1, F).

report(What, Rate, Unit) ->
    io:format("  ~-52s ~12s ~s (~.2f us each)~n",
              [What, fmt(Rate), Unit, 1.0e6 / Rate]).

fmt(X) ->
    S = integer_to_list(round(X)),
    lists:reverse(group(lists:reverse(S))).

group([A, B, C, D | T]) -> [A, B, C, $, | group([D | T])];
group(L) -> L.

%% ------------------------------------------------------------------
%% Scheduling delay

%% A ticker asks for a 1 ms timeout over and over and records how late
%% each wake-up is: alone, while one process per scheduler runs an
%% endless wasm loop (each on its own instance), and, as a control for
%% what the OS and the VM give anyway, while one process per scheduler
%% runs an endless pure Erlang loop.
ticker(Mod, Ms) ->
    Idle = tick_stats(Ms),
    Scheds = erlang:system_info(schedulers_online),
    Insts = [element(2, {ok, _} = beamr:start(Mod, #{detached => true,
                                                     lazy_imports => true}))
             || _ <- lists:seq(1, Scheds)],
    Self = self(),
    Spinners = [spawn(fun() ->
                              R = beamr:call(I, <<"spin">>, [],
                                             #{timeout => Ms + 2000}),
                              Self ! {spun, self(), R}
                      end) || I <- Insts],
    timer:sleep(50),
    Busy = tick_stats(Ms),
    [beamr:stop(I) || I <- Insts],
    [receive {spun, P, _} -> ok after 5000 -> ok end || P <- Spinners],
    Loops = [spawn(fun erlang_spin/0) || _ <- lists:seq(1, Scheds)],
    timer:sleep(50),
    Control = tick_stats(Ms),
    [exit(P, kill) || P <- Loops],
    io:format("  ticker (1 ms timer) lateness, ~p ms each:~n", [Ms]),
    io:format("    idle VM:                                max ~.2f ms, "
              "p99 ~.2f ms~n", Idle),
    io:format("    wasm spinning on all ~p schedulers:       max ~.2f ms, "
              "p99 ~.2f ms~n", [Scheds | Busy]),
    io:format("    Erlang loops on all ~p schedulers (control): max ~.2f ms, "
              "p99 ~.2f ms~n", [Scheds | Control]).

erlang_spin() ->
    erlang_spin(0).

erlang_spin(N) ->
    erlang_spin((N + 1) band 16#ffffff).

tick_stats(Ms) ->
    Self = self(),
    P = spawn(fun() ->
                      End = erlang:monotonic_time(millisecond) + Ms,
                      Self ! {ticks, self(), tick(End, [])}
              end),
    receive {ticks, P, Lates} -> ok end,
    Sorted = lists:sort(Lates),
    Max = lists:last(Sorted),
    P99 = lists:nth(max(1, (length(Sorted) * 99) div 100), Sorted),
    [Max / 1000, P99 / 1000].

tick(End, Acc) ->
    T0 = erlang:monotonic_time(microsecond),
    receive after 1 -> ok end,
    Late = erlang:monotonic_time(microsecond) - T0 - 1000,
    case T0 div 1000 >= End of
        true -> [max(0, Late) | Acc];
        false -> tick(End, [max(0, Late) | Acc])
    end.

%% ------------------------------------------------------------------
%% The module, encoded by hand:
%%   import env.imp (i32) -> i32
%%   nop(x) -> x
%%   imp_loop(n) -> calls imp(n) n times, returns 0
%%   spin() -> loops forever

bench_module() ->
    T0 = [16#60, 1, 16#7f, 1, 16#7f],          % (i32) -> i32
    T1 = [16#60, 0, 0],                        % () -> ()
    Nop = [0, 16#20, 0, 16#0b],
    ImpLoop = [0,
               16#02, 16#40, 16#03, 16#40,      % block loop
               16#20, 0, 16#45, 16#0d, 1,       % n == 0 -> br 1
               16#20, 0, 16#10, 0, 16#1a,       % imp(n), drop
               16#20, 0, 16#41, 1, 16#6b, 16#21, 0, % n -= 1
               16#0c, 0, 16#0b, 16#0b,          % br 0, end, end
               16#20, 0, 16#0b],
    Spin = [0, 16#03, 16#40, 16#0c, 0, 16#0b, 16#0b],
    iolist_to_binary(
      [<<0, "asm", 1, 0, 0, 0>>,
       section(1, vec([T0, T1])),
       section(2, vec([[name(<<"env">>), name(<<"imp">>), 0, 0]])),
       section(3, vec([[0], [0], [1]])),
       section(7, vec([[name(<<"nop">>), 0, 1],
                       [name(<<"imp_loop">>), 0, 2],
                       [name(<<"spin">>), 0, 3]])),
       section(10, vec([body(Nop), body(ImpLoop), body(Spin)]))]).

section(Id, Content) ->
    B = iolist_to_binary(Content),
    [Id, byte_size(B), B].

vec(Items) -> [length(Items), Items].
name(B) -> [byte_size(B), B].
body(Code) -> B = iolist_to_binary(Code), [byte_size(B), B].

%% BEAMR_TIER=interp|native|auto: the tier every instance runs in (the
%% application env `tier', the default of beamr:start/2's option).
tier_from_env() ->
    case os:getenv("BEAMR_TIER") of
        false ->
            ok;
        T ->
            _ = application:load(beamr),
            ok = application:set_env(beamr, tier, list_to_atom(T)),
            io:format("tier ~s (BEAMR_TIER)~n", [T])
    end.
