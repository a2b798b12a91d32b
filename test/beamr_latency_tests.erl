%% @doc The scheduler-latency suite (issue 11): for each long-running
%% construct (bulk fill and copy of 1 GiB, a 1 GiB grow, instantiating a
%% 4 GiB memory, a big data segment, a huge table fill, the unwind of a
%% deep recursion, the snapshot of a large memory, the release of
%% memories with 1 GiB touched):
%% <ul>
%% <li>a ticker process sharing the only scheduler is never late by more
%%     than 20 ms;</li>
%% <li>a call with `timeout => 100' returns within 150 ms;</li>
%% <li>`stop/1' ends a running call within 50 ms.</li>
%% </ul>
%% Run by `make erlang-latency-test' in a VM of its own with one
%% scheduler (`erl +S 1'), never with the other suites. The modules are
%% test/latency/*.wat, built into build/latency/ with wat2wasm; the big
%% data segment is made here.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_latency_tests).
-include_lib("eunit/include/eunit.hrl").

-import(beamr_wasm, [module/1, vec/1, u/1, s/1, op/1, limits/1]).

-define(BUILD, "build/latency").
-define(MAX_LATE_MS, 20).
-define(TIMEOUT_MS, 100).
-define(TIMEOUT_BOUND_MS, 150).
-define(STOP_BOUND_MS, 50).
%% How long the ticker sleeps between two wake-ups.
-define(TICK_MS, 2).
-define(GIB_PAGES, 16384).
-define(SLOW, 600). % EUnit timeout (s) of one test: slow before the fix

%% ------------------------------------------------------------------
%% The constructs

%% {Name, Module, StartOpts, Func, Args of one run, Args of a long run}
calls() ->
    Deep = #{limits => #{max_call_depth => 1000000}},
    [{"memory.fill 1 GiB", "bulk", #{}, <<"fill">>, [1], [20]},
     {"memory.copy 1 GiB", "bulk", #{}, <<"copy">>, [1], [20]},
     {"memory.grow 1 GiB", "grow", #{}, <<"grow">>, [?GIB_PAGES, 1],
      [?GIB_PAGES, 3]},
     {"table.fill 40M", "table", #{limits => #{max_table_size => 40000000}},
      <<"fill">>, [1], [50]},
     {"deep recursion unwind", "deep", Deep, <<"deep">>, [0], [0]}].

wasm(Name) ->
    Path = filename:join(?BUILD, Name ++ ".wasm"),
    case file:read_file(Path) of
        {ok, Bin} -> Bin;
        {error, Reason} -> error({missing_module, Path, Reason,
                                  "run make erlang-latency-test"})
    end.

%% A 1 GiB memory whose data segment fills its first 64 MiB.
data_module() ->
    Size = 64 bsl 20,
    module([{memory, vec([limits({?GIB_PAGES})])},
            {data, vec([[0, op(i32_const), s(0), op('end'), u(Size),
                         binary:copy(<<16#5a>>, Size)]])}]).

%% ------------------------------------------------------------------
%% The tests

%% On a VM with more schedulers (rebar3 eunit, a shell), the suite runs
%% itself again in a peer VM with one.
latency_test_() ->
    case erlang:system_info(schedulers_online) of
        1 -> tests();
        _ -> {timeout, 3600, fun in_single_scheduler_vm/0}
    end.

in_single_scheduler_vm() ->
    Paths = [filename:dirname(code:which(M)) || M <- [beamr, ?MODULE]],
    Args = ["+S", "1" | lists:append([["-pa", P] || P <- Paths])],
    {ok, Peer} = case peer:start_link(#{connection => standard_io,
                                          args => Args}) of
                     {ok, P0} -> {ok, P0};
                     {ok, P0, _Node} -> {ok, P0}
                 end,
    try
        ?assertEqual(ok, peer:call(Peer, eunit, test, [?MODULE, [verbose]],
                                   infinity))
    after
        peer:stop(Peer)
    end.

tests() ->
    {setup, fun check_vm/0,
     {inorder,
      [{Name ++ ": ticker", {timeout, ?SLOW, fun() -> call_ticker(C) end}}
       || C = {Name, _, _, _, _, _} <- calls()] ++
      [{"instantiate 4 GiB: ticker",
        {timeout, ?SLOW, fun instantiate_ticker/0}},
       {"64 MiB data segment: ticker",
        {timeout, ?SLOW, fun data_segment_ticker/0}},
       {"snapshot of 1 GiB: ticker", {timeout, ?SLOW, fun snapshot_ticker/0}},
       {"release of 2 x 1 GiB touched: ticker",
        {timeout, ?SLOW, fun release_ticker/0}}]
      ++
      [{Name ++ ": timeout", {timeout, ?SLOW, fun() -> call_timeout(C) end}}
       || C = {Name, _, _, _, _, _} <- calls()] ++
      [{Name ++ ": stop", {timeout, ?SLOW, fun() -> call_stop(C) end}}
       || C = {Name, _, _, _, _, _} <- calls()]}}.

%% The bounds mean something only with a single scheduler.
check_vm() ->
    ?assertEqual(1, erlang:system_info(schedulers_online)).

call_ticker({_Name, Mod, Opts, Func, Args, _Long}) ->
    within(?MAX_LATE_MS, fun() ->
        with_instance(Mod, Opts, fun(Pid) ->
            {R, Late} = with_ticker(fun() -> beamr:call(Pid, Func, Args) end),
            %% Only the recursion ends in a trap (the exhausted stack).
            case Func of
                <<"deep">> -> ?assertMatch({error, {trap, _}}, R);
                _ -> ?assertMatch({ok, _}, R)
            end,
            {Late, R}
        end)
    end).

instantiate_ticker() ->
    {ok, Mod} = beamr:compile(wasm("big_memory")),
    within(?MAX_LATE_MS, fun() ->
        start_ticker(Mod, fun(Pid) ->
            ?assertEqual({ok, <<"GiB">>}, beamr:read(Pid, (4 bsl 30) - 3, 3))
        end)
    end).

data_segment_ticker() ->
    {ok, Mod} = beamr:compile(data_module()),
    within(?MAX_LATE_MS, fun() ->
        start_ticker(Mod, fun(Pid) ->
            ?assertEqual({ok, <<16#5a, 16#5a, 0>>},
                         beamr:read(Pid, (64 bsl 20) - 2, 3))
        end)
    end).

%% The ticker around beamr:start/2, then Check(Pid); {Late, started}.
start_ticker(Mod, Check) ->
    {R, Late} = with_ticker(fun() -> beamr:start(Mod, #{}) end),
    {ok, Pid} = R,
    try
        Check(Pid)
    after
        beamr:stop(Pid),
        erlang:garbage_collect()
    end,
    {Late, started}.

snapshot_ticker() ->
    within(?MAX_LATE_MS, fun() ->
        with_instance("bulk", #{}, fun(Pid) ->
            {R, Late} = with_ticker(fun() -> beamr:snapshot(Pid) end),
            {ok, Snap} = R,
            ?assert(byte_size(Snap) > 1 bsl 30),
            {Late, snapshot}
        end)
    end).

%% Two instances whose memories have 1 GiB touched each are stopped and
%% their last references dropped: unmapping 1 GiB of touched pages takes
%% tens of ms, which must not happen on the scheduler. The ticker runs
%% until the VM's RSS has fallen by 1.5 GiB (the memory was released, on
%% some thread).
release_ticker() ->
    within(?MAX_LATE_MS, fun() ->
        Pids = [touched_instance() || _ <- [1, 2]],
        Rss0 = rss_kib(),
        {Waited, Late} = with_ticker(fun() ->
            _ = [beamr:stop(P) || P <- Pids],
            erlang:garbage_collect(),
            wait_rss_below(Rss0 - (3 bsl 19), now_ms() + 10000)
        end),
        ?assertMatch({ok, _}, Waited),
        {Late, Waited}
    end).

%% A started "bulk" instance after one memory.fill of its whole GiB.
touched_instance() ->
    {ok, Pid} = beamr:start(wasm("bulk"), #{}),
    {ok, _} = beamr:call(Pid, <<"fill">>, [1]),
    Pid.

%% Polls the RSS every 5 ms until it is below Kib: {ok, Ms waited} or
%% {error, {rss_kib, Now}} at the deadline.
wait_rss_below(Kib, Deadline) ->
    T0 = now_ms(),
    wait_rss_below(Kib, Deadline, T0).

wait_rss_below(Kib, Deadline, T0) ->
    case rss_kib() of
        R when R < Kib -> {ok, now_ms() - T0};
        R ->
            case now_ms() > Deadline of
                true -> {error, {rss_kib, R, want_below, Kib}};
                false -> timer:sleep(5), wait_rss_below(Kib, Deadline, T0)
            end
    end.

rss_kib() ->
    {ok, S} = file:read_file("/proc/self/status"),
    [Kib] = [binary_to_integer(hd(binary:split(V, <<" ">>)))
             || <<"VmRSS:", Rest/binary>> <- binary:split(S, <<"\n">>,
                                                         [global]),
                V <- [string:trim(Rest)]],
    Kib.

%% timeout => 100: {error, timeout} (or the result, if the construct is
%% that fast) within 150 ms, measured around the call.
call_timeout({_Name, Mod, Opts, Func, _Args, Long}) ->
    within(?TIMEOUT_BOUND_MS, fun() ->
        with_instance(Mod, Opts, fun(Pid) ->
            T0 = now_ms(),
            R = beamr:call(Pid, Func, Long, #{timeout => ?TIMEOUT_MS}),
            ?assert(is_tuple(R)),
            {now_ms() - T0, R}
        end)
    end).

%% stop/1 meant 30 ms into the call: the caller has its answer within
%% 50 ms of that moment (a scheduler blocked by the call delays the
%% stop itself, which counts too). A call over before then is fine.
call_stop({_Name, Mod, Opts, Func, _Args, Long}) ->
    within(?STOP_BOUND_MS, fun() ->
        with_instance(Mod, Opts, fun(Pid) -> stop_during(Pid, Func, Long) end)
    end).

stop_during(Pid, Func, Args) ->
    Self = self(),
    Caller = spawn(fun() ->
                           R = beamr:call(Pid, Func, Args),
                           Self ! {ended, now_ms(), R}
                   end),
    StopAt = now_ms() + 30,
    timer:sleep(30),
    ok = beamr:stop(Pid),
    receive
        {ended, T1, R} ->
            ?assert(is_tuple(R)),
            {T1 - StopAt, R}
    after 120000 ->
            exit(Caller, kill),
            error(call_never_ended)
    end.

%% ------------------------------------------------------------------
%% Helpers

%% Checks a time bound (ms) on Measure() -> {Ms, Info}. The machine is
%% shared: a measurement over the bound but within 5 times it is taken
%% again (3 tries in all), as the OS may have preempted the VM; a
%% scheduler blocked by the construct misses by far more, every time.
within(Bound, Measure) ->
    within(Bound, Measure, 3).

within(Bound, Measure, Tries) ->
    {Ms, Info} = Measure(),
    if
        Ms =< Bound -> ok;
        Tries > 1, Ms =< 5 * Bound -> within(Bound, Measure, Tries - 1);
        true -> ?assert(Ms =< Bound, {ms, Ms, bound, Bound, Info})
    end.

with_instance(Mod, Opts, F) ->
    {ok, Pid} = beamr:start(wasm(Mod), Opts),
    try
        F(Pid)
    after
        beamr:stop(Pid),
        %% Let the instance's memory go before the next test.
        erlang:garbage_collect()
    end.

%% Runs F() while a ticker process sleeps ?TICK_MS again and again;
%% {F(), the ticker's worst lateness in ms}.
with_ticker(F) ->
    Ticker = spawn_link(fun() -> tick(0) end),
    %% Let the ticker start its first sleep.
    erlang:yield(),
    try
        F()
    of
        R ->
            Ticker ! {stop, self()},
            receive
                {late_us, Us} -> {R, Us / 1000}
            end
    after
        unlink(Ticker),
        exit(Ticker, kill)
    end.

tick(Worst) ->
    T0 = erlang:monotonic_time(microsecond),
    receive
        {stop, From} ->
            %% A blocked scheduler may deliver the stop before the
            %% timeout: that wait counts too.
            Now = erlang:monotonic_time(microsecond),
            From ! {late_us, max(Worst, Now - T0 - ?TICK_MS * 1000)}
    after ?TICK_MS ->
            Late = erlang:monotonic_time(microsecond) - T0 - ?TICK_MS * 1000,
            tick(max(Worst, Late))
    end.

now_ms() ->
    erlang:monotonic_time(millisecond).
