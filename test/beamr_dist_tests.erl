%% @doc EUnit tests of instances on other nodes, with real peer nodes
%% (OTP's `peer'): remote start (the module sent once), calls whose
%% imports run in the caller's process, memory access, stop and
%% monitoring from another node, the creator's death, migration
%% between calls (state kept, queued calls answered once by the new
%% instance, failures leaving the old one going), and a call moved in
%% the middle: snapshot in an import here, resumed on a peer.
%%
%% The test VM is made distributed here if it is not (with `epmd
%% -daemon'); the peers are stopped at the end.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_dist_tests).
-include_lib("eunit/include/eunit.hrl").

%% env.add (i32 i32 -> i32) and env.wait (->) are imported; `inc'
%% increments a mutable global and returns it; `slow_inc' calls wait
%% first; `calc' is add(a, b) * 2; `spin' loops forever.
counter_module() ->
    beamr_wat:wasm(
      "(module"
      " (import \"env\" \"add\" (func $add (param i32 i32) (result i32)))"
      " (import \"env\" \"wait\" (func $wait))"
      " (memory (export \"memory\") 1)"
      " (global $n (mut i32) (i32.const 0))"
      " (func (export \"inc\") (result i32)"
      "   (global.set $n (i32.add (global.get $n) (i32.const 1)))"
      "   (global.get $n))"
      " (func (export \"slow_inc\") (result i32)"
      "   (call $wait)"
      "   (global.set $n (i32.add (global.get $n) (i32.const 1)))"
      "   (global.get $n))"
      " (func (export \"calc\") (param i32 i32) (result i32)"
      "   (i32.mul (call $add (local.get 0) (local.get 1)) (i32.const 2)))"
      " (func (export \"spin\") (loop (br 0))))").

%% A start function that calls env.hello.
start_module() ->
    beamr_wat:wasm(
      "(module"
      " (import \"env\" \"hello\" (func $hello (param i32)))"
      " (func $s (call $hello (i32.const 7)))"
      " (start $s))").

%% Binds add in the caller (it reports the process it runs in) and
%% leaves wait to each call's import fun.
add_bound(Test) ->
    #{imports => #{{<<"env">>, <<"add">>} =>
                       fun([A, B]) -> Test ! {add_ran_in, self()}, [A + B] end},
      lazy_imports => true}.

dist_test_() ->
    {setup, fun start_peers/0, fun stop_peers/1,
     fun({P1, P2}) ->
             {timeout, 120,
              [?_test(remote_start_call(P1)),
               ?_test(module_sent_once(P2)),
               ?_test(nested_from_import(P2)),
               ?_test(start_function_imports_here(P1)),
               ?_test(import_fun_raises(P1)),
               ?_test(creator_death_stops(P1)),
               ?_test(stop_and_monitor(P1)),
               ?_test(migrate_keeps_state(P1, P2)),
               ?_test(migrate_queued_calls(P1)),
               ?_test(migrate_refusals(P1)),
               ?_test(local_node_and_unknown_node()),
               ?_test(remote_start_link(P2)),
               ?_test(mid_call_move(P2)),
               ?_test(node_lost())]}
     end}.

