%% @doc EUnit tests of v128 values as lanes: beamr:v128/2,
%% beamr:v128_lanes/2 and `{Shape, Lanes}' arguments, import results
%% and global values, on a small hand-encoded SIMD module.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_v128_tests).
-include_lib("eunit/include/eunit.hrl").

-import(beamr_wasm, [module/1, functype/2, func_import/3, import/3,
                     export/3, code/1, u/1, s/1, vec/1, op/1, limits/1]).

-define(SHAPES, [i8x16, i16x8, i32x4, i64x2, f32x4, f64x2]).

%% ------------------------------------------------------------------
%% The module

simd(Op) -> [16#fd, u(Op)].

v128_const(Bytes) when byte_size(Bytes) =:= 16 -> [simd(16#0c), Bytes].

%% Imports env.lanes (v128) -> v128 and the global env.gin (v128,
%% const). Function 0 is the import; then id_v, the six binary SIMD
%% ops, ext_v (externref, v128) -> (externref, v128), call_imp (calls
%% env.lanes), const_v (bytes 0..15). Table 0 = [id_v]. Globals:
%% gin (imported), g (mutable, zero).
simd_module() ->
    Get = fun(I) -> [op(local_get), u(I)] end,
    Bin = fun(Op) -> {1, [Get(0), Get(1), simd(Op)]} end,
    Funcs = [{0, Get(0)},                                  % 1 id_v
             Bin(16#6e), Bin(16#8e), Bin(16#ae),           % 2-4 adds
             Bin(16#ce),                                   % 5 i64x2.add
             Bin(16#e6), Bin(16#f2),                       % 6-7 muls
             {2, [Get(0), Get(1)]},                        % 8 ext_v
             {0, [Get(0), op(call), u(0)]},                % 9 call_imp
             {3, v128_const(list_to_binary(lists:seq(0, 15)))}], % 10
    Names = [<<"id_v">>, <<"i8x16_add">>, <<"i16x8_add">>,
             <<"i32x4_add">>, <<"i64x2_add">>, <<"f32x4_mul">>,
             <<"f64x2_mul">>, <<"ext_v">>, <<"call_imp">>, <<"const_v">>],
    module([{type, vec([functype([v128], [v128]),
                        functype([v128, v128], [v128]),
                        functype([externref, v128], [externref, v128]),
                        functype([], [v128])])},
            {import, vec([func_import(<<"env">>, <<"lanes">>, 0),
                          import(<<"env">>, <<"gin">>, [3, 16#7b, 0])])},
            {function, vec([u(T) || {T, _} <- Funcs])},
            {table, vec([[16#70, limits({1})]])},
            {global, vec([[16#7b, 1, v128_const(<<0:128>>), op('end')]])},
            {export, vec([export(N, func, I)
                          || {N, I} <- lists:zip(Names,
                                                 lists:seq(1, 10))] ++
                         [export(<<"gin">>, global, 0),
                          export(<<"g">>, global, 1)])},
            {elem, vec([[0, op(i32_const), s(0), op('end'), vec([u(1)])]])},
            {code, vec([code(B) || {_, B} <- Funcs])}]).

start() ->
    {ok, I} = beamr:start(simd_module(), #{lazy_imports => true}),
    I.

%% ------------------------------------------------------------------
%% v128/2 and v128_lanes/2

layout_test() ->
    %% Lane 0 in the low bits, every shape.
    Bytes = lists:seq(0, 15),
    V = binary:decode_unsigned(list_to_binary(lists:reverse(Bytes))),
    ?assertEqual(V, beamr:v128(i8x16, Bytes)),
    ?assertEqual(Bytes, beamr:v128_lanes(i8x16, V)),
    ?assertEqual([16#0100, 16#0302, 16#0504, 16#0706, 16#0908, 16#0b0a,
                  16#0d0c, 16#0f0e], beamr:v128_lanes(i16x8, V)),
    ?assertEqual([16#03020100, 16#07060504, 16#0b0a0908, 16#0f0e0d0c],
                 beamr:v128_lanes(i32x4, V)),
    ?assertEqual([16#0706050403020100, 16#0f0e0d0c0b0a0908],
                 beamr:v128_lanes(i64x2, V)),
    ?assertEqual(16#ffffffff00000001, beamr:v128(i32x4, [1, -1, 0, 0])),
    ?assertEqual(1 bsl 64, beamr:v128(i64x2, [0, 1])),
    ?assertEqual([0.0, 1.0], beamr:v128_lanes(f64x2,
                                              16#3ff0000000000000 bsl 64)),
    ?assertEqual([0.0, 0.0, 0.0, 1.0],
                 beamr:v128_lanes(f32x4, 16#3f800000 bsl 96)).

round_trip_test_() ->
    Cases = [{i8x16, [0, 1, -1, 127, -128, 42, -42, 7, 0, 0, 5, 6, 7, 8,
                      -9, 10]},
             {i16x8, [0, -1, 32767, -32768, 1, 2, -3, 4]},
             {i32x4, [0, -1, 2147483647, -2147483648]},
             {i64x2, [-9223372036854775808, 9223372036854775807]},
             {f32x4, [1.5, -0.0, 0.0, -2.25]},
             {f64x2, [3.141592653589793, -1.0e300]}],
    [{atom_to_list(S),
      ?_assertEqual(L, beamr:v128_lanes(S, beamr:v128(S, L)))}
     || {S, L} <- Cases] ++
        [{"every shape covered",
          ?_assertEqual(?SHAPES, [S || {S, _} <- Cases])}].

unsigned_lanes_test() ->
    %% Unsigned in range is the same value; results are signed.
    ?assertEqual(beamr:v128(i8x16, lists:duplicate(16, -1)),
                 beamr:v128(i8x16, lists:duplicate(16, 255))),
    ?assertEqual((1 bsl 128) - 1, beamr:v128(i16x8, lists:duplicate(8, 65535))),
    ?assertEqual([-1, -2147483648, 0, 1],
                 beamr:v128_lanes(i32x4, beamr:v128(i32x4, [4294967295,
                                                            2147483648,
                                                            0, 1]))),
    ?assertEqual([-1, -1],
                 beamr:v128_lanes(i64x2, beamr:v128(i64x2,
                                                    [(1 bsl 64) - 1, -1]))),
    ?assertEqual(lists:duplicate(16, -1),
                 beamr:v128_lanes(i8x16, (1 bsl 128) - 1)).

float_lanes_test() ->
    Special = [nan, infinity, '-infinity', -0.0],
    ?assertEqual(Special, beamr:v128_lanes(f32x4, beamr:v128(f32x4, Special))),
    ?assertEqual([nan, infinity],
                 beamr:v128_lanes(f64x2, beamr:v128(f64x2, [nan, infinity]))),
    ?assertEqual(['-infinity', 2.0],
                 beamr:v128_lanes(f64x2, beamr:v128(f64x2,
                                                    ['-infinity', 2]))),
    %% NaN is the canonical quiet NaN; any NaN comes back as nan.
    ?assertEqual(16#7fc00000, beamr:v128(f32x4, [nan, 0, 0, 0])),
    ?assertEqual(16#7ff8000000000000, beamr:v128(f64x2, [nan, 0])),
    ?assertEqual(16#7f800000 bor (16#ff800000 bsl 32),
                 beamr:v128(f32x4, [infinity, '-infinity', 0, 0])),
    ?assertEqual([nan, nan, nan, 0.0],
                 beamr:v128_lanes(f32x4, 16#7fc00001 bor
                                      (16#ffc00000 bsl 32) bor
                                      (16#7f800001 bsl 64))),
    ?assertEqual([nan, nan],
                 beamr:v128_lanes(f64x2, 16#fff0000000000001 bor
                                      (16#7ff8000000000001 bsl 64))),
    %% f32 lanes round as f32 arguments do; past the range: infinity.
    ?assertEqual([0.10000000149011612, infinity, '-infinity', 16777216.0],
                 beamr:v128_lanes(f32x4, beamr:v128(f32x4, [0.1, 1.0e300,
                                                            -1.0e39,
                                                            16777217]))),
    %% Integers from the 64-bit range, as float arguments take them.
    ?assertEqual([1.8446744073709552e19, -9.223372036854776e18],
                 beamr:v128_lanes(f64x2, beamr:v128(f64x2,
                                                    [(1 bsl 64) - 1,
                                                     -(1 bsl 63)]))).

bad_lanes_test() ->
    Bad = [{i8x16, lists:duplicate(15, 0)},          % too few
           {i8x16, lists:duplicate(17, 0)},          % too many
           {i32x4, [0, 0, 0 | 0]},                   % improper
           {i32x4, not_a_list},
           {i8x16, [256 | lists:duplicate(15, 0)]},  % out of range
           {i8x16, [-129 | lists:duplicate(15, 0)]},
           {i16x8, [65536, 0, 0, 0, 0, 0, 0, 0]},
           {i32x4, [1 bsl 32, 0, 0, 0]},
           {i32x4, [-(1 bsl 31) - 1, 0, 0, 0]},
           {i64x2, [1 bsl 64, 0]},
           {i32x4, [1.0, 0, 0, 0]},                  % float in int lane
           {i32x4, [nan, 0, 0, 0]},
           {f32x4, [a, 0, 0, 0]},
           {f64x2, [1 bsl 64, 0]},                   % past 64 bits
           {f64x2, [-(1 bsl 63) - 1, 0]},
           {i32x5, [0, 0, 0, 0]},                    % unknown shape
           {v128, [0]},
           {"i32x4", [0, 0, 0, 0]}],
    [?assertError(badarg, beamr:v128(S, L)) || {S, L} <- Bad],
    [?assertError(badarg, beamr:v128_lanes(S, V))
     || {S, V} <- [{i32x4, -1}, {i32x4, 1 bsl 128}, {i32x4, 1.0},
                   {i32x4, {i32x4, [0, 0, 0, 0]}}, {i32x5, 0}, {v128, 0}]].

%% ------------------------------------------------------------------
%% Calls

identity_test() ->
    I = start(),
    Lanes = #{i8x16 => [-128, 127, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                        11, 12],
              i16x8 => [-32768, 32767, -1, 0, 1, 2, 3, 4],
              i32x4 => [-2147483648, 2147483647, -1, 0],
              i64x2 => [-1, 9223372036854775807],
              f32x4 => [nan, infinity, '-infinity', -1.5],
              f64x2 => [nan, -0.0]},
    maps:foreach(
      fun(S, L) ->
              V = beamr:v128(S, L),
              ?assertEqual({ok, [V]}, beamr:call(I, <<"id_v">>, [{S, L}])),
              {ok, [R]} = beamr:call(I, "id_v", [{S, L}]),
              ?assertEqual(L, beamr:v128_lanes(S, R)),
              %% The integer form still works.
              ?assertEqual({ok, [V]}, beamr:call(I, <<"id_v">>, [V]))
      end, Lanes),
    ?assertEqual(lists:sort(?SHAPES), lists:sort(maps:keys(Lanes))),
    beamr:stop(I).

const_test() ->
    I = start(),
    {ok, [V]} = beamr:call(I, <<"const_v">>, []),
    ?assertEqual(lists:seq(0, 15), beamr:v128_lanes(i8x16, V)),
    ?assertEqual([16#03020100, 16#07060504, 16#0b0a0908, 16#0f0e0d0c],
                 beamr:v128_lanes(i32x4, V)),
    beamr:stop(I).

%% Each shape through the SIMD op of its width.
arith_test() ->
    I = start(),
    Lanes = fun(S, F, A, B) ->
                    {ok, [R]} = beamr:call(I, F, [{S, A}, {S, B}]),
                    beamr:v128_lanes(S, R)
            end,
    ?assertEqual([-128, 0, 2, -2 | lists:duplicate(12, 0)],
                 Lanes(i8x16, <<"i8x16_add">>,
                       [127, -1, 1, -1 | lists:duplicate(12, 0)],
                       [1, 1, 1, 255 | lists:duplicate(12, 0)])),
    ?assertEqual([-32768, -3, 0, 0, 0, 0, 0, 7],
                 Lanes(i16x8, <<"i16x8_add">>, [32767, -1, 0, 0, 0, 0, 0, 3],
                       [1, -2, 0, 0, 0, 0, 0, 4])),
    ?assertEqual([11, 18, 33, 36],
                 Lanes(i32x4, <<"i32x4_add">>, [1, -2, 3, -4],
                       [10, 20, 30, 40])),
    ?assertEqual([-2147483648, -1, 0, 0],
                 Lanes(i32x4, <<"i32x4_add">>, [2147483647, 4294967295, 0, 0],
                       [1, 0, 0, 0])),
    ?assertEqual([-9223372036854775808, -3],
                 Lanes(i64x2, <<"i64x2_add">>, [9223372036854775807, -1],
                       [1, -2])),
    ?assertEqual([3.0, -6.0, nan, nan],
                 Lanes(f32x4, <<"f32x4_mul">>, [1.5, -2.0, infinity, nan],
                       [2.0, 3, 0.0, 1.0])),
    ?assertEqual(['-infinity', 0.25],
                 Lanes(f64x2, <<"f64x2_mul">>, [1.0e300, 0.5],
                       [-1.0e300, 0.5])),
    %% Lanes and integers mix in one call.
    {ok, [R]} = beamr:call(I, <<"i32x4_add">>,
                           [{i32x4, [1, 2, 3, 4]},
                            beamr:v128(i32x4, [-1, -2, -3, -4])]),
    ?assertEqual(0, R),
    beamr:stop(I).

%% A lane pair is a v128 only at a v128 parameter: as an externref it is
%% the term itself.
externref_test() ->
    I = start(),
    Pair = {i32x4, [1, 2, 3, 4]},
    ?assertEqual({ok, [Pair, beamr:v128(i32x4, [5, 6, 7, 8])]},
                 beamr:call(I, <<"ext_v">>, [Pair, {i32x4, [5, 6, 7, 8]}])),
    ?assertEqual({ok, [{i32x4, [0]}, 0]},
                 beamr:call(I, <<"ext_v">>, [{i32x4, [0]}, 0])),
    beamr:stop(I).

%% By table index the types are unknown before the call: every valid
%% pair is a v128.
index_call_test() ->
    I = start(),
    V = beamr:v128(i16x8, [-1, 2, -3, 4, -5, 6, -7, 8]),
    ?assertEqual({ok, [V]},
                 beamr:call(I, 0, [{i16x8, [-1, 2, -3, 4, -5, 6, -7, 8]}])),
    Bad = [{i16x8, [1, 2, 3]}],
    ?assertEqual({error, {invalid_args, Bad}}, beamr:call(I, 0, Bad)),
    beamr:stop(I).

bad_args_test() ->
    I = start(),
    Bad = [[{i32x4, [1, 2, 3]}],                      % lane count
           [{i32x4, [1, 2, 3, 4, 5]}],
           [{i32x4, [1 bsl 32, 0, 0, 0]}],            % range
           [{i8x16, [-129 | lists:duplicate(15, 0)]}],
           [{f64x2, [a, 1.0]}],                       % lane type
           [{i32x5, [1, 2, 3, 4]}],                   % shape
           [{i32x4, [1, 2, 3 | 4]}],                  % improper
           [{i32x4, [1, 2, 3, 4]}, {i32x4, [1, 2, 3, 4]}], % count
           [-1],                                      % integer forms
           [1 bsl 128]],
    [?assertEqual({error, {invalid_args, Args}},
                  beamr:call(I, <<"id_v">>, Args)) || Args <- Bad],
    ?assertEqual({error, {invalid_args, [{i32x4, [0, 0, 0, 0]}, x]}},
                 beamr:call(I, <<"i32x4_add">>, [{i32x4, [0, 0, 0, 0]}, x])),
    ?assertEqual({error, function_not_found},
                 beamr:call(I, <<"nope">>, [{i32x4, [0, 0, 0, 0]}])),
    %% The instance is still fine.
    ?assertEqual({ok, [5]}, beamr:call(I, <<"id_v">>, [{i8x16, [5 | lists:duplicate(15, 0)]}])),
    beamr:stop(I),
    ?assertEqual({error, stopped},
                 beamr:call(I, <<"id_v">>, [{i32x4, [0, 0, 0, 0]}])).

%% ------------------------------------------------------------------
%% Import results, globals

import_results_test() ->
    I = start(),
    %% The import gets the integer; it may answer with lanes.
    Fun = fun(S, #{func := <<"lanes">>, args := [V], func_sig := "(v)v"},
              _) ->
                  L = beamr:v128_lanes(i32x4, V),
                  {ok, [{i32x4, [X * -2 || X <- L]}], [L | S]}
          end,
    ?assertEqual({ok, [beamr:v128(i32x4, [-2, 4, -6, 8])], [[1, -2, 3, -4]]},
                 beamr:call(I, <<"call_imp">>, [{i32x4, [1, -2, 3, -4]}],
                            Fun, [], #{})),
    %% Extra results are still ignored.
    Extra = fun(S, _, _) -> {ok, [{f64x2, [1.0, nan]}, {i32x4, []}], S} end,
    ?assertEqual({ok, [beamr:v128(f64x2, [1.0, nan])], x},
                 beamr:call(I, <<"call_imp">>, [0], Extra, x, #{})),
    %% An invalid pair traps, as any mistyped result does.
    BadFun = fun(S, _, _) -> {ok, [{i32x4, [1, 2]}], S} end,
    ?assertMatch({error, {trap, #{reason := host_error}}},
                 beamr:call(I, <<"call_imp">>, [0], BadFun, x, #{})),
    beamr:stop(I).

globals_test() ->
    V0 = beamr:v128(f32x4, [1.0, nan, -2.5, infinity]),
    Imports = #{{<<"env">>, <<"gin">>} =>
                    {global, {f32x4, [1.0, nan, -2.5, infinity]}}},
    {ok, I} = beamr:start(simd_module(), #{imports => Imports,
                                           lazy_imports => true}),
    ?assertEqual({ok, V0}, beamr:global_get(I, <<"gin">>)),
    ?assertEqual({ok, 0}, beamr:global_get(I, <<"g">>)),
    ok = beamr:global_set(I, <<"g">>, {i64x2, [-1, 1]}),
    {ok, G} = beamr:global_get(I, "g"),
    ?assertEqual([-1, 1], beamr:v128_lanes(i64x2, G)),
    ok = beamr:global_set(I, "g", 7),
    ?assertEqual({ok, 7}, beamr:global_get(I, <<"g">>)),
    Bad = {i64x2, [1 bsl 64, 0]},
    ?assertEqual({error, {invalid_args, [Bad]}},
                 beamr:global_set(I, <<"g">>, Bad)),
    ?assertEqual({error, immutable},
                 beamr:global_set(I, <<"gin">>, {i64x2, [0, 0]})),
    ?assertEqual({error, not_found},
                 beamr:global_set(I, <<"nope">>, {i64x2, [0, 0]})),
    beamr:stop(I),
    %% A bad import value does not link.
    ?assertMatch({error, {link, _}},
                 beamr:start(simd_module(),
                             #{imports => #{{<<"env">>, <<"gin">>} =>
                                                {global, {f32x4, [1.0]}}}})).

%% ------------------------------------------------------------------
%% Validation of lane immediates

%% (v128) -> i32 = i8x16.extract_lane_u Lane of its parameter.
extract_lane_module(Lane) ->
    module([{type, vec([functype([v128], [i32])])},
            {function, vec([u(0)])},
            {code, vec([code([op(local_get), u(0), simd(16#16), Lane])])}]).

lane_index_is_a_validation_error_test() ->
    ?assertMatch({ok, _}, beamr:compile(extract_lane_module(15))),
    ?assertMatch({error, {validation, #{reason := invalid_lane_index,
                                        message := <<"invalid lane index",
                                                     _/binary>>,
                                        func := 0}}},
                 beamr:compile(extract_lane_module(16))).
