#!/usr/bin/env escript
%% The AO workload benchmark (not a timed test): HyperBEAM's
%% aos-2-pure-xs.wasm driven as dev_json_iface drives it (malloc and
%% write the message and env JSON, handle(), read the result): the first
%% message (Lua start-up) and the steady time per `return 1 + 1' message,
%% through hb_beamr (every import served by an Erlang import fun, as in
%% HyperBEAM) and through beamr with native WASI; plus start, snapshot
%% and restore times. The first message is also given in CPU time
%% (user+sys of the VM's threads), which the machine's load moves less
%% than wall time. `make bench-aos'; figures in bench/README.md.
%% Needs ebin/ and build/test-ebin/ (the beamr_aos and beamr_json test
%% helpers). Usage: aos_bench.escript [quick]
%% SPDX-License-Identifier: Apache-2.0
%%! -noshell
-mode(compile).

main(Args) ->
    Root = filename:dirname(filename:dirname(
                              filename:absname(escript:script_name()))),
    true = code:add_patha(filename:join(Root, "ebin")),
    true = code:add_patha(filename:join([Root, "build", "test-ebin"])),
    case os:getenv("BEAMR_FIXTURES") of
        false -> os:putenv("BEAMR_FIXTURES",
                           filename:join(filename:dirname(Root),
                                         "shared/fixtures"));
        _ -> ok
    end,
    tier_from_env(),
    {Fresh, Steady} = case Args of
                          ["quick"] -> {2, 20};
                          _ -> {5, 200}
                      end,
    io:format("AO workload (aos-2-pure-xs.wasm), OTP ~s, ~p schedulers~n",
              [erlang:system_info(otp_release),
               erlang:system_info(schedulers_online)]),
    Bin = beamr_aos:module(),
    {CompileUs, {ok, _}} = timer:tc(fun() -> beamr:compile(Bin) end),
    io:format("  compile: ~.1f ms~n", [CompileUs / 1000]),
    [run(How, Fresh, Steady) || How <- [hb, native]],
    snapshots(),
    halt(0).

%% Fresh instances: start and first message; then steady messages on
%% one instance.
run(How, Fresh, Steady) ->
    Firsts = [first_message(How) || _ <- lists:seq(1, Fresh)],
    {StartUs, FirstUs, FirstCpuUs} = lists:unzip3(Firsts),
    {ok, W} = beamr_aos:start(How),
    <<"2">> = data(How, W),
    Times = [element(1, timer:tc(fun() -> <<"2">> = data(How, W) end))
             || _ <- lists:seq(1, Steady)],
    Sorted = lists:sort(Times),
    io:format("  ~s:~n"
              "    start (compile + instantiate): median ~.1f ms~n"
              "    first message:  median ~.1f ms, best ~.1f ms (~p runs)~n"
              "    first message CPU (user+sys, all VM threads): median"
              " ~.1f ms, range ~.1f-~.1f ms~n"
              "    steady message: median ~.2f ms, p90 ~.2f ms, best ~.2f ms"
              " (~p messages)~n",
              [label(How), median(StartUs) / 1000, median(FirstUs) / 1000,
               lists:min(FirstUs) / 1000, length(FirstUs),
               median(FirstCpuUs) / 1000, lists:min(FirstCpuUs) / 1000,
               lists:max(FirstCpuUs) / 1000,
               median(Times) / 1000, pct(Sorted, 90) / 1000,
               hd(Sorted) / 1000, Steady]),
    beamr:stop(W).

label(hb) -> "hb_beamr, imports served by an Erlang import fun";
label(native) -> "beamr, native WASI".

first_message(How) ->
    {StartUs, {ok, W}} = timer:tc(fun() -> beamr_aos:start(How) end),
    Cpu0 = cpu_us(),
    {FirstUs, <<"2">>} = timer:tc(fun() -> data(How, W) end),
    Cpu1 = cpu_us(),
    beamr:stop(W),
    {StartUs, FirstUs, Cpu1 - Cpu0}.

%% CPU time (user+sys) of every thread of the VM in microseconds: on a
%% loaded machine the wall time of the first message mostly measures
%% the wait for a core. Linux's per-thread schedstat (nanoseconds); the
%% VM's user time (statistics(runtime), milliseconds) elsewhere.
cpu_us() ->
    case file:list_dir("/proc/self/task") of
        {ok, Tasks} ->
            lists:sum([thread_cpu_ns(T) || T <- Tasks]) div 1000;
        {error, _} ->
            element(1, statistics(runtime)) * 1000
    end.

thread_cpu_ns(Task) ->
    case file:read_file("/proc/self/task/" ++ Task ++ "/schedstat") of
        {ok, B} -> binary_to_integer(hd(binary:split(B, <<" ">>)));
        {error, _} -> 0 % the thread ended meanwhile
    end.

data(How, W) ->
    {ok, R} = beamr_aos:eval(How, W, <<"return 1 + 1">>),
    beamr_aos:output(R).

snapshots() ->
    {ok, W} = beamr_aos:start(native),
    <<"2">> = data(native, W),
    {SnapUs, {ok, Snap}} = best_of(5, fun() -> beamr:snapshot(W) end),
    {MemUs, {ok, Mem}} = best_of(5, fun() -> beamr:serialize(W) end),
    {ok, W2} = beamr_aos:start(native),
    {RestUs, ok} = best_of(5, fun() -> beamr:restore(W2, Snap) end),
    <<"2">> = data(native, W2),
    io:format("  best of 5: snapshot ~.1f MB: ~.1f ms; restore ~.1f ms; "
              "memory-only serialize (~.1f MB) ~.1f ms~n",
              [byte_size(Snap) / 1.0e6, SnapUs / 1000, RestUs / 1000,
               byte_size(Mem) / 1.0e6, MemUs / 1000]),
    beamr:stop(W),
    beamr:stop(W2).

%% The fastest of N timed runs of F, with the last result. Each run's
%% result is dropped and collected before the next, so that its 12 MB can
%% be reused: a fresh 12 MB costs about 3,000 page faults, whose price
%% varies with the machine more than the copy does.
best_of(N, F) ->
    Runs = [begin
                erlang:garbage_collect(),
                {T, R} = timer:tc(F),
                {T, if I =:= N -> R; true -> dropped end}
            end || I <- lists:seq(1, N)],
    {_, Last} = lists:last(Runs),
    {lists:min([T || {T, _} <- Runs]), Last}.

median(L) ->
    lists:nth((length(L) + 1) div 2, lists:sort(L)).

pct(Sorted, P) ->
    lists:nth(max(1, (length(Sorted) * P + 99) div 100), Sorted).

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
