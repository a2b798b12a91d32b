%% @doc EUnit tests of the limits that protect the host (issue 11): WASI
%% host fds per instance and for the whole VM, closed at `stop/1' and at
%% the end of `run_wasi/2' (counted in /proc/self/fd), `max_capture => 0',
%% a read-only preopen refusing open for writing, f32 arguments beyond
%% the f32 range. The WASI programs are test/wasi/*.c, built into
%% build/wasi/ by `make wasi-programs'.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_limits_tests).
-include_lib("eunit/include/eunit.hrl").
-export([peer_grow64/2]).

%% WASI errno numbers (wasi-libc's errno values are the same).
-define(EMFILE, 33).
-define(ENFILE, 41).

program(Name) ->
    beamr_wasi_program:read(Name).

%% A fresh directory holding the file `f' for fd_hog to open.
sandbox() ->
    Dir = filename:join(tmp_dir(), "beamr-limits-" ++
                            integer_to_list(erlang:unique_integer(
                                              [positive]))),
    ok = filelib:ensure_path(Dir),
    ok = file:write_file(filename:join(Dir, "f"), <<"x">>),
    Dir.

tmp_dir() ->
    case os:getenv("TMPDIR") of
        false -> "/tmp";
        "" -> "/tmp";
        Dir -> Dir
    end.

%% The host fds of this OS process.
open_fds() ->
    {ok, Names} = file:list_dir("/proc/self/fd"),
    length(Names).

hog_opts(Dir, Args, Extra) ->
    #{wasi => maps:merge(#{args => ["fd_hog" | Args],
                           preopens => [{"/sandbox", Dir}]}, Extra),
      timeout => 30000}.

%% "opened N errno E" -> {N, E}
opened(Out) ->
    {match, [N, E]} = re:run(Out, "opened (\\d+) errno (\\d+)",
                             [{capture, all_but_first, binary}]),
    {binary_to_integer(N), binary_to_integer(E)}.

%% Polls until F() is true or Ms pass; the last F().
wait_until(F, Ms) ->
    case F() of
        true -> true;
        false when Ms =< 0 -> false;
        false -> timer:sleep(5), wait_until(F, Ms - 5)
    end.

%% ------------------------------------------------------------------
%% Host fds per instance, closed when run_wasi/2 returns

per_instance_limit_test_() ->
    {timeout, 60, fun per_instance_limit/0}.

per_instance_limit() ->
    Dir = sandbox(),
    try
        Before = open_fds(),
        %% max_fds counts stdio (3) and the preopen (1) too.
        {ok, #{stdout := Out}} =
            beamr:run_wasi(program("fd_hog"),
                           hog_opts(Dir, ["/sandbox/f"], #{max_fds => 10})),
        ?assertEqual({6, ?EMFILE}, opened(Out)),
        ?assertEqual(Before, open_fds()),
        %% The default: 128 guest fds.
        {ok, #{stdout := Out2}} =
            beamr:run_wasi(program("fd_hog"),
                           hog_opts(Dir, ["/sandbox/f"], #{})),
        ?assertEqual({124, ?EMFILE}, opened(Out2)),
        ?assertEqual(Before, open_fds())
    after
        ok = file:del_dir_r(Dir)
    end.

max_fds_option_test() ->
    Bin = program("fd_hog"),
    [?assertError(badarg, beamr:run_wasi(Bin, #{wasi => #{max_fds => V}}))
     || V <- [0, -1, 1 bsl 32, many]].

%% ------------------------------------------------------------------
%% stop/1 closes every host fd at once, even during a call

stop_closes_fds_test_() ->
    {timeout, 60, fun stop_closes_fds/0}.

stop_closes_fds() ->
    Dir = sandbox(),
    try
        Before = open_fds(),
        {ok, Pid} = beamr:start(program("fd_hog"),
                                #{wasi => #{args => ["fd_hog", "/sandbox/f",
                                                     "20"],
                                            preopens => [{"/sandbox", Dir}],
                                            stdout => {stream, self()}}}),
        Self = self(),
        %% The caller lives on after its call (its heap may still hold
        %% the call's resources): the fds must close anyway.
        Caller = spawn(fun() ->
                               Self ! {result,
                                       beamr:call(Pid, <<"_start">>, [])},
                               receive done -> ok end
                       end),
        ?assertEqual(<<"holding 20\n">>, stdout_line(<<>>)),
        %% 20 files and the preopen, while the guest spins.
        ?assertEqual(Before + 21, open_fds()),
        ok = beamr:stop(Pid),
        ?assert(wait_until(fun() -> open_fds() =:= Before end, 200)),
        receive
            {result, R} -> ?assertEqual({error, stopped}, R)
        after 5000 ->
                error(call_not_ended)
        end,
        ?assertEqual(Before, open_fds()),
        Caller ! done
    after
        ok = file:del_dir_r(Dir)
    end.

%% The death of the owner stops the instance: its preopens close too.
owner_death_closes_fds_test() ->
    Dir = sandbox(),
    try
        Before = open_fds(),
        Self = self(),
        Owner = spawn(fun() ->
                              {ok, Pid} = beamr:start(
                                            program("fd_hog"),
                                            #{wasi => #{preopens =>
                                                            [{"/a", Dir},
                                                             {"/b", Dir},
                                                             {"/c", Dir}]}}),
                              Self ! {started, Pid},
                              receive never -> ok end
                      end),
        receive {started, _} -> ok after 5000 -> error(not_started) end,
        ?assertEqual(Before + 3, open_fds()),
        exit(Owner, kill),
        ?assert(wait_until(fun() -> open_fds() =:= Before end, 500))
    after
        ok = file:del_dir_r(Dir)
    end.

%% One line of streamed stdout (it may come in several writes).
stdout_line(Acc) ->
    receive
        {beamr_output, _, stdout, Data} ->
            Line = <<Acc/binary, Data/binary>>,
            case binary:last(Line) of
                $\n -> Line;
                _ -> stdout_line(Line)
            end
    after 10000 ->
            error({no_output, Acc})
    end.

%% ------------------------------------------------------------------
%% The VM-wide cap (application env max_host_fds), in a peer VM

vm_limit_test_() ->
    {timeout, 60, fun vm_limit/0}.

vm_limit() ->
    Dir = sandbox(),
    Ebin = filename:dirname(code:which(beamr)),
    TestEbin = filename:dirname(code:which(?MODULE)),
    {ok, Peer} = start_peer(["-pa", Ebin, "-pa", TestEbin,
                             "-beamr", "max_host_fds", "10"]),
    try
        ok = peer:call(Peer, application, load, [beamr]),
        Bin = program("fd_hog"),
        Opts = hog_opts(Dir, ["/sandbox/f"], #{}),
        %% The preopen takes one of the 10.
        {ok, #{stdout := Out}} = peer:call(Peer, beamr, run_wasi, [Bin, Opts],
                                           30000),
        ?assertEqual({9, ?ENFILE}, opened(Out)),
        %% All closed at the end of run_wasi: the next run gets them all.
        {ok, #{stdout := Out2}} = peer:call(Peer, beamr, run_wasi,
                                            [Bin, Opts], 30000),
        ?assertEqual({9, ?ENFILE}, opened(Out2)),
        %% Preopens count too: 10 instances hold one each, the 11th
        %% cannot start until one of them stops.
        %% (detached: peer:call's process ends after each call)
        Start = fun() -> peer:call(Peer, beamr, start,
                                   [Bin, Opts#{detached => true}])
                end,
        Held = [begin {ok, P} = Start(), P end || _ <- lists:seq(1, 10)],
        ?assertMatch({error, {wasi, #{reason := limit_exceeded}}}, Start()),
        ok = peer:call(Peer, beamr, stop, [hd(Held)]),
        {ok, Last} = Start(),
        [ok = peer:call(Peer, beamr, stop, [P]) || P <- [Last | tl(Held)]]
    after
        peer:stop(Peer),
        ok = file:del_dir_r(Dir)
    end.

start_peer(Args) ->
    case peer:start_link(#{connection => standard_io, args => Args}) of
        {ok, Peer} -> {ok, Peer};
        {ok, Peer, _Node} -> {ok, Peer}
    end.

%% ------------------------------------------------------------------
%% max_capture => 0 captures nothing

max_capture_zero_test() ->
    Opts = fun(Max) -> #{wasi => #{args => ["hello", "a"],
                                   max_capture => Max}}
           end,
    {ok, #{stdout := Full}} = beamr:run_wasi(program("hello"), #{}),
    ?assert(byte_size(Full) > 4),
    {ok, #{stdout := None}} = beamr:run_wasi(program("hello"), Opts(0)),
    ?assertEqual(<<>>, None),
    {ok, #{stdout := Some}} = beamr:run_wasi(program("hello"), Opts(4)),
    ?assert(byte_size(Some) =< 4),
    ?assertError(badarg, beamr:run_wasi(program("hello"), Opts(-1))).

%% ------------------------------------------------------------------
%% open(O_RDWR) under a read-only preopen: ENOTCAPABLE at once

read_only_open_test() ->
    Dir = sandbox(),
    try
        Opts = #{wasi => #{args => ["readonly"],
                           preopens => [{"/ro", Dir, read_only},
                                        {"/sandbox", Dir}]}},
        ok = file:write_file(filename:join(Dir, "data.txt"),
                             <<"read only data\n">>),
        {ok, #{stdout := Out}} = beamr:run_wasi(program("readonly"), Opts),
        Lines = binary:split(Out, <<"\n">>, [global]),
        ?assert(lists:member(<<"open O_RDWR                -> -1 "
                               "Capabilities insufficient">>, Lines)),
        ?assert(lists:member(<<"open O_WRONLY              -> -1 "
                               "Capabilities insufficient">>, Lines))
    after
        ok = file:del_dir_r(Dir)
    end.

%% ------------------------------------------------------------------
%% f32 arguments: finite values beyond the f32 range are rejected

f32_range_test() ->
    {ok, Pid} = beamr:start(beamr_tests:basic_module(), #{}),
    C = fun(Args) -> beamr:call(Pid, <<"id_f32">>, Args) end,
    [?assertEqual({error, {invalid_args, [V]}}, C([V]))
     || V <- [1.0e300, -1.0e300, 3.5e38, 1 bsl 128 + 0.0,
              %% FLT_MAX plus half an ulp rounds to infinity: out.
              3.4028235677973366e38, 3.4028235677973366e38 + 1.0e23]],
    %% FLT_MAX itself, and what rounds down to it, are in range.
    FltMax = 3.4028234663852886e38,
    ?assertEqual({ok, [FltMax]}, C([FltMax])),
    ?assertEqual({ok, [FltMax]}, C([3.4028235e38])),
    ?assertEqual({ok, [-FltMax]}, C([-FltMax])),
    ?assertEqual({ok, [infinity]}, C([infinity])),
    ?assertEqual({ok, ['-infinity']}, C(['-infinity'])),
    ?assertEqual({ok, [1.5]}, C([1.5])),
    %% f64 keeps its whole range.
    ?assertEqual({ok, [1.0e300]}, beamr:call(Pid, <<"id_f64">>, [1.0e300])),
    ok = beamr:stop(Pid).

%% ------------------------------------------------------------------
%% Externref terms kept by an instance: identical terms share one
%% holder, at most 100,000 distinct ones

externref_cap_test_() ->
    {timeout, 120, fun externref_cap/0}.

externref_cap() ->
    Mod = beamr_wasm:module(
            [{type, beamr_wasm:vec([beamr_wasm:functype([externref],
                                                        [externref])])},
             {function, beamr_wasm:vec([beamr_wasm:u(0)])},
             {export, beamr_wasm:vec([beamr_wasm:export(<<"id">>, func, 0)])},
             {code, beamr_wasm:vec([beamr_wasm:code([beamr_wasm:op(local_get),
                                                     beamr_wasm:u(0)])])}]),
    {ok, Pid} = beamr:start(Mod, #{}),
    Id = fun(T) -> beamr:call(Pid, <<"id">>, [T]) end,
    %% The same term again and again: one holder.
    Same = {self(), <<"same">>},
    [{ok, [Same]} = Id(Same) || _ <- lists:seq(1, 200000)],
    %% Distinct terms up to the cap (the one above included).
    [{ok, [{N}]} = Id({N}) || N <- lists:seq(2, 100000)],
    ?assertEqual({error, {invalid_args, [{beyond}]}}, Id({beyond})),
    %% Terms it keeps still pass, and null never counts.
    ?assertEqual({ok, [{7}]}, Id({7})),
    ?assertEqual({ok, [Same]}, Id(Same)),
    ?assertEqual({ok, [null]}, Id(null)),
    ok = beamr:stop(Pid).

%% ------------------------------------------------------------------
%% The memory cap: 65536 pages (4 GiB) by default, even for memory64
%% whose spec maximum is 2^48 pages; `infinity' per instance lifts it;
%% the application env max_memory_pages changes the default (peer VM).
%% Growth commits nothing (lazy memory): these grows are cheap.

%% grow64/3 in the peer VM of memory_cap_env/0.
peer_grow64(Opts, Delta) ->
    grow64(mem64_module(), Opts, Delta).

mem64_module() ->
    {ok, Mod} = beamr:compile(
                  <<"(module (memory i64 1)"
                    " (func (export \"grow\") (param i64) (result i64)"
                    "  (memory.grow (local.get 0))))">>),
    Mod.

%% What memory.grow(Delta) returns in a fresh instance started with Opts.
grow64(Mod, Opts, Delta) ->
    {ok, I} = beamr:start(Mod, Opts),
    try
        {ok, [R]} = beamr:call(I, <<"grow">>, [Delta]),
        R
    after
        beamr:stop(I)
    end.

memory_cap_default_test() ->
    Mod = mem64_module(),
    %% 1 + 65535 pages is the cap itself; one more is refused.
    ?assertEqual(1, grow64(Mod, #{}, 65535)),
    ?assertEqual(-1, grow64(Mod, #{}, 65536)),
    %% A start whose memory is already above the cap fails.
    {ok, Big} = beamr:compile(<<"(module (memory i64 65537))">>),
    ?assertMatch({error, {link, _}}, beamr:start(Big, #{})).

memory_cap_infinity_test() ->
    Mod = mem64_module(),
    Unlimited = #{limits => #{max_memory_pages => infinity}},
    ?assertEqual(1, grow64(Mod, Unlimited, 65536)),
    %% A smaller cap still applies, and the value is checked.
    ?assertEqual(-1, grow64(Mod, #{limits => #{max_memory_pages => 8}}, 8)),
    ?assertEqual(1, grow64(Mod, #{limits => #{max_memory_pages => 8}}, 7)),
    ?assertError(badarg,
                 beamr:start(Mod, #{limits => #{max_memory_pages => 0}})),
    ?assertError(badarg,
                 beamr:start(Mod, #{limits => #{max_memory_pages => huge}})).

memory_cap_env_test_() ->
    {timeout, 60, fun memory_cap_env/0}.

memory_cap_env() ->
    Ebin = filename:dirname(code:which(beamr)),
    TestEbin = filename:dirname(code:which(?MODULE)),
    {ok, Peer} = start_peer(["-pa", Ebin, "-pa", TestEbin,
                             "-beamr", "max_memory_pages", "16"]),
    try
        ok = peer:call(Peer, application, load, [beamr]),
        %% In the peer as a whole: resources do not cross its stdio link.
        Grow = fun(Opts, Delta) ->
                       peer:call(Peer, ?MODULE, peer_grow64, [Opts, Delta])
               end,
        ?assertEqual(1, Grow(#{}, 15)),
        ?assertEqual(-1, Grow(#{}, 16)),
        %% The instance's own limit overrides the VM's default.
        ?assertEqual(1, Grow(#{limits => #{max_memory_pages => 100}}, 16)),
        ?assertEqual(1, Grow(#{limits => #{max_memory_pages => infinity}},
                             65536))
    after
        peer:stop(Peer)
    end.
