%% @doc EUnit robustness tests: fairness to the schedulers, stop, timeout
%% and fuel on infinite loops, callers that die, queueing, thousands of
%% instances and processes, no memory growth.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_robust_tests).
-include_lib("eunit/include/eunit.hrl").

basic() ->
    {ok, Mod} = beamr:compile(beamr_tests:basic_module()),
    Mod.

start() ->
    {ok, I} = beamr:start(basic()),
    I.

elapsed_ms(T0) ->
    erlang:monotonic_time(millisecond) - T0.

now_ms() ->
    erlang:monotonic_time(millisecond).

%% ------------------------------------------------------------------
%% An infinite loop on every scheduler; a ticker must still wake on time.

scheduler_fairness_test_() ->
    {timeout, 60, fun scheduler_fairness/0}.

scheduler_fairness() ->
    Mod = basic(),
    N = erlang:system_info(schedulers_online),
    Insts = [begin {ok, I} = beamr:start(Mod), I end
             || _ <- lists:seq(1, N)],
    Self = self(),
    [spawn(fun() -> Self ! {looped, beamr:call(I, <<"loop">>, [])} end)
     || I <- Insts],
    timer:sleep(50),
    spawn(fun() -> Self ! {max_delay, ticker(100, 0)} end),
    MaxDelay = receive {max_delay, D} -> D after 30000 -> timeout end,
    %% Every loop was still running while the ticker ticked.
    ?assertEqual(nothing, receive {looped, R0} -> R0 after 0 -> nothing end),
    [ok = beamr:stop(I) || I <- Insts],
    [receive
         {looped, R} -> ?assertEqual({error, stopped}, R)
     after 5000 -> ?assert(false)
     end || _ <- Insts],
    ?assert(is_integer(MaxDelay)),
    ?assert(MaxDelay < 50).

%% Sleeps 10 ms Count times; returns the worst lateness in ms.
ticker(0, Max) ->
    Max;
ticker(Count, Max) ->
    T0 = now_ms(),
    receive after 10 -> ok end,
    ticker(Count - 1, max(Max, elapsed_ms(T0) - 10)).

%% ------------------------------------------------------------------
%% Ending infinite loops

stop_ends_loop_test() ->
    I = start(),
    Self = self(),
    spawn(fun() -> Self ! {looped, beamr:call(I, <<"loop">>, [])} end),
    timer:sleep(100),
    T0 = now_ms(),
    ok = beamr:stop(I),
    receive {looped, R} -> ?assertEqual({error, stopped}, R)
    after 2000 -> ?assert(false)
    end,
    ?assert(elapsed_ms(T0) < 500),
    ?assertNot(is_process_alive(I)).

