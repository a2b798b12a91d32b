%% @private
%% @doc v128 values as lanes: the conversions behind `beamr:v128/2',
%% `beamr:v128_lanes/2' and the `{Shape, Lanes}' values that beamr
%% accepts wherever a v128 goes into wasm. Use the `beamr' functions.
%%
%% A v128 crosses the NIF as a non-negative integer below 2^128 with
%% lane 0 in the low bits, which is the 16 bytes of the value read as
%% one little-endian integer: lanes are little-endian fields of
%% `<<V:128/little>>'. Integer lanes are accepted signed or unsigned
%% and returned signed; float lanes use the atoms `nan', `infinity' and
%% `` '-infinity' '' as f32 and f64 values do (a NaN lane becomes the
%% canonical quiet NaN, as a NaN argument does).
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_v128).
-compile(warn_missing_spec).

-export([from_lanes/2, to_lanes/2, has_pair/1, convert/2,
         sig_results/1]).

-export_type([shape/0, lane/0]).

-type shape() :: i8x16 | i16x8 | i32x4 | i64x2 | f32x4 | f64x2.
-type lane() :: integer() | float() | nan | infinity | '-infinity'.
%% What is known of the types of a list of values: their value types (a
%% shorter list covers a prefix), or `any' (each value may be a v128).
-type types() :: [atom()] | any.

-define(V128_LIMIT, (1 bsl 128)).

%% ------------------------------------------------------------------
%% Lanes <-> integer

%% @doc The v128 integer of `{Shape, Lanes}', or `error' for an unknown
%% shape, the wrong number of lanes or a lane out of range.
-spec from_lanes(term(), term()) -> {ok, non_neg_integer()} | error.
from_lanes(Shape, Lanes) ->
    case layout(Shape) of
        {Kind, Bits, Count} -> encode(Kind, Bits, Count, Lanes, <<>>);
        error -> error
    end.

%% @doc The lanes of a v128 integer, lane 0 first, or `error' for an
%% unknown shape or a term that is not an integer in 0 .. 2^128-1.
-spec to_lanes(term(), term()) -> {ok, [lane()]} | error.
to_lanes(Shape, V) when is_integer(V), V >= 0, V < ?V128_LIMIT ->
    case layout(Shape) of
        {int, Bits, _} ->
            {ok, [L || <<L:Bits/little-signed>> <= <<V:128/little>>]};
        {float, Bits, _} ->
            {ok, [float_lane(Bits, U) || <<U:Bits/little>> <= <<V:128/little>>]};
        error ->
            error
    end;
to_lanes(_Shape, _V) ->
    error.

%% {Kind, LaneBits, LaneCount}
layout(i8x16) -> {int, 8, 16};
layout(i16x8) -> {int, 16, 8};
layout(i32x4) -> {int, 32, 4};
layout(i64x2) -> {int, 64, 2};
layout(f32x4) -> {float, 32, 4};
layout(f64x2) -> {float, 64, 2};
layout(_) -> error.

%% Appends exactly Count lanes (a proper list) to Acc.
encode(_Kind, _Bits, 0, [], Acc) ->
    <<V:128/little>> = Acc,
    {ok, V};
encode(Kind, Bits, Count, [Lane | Lanes], Acc) when Count > 0 ->
    case lane_bits(Kind, Bits, Lane) of
        {ok, U} -> encode(Kind, Bits, Count - 1, Lanes,
                          <<Acc/binary, U:Bits/little>>);
        error -> error
    end;
encode(_Kind, _Bits, _Count, _Lanes, _Acc) ->
    error.

%% A lane as an unsigned Bits-wide integer (or a negative one, which the
%% Bits-wide segment stores in two's complement).
lane_bits(int, Bits, L) when is_integer(L), L >= -(1 bsl (Bits - 1)),
                             L < 1 bsl Bits ->
    {ok, L};
lane_bits(float, Bits, L) when is_float(L) ->
    <<U:Bits/little>> = <<L:Bits/float-little>>,
    {ok, U};
lane_bits(float, Bits, L) when is_integer(L), L >= -(1 bsl 63),
                               L < 1 bsl 64 ->
    %% Integers as float parameters take: 64-bit range, via a double.
    lane_bits(float, Bits, float(L));
lane_bits(float, Bits, nan) ->
    {ok, special(Bits, 0, quiet_nan)};
lane_bits(float, Bits, infinity) ->
    {ok, special(Bits, 0, 0)};
lane_bits(float, Bits, '-infinity') ->
    {ok, special(Bits, 1, 0)};
lane_bits(_Kind, _Bits, _L) ->
    error.

%% A float with all exponent bits set: infinity, or the canonical NaN.
special(Bits, Sign, Fraction) ->
    FracBits = frac_bits(Bits),
    F = case Fraction of
            quiet_nan -> 1 bsl (FracBits - 1);
            _ -> Fraction
        end,
    ExpBits = Bits - 1 - FracBits,
    <<U:Bits>> = <<Sign:1, ((1 bsl ExpBits) - 1):ExpBits, F:FracBits>>,
    U.

frac_bits(32) -> 23;
frac_bits(64) -> 52.

%% The Erlang value of an f32 or f64 lane's bits.
float_lane(Bits, U) ->
    FracBits = frac_bits(Bits),
    ExpBits = Bits - 1 - FracBits,
    MaxExp = (1 bsl ExpBits) - 1,
    case <<U:Bits>> of
        <<0:1, MaxExp:ExpBits, 0:FracBits>> ->
            infinity;
        <<1:1, MaxExp:ExpBits, 0:FracBits>> ->
            '-infinity';
        <<_:1, MaxExp:ExpBits, _:FracBits>> ->
            nan;
        <<F:Bits/float>> ->
            F
    end.

%% ------------------------------------------------------------------
%% Values going into wasm

%% @doc Whether a list (of arguments or results) holds a `{Shape,
%% Lanes}' pair with a known shape: the cheap test before anything
%% else is done.
-spec has_pair(term()) -> boolean().
has_pair([{Shape, Lanes} | Rest]) when is_atom(Shape), is_list(Lanes) ->
    layout(Shape) =/= error orelse has_pair(Rest);
has_pair([_ | Rest]) ->
    has_pair(Rest);
has_pair(_) ->
    false.

%% @doc `Values' with each well-formed lane pair at a v128 position
%% replaced by its integer. Anything else is left as it is, for the NIF
%% to accept or reject (a tuple is never a valid v128).
-spec convert(term(), types()) -> term().
convert([Value | Values], any) ->
    [value(Value, v128) | convert(Values, any)];
convert([Value | Values], [Type | Types]) ->
    [value(Value, Type) | convert(Values, Types)];
convert(Values, _Types) ->
    Values.

value({Shape, Lanes} = Pair, v128) ->
    case from_lanes(Shape, Lanes) of
        {ok, V} -> V;
        error -> Pair
    end;
value(Value, _Type) ->
    Value.

%% @doc The result types of a compact signature such as `"(vi)v"' (only
%% whether each one is a v128 matters here).
-spec sig_results(string()) -> [v128 | other].
sig_results(Sig) ->
    case lists:dropwhile(fun(C) -> C =/= $) end, Sig) of
        [$) | Results] -> [sig_type(C) || C <- Results];
        _ -> []
    end.

sig_type($v) -> v128;
sig_type(_) -> other.
