%% @doc EUnit tests of linking: an instance's exports (functions,
%% memories, tables, globals) serving another instance's imports inside
%% the engine, and what happens when the exporter stops.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_link_tests).
-include_lib("eunit/include/eunit.hrl").

exporter() ->
    beamr_wat:wasm(
      "(module"
      " (memory (export \"mem\") 1)"
      " (global (export \"g\") (mut i32) (i32.const 5))"
      " (table (export \"t\") 2 funcref)"
      " (func $inc (export \"inc\") (param i32) (result i32)"
      "   (i32.add (local.get 0) (i32.const 1)))"
      " (elem (i32.const 0) $inc)"
      " (func (export \"peek\") (param i32) (result i32)"
      "   (i32.load (local.get 0))))").

importer(IncType) ->
    beamr_wat:wasm(
      ["(module"
       " (import \"a\" \"inc\" (func $inc (param ", IncType, ") (result ",
       IncType, ")))"
       " (import \"a\" \"mem\" (memory 1))"
       " (import \"a\" \"g\" (global $g (mut i32)))"
       " (import \"a\" \"t\" (table 2 funcref))"
       " (type $t (func (param i32) (result i32)))"
       " (func (export \"twice\") (param ", IncType, ") (result ", IncType, ")"
       "   (call $inc (call $inc (local.get 0))))"
       " (func (export \"via_table\") (param i32) (result i32)"
       "   (call_indirect (type $t) (local.get 0) (i32.const 0)))"
       " (func (export \"load\") (param i32) (result i32)"
       "   (i32.load (local.get 0)))"
       " (func (export \"put\") (param i32 i32)"
       "   (i32.store (local.get 0) (local.get 1)))"
       " (func (export \"gget\") (result i32) (global.get $g))"
       " (func (export \"gset\") (param i32) (global.set $g (local.get 0))))"]).

%% Every import of module "a" from one instance.
whole_module_test() ->
    {ok, A} = beamr:start(exporter()),
    {ok, B} = beamr:start(importer("i32"), #{imports => #{<<"a">> => A}}),
    %% The linked call runs in the engine: no import fun is asked.
    NoFun = fun(_, I, _) -> error({unexpected_import, I}) end,
    ?assertEqual({ok, [3]}, beamr:call(B, twice, [1], #{import_fun => NoFun})),
    ?assertEqual({ok, [8]}, beamr:call(B, via_table, [7])),
    %% One memory: writes on either side are seen by the other.
    ok = beamr:write(A, 0, <<42:32/little>>),
    ?assertEqual({ok, [42]}, beamr:call(B, load, [0])),
    {ok, []} = beamr:call(B, put, [4, 99]),
    ?assertEqual({ok, [99]}, beamr:call(A, peek, [4])),
    %% One global.
    ?assertEqual({ok, [5]}, beamr:call(B, gget, [])),
    ok = beamr:global_set(A, <<"g">>, 11),
    ?assertEqual({ok, [11]}, beamr:call(B, gget, [])),
    {ok, []} = beamr:call(B, gset, [12]),
    ?assertEqual({ok, 12}, beamr:global_get(A, <<"g">>)),
    beamr:stop(B),
    beamr:stop(A).

%% Named exports, one import at a time (by registered name too).
export_form_test() ->
    {ok, A} = beamr:start(exporter(), #{name => beamr_link_a}),
    Imports = #{{<<"a">>, <<"inc">>} => {export, beamr_link_a, <<"inc">>},
                {<<"a">>, <<"mem">>} => {export, A, mem},
                {<<"a">>, <<"g">>} => {export, A, <<"g">>},
                {<<"a">>, <<"t">>} => {export, A, "t"}},
    {ok, B} = beamr:start(importer("i32"), #{imports => Imports}),
    ?assertEqual({ok, [12]}, beamr:call(B, twice, [10])),
    beamr:stop(B),
    beamr:stop(A).

%% The exporter stops: the importer keeps the memory and global it
%% holds; a call into the stopped instance's function traps.
exporter_stops_test() ->
    {ok, A} = beamr:start(exporter()),
    {ok, B} = beamr:start(importer("i32"), #{imports => #{<<"a">> => A}}),
    ok = beamr:write(A, 0, <<7:32/little>>),
    ok = beamr:stop(A),
    ?assertMatch({error, {trap, #{reason := host_error,
                                  message := <<"linked instance stopped">>}}},
                 beamr:call(B, twice, [1])),
    ?assertEqual({ok, [7]}, beamr:call(B, load, [0])),
    ?assertEqual({ok, [5]}, beamr:call(B, gget, [])),
    %% Functions reached through the shared table still run: they are
    %% the table's entries, which the importer holds.
    ?assertEqual({ok, [2]}, beamr:call(B, via_table, [1])),
    %% Linking to a stopped instance fails at start.
    ?assertMatch({error, {link, #{reason := instance_stopped,
                                  module := <<"a">>}}},
                 beamr:start(importer("i32"), #{imports => #{<<"a">> => A}})),
    beamr:stop(B).

link_errors_test() ->
    {ok, A} = beamr:start(exporter()),
    %% The function's type does not fit the import.
    ?assertMatch({error, {link, #{reason := incompatible_import_type}}},
                 beamr:start(importer("i64"), #{imports => #{<<"a">> => A}})),
    %% No such export, or an export of another kind.
    Base = #{<<"a">> => A},
    ?assertMatch({error, {link, #{reason := unknown_export, name := <<"inc">>}}},
                 beamr:start(importer("i32"),
                             #{imports => Base#{{<<"a">>, <<"inc">>} =>
                                                    {export, A, <<"nope">>}}})),
    ?assertMatch({error, {link, #{reason := incompatible_import_type}}},
                 beamr:start(importer("i32"),
                             #{imports => Base#{{<<"a">>, <<"inc">>} =>
                                                    {export, A, <<"mem">>}}})),
    ?assertError(badarg, beamr:start(importer("i32"),
                                     #{imports => #{<<"a">> => "not_inst"}})),
    beamr:stop(A).

%% Instances linked in a chain share one lock; concurrent callers of
%% both sides see consistent results.
concurrent_test() ->
    {ok, A} = beamr:start(exporter()),
    {ok, B} = beamr:start(importer("i32"), #{imports => #{<<"a">> => A}}),
    Self = self(),
    Pids = [spawn(fun() ->
                          R = [begin
                                   {ok, []} = beamr:call(B, put, [N * 4, N]),
                                   beamr:call(A, peek, [N * 4])
                               end || _ <- lists:seq(1, 200)],
                          Self ! {self(), lists:usort(R)}
                  end) || N <- lists:seq(1, 4)],
    [receive {P, R} -> ?assertEqual([{ok, [N]}], R) end
     || {P, N} <- lists:zip(Pids, lists:seq(1, 4))],
    beamr:stop(B),
    beamr:stop(A).
