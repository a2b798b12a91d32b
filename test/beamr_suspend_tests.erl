%% @doc EUnit tests of mid-call snapshots on one node: a call captured
%% in an import fun, between two slices (from another process) and
%% stopped by fuel, restored into a fresh instance and resumed there,
%% gives the result and import-fun state of an uninterrupted run; what
%% cannot be captured is refused; a damaged call part changes nothing.
%% The move to a peer node is in beamr_dist_tests.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_suspend_tests).
-include_lib("eunit/include/eunit.hrl").

-export([module/0, answer/3]).

%% run(n, spin): n rounds of `spin' multiply-adds, a recursion of depth
%% i rem 5 whose innermost level asks env.get, memory and global
%% updates; hold_ext keeps an externref live across env.get.
%% @private
module() ->
    beamr_wat:wasm(
      "(module"
      " (import \"env\" \"get\" (func $get (param i32 i64) (result i32)))"
      " (import \"env\" \"ext\" (func $ext (param externref) (result i32)))"
      " (memory (export \"memory\") 1)"
      " (global $g (mut i32) (i32.const 7))"
      " (func $rec (param $d i32) (param $x i64) (result i32) (local $v i32)"
      "  (if (i32.eqz (local.get $d))"
      "   (then (return (call $get (global.get $g) (local.get $x)))))"
      "  (local.set $v (call $rec (i32.sub (local.get $d) (i32.const 1))"
      "   (i64.add (local.get $x) (i64.extend_i32_u (local.get $d)))))"
      "  (i32.add (i32.mul (local.get $v) (i32.const 3)) (local.get $d)))"
      " (func (export \"run\") (param $n i32) (param $spin i32) (result i32)"
      "  (local $i i32) (local $acc i32) (local $k i32)"
      "  (loop $l"
      "   (local.set $k (local.get $spin))"
      "   (block $b (loop $w"
      "    (br_if $b (i32.eqz (local.get $k)))"
      "    (local.set $acc (i32.add (i32.mul (local.get $acc)"
      "     (i32.const 1103515245)) (i32.const 12345)))"
      "    (local.set $k (i32.sub (local.get $k) (i32.const 1)))"
      "    (br $w)))"
      "   (local.set $acc (i32.xor (i32.rotl (local.get $acc) (i32.const 5))"
      "    (call $rec (i32.rem_u (local.get $i) (i32.const 5))"
      "     (i64.extend_i32_u (local.get $i)))))"
      "   (i32.store (i32.mul (i32.rem_u (local.get $i) (i32.const 100))"
      "     (i32.const 4)) (local.get $acc))"
      "   (global.set $g (i32.add (global.get $g) (i32.load (i32.const 8))))"
      "   (local.set $i (i32.add (local.get $i) (i32.const 1)))"
      "   (br_if $l (i32.lt_u (local.get $i) (local.get $n))))"
      "  (local.get $acc))"
      " (func (export \"hold_ext\") (param externref) (result i32)"
      "  (i32.add (call $get (i32.const 1) (i64.const 2))"
      "   (call $ext (local.get 0)))))").

%% The import fun: env.get mixes its arguments; the state counts the
%% imports served.
%% @private
answer(N, #{func := <<"get">>, args := [A, X]}, _) ->
    {ok, [(A * 31 + X) band 16#7fffffff], N + 1};
answer(N, #{func := <<"ext">>}, _) ->
    {ok, [0], N + 1}.

-define(ROUNDS, 30).
-define(SPIN, 300).

start(Mod) ->
    {ok, I} = beamr:start(Mod, #{lazy_imports => true}),
    I.

%% The uninterrupted run: {Result, ImportsServed}.
reference(Mod, Spin) ->
    I = start(Mod),
    {ok, [R], N} = beamr:call(I, run, [?ROUNDS, Spin], fun answer/3, 0, #{}),
    ok = beamr:stop(I),
    {R, N}.

suspend_test_() ->
    Mod = element(2, {ok, _} = beamr:compile(module())),
    {timeout, 60,
     [?_test(import_moves(Mod)),
      ?_test(yield_moves(Mod)),
      ?_test(fuel_stopped_moves(Mod)),
      ?_test(refusals(Mod)),
      ?_test(damaged_call_part(Mod)),
      ?_test(tier_moves(Mod))]}.

%% Taken inside the import fun at the K-th import, which then abandons
%% the call; restored elsewhere, the import is served again there.
import_moves(Mod) ->
    Ref = reference(Mod, ?SPIN),
    [move_at_import(Mod, K, #{}, #{}, Ref) || K <- [1, 2, 7, element(2, Ref)]].

%% One move at the K-th import from an instance started with OptsA to
%% one started with OptsB; the moved call ends as the reference run.
move_at_import(Mod, K, OptsA, OptsB, {R, N}) ->
    Self = self(),
    {ok, A} = beamr:start(Mod, OptsA#{lazy_imports => true}),
    Move = fun(S, _Import, _Opts) when S + 1 =:= K ->
                   {ok, Snap} = beamr:snapshot(A),
                   Self ! {snap, Snap},
                   throw(moved);
              (S, Import, Opts) ->
                   answer(S, Import, Opts)
           end,
    ?assertMatch({error, throw, moved, _, _},
                 beamr:call(A, run, [?ROUNDS, ?SPIN], Move, 0, #{})),
    Snap = receive {snap, S} -> S end,
    {ok, B} = beamr:start(Mod, OptsB#{lazy_imports => true}),
    ?assertEqual(ok, beamr:restore(B, Snap)),
    ?assertEqual({ok, [R], N}, beamr:resume(B, fun answer/3, K - 1, #{})),
    %% Nothing waits any more.
    ?assertEqual({error, no_suspended_call}, beamr:resume(B)),
    [ok = beamr:stop(X) || X <- [A, B]].

%% Taken from another process while the call runs (here: while its
%% first import waits, so that the call cannot have ended first, however
%% fast the tier runs it): the original and the moved call end alike.
yield_moves(Mod) ->
    Spin = 400000,
    {R, N} = reference(Mod, Spin),
    A = start(Mod),
    Self = self(),
    Fun = fun(0, Import, Opts) ->
                  Self ! first_import,
                  receive go -> ok end,
                  answer(0, Import, Opts);
             (S, Import, Opts) -> answer(S, Import, Opts)
          end,
    Caller = spawn_link(fun() ->
                  Self ! {done, beamr:call(A, run, [?ROUNDS, Spin], Fun, 0,
                                           #{fuel_slice => 2000})}
             end),
    receive first_import -> ok end,
    {ok, Snap} = beamr:snapshot(A),
    {ok, StateOnly} = beamr:snapshot(A, #{call => false}),
    Caller ! go,
    ?assert(byte_size(Snap) > byte_size(StateOnly)),
    B = start(Mod),
    ok = beamr:restore(B, Snap),
    {ok, [R], Served} = beamr:resume(B, fun answer/3, 0, #{}),
    ?assert(Served > 0 andalso Served =< N),
    receive {done, Original} -> ?assertEqual({ok, [R], N}, Original) end,
    unlink(Caller),
    [ok = beamr:stop(X) || X <- [A, B]].

%% A call whose fuel runs out waits in the instance: resumed here, or
%% moved and resumed there.
fuel_stopped_moves(Mod) ->
    {R, N} = reference(Mod, ?SPIN),
    A = start(Mod),
    Opts = #{fuel => 3000, out_of_fuel => suspend},
    {error, suspended, S1} =
        beamr:call_state(A, run, [?ROUNDS, ?SPIN], fun answer/3, 0, Opts),
    ?assert(S1 < N),
    {ok, Snap} = beamr:snapshot(A),
    B = start(Mod),
    ok = beamr:restore(B, Snap),
    ?assertEqual({ok, [R], N}, beamr:resume(B, fun answer/3, S1, #{})),
    %% The original resumes in steps of fuel, then to the end.
    ?assertMatch({error, suspended, _},
                 beamr:call_state(A, '$parked', [], fun answer/3, S1,
                                  Opts#{fuel => 1000})),
    %% An instance budget of 0 runs nothing and keeps the call waiting.
    ok = beamr:add_fuel(A, 0),
    ?assertEqual({ok, 0}, beamr:fuel_remaining(A)),
    ?assertEqual({error, out_of_fuel}, beamr:resume(A, fun answer/3, S1, #{})),
    ?assertEqual({error, out_of_fuel}, beamr:resume(A, fun answer/3, S1, #{})),
    ok = beamr:add_fuel(A, 1 bsl 40),
    ?assertMatch({ok, [R], _}, beamr:resume(A, fun answer/3, S1, #{})),
    %% Without the option, running out of fuel ends the call.
    ?assertEqual({error, out_of_fuel},
                 beamr:call(A, run, [?ROUNDS, ?SPIN], fun answer/3, 0,
                            #{fuel => 3000})),
    ?assertEqual({error, no_suspended_call}, beamr:resume(A)),
    ?assertError(badarg, beamr:call(A, run, [1, 1], #{out_of_fuel => maybe})),
    [ok = beamr:stop(X) || X <- [A, B]].

%% A call of the native tier suspended in an import moves to an
%% interpreted instance and back: both tiers keep the interpreter's
%% frames at every suspension point, so the snapshot is the same.
tier_moves(Mod) ->
    Ref = reference(Mod, ?SPIN),
    [move_at_import(Mod, 5, #{tier => From}, #{tier => To}, Ref)
     || {From, To} <- [{native, interp}, {interp, native}, {native, native}]],
    %% The native instances did run machine code (where the host has
    %% the tier).
    case beamr:native_info(Mod) of
        #{native_available := true, native_functions := F} ->
            ?assert(F > 0);
        #{native_available := false} ->
            ok
    end.

%% A live externref, and a call nested in another's import fun, cannot
%% be written down; the state alone can.
refusals(Mod) ->
    A = start(Mod),
    Self = self(),
    Try = fun(S, Import = #{func := <<"get">>}, Opts) ->
                  Self ! {tried, beamr:snapshot(A),
                          beamr:snapshot(A, #{call => false})},
                  answer(S, Import, Opts);
             (S, Import, Opts) ->
                  answer(S, Import, Opts)
          end,
    {ok, _, _} = beamr:call(A, hold_ext, [{some, term}], Try, 0, #{}),
    receive
        {tried, Refused, StateOnly} ->
            ?assertMatch({error, {snapshot, #{reason := call_not_capturable,
                                              message := _}}}, Refused),
            ?assertMatch({ok, _}, StateOnly)
    end,
    %% A null externref is fine.
    {ok, _, _} = beamr:call(A, hold_ext, [null], Try, 0, #{}),
    receive {tried, Ok, _} -> ?assertMatch({ok, _}, Ok) end,
    Nested = fun(S, Import, Opts) when S =:= 0 ->
                     {ok, _, _} = beamr:call(A, run, [2, 1], Try, 1, #{}),
                     answer(S, Import, Opts);
                (S, Import, Opts) ->
                     answer(S, Import, Opts)
             end,
    {ok, _, _} = beamr:call(A, run, [1, 1], Nested, 0, #{}),
    receive
        {tried, NestedRefused, _} ->
            ?assertMatch({error, {snapshot, #{reason := call_not_capturable}}},
                         NestedRefused)
    end,
    flush_tried(),
    ?assertError(badarg, beamr:snapshot(A, #{call => maybe})),
    ok = beamr:stop(A).

flush_tried() ->
    receive {tried, _, _} -> flush_tried() after 0 -> ok end.

%% A damaged call part is refused before anything changes.
damaged_call_part(Mod) ->
    A = start(Mod),
    Self = self(),
    Grab = fun(_S, _Import, _Opts) ->
                   {ok, Snap} = beamr:snapshot(A),
                   Self ! {snap, Snap},
                   throw(moved)
           end,
    {error, throw, moved, _, _} = beamr:call(A, run, [3, 10], Grab, 0, #{}),
    Snap = receive {snap, S} -> S end,
    {ok, Plain} = beamr:snapshot(A, #{call => false}),
    B = start(Mod),
    ok = beamr:write(B, 0, <<"untouched">>),
    Size = byte_size(Snap),
    <<Head:(Size - 1)/binary, Last>> = Snap,
    ?assertMatch({error, {snapshot, #{reason := aot_checksum_mismatch}}},
                 beamr:restore(B, <<Head/binary, (Last bxor 1)>>)),
    ?assertMatch({error, {snapshot, #{reason := snapshot_mismatch}}},
                 beamr:restore(B, <<Plain/binary, "BEAMRCAL", 0:256>>)),
    ?assertEqual({ok, <<"untouched">>}, beamr:read(B, 0, 9)),
    ?assertEqual({error, no_suspended_call}, beamr:resume(B)),
    %% The state part alone restores as before.
    ?assertEqual(ok, beamr:restore(B, Plain)),
    ?assertEqual({error, no_suspended_call}, beamr:resume(B)),
    [ok = beamr:stop(X) || X <- [A, B]].
