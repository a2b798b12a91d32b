%% @doc EUnit tests of saved compiled modules (aot) and instance
%% snapshots: round trips, and hostile input (truncated, corrupt,
%% foreign, other-version, random) rejected with error tuples, never run
%% and never a crash.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_save_tests).
-include_lib("eunit/include/eunit.hrl").

-import(beamr_wasm, [module/1, functype/2, export/3, code/1, u/1, s/1,
                     vec/1, op/1, limits/1, fixture/1]).

-define(AOT_REASONS, [aot_bad_format, aot_version_mismatch,
                      aot_checksum_mismatch, aot_corrupt]).
-define(SNAP_REASONS, [snapshot_mismatch | ?AOT_REASONS]).

%% A mutable i32 global g (starts at 5), inc() -> ++g, a 1-page memory
%% (max 4) and a table of two functions.
state_module() ->
    Get = [op(global_get), u(0)],
    module([{type, vec([functype([], [i32])])},
            {function, vec([u(0), u(0)])},
            {table, vec([[16#70, limits({2})]])},
            {memory, vec([limits({1, 4})])},
            {global, vec([[16#7f, 1, op(i32_const), s(5), op('end')]])},
            {export, vec([export(<<"inc">>, func, 0),
                          export(<<"get">>, func, 1),
                          export(<<"g">>, global, 0),
                          export(<<"memory">>, memory, 0),
                          export(<<"table">>, table, 0)])},
            {elem, vec([[0, op(i32_const), s(0), op('end'),
                         vec([u(0), u(1)])]])},
            {code, vec([code([Get, op(i32_const), s(1), op(i32_add),
                              op(global_set), u(0), Get]),
                        code(Get)])}]).

aot(Bin) ->
    {ok, Mod} = beamr:compile(Bin),
    {ok, Aot} = beamr:module_to_binary(Mod),
    Aot.

aot_reason({error, {aot, #{reason := R, message := M}}}) when is_binary(M) ->
    R;
aot_reason(Other) ->
    {unexpected, Other}.

%% ------------------------------------------------------------------
%% Saved modules

aot_roundtrip_test() ->
    {ok, Mod} = beamr:compile(beamr_tests:basic_module()),
    {ok, Aot} = beamr:module_to_binary(Mod),
    {ok, Mod2} = beamr:binary_to_module(Aot),
    ?assertEqual(beamr:imports(Mod), beamr:imports(Mod2)),
    ?assertEqual(beamr:exports(Mod), beamr:exports(Mod2)),
    {ok, I} = beamr:start(Mod2),
    ?assertEqual({ok, [3]}, beamr:call(I, <<"add">>, [1, 2])),
    ?assertEqual({ok, <<"hello">>}, beamr:read(I, 16, 5)),
    ?assertMatch({error, {trap, #{reason := unreachable}}},
                 beamr:call(I, <<"trap">>, [])),
    beamr:stop(I),
    %% Saving the loaded module gives the same bytes.
    ?assertEqual({ok, Aot}, beamr:module_to_binary(Mod2)).

aot_fixtures_test_() ->
    {timeout, 60,
     fun() ->
             [begin
                  {ok, W, _, _} = hb_beamr:start(aot(fixture(F)), aot),
                  hb_beamr:stop(W)
              end || F <- ["test.wasm", "pow_calculator.wasm",
                           "test-calling.wasm"]],
             {ok, W, _, _} = hb_beamr:start(aot(fixture("pow_calculator.wasm")),
                                            aot),
             Mul = fun(S, #{func := <<"mul">>, args := [A, B]}, _) ->
                           {ok, [A * B], S}
                   end,
             ?assertMatch({ok, [1024], _},
                          hb_beamr:call(W, <<"pow">>, [2, 10], Mul)),
             hb_beamr:stop(W)
     end}.

%% Every prefix of a saved module is rejected.
aot_truncated_test() ->
    Aot = aot(state_module()),
    [?assert(lists:member(aot_reason(beamr:binary_to_module(
                                       binary:part(Aot, 0, N))),
                          ?AOT_REASONS))
     || N <- lists:seq(0, byte_size(Aot) - 1)].

%% Every single-byte change is rejected (magic, version, checksum or
%% the checked payload).
aot_corrupt_test() ->
    Aot = aot(state_module()),
    [?assert(lists:member(aot_reason(beamr:binary_to_module(flip(Aot, N))),
                          ?AOT_REASONS))
     || N <- lists:seq(0, byte_size(Aot) - 1)].

flip(Bin, N) ->
    <<A:N/binary, B, C/binary>> = Bin,
    <<A/binary, (B bxor 16#5a), C/binary>>.

aot_foreign_test() ->
    ?assertEqual(aot_bad_format, aot_reason(beamr:binary_to_module(<<>>))),
    ?assertEqual(aot_bad_format,
                 aot_reason(beamr:binary_to_module(state_module()))),
    ?assertEqual(aot_bad_format,
                 aot_reason(beamr:binary_to_module(<<"BEAMRSNP", 0:256>>))),
    %% Nor is a saved module a wasm binary.
    ?assertMatch({error, {malformed, _}}, beamr:compile(aot(state_module()))),
    ?assertError(badarg, beamr:binary_to_module(not_a_binary)).

%% Another format version (bytes 8-11 after the magic "BEAMRAOT").
aot_version_test() ->
    <<Magic:8/binary, _Version:32/little, Rest/binary>> =
        aot(state_module()),
    ?assertEqual(aot_version_mismatch,
                 aot_reason(beamr:binary_to_module(
                              <<Magic/binary, 99:32/little, Rest/binary>>))).

%% A well-formed header with a valid checksum over random bytes.
aot_random_test() ->
    rand:seed(exsss, {1, 2, 3}),
    [?assert(lists:member(aot_reason(beamr:binary_to_module(
                                       <<"BEAMRAOT",
                                         (rand:bytes(rand:uniform(200)))/binary>>)),
                          ?AOT_REASONS))
     || _ <- lists:seq(1, 500)].

%% ------------------------------------------------------------------
%% Snapshots

snapshot_roundtrip_test() ->
    {ok, Mod} = beamr:compile(state_module()),
    {ok, A} = beamr:start(Mod),
    {ok, [6]} = beamr:call(A, <<"inc">>, []),
    {ok, [7]} = beamr:call(A, <<"inc">>, []),
    ok = beamr:write(A, 100, <<"state">>),
    {ok, 1} = beamr:grow(A, 1),
    ok = beamr:write(A, 70000, <<"grown">>),
    {ok, Snap} = beamr:snapshot(A),
    ok = beamr:stop(A),
    {ok, B} = beamr:start(Mod),
    ?assertEqual({ok, 5}, beamr:global_get(B, <<"g">>)),
    ok = beamr:restore(B, Snap),
    ?assertEqual({ok, 7}, beamr:global_get(B, <<"g">>)),
    ?assertEqual({ok, 131072}, beamr:memory_size(B)),
    ?assertEqual({ok, <<"state">>}, beamr:read(B, 100, 5)),
    ?assertEqual({ok, <<"grown">>}, beamr:read(B, 70000, 5)),
    ?assertEqual({ok, [8]}, beamr:call(B, <<"inc">>, [])),
    %% The table still calls the right functions.
    ?assertEqual({ok, [9]}, beamr:call(B, 0, [])),
    ?assertEqual({ok, [9]}, beamr:call(B, 1, [])),
    beamr:stop(B).

%% The memory-only checkpoint (hb_beamr's serialize) leaves globals.
memory_only_checkpoint_test() ->
    {ok, Mod} = beamr:compile(state_module()),
    {ok, A} = beamr:start(Mod),
    {ok, [6]} = beamr:call(A, <<"inc">>, []),
    {ok, Mem} = hb_beamr:serialize(A),
    ?assertEqual(65536, byte_size(Mem)),
    {ok, B} = beamr:start(Mod),
    ok = hb_beamr:deserialize(B, Mem),
    ?assertEqual({ok, 5}, beamr:global_get(B, <<"g">>)),
    beamr:stop(A),
    beamr:stop(B).

snapshot_mismatch_test() ->
    {ok, A} = beamr:start(state_module()),
    {ok, Snap} = beamr:snapshot(A),
    {ok, Other} = beamr:start(beamr_tests:basic_module()),
    ?assertMatch({error, {snapshot, #{reason := snapshot_mismatch}}},
                 beamr:restore(Other, Snap)),
    ?assertEqual({ok, [3]}, beamr:call(Other, <<"add">>, [1, 2])),
    beamr:stop(A),
    beamr:stop(Other).

snapshot_hostile_input_test_() ->
    {timeout, 60,
     fun() ->
             {ok, Mod} = beamr:compile(state_module()),
             {ok, A} = beamr:start(Mod),
             {ok, [6]} = beamr:call(A, <<"inc">>, []),
             {ok, Snap} = beamr:snapshot(A),
             {ok, B} = beamr:start(Mod),
             Size = byte_size(Snap),
             Cuts = [N || N <- lists:seq(0, Size - 1),
                          N < 200 orelse N rem 997 =:= 0],
             [?assert(is_snapshot_error(beamr:restore(B, binary:part(Snap, 0,
                                                                     N))))
              || N <- Cuts],
             [?assert(is_snapshot_error(beamr:restore(B, flip(Snap, N))))
              || N <- Cuts],
             ?assert(is_snapshot_error(beamr:restore(B, aot(state_module())))),
             ?assert(is_snapshot_error(beamr:restore(B, <<"garbage">>))),
             %% After all that, a good snapshot still restores.
             ok = beamr:restore(B, Snap),
             ?assertEqual({ok, [7]}, beamr:call(B, <<"inc">>, [])),
             beamr:stop(A),
             beamr:stop(B)
     end}.

is_snapshot_error({error, {snapshot, #{reason := R}}}) ->
    lists:member(R, ?SNAP_REASONS);
is_snapshot_error(_) ->
    false.

snapshot_stopped_test() ->
    {ok, A} = beamr:start(state_module()),
    {ok, Snap} = beamr:snapshot(A),
    ok = beamr:stop(A),
    ?assertEqual({error, stopped}, beamr:snapshot(A)),
    ?assertEqual({error, stopped}, beamr:restore(A, Snap)),
    ?assertError(function_clause, beamr:restore(A, not_a_binary)).