timeout_ends_loop_test() ->
    I = start(),
    T0 = now_ms(),
    ?assertEqual({error, timeout},
                 beamr:call(I, <<"loop">>, [], #{timeout => 100})),
    E = elapsed_ms(T0),
    ?assert(E >= 100 andalso E < 1000),
    %% The instance stays usable.
    ?assertEqual({ok, [3]}, beamr:call(I, <<"add">>, [1, 2])),
    ?assertEqual({error, timeout},
                 beamr:call(I, <<"loop">>, [], #{timeout => 0})),
    ?assertEqual({ok, [5]}, beamr:call(I, <<"add">>, [2, 3])),
    beamr:stop(I).

fuel_test() ->
    I = start(),
    ?assertEqual({error, out_of_fuel},
                 beamr:call(I, <<"loop">>, [], #{fuel => 100000})),
    ?assertEqual({ok, [3]}, beamr:call(I, <<"add">>, [1, 2],
                                       #{fuel => 1000})),
    %% The yield-every-N-instructions knob: results do not change.
    ?assertEqual({ok, [3]}, beamr:call(I, <<"add">>, [1, 2],
                                       #{fuel_slice => 1})),
    ?assertEqual({error, timeout},
                 beamr:call(I, <<"loop">>, [], #{fuel_slice => 3,
                                                 timeout => 50})),
    beamr:stop(I).

%% ------------------------------------------------------------------
%% Callers that die, queues

caller_killed_mid_call_test() ->
    I = start(),
    Caller = spawn(fun() -> beamr:call(I, <<"loop">>, []) end),
    timer:sleep(50),
    exit(Caller, kill),
    ?assertEqual({ok, [3]}, beamr:call(I, <<"add">>, [1, 2],
                                       #{timeout => 2000})),
    beamr:stop(I).

caller_killed_in_import_test() ->
    {ok, I} = beamr:start(beamr_tests:import_module(),
                          #{lazy_imports => true}),
    Self = self(),
    Caller = spawn(fun() ->
                           beamr:call(I, <<"call_f">>, [1],
                                      #{import_fun =>
                                            fun(_, _, _) ->
                                                    Self ! in_import,
                                                    timer:sleep(infinity)
                                            end})
                   end),
    receive in_import -> ok end,
    exit(Caller, kill),
    ?assertEqual({ok, [41]}, beamr:call(I, <<"inner">>, [],
                                        #{timeout => 2000})),
    beamr:stop(I).

queue_test() ->
    I = start(),
    Self = self(),
    spawn(fun() ->
                  Self ! {looped, beamr:call(I, <<"loop">>, [],
                                             #{timeout => 300})}
          end),
    timer:sleep(20),
    %% A queued caller that gives up does not leave the instance stuck.
    ?assertEqual({error, timeout},
                 beamr:call(I, <<"add">>, [1, 1], #{timeout => 50})),
    Pids = [spawn(fun() -> Self ! {added, N, beamr:call(I, <<"add">>,
                                                         [N, N])} end)
            || N <- lists:seq(1, 50)],
    receive {looped, R} -> ?assertEqual({error, timeout}, R) end,
    [receive {added, N, Res} -> ?assertEqual({ok, [2 * N]}, Res) end
     || N <- lists:seq(1, length(Pids))],
    beamr:stop(I).

stop_wakes_queued_callers_test() ->
    I = start(),
    Self = self(),
    spawn(fun() -> Self ! {r, beamr:call(I, <<"loop">>, [])} end),
    timer:sleep(20),
    spawn(fun() -> Self ! {r, beamr:call(I, <<"add">>, [1, 2])} end),
    timer:sleep(20),
    ok = beamr:stop(I),
    [receive {r, R} -> ?assertEqual({error, stopped}, R)
     after 2000 -> ?assert(false)
     end || _ <- [1, 2]].

creator_death_stops_instance_test() ->
    Self = self(),
    Mod = basic(),
    P = spawn(fun() ->
                      {ok, I} = beamr:start(Mod),
                      {ok, D} = beamr:start(Mod, #{detached => true}),
                      Self ! {insts, I, D}
              end),
    {I, D} = receive {insts, A, B} -> {A, B} end,
    Ref = monitor(process, P),
    receive {'DOWN', Ref, _, _, _} -> ok end,
    timer:sleep(20),
    ?assertNot(is_process_alive(I)),
    ?assertEqual({ok, [2]}, beamr:call(D, <<"add">>, [1, 1])),
    beamr:stop(D).

%% The owner process killed outright: the NIF's monitor stops the
%% instance; its pid answers {error, stopped} everywhere.
owner_killed_test() ->
    I = start(),
    Ref = monitor(process, I),
    exit(I, kill),
    receive {'DOWN', Ref, _, _, _} -> ok end,
    ?assertEqual({error, stopped}, beamr:call(I, <<"add">>, [1, 2])),
    ?assertEqual({error, stopped}, beamr:read(I, 0, 1)),
    ?assertEqual({error, stopped}, beamr:memory_size(I)),
    ?assertEqual({error, stopped}, beamr:snapshot(I)),
    ok = beamr:stop(I).

%% A pid that never was an instance.
not_an_instance_test() ->
    ?assertEqual({error, stopped}, beamr:call(self(), <<"add">>, [1, 2])),
    ?assertEqual({error, stopped}, beamr:read(self(), 0, 1)).

%% While one caller holds the instance (in an import), later callers
%% queue and run in order; a newcomer does not take the instance
%% directly past them.
queue_order_test() ->
    {ok, I} = beamr:start(beamr_tests:import_module(),
                          #{lazy_imports => true}),
    Self = self(),
    Holder = spawn(fun() ->
                           Fun = fun(S, _, _) ->
                                         Self ! held,
                                         receive go -> {ok, [1], S} end
                                 end,
                           Self ! {holder, beamr:call(I, <<"call_f">>, [0],
                                                      Fun, x, #{})}
                   end),
    receive held -> ok end,
    [begin
         spawn(fun() -> Self ! {queued, K, beamr:call(I, <<"inner">>, [])}
               end),
         timer:sleep(20)
     end || K <- lists:seq(1, 5)],
    spawn(fun() -> Self ! {queued, 6, beamr:call(I, <<"inner">>, [])} end),
    timer:sleep(20),
    Holder ! go,
    ?assertEqual({holder, {ok, [1], x}},
                 receive {holder, _} = H -> H after 2000 -> timeout end),
    Order = [receive {queued, K, R} -> ?assertEqual({ok, [41]}, R), K
             after 2000 -> timeout
             end || _ <- lists:seq(1, 6)],
    ?assertEqual(lists:seq(1, 6), Order),
    %% The queue is empty again: calls take the instance directly.
    ?assertEqual({ok, [41]}, beamr:call(I, <<"inner">>, [])),
    beamr:stop(I).

%% A queued caller that dies does not block the ones behind it.
queued_caller_killed_test() ->
    I = start(),
    Self = self(),
    spawn(fun() ->
                  Self ! {looped, beamr:call(I, <<"loop">>, [],
                                             #{timeout => 200})}
          end),
    timer:sleep(20),
    Doomed = spawn(fun() -> beamr:call(I, <<"add">>, [1, 1]) end),
    timer:sleep(20),
    spawn(fun() -> Self ! {added, beamr:call(I, <<"add">>, [2, 2])} end),
    timer:sleep(20),
    exit(Doomed, kill),
    receive {looped, R} -> ?assertEqual({error, timeout}, R) end,
    ?assertEqual({added, {ok, [4]}},
                 receive {added, _} = A -> A after 2000 -> timeout end),
    beamr:stop(I).

%% ------------------------------------------------------------------
%% Many instances, many processes

many_instances_many_processes_test_() ->
    {timeout, 120, fun many_instances/0}.

many_instances() ->
    Mod = basic(),
    Self = self(),
    N = 1000,
    [spawn(fun() ->
                   {ok, I} = beamr:start(Mod),
                   R = beamr:call(I, <<"add">>, [K, 1]),
                   Self ! {done, K, R},
                   ok = beamr:stop(I)
           end) || K <- lists:seq(1, N)],
    [receive {done, K, R} -> ?assertEqual({ok, [K + 1]}, R)
     after 30000 -> ?assert(false)
     end || K <- lists:seq(1, N)].

one_instance_many_processes_test_() ->
    {timeout, 120, fun one_instance/0}.

one_instance() ->
    I = start(),
    Self = self(),
    N = 1000,
    [spawn(fun() -> Self ! {done, K, beamr:call(I, 0, [K, 2])} end)
     || K <- lists:seq(1, N)],
    [receive {done, K, R} -> ?assertEqual({ok, [K + 2]}, R)
     after 30000 -> ?assert(false)
     end || K <- lists:seq(1, N)],
    beamr:stop(I).

%% ------------------------------------------------------------------
%% Memory: 10,000 start/stop cycles (1-page memory each) do not grow
%% the VM.

no_memory_growth_test_() ->
    {timeout, 300, fun no_memory_growth/0}.

no_memory_growth() ->
    Mod = basic(),
    Cycle = fun(K) ->
                    [begin
                         {ok, I} = beamr:start(Mod),
                         {ok, [3]} = beamr:call(I, <<"add">>, [1, 2]),
                         ok = beamr:write(I, 0, <<"x">>),
                         ok = beamr:stop(I)
                     end || _ <- lists:seq(1, K)],
                    ok
            end,
    Cycle(1000),
    M0 = settled_memory(),
    Cycle(10000),
    M1 = settled_memory(),
    Growth = M1 - M0,
    ?assert(Growth < 8 * 1024 * 1024).

settled_memory() ->
    [erlang:garbage_collect(P) || P <- processes()],
    timer:sleep(200),
    [erlang:garbage_collect(P) || P <- processes()],
    erlang:memory(total).