%% A long computation suspended in an import here (its snapshot taken
%% in the import fun, which then abandons the call), restored on a peer
%% and finished there: the result and the import fun's state of a run
%% that never moved, the rest of its imports served in this process.
mid_call_move(Peer) ->
    {ok, Mod} = beamr:compile(beamr_suspend_tests:module()),
    Args = [40, 100000],
    Fun = fun beamr_suspend_tests:answer/3,
    {ok, Ref} = beamr:start(Mod, #{lazy_imports => true}),
    {ok, [R], N} = beamr:call(Ref, run, Args, Fun, 0, #{}),
    K = N div 2,
    {ok, A} = beamr:start(Mod, #{lazy_imports => true}),
    Self = self(),
    Move = fun(S, _Import, _Opts) when S + 1 =:= K ->
                   {ok, Snap} = beamr:snapshot(A),
                   Self ! {snap, Snap},
                   throw(moved);
              (S, Import, Opts) ->
                   Fun(S, Import, Opts)
           end,
    ?assertMatch({error, throw, moved, _, _},
                 beamr:call(A, run, Args, Move, 0, #{})),
    Snap = receive {snap, S} -> S end,
    {ok, B} = beamr:start(Mod, #{node => Peer, lazy_imports => true}),
    ?assertEqual(Peer, node(B)),
    ?assertEqual(ok, beamr:restore(B, Snap)),
    Here = self(),
    Counted = fun(St, Import, Opts) -> Here ! {served_in, self()},
                                       Fun(St, Import, Opts) end,
    ?assertEqual({ok, [R], N}, beamr:resume(B, Counted, K - 1, #{})),
    receive {served_in, P} -> ?assertEqual(Here, P) end,
    ?assertEqual({error, no_suspended_call}, beamr:resume(B)),
    [ok = beamr:stop(I) || I <- [Ref, A, B]].

start_peers() ->
    _ = os:cmd("epmd -daemon"),
    case node() of
        nonode@nohost ->
            Name = list_to_atom("beamr_dist_" ++ os:getpid()),
            {ok, _} = net_kernel:start(Name, #{name_domain => shortnames}),
            put(beamr_dist_started_net, true);
        _ ->
            ok
    end,
    {peer(), peer()}.

peer() ->
    Ebin = filename:absname(filename:dirname(code:which(beamr))),
    TestEbin = filename:absname(filename:dirname(code:which(?MODULE))),
    {ok, Peer, Node} = peer:start_link(
                         #{name => peer:random_name(beamr_peer),
                           args => ["-pa", Ebin, "-pa", TestEbin]}),
    put({peer, Node}, Peer),
    Node.

stop_peers({P1, P2}) ->
    [peer:stop(get({peer, N})) || N <- [P1, P2]],
    _ = get(beamr_dist_started_net) =:= true andalso net_kernel:stop(),
    ok.

remote_start_call(Peer) ->
    {ok, I} = beamr:start(counter_module(), (add_bound(self()))#{node => Peer}),
    ?assertEqual(Peer, node(I)),
    ?assertEqual({ok, [10]}, beamr:call(I, calc, [2, 3])),
    Self = self(),
    receive {add_ran_in, P} -> ?assertEqual(Self, P) end,
    %% The call's own import fun, and its state, in this process.
    Wait = fun(N, #{func := <<"wait">>}, _) -> {ok, [], N + 1} end,
    ?assertEqual({ok, [1], 1}, beamr:call(I, slow_inc, [], Wait, 0, #{})),
    %% Memory, globals, sizes from here.
    ?assertEqual(ok, beamr:write(I, 100, <<"remote">>)),
    ?assertEqual({ok, <<"remote">>}, beamr:read(I, 100, 6)),
    ?assertEqual({ok, 65536}, beamr:memory_size(I)),
    ?assertMatch([{<<"memory">>, _} | _], beamr:exports(I)),
    ?assertEqual({error, out_of_bounds}, beamr:read(I, 65536, 1)),
    %% Errors and timeouts are the local ones.
    ?assertEqual({error, function_not_found}, beamr:call(I, nope, [])),
    ?assertEqual({error, timeout}, beamr:call(I, spin, [], #{timeout => 50})),
    ?assertEqual({ok, [2]}, beamr:call(I, inc, [])),
    ok = beamr:stop(I).

%% An import fun (here, in the caller) reads the instance and calls it
%% again while its call waits on the other node: both nest in that call.
nested_from_import(Peer) ->
    Add = fun(#{instance := I}, [A, B]) ->
                  {ok, <<"abc">>} = beamr:read(I, 0, 3),
                  {ok, [N]} = beamr:call(I, inc, []),
                  Wait = fun(S, _, _) -> {ok, [], S + 1} end,
                  {ok, [N2], 1} = beamr:call(I, slow_inc, [], Wait, 0, #{}),
                  [A + B + N + N2]
          end,
    {ok, I} = beamr:start(counter_module(),
                          #{node => Peer, lazy_imports => true,
                            imports => #{{<<"env">>, <<"add">>} => Add}}),
    ok = beamr:write(I, 0, <<"abc">>),
    ?assertEqual({ok, [2 * (2 + 3 + 1 + 2)]}, beamr:call(I, calc, [2, 3])),
    ?assertEqual({ok, [3]}, beamr:call(I, inc, [])),
    ok = beamr:stop(I).

module_sent_once(Peer) ->
    Bin = counter_module(),
    {ok, Mod} = beamr:compile(Bin),
    Before = cache_size(Peer),
    Insts = [begin
                 {ok, I} = beamr:start(Mod, #{node => Peer, lazy_imports => true}),
                 I
             end || _ <- lists:seq(1, 5)],
    ?assertEqual(Before + 1, cache_size(Peer)),
    ?assertEqual([{ok, [1]} || _ <- Insts], [beamr:call(I, inc, []) || I <- Insts]),
    [beamr:stop(I) || I <- Insts].

cache_size(Peer) ->
    case erpc:call(Peer, ets, info, [beamr_dist, size]) of
        undefined -> 0;
        N -> N
    end.

start_function_imports_here(Peer) ->
    Self = self(),
    Hello = fun([X]) -> Self ! {hello, self(), X}, [] end,
    {ok, I} = beamr:start(start_module(),
                          #{node => Peer,
                            imports => #{{<<"env">>, <<"hello">>} => Hello}}),
    receive {hello, P, X} -> ?assertEqual({Self, 7}, {P, X}) end,
    ok = beamr:stop(I),
    %% A start function that fails: the instance is stopped.
    Bad = fun([_]) -> erlang:error(boom) end,
    ?assertMatch({error, error, boom, _, _},
                 beamr:start(start_module(),
                             #{node => Peer,
                               imports => #{{<<"env">>, <<"hello">>} => Bad}})).

import_fun_raises(Peer) ->
    {ok, I} = beamr:start(counter_module(), #{node => Peer, lazy_imports => true}),
    Raise = fun(_S, _Import, _O) -> erlang:throw(nope) end,
    ?assertMatch({error, throw, nope, _, st},
                 beamr:call(I, slow_inc, [], Raise, st, #{})),
    ?assertEqual({error, {unhandled_import, <<"env">>, <<"wait">>}},
                 beamr:call(I, slow_inc, [])),
    %% The instance is free again.
    ?assertEqual({ok, [1]}, beamr:call(I, inc, [])),
    ok = beamr:stop(I).

creator_death_stops(Peer) ->
    Self = self(),
    Starter = spawn(fun() ->
                            {ok, I} = beamr:start(counter_module(),
                                                  #{node => Peer,
                                                    lazy_imports => true}),
                            Self ! {inst, I},
                            receive die -> ok end
                    end),
    I = receive {inst, X} -> X end,
    Mon = erlang:monitor(process, I),
    ?assertEqual({ok, [1]}, beamr:call(I, inc, [])),
    Starter ! die,
    receive {'DOWN', Mon, process, I, _} -> ok after 5000 -> ?assert(false) end,
    ?assertEqual({error, stopped}, beamr:call(I, inc, [])).

stop_and_monitor(Peer) ->
    {ok, I} = beamr:start(counter_module(), #{node => Peer, lazy_imports => true}),
    Mon = erlang:monitor(process, I),
    %% stop ends a running call at once, from another node.
    Caller = spawn_monitor(fun() -> exit(beamr:call(I, spin, [])) end),
    timer:sleep(50),
    ok = beamr:stop(I),
    ok = beamr:stop(I),
    receive {'DOWN', Mon, process, I, _} -> ok after 5000 -> ?assert(false) end,
    {_, CMon} = Caller,
    receive {'DOWN', CMon, process, _, R} -> ?assertEqual({error, stopped}, R)
    after 5000 -> ?assert(false)
    end.

migrate_keeps_state(P1, P2) ->
    {ok, I0} = beamr:start(counter_module(), add_bound(self())),
    ?assertEqual({ok, [1]}, beamr:call(I0, inc, [])),
    ok = beamr:write(I0, 200, <<"kept">>),
    Mon0 = erlang:monitor(process, I0),
    {ok, I1} = beamr:migrate(I0, P1),
    ?assertEqual(P1, node(I1)),
    receive {'DOWN', Mon0, process, I0, Why} ->
            ?assertEqual({shutdown, {beamr_migrated, I1}}, Why)
    after 5000 -> ?assert(false)
    end,
    ?assertEqual({error, stopped}, beamr:call(I0, inc, [])),
    ?assertEqual({ok, [2]}, beamr:call(I1, inc, [])),
    ?assertEqual({ok, <<"kept">>}, beamr:read(I1, 200, 4)),
    %% The bound fun moved with it and still runs here.
    ?assertEqual({ok, [10]}, beamr:call(I1, calc, [2, 3])),
    Self = self(),
    receive {add_ran_in, P} -> ?assertEqual(Self, P) end,
    %% Peer to peer, then home.
    {ok, I2} = beamr:migrate(I1, P2),
    ?assertEqual({ok, [3]}, beamr:call(I2, inc, [])),
    {ok, I3} = beamr:migrate(I2, node()),
    ?assertEqual(node(), node(I3)),
    ?assertEqual({ok, [4]}, beamr:call(I3, inc, [])),
    %% Still tied to this process: it stops when this process... stops it.
    ok = beamr:stop(I3).

%% A call holds the instance (its import waits); a migration and two
%% more calls queue meanwhile. Each call runs once, in order of the
%% counter, the last two on the new instance.
migrate_queued_calls(Peer) ->
    {ok, I} = beamr:start(counter_module(), #{lazy_imports => true}),
    Self = self(),
    Wait = fun(S, #{func := <<"wait">>}, _) ->
                   Self ! {waiting, self()},
                   receive go -> {ok, [], S} end
           end,
    First = spawn_call(I, slow_inc, Wait),
    Holder = receive {waiting, H} -> H end,
    Mig = spawn_result(fun() -> beamr:migrate(I, Peer) end),
    timer:sleep(50),
    Q1 = spawn_call(I, inc, undefined),
    Q2 = spawn_call(I, inc, undefined),
    timer:sleep(50),
    Holder ! go,
    ?assertEqual({ok, [1]}, result(First)),
    {ok, New} = result(Mig),
    ?assertEqual(Peer, node(New)),
    Rs = lists:sort([result(Q1), result(Q2)]),
    ?assertEqual([{ok, [2]}, {ok, [3]}], Rs),
    ?assertEqual({ok, [4]}, beamr:call(New, inc, [])),
    ok = beamr:stop(New).

spawn_call(I, F, Fun) ->
    spawn_result(fun() ->
                         case beamr:call(I, F, [], Fun, undefined, #{}) of
                             {ok, R, _} -> {ok, R};
                             E -> E
                         end
                 end).

spawn_result(F) ->
    Self = self(),
    Ref = make_ref(),
    _ = spawn(fun() -> Self ! {Ref, F()} end),
    Ref.

result(Ref) ->
    receive {Ref, R} -> R after 10000 -> erlang:error(no_result) end.

migrate_refusals(Peer) ->
    %% Started with start_link: its links cannot move.
    {ok, L} = beamr:start_link(counter_module(), #{lazy_imports => true}),
    ?assertEqual({error, {not_migratable, linked}}, beamr:migrate(L, Peer)),
    ?assertEqual({ok, [1]}, beamr:call(L, inc, [])),
    unlink(L),
    ok = beamr:stop(L),
    %% An imported memory is not in a snapshot.
    Mem = beamr_wat:wasm("(module (import \"env\" \"m\" (memory 1)))"),
    {ok, M} = beamr:start(Mem),
    ?assertEqual({error, {not_migratable, {import, <<"env">>, <<"m">>}}},
                 beamr:migrate(M, Peer)),
    ok = beamr:stop(M),
    ?assertEqual({error, stopped}, beamr:migrate(M, Peer)),
    %% A call that does not end in time: nothing moves.
    {ok, S} = beamr:start(counter_module(), #{lazy_imports => true}),
    Spin = spawn_result(fun() -> beamr:call(S, spin, [], #{timeout => 400}) end),
    timer:sleep(50),
    ?assertEqual({error, timeout}, beamr:migrate(S, Peer, #{timeout => 50})),
    ?assertEqual({error, timeout}, result(Spin)),
    ?assertEqual({ok, [1]}, beamr:call(S, inc, [])),
    ok = beamr:stop(S),
    %% A node that is not there: the instance goes on here.
    {ok, I} = beamr:start(counter_module(), #{lazy_imports => true}),
    ?assertEqual({error, {nodedown, 'nobody@nowhere'}},
                 beamr:migrate(I, 'nobody@nowhere')),
    ?assertEqual({ok, [1]}, beamr:call(I, inc, [])),
    ok = beamr:stop(I).

%% `node => node()' is a local start; a node that is not connected is
%% an error value.
local_node_and_unknown_node() ->
    {ok, I} = beamr:start(counter_module(), #{node => node(),
                                              lazy_imports => true}),
    ?assertEqual(node(), node(I)),
    ?assertEqual({ok, [1]}, beamr:call(I, inc, [])),
    ok = beamr:stop(I),
    ?assertEqual({error, {nodedown, 'nobody@nowhere'}},
                 beamr:start(counter_module(), #{node => 'nobody@nowhere',
                                                 lazy_imports => true})).

%% A node lost in the middle of a call: the caller gets an error value
%% (at once while the wasm code runs there; when its import fun returns
%% if it was in one), and operations on the instance too.
node_lost() ->
    Node = peer(),
    {ok, I} = beamr:start(counter_module(), #{node => Node,
                                              lazy_imports => true}),
    Self = self(),
    Wait = fun(S, _, _) ->
                   Self ! {waiting, self()},
                   receive go -> {ok, [], S} end
           end,
    InImport = spawn_result(fun() ->
                                    beamr:call(I, slow_inc, [], Wait, 0, #{})
                            end),
    Holder = receive {waiting, H} -> H end,
    {ok, I2} = beamr:start(counter_module(), #{node => Node,
                                               lazy_imports => true}),
    Spinning = spawn_result(fun() -> beamr:call(I2, spin, []) end),
    timer:sleep(100),
    peer:stop(get({peer, Node})),
    ?assertEqual({error, {nodedown, Node}}, result(Spinning)),
    Holder ! go,
    ?assertEqual({error, {nodedown, Node}}, result(InImport)),
    ?assertEqual({error, {nodedown, Node}}, beamr:read(I, 0, 1)).

%% start_link with `node': the caller is linked to the remote owner; a
%% stop ends it normally, an exit signal from the caller stops it.
remote_start_link(Peer) ->
    process_flag(trap_exit, true),
    {ok, I} = beamr:start_link(counter_module(), #{node => Peer,
                                                   lazy_imports => true}),
    ?assertEqual({ok, [1]}, beamr:call(I, inc, [])),
    ok = beamr:stop(I),
    receive {'EXIT', I, R} -> ?assertEqual(normal, R)
    after 5000 -> ?assert(false)
    end,
    {ok, I2} = beamr:start_link(counter_module(), #{node => Peer,
                                                    lazy_imports => true}),
    Mon = erlang:monitor(process, I2),
    exit(I2, shutdown),
    receive {'DOWN', Mon, process, I2, _} -> ok after 5000 -> ?assert(false)
    end,
    ?assertEqual({error, stopped}, beamr:call(I2, inc, [])),
    process_flag(trap_exit, false),
    receive {'EXIT', I2, _} -> ok after 0 -> ok end.
