%% @doc The native build of examples/levenshtein/levenshtein.c (a real
%% NIF), beside its sandboxed build run by beamr:call_nif/3:
%%
%% ```
%% {ok, Wasm} = file:read_file("build/nif_guest/levenshtein.wasm"),
%% {ok, Inst} = beamr:start(Wasm),
%% {ok, 3} = beamr:call_nif(Inst, distance, [<<"kitten">>, <<"sitting">>]),
%% 3 = levenshtein:distance(<<"kitten">>, <<"sitting">>).
%% '''
%% `make nif-guest-example' builds both into build/nif_guest/.
%% SPDX-License-Identifier: Apache-2.0
-module(levenshtein).
-compile(warn_missing_spec).

-export([distance/2, closest/2, add/2]).
-on_load(init/0).

-spec init() -> ok | {error, term()}.
init() ->
    Dir = filename:dirname(code:which(?MODULE)),
    erlang:load_nif(filename:join(Dir, "levenshtein_nif"), 0).

%% @doc The Levenshtein distance of two binaries.
-spec distance(binary(), binary()) -> non_neg_integer().
distance(_A, _B) ->
    erlang:nif_error(not_loaded).

%% @doc The nearest of `Words' to `Word' and its distance
%% (`{none, -1}' for no words).
-spec closest(binary(), [binary()]) -> {binary() | none, integer()}.
closest(_Word, _Words) ->
    erlang:nif_error(not_loaded).

%% @doc A + B (the call overhead of a NIF).
-spec add(integer(), integer()) -> integer().
add(_A, _B) ->
    erlang:nif_error(not_loaded).
