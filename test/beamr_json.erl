%% @doc Test helper: a minimal JSON encoder and decoder (OTP 25 has no
%% json module). Objects are maps with binary keys, arrays lists,
%% strings binaries (UTF-8), numbers integers or floats, and `true',
%% `false', `null' atoms.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_json).

-export([encode/1, decode/1]).

%% ------------------------------------------------------------------
%% Encoding

-spec encode(term()) -> binary().
encode(T) -> iolist_to_binary(enc(T)).

enc(true) -> <<"true">>;
enc(false) -> <<"false">>;
enc(null) -> <<"null">>;
enc(N) when is_integer(N) -> integer_to_binary(N);
enc(F) when is_float(F) -> float_to_binary(F, [short]);
enc(B) when is_binary(B) -> [$", escape(B), $"];
enc(A) when is_atom(A) -> enc(atom_to_binary(A));
enc(L) when is_list(L) -> [$[, join([enc(E) || E <- L]), $]];
enc(M) when is_map(M) ->
    [${, join([[enc(K), $:, enc(V)] || {K, V} <- lists:sort(maps:to_list(M))]),
     $}].

join([]) -> [];
join([H | T]) -> [H | [[$, | E] || E <- T]].

escape(B) -> [esc(C) || <<C>> <= B].

esc($") -> <<"\\\"">>;
esc($\\) -> <<"\\\\">>;
esc($\n) -> <<"\\n">>;
esc($\r) -> <<"\\r">>;
esc($\t) -> <<"\\t">>;
esc(C) when C < 16#20 -> io_lib:format("\\u~4.16.0b", [C]);
esc(C) -> C.

%% ------------------------------------------------------------------
%% Decoding

-spec decode(binary()) -> term().
decode(B) ->
    {V, Rest} = value(ws(B)),
    <<>> = ws(Rest),
    V.

ws(<<C, R/binary>>) when C =:= $\s; C =:= $\t; C =:= $\n; C =:= $\r ->
    ws(R);
ws(B) -> B.

value(<<${, R/binary>>) -> object(ws(R), #{});
value(<<$[, R/binary>>) -> array(ws(R), []);
value(<<$", R/binary>>) -> string(R, []);
value(<<"true", R/binary>>) -> {true, R};
value(<<"false", R/binary>>) -> {false, R};
value(<<"null", R/binary>>) -> {null, R};
value(B) -> number(B).

object(<<$}, R/binary>>, M) when map_size(M) =:= 0 -> {M, R};
object(<<$", R/binary>>, M) ->
    {K, R1} = string(R, []),
    <<$:, R2/binary>> = ws(R1),
    {V, R3} = value(ws(R2)),
    case ws(R3) of
        <<$,, R4/binary>> -> object(ws(R4), M#{K => V});
        <<$}, R4/binary>> -> {M#{K => V}, R4}
    end.

array(<<$], R/binary>>, []) -> {[], R};
array(B, Acc) ->
    {V, R} = value(B),
    case ws(R) of
        <<$,, R1/binary>> -> array(ws(R1), [V | Acc]);
        <<$], R1/binary>> -> {lists:reverse([V | Acc]), R1}
    end.

string(<<$", R/binary>>, Acc) -> {unicode:characters_to_binary(
                                     lists:reverse(Acc)), R};
string(<<$\\, $u, H:4/binary, R/binary>>, Acc) ->
    case binary_to_integer(H, 16) of
        Hi when Hi >= 16#D800, Hi < 16#DC00 ->
            <<$\\, $u, L:4/binary, R1/binary>> = R,
            Lo = binary_to_integer(L, 16),
            C = 16#10000 + ((Hi - 16#D800) bsl 10) + (Lo - 16#DC00),
            string(R1, [C | Acc]);
        C ->
            string(R, [C | Acc])
    end;
string(<<$\\, C, R/binary>>, Acc) ->
    string(R, [unescape(C) | Acc]);
string(B, Acc) ->
    %% One UTF-8 character (or a raw byte if the text is not UTF-8).
    case B of
        <<C/utf8, R/binary>> -> string(R, [C | Acc]);
        <<C, R/binary>> -> string(R, [C | Acc])
    end.

unescape($n) -> $\n;
unescape($t) -> $\t;
unescape($r) -> $\r;
unescape($b) -> $\b;
unescape($f) -> $\f;
unescape(C) -> C.

number(B) ->
    {Num, R} = take_number(B, []),
    S = lists:reverse(Num),
    V = case lists:any(fun(C) -> lists:member(C, ".eE") end, S) of
            true -> list_to_float(fix_float(S));
            false -> list_to_integer(S)
        end,
    {V, R}.

take_number(<<C, R/binary>>, Acc)
  when (C >= $0 andalso C =< $9) orelse C =:= $- orelse C =:= $+
       orelse C =:= $. orelse C =:= $e orelse C =:= $E ->
    take_number(R, [C | Acc]);
take_number(R, Acc) ->
    {Acc, R}.

%% Erlang needs digits on both sides of the point: "1e5" -> "1.0e5".
fix_float(S) ->
    case lists:member($., S) of
        true -> S;
        false ->
            {M, E} = lists:splitwith(fun(C) -> C =/= $e andalso C =/= $E end,
                                     S),
            M ++ ".0" ++ E
    end.
