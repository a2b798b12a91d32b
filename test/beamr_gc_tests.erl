%% beamr: GC values in Erlang (issue 18): struct and array references
%% cross as opaque terms that pin their objects, i31 as {i31, N}; they go
%% back where their type fits; a long allocation loop stops at once on
%% beamr:stop/1; snapshots refuse live GC objects.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_gc_tests).

-include_lib("eunit/include/eunit.hrl").

-define(WAT, <<"
(module
  (type $point (struct (field $x (mut i32)) (field $y i32)))
  (type $other (struct (field i32) (field i32)))
  (type $bytes (array (mut i8)))
  (global $kept (mut anyref) (ref.null any))
  (func (export \"point\") (param i32 i32) (result (ref $point))
    (struct.new $point (local.get 0) (local.get 1)))
  (func (export \"other\") (result (ref $other))
    (struct.new $other (i32.const 1) (i32.const 2)))
  (func (export \"x\") (param (ref null $point)) (result i32)
    (struct.get $point $x (local.get 0)))
  (func (export \"as_any\") (param i32 i32) (result anyref)
    (struct.new $point (local.get 0) (local.get 1)))
  (func (export \"as_eq\") (result eqref)
    (array.new $bytes (i32.const 7) (i32.const 3)))
  (func (export \"len\") (param (ref $bytes)) (result i32)
    (array.len (local.get 0)))
  (func (export \"same\") (param eqref eqref) (result i32)
    (ref.eq (local.get 0) (local.get 1)))
  (func (export \"i31\") (param i32) (result i31ref)
    (ref.i31 (local.get 0)))
  (func (export \"i31_get\") (param i31ref) (result i32)
    (i31.get_s (local.get 0)))
  (func (export \"is_i31\") (param anyref) (result i32)
    (ref.test (ref i31) (local.get 0)))
  (func (export \"external\") (param i32 i32) (result externref)
    (extern.convert_any (struct.new $point (local.get 0) (local.get 1))))
  (func (export \"internal\") (param externref) (result anyref)
    (any.convert_extern (local.get 0)))
  (func (export \"keep\") (param anyref) (global.set $kept (local.get 0)))
  ;; garbage: enough for many collections (lists of 100 structs)
  (func (export \"churn\") (param $n i32)
    (loop $more
      (drop (array.new_default $bytes (i32.const 4000)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $more (i32.gt_s (local.get $n) (i32.const 0))))))
">>).

start() ->
    {ok, Mod} = beamr:compile(?WAT),
    {ok, I} = beamr:start(Mod, #{limits => #{max_memory_pages => 256}}),
    I.

struct_round_trip_test() ->
    I = start(),
    {ok, [P]} = beamr:call(I, <<"point">>, [3, 4]),
    ?assertNotEqual(null, P),
    ?assertNot(is_integer(P)),
    ?assertEqual({ok, [3]}, beamr:call(I, <<"x">>, [P])),
    %% an anyref result goes back to a (ref null $point) parameter
    {ok, [A]} = beamr:call(I, <<"as_any">>, [5, 6]),
    ?assertEqual({ok, [5]}, beamr:call(I, <<"x">>, [A])),
    ?assertEqual({ok, [1]}, beamr:call(I, <<"same">>, [A, A])),
    ?assertEqual({ok, [0]}, beamr:call(I, <<"same">>, [A, P])),
    beamr:stop(I).

wrong_type_refused_test() ->
    I = start(),
    {ok, [O]} = beamr:call(I, <<"other">>, []),
    {ok, [Arr]} = beamr:call(I, <<"as_eq">>, []),
    ?assertEqual({ok, [3]}, beamr:call(I, <<"len">>, [Arr])),
    %% a struct of another type, an array, an i31, a host term
    ?assertEqual({error, {invalid_args, [O]}}, beamr:call(I, <<"x">>, [O])),
    ?assertEqual({error, {invalid_args, [Arr]}},
                 beamr:call(I, <<"x">>, [Arr])),
    ?assertEqual({error, {invalid_args, [{i31, 1}]}},
                 beamr:call(I, <<"x">>, [{i31, 1}])),
    ?assertEqual({error, {invalid_args, [foo]}},
                 beamr:call(I, <<"x">>, [foo])),
    ?assertEqual({error, {invalid_args, [null]}},
                 beamr:call(I, <<"len">>, [null])),
    %% a term of another instance (another store) never crosses
    J = start(),
    ?assertEqual({error, {invalid_args, [O, null]}},
                 beamr:call(J, <<"same">>, [O, null])),
    beamr:stop(J),
    beamr:stop(I).

i31_test() ->
    I = start(),
    ?assertEqual({ok, [{i31, -5}]}, beamr:call(I, <<"i31">>, [-5])),
    ?assertEqual({ok, [{i31, 16#3FFFFFFF}]},
                 beamr:call(I, <<"i31">>, [16#3FFFFFFF])),
    ?assertEqual({ok, [{i31, -1}]}, beamr:call(I, <<"i31">>, [16#7FFFFFFF])),
    ?assertEqual({ok, [-7]}, beamr:call(I, <<"i31_get">>, [{i31, -7}])),
    %% the unsigned form of the same 31 bits
    ?assertEqual({ok, [-1]}, beamr:call(I, <<"i31_get">>, [{i31, 16#7FFFFFFF}])),
    ?assertEqual({ok, [1]}, beamr:call(I, <<"is_i31">>, [{i31, 0}])),
    ?assertEqual({ok, [0]}, beamr:call(I, <<"is_i31">>, [null])),
    ?assertEqual({error, {invalid_args, [{i31, 16#80000000}]}},
                 beamr:call(I, <<"i31_get">>, [{i31, 16#80000000}])),
    beamr:stop(I).

%% externref <-> anyref: a struct made external comes out as the same
%% kind of term; a host term made internal comes back as itself.
conversions_test() ->
    I = start(),
    {ok, [E]} = beamr:call(I, <<"external">>, [8, 9]),
    ?assertEqual({ok, [8]}, beamr:call(I, <<"x">>, [E])),
    {ok, [Back]} = beamr:call(I, <<"internal">>, [E]),
    ?assertEqual({ok, [8]}, beamr:call(I, <<"x">>, [Back])),
    ?assertEqual({ok, [{some, term}]},
                 beamr:call(I, <<"internal">>, [{some, term}])),
    ?assertEqual({ok, [0]}, beamr:call(I, <<"is_i31">>, [{some, term}])),
    beamr:stop(I).

%% A term keeps its object through many collections; garbage goes.
pinned_while_term_lives_test() ->
    I = start(),
    {ok, [P]} = beamr:call(I, <<"point">>, [11, 12]),
    %% 100 MB of garbage under a 16 MiB limit: many collections
    ?assertEqual({ok, []}, beamr:call(I, <<"churn">>, [25000])),
    ?assertEqual({ok, [11]}, beamr:call(I, <<"x">>, [P])),
    beamr:stop(I).

%% gc_stats: collections ran, the heap stayed under the limit, and a
%% term dropped by Erlang unpins its object.
gc_stats_test() ->
    I = start(),
    {ok, #{cycles := 0, pinned := 0}} = beamr:gc_stats(I),
    {ok, [P]} = beamr:call(I, <<"point">>, [1, 2]),
    {ok, #{pinned := 1}} = beamr:gc_stats(I),
    ?assertEqual({ok, []}, beamr:call(I, <<"churn">>, [25000])),
    {ok, S} = beamr:gc_stats(I),
    ?assertMatch(#{limit_bytes := 16777216}, S),
    ?assert(maps:get(cycles, S) > 5),
    ?assert(maps:get(peak_heap_bytes, S) =< maps:get(limit_bytes, S)),
    ?assert(maps:get(allocated_bytes, S) > 100000000),
    ?assertEqual({ok, [1]}, beamr:call(I, <<"x">>, [P])),
    %% the only term dies with its process: unpinned
    Self = self(),
    spawn(fun() ->
                  {ok, [_]} = beamr:call(I, <<"point">>, [3, 4]),
                  Self ! made
          end),
    receive made -> ok end,
    timer:sleep(50),
    {ok, #{pinned := 1}} = beamr:gc_stats(I),
    beamr:stop(I).

%% An import fun's GC results are checked against the import's type:
%% its own struct passes, an i31 or a struct of another type traps.
import_results_test() ->
    {ok, Mod} = beamr:compile(<<"
(module
  (type $point (struct (field $x i32) (field $y i32)))
  (type $other (struct (field $x i64)))
  (import \"h\" \"get\" (func $get (result (ref $point))))
  (func (export \"point\") (result (ref $point))
    (struct.new $point (i32.const 42) (i32.const 0)))
  (func (export \"other\") (result (ref $other))
    (struct.new $other (i64.const 5)))
  (func (export \"go\") (result i32) (struct.get $point $x (call $get))))
">>),
    {ok, I} = beamr:start(Mod, #{lazy_imports => true}),
    {ok, [P]} = beamr:call(I, <<"point">>, []),
    {ok, [O]} = beamr:call(I, <<"other">>, []),
    Answer = fun(V) -> fun(S, _, _) -> {ok, [V], S} end end,
    ?assertEqual({ok, [42], s},
                 beamr:call(I, <<"go">>, [], Answer(P), s, #{})),
    [?assertMatch({error, {trap, #{reason := host_error}}},
                  beamr:call(I, <<"go">>, [], Answer(V), s, #{}))
     || V <- [O, {i31, 3}, null, foo]],
    beamr:stop(I).

%% A module with GC types cannot be saved as a compiled module.
module_to_binary_refused_test() ->
    {ok, Mod} = beamr:compile(?WAT),
    ?assertMatch({error, {aot, #{reason := aot_gc_unsupported}}},
                 beamr:module_to_binary(Mod)).

%% Snapshots refuse live GC objects; garbage alone does not stop them.
snapshot_refused_test() ->
    I = start(),
    ?assertEqual({ok, []}, beamr:call(I, <<"churn">>, [10])),
    {ok, _} = beamr:snapshot(I, #{call => false}),
    {ok, [A]} = beamr:call(I, <<"as_any">>, [1, 2]),
    ?assertEqual({ok, []}, beamr:call(I, <<"keep">>, [A])),
    ?assertMatch({error, {snapshot, #{reason := gc_heap_not_snapshotable}}},
                 beamr:snapshot(I, #{call => false})),
    beamr:stop(I).

%% test/gc/stress.wat's endless allocation loop under a 64 MiB limit:
%% beamr:stop/1 ends it at once.
stop_allocation_loop_test() ->
    {ok, Wat} = file:read_file("test/gc/stress.wat"),
    {ok, Mod} = beamr:compile(Wat),
    {ok, I} = beamr:start(Mod, #{limits => #{max_memory_pages => 1024}}),
    Self = self(),
    spawn(fun() -> Self ! {looped, beamr:call(I, <<"forever">>, [])} end),
    timer:sleep(300),
    T0 = erlang:monotonic_time(millisecond),
    ok = beamr:stop(I),
    receive
        {looped, R} ->
            Waited = erlang:monotonic_time(millisecond) - T0,
            ?assertMatch({error, _}, R),
            ?assert(Waited < 1000)
    after 5000 ->
        ?assert(false)
    end.
