#!/usr/bin/env escript
%% Density benchmark of beamr (not a timed test): N live instances
%% (default 100,000) of one small compiled module (one 64 KiB page,
%% never touched by the calls, an `id(i32) -> i32' export), all alive
%% at once. Prints the resident memory per instance (VmRSS of this VM
%% before and after, divided by N), the start rate, and the latency of
%% a trivial call (p50, p99, max) to instances picked at random while
%% all are alive. `make bench-density' (BENCH_QUICK=1: 10,000);
%% figures in bench/README.md.
%% Usage: density.escript [N]
%% SPDX-License-Identifier: Apache-2.0
%%! -noshell +P 1048576
-mode(compile).

main(Args) ->
    Root = filename:dirname(filename:dirname(
                              filename:absname(escript:script_name()))),
    true = code:add_patha(filename:join(Root, "ebin")),
    N = case Args of
            [A] -> list_to_integer(A);
            [] -> 100000
        end,
    io:format("beamr density benchmark: ~b instances (OTP ~s, ~p "
              "schedulers)~n",
              [N, erlang:system_info(otp_release),
               erlang:system_info(schedulers_online)]),
    {ok, Mod} = beamr:compile(module()),
    %% Warm up the code paths and the allocators a little first.
    _ = [begin {ok, I} = beamr:start(Mod), beamr:stop(I) end
         || _ <- lists:seq(1, 100)],
    garbage_collect(),
    Rss0 = rss_kib(),
    Erl0 = erlang:memory(total),
    T0 = erlang:monotonic_time(microsecond),
    Insts = list_to_tuple(start_all(Mod, N, [])),
    T1 = erlang:monotonic_time(microsecond),
    garbage_collect(),
    Rss1 = rss_kib(),
    Erl1 = erlang:memory(total),
    Secs = (T1 - T0) / 1.0e6,
    io:format("  started ~b instances in ~.2f s: ~b instances/s~n",
              [N, Secs, round(N / Secs)]),
    io:format("  RSS ~b -> ~b MiB: ~.1f KiB per instance "
              "(erlang:memory(total), which counts the NIF's allocations, "
              "~.1f KiB)~n",
              [Rss0 div 1024, Rss1 div 1024, (Rss1 - Rss0) / N,
               (Erl1 - Erl0) / 1024 / N]),
    {memory, Owner} = erlang:process_info(element(1, Insts), memory),
    io:format("  of which the owner process (heap, stack, PCB): ~b bytes~n",
              [Owner]),
    %% Linux bounds a process's mappings (vm.max_map_count, 65530 by
    %% default): one per instance would not fit 100,000.
    io:format("  memory mappings of the VM: ~b~n", [mappings()]),
    io:format("  first calls (each instance's first):~n"),
    latency(Insts, min(N, 20000)),
    %% Every instance answers; then all have been called once.
    ok = check_all(Insts),
    garbage_collect(),
    Rss2 = rss_kib(),
    io:format("  after one call to each: RSS ~b MiB, ~.1f KiB per "
              "instance~n", [Rss2 div 1024, (Rss2 - Rss0) / N]),
    io:format("  later calls:~n"),
    latency(Insts, min(N, 20000)),
    T2 = erlang:monotonic_time(microsecond),
    _ = [beamr:stop(element(K, Insts)) || K <- lists:seq(1, N)],
    T3 = erlang:monotonic_time(microsecond),
    io:format("  stopped all in ~.2f s~n", [(T3 - T2) / 1.0e6]),
    halt(0).

start_all(_Mod, 0, Acc) ->
    Acc;
start_all(Mod, K, Acc) ->
    {ok, I} = beamr:start(Mod),
    start_all(Mod, K - 1, [I | Acc]).

%% M calls of id/1 on instances picked at random, one at a time, timed
%% each.
latency(Insts, M) ->
    N = tuple_size(Insts),
    Ts = lists:sort(
           [begin
                I = element(rand:uniform(N), Insts),
                T0 = erlang:monotonic_time(nanosecond),
                {ok, [K]} = beamr:call(I, <<"id">>, [K]),
                erlang:monotonic_time(nanosecond) - T0
            end || K <- lists:seq(1, M)]),
    P = fun(Q) -> lists:nth(max(1, round(Q * M)), Ts) / 1000 end,
    io:format("    trivial call latency over ~b random instances: p50 ~.1f us,"
              " p99 ~.1f us, max ~.1f us~n",
              [M, P(0.5), P(0.99), lists:last(Ts) / 1000]).

check_all(Insts) ->
    lists:foreach(fun(K) ->
                          {ok, [K]} = beamr:call(element(K, Insts), <<"id">>,
                                                 [K])
                  end, lists:seq(1, tuple_size(Insts))).

mappings() ->
    {ok, Maps} = file:read_file("/proc/self/maps"),
    length(binary:split(Maps, <<"\n">>, [global, trim_all])).

rss_kib() ->
    {ok, S} = file:read_file("/proc/self/status"),
    [Line] = [L || L <- binary:split(S, <<"\n">>, [global]),
                   binary:part(L, 0, min(6, byte_size(L))) =:= <<"VmRSS:">>],
    [_, Kb | _] = binary:split(Line, [<<" ">>, <<"\t">>],
                               [global, trim_all]),
    binary_to_integer(Kb).

%% (memory 1) and id(i32) -> i32, by hand (no wat2wasm needed).
module() ->
    iolist_to_binary(
      [<<0, "asm", 1, 0, 0, 0>>,
       section(1, vec([[16#60, 1, 16#7f, 1, 16#7f]])),
       section(3, vec([[0]])),
       section(5, vec([[0, 1]])),
       section(7, vec([[name(<<"id">>), 0, 0]])),
       section(10, vec([body([0, 16#20, 0, 16#0b])]))]).

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
