%% @doc WebAssembly 3.0 features through the Erlang API. exnref values
%% (try_table's catch_ref): results come out as `null' or the atom
%% `exnref', only `null' goes in, and an exception kept in a global
%% outlives the call that caught it. Memories with 1-byte pages
%% (custom-page-sizes): their type's page_size, sizes in bytes. Typed
%% function references: (ref $t) values, call_ref, non-null parameters.
-module(beamr_wasm3_tests).

-include_lib("eunit/include/eunit.hrl").

-define(WAT, <<"
(module
  (tag $e (param i32))
  (global $g (mut exnref) (ref.null exn))
  (func (export \"keep\") (param i32) (result exnref)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h) (throw $e (local.get 0)))
      (unreachable))
    (global.set $g)
    (drop)
    (global.get $g))
  (func (export \"again\") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (global.get $g)))
      (unreachable)))
  (func (export \"pass\") (param exnref) (result i32)
    (ref.is_null (local.get 0)))
  (func (export \"null\") (throw_ref (ref.null exn))))
">>).

exnref_test() ->
    {ok, Mod} = beamr:compile(?WAT),
    {ok, I} = beamr:start(Mod),
    ?assertEqual({ok, [exnref]}, beamr:call(I, <<"keep">>, [42])),
    ?assertEqual({ok, [42]}, beamr:call(I, <<"again">>, [])),
    ?assertEqual({ok, [1]}, beamr:call(I, <<"pass">>, [null])),
    ?assertEqual({error, {invalid_args, [exnref]}},
                 beamr:call(I, <<"pass">>, [exnref])),
    ?assertMatch({error, {trap, #{reason := null_exception_reference}}},
                 beamr:call(I, <<"null">>, [])),
    ?assertEqual({ok, [{func, [exnref], [i32]}]},
                 func_type(Mod, <<"pass">>)),
    beamr:stop(I).

%% Typed function references: a (ref $t) result is a funcref term that
%% call_ref accepts back; a null callee traps null_function_reference
%% and a null for a non-null parameter is refused.
typed_refs_test() ->
    {ok, Mod} = beamr:compile(<<"
(module
  (type $t (func (param i32) (result i32)))
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (elem declare func $inc)
  (func (export \"get\") (result (ref $t)) (ref.func $inc))
  (func (export \"apply\") (param (ref null $t)) (param i32) (result i32)
    (call_ref $t (local.get 1) (local.get 0)))
  (func (export \"strict\") (param (ref $t)) (result i32) (i32.const 1)))
">>),
    {ok, I} = beamr:start(Mod),
    {ok, [F]} = beamr:call(I, <<"get">>, []),
    ?assertNotEqual(null, F),
    ?assertEqual({ok, [8]}, beamr:call(I, <<"apply">>, [F, 7])),
    ?assertMatch({error, {trap, #{reason := null_function_reference}}},
                 beamr:call(I, <<"apply">>, [null, 7])),
    ?assertEqual({error, {invalid_args, [null]}},
                 beamr:call(I, <<"strict">>, [null])),
    ?assertEqual({ok, [1]}, beamr:call(I, <<"strict">>, [F])),
    beamr:stop(I).

func_type(Mod, Name) ->
    {ok, [T || {N, T} <- beamr:exports(Mod), N =:= Name]}.

page_size_test() ->
    {ok, Mod} = beamr:compile(<<"
(module
  (memory (export \"small\") 3 10 (pagesize 1))
  (memory (export \"large\") 1)
  (func (export \"grow\") (param i32) (result i32)
    (memory.grow (local.get 0)))
  (func (export \"size\") (result i32) (memory.size)))
">>),
    Exports = beamr:exports(Mod),
    ?assertMatch({_, {memory, #{min := 3, max := 10, page_size := 1}}},
                 lists:keyfind(<<"small">>, 1, Exports)),
    ?assertMatch({_, {memory, #{min := 1, page_size := 65536}}},
                 lists:keyfind(<<"large">>, 1, Exports)),
    {ok, I} = beamr:start(Mod),
    ?assertEqual({ok, 3}, beamr:memory_size(I)),
    ?assertEqual({ok, [3]}, beamr:call(I, <<"grow">>, [4])),
    ?assertEqual({ok, 7}, beamr:memory_size(I)),
    ?assertEqual({ok, [-1]}, beamr:call(I, <<"grow">>, [4])),
    ?assertEqual({ok, <<0, 0, 0, 0, 0, 0, 0>>}, beamr:read(I, 0, 7)),
    ?assertEqual({error, out_of_bounds}, beamr:read(I, 7, 1)),
    beamr:stop(I).
