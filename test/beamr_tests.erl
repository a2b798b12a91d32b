%% @doc EUnit tests of the beamr API: modules, instances, calls, values,
%% errors, memory, globals, tables and imports of every kind.
%% SPDX-License-Identifier: Apache-2.0
-module(beamr_tests).
-include_lib("eunit/include/eunit.hrl").

-export([basic_module/0, import_module/0]).

-import(beamr_wasm, [module/1, functype/2, func_import/3, import/3,
                     export/3, code/1, code/2, u/1, s/1, vec/1, op/1,
                     limits/1, fixture/1, fixture/2]).

%% ------------------------------------------------------------------
%% Hand-made modules

%% loop, add, id_*, div_*, trap, answer, deep (unbounded recursion),
%% memory (1 page, max 2; "hello" at 16), table 0 = [add, answer].
basic_module() ->
    Types = [functype([], []), functype([i32, i32], [i32]),
             functype([i32], [i32]), functype([i64], [i64]),
             functype([f32], [f32]), functype([f64], [f64]),
             functype([f64, f64], [f64]), functype([f32, f32], [f32]),
             functype([], [i32])],
    Get = fun(I) -> [op(local_get), u(I)] end,
    Funcs = [{0, [op(loop), op(void), op(br), u(0), op('end')]},   % 0 loop
             {1, [Get(0), Get(1), op(i32_add)]},                   % 1 add
             {2, Get(0)}, {3, Get(0)}, {4, Get(0)}, {5, Get(0)},   % 2-5 id
             {6, [Get(0), Get(1), op(f64_div)]},                   % 6
             {7, [Get(0), Get(1), op(f32_div)]},                   % 7
             {0, op(unreachable)},                                 % 8 trap
             {8, [op(i32_const), s(42)]},                          % 9
             {0, [op(call), u(10)]}],                              % 10 deep
    Names = [<<"loop">>, <<"add">>, <<"id_i32">>, <<"id_i64">>,
             <<"id_f32">>, <<"id_f64">>, <<"div_f64">>, <<"div_f32">>,
             <<"trap">>, <<"answer">>, <<"deep">>],
    module([{type, vec(Types)},
            {function, vec([u(T) || {T, _} <- Funcs])},
            {table, vec([[16#70, limits({2})]])},
            {memory, vec([limits({1, 2})])},
            {export, vec([export(N, func, I)
                          || {N, I} <- lists:zip(Names,
                                                 lists:seq(0, 10))] ++
                         [export(<<"memory">>, memory, 0),
                          export(<<"table">>, table, 0)])},
            {elem, vec([[0, op(i32_const), s(0), op('end'),
                         vec([u(1), u(9)])]])},
            {code, vec([code(B) || {_, B} <- Funcs])},
            {data, vec([[0, op(i32_const), s(16), op('end'),
                         vec([<<C>> || <<C>> <= <<"hello">>])]])}]).

%% Imports env.f (i32)->i32 and env.cb ()->i32; call_f(X) = f(X),
%% outer() = cb() + 1, inner() = 41.
import_module() ->
    module([{type, vec([functype([i32], [i32]), functype([], [i32])])},
            {import, vec([func_import(<<"env">>, <<"f">>, 0),
                          func_import(<<"env">>, <<"cb">>, 1)])},
            {function, vec([u(0), u(1), u(1)])},
            {memory, vec([limits({1})])},
            {export, vec([export(<<"call_f">>, func, 2),
                          export(<<"outer">>, func, 3),
                          export(<<"inner">>, func, 4),
                          export(<<"memory">>, memory, 0)])},
            {code, vec([code([op(local_get), u(0), op(call), u(0)]),
                        code([op(call), u(1), op(i32_const), s(1),
                              op(i32_add)]),
                        code([op(i32_const), s(41)])])}]).

%% Imports a global, a memory and a table.
linked_module() ->
    module([{type, vec([functype([], [i32])])},
            {import, vec([import(<<"env">>, <<"g">>, [3, 16#7f, 0]),
                          import(<<"env">>, <<"mem">>, [2, limits({1})]),
                          import(<<"env">>, <<"tab">>,
                                 [1, 16#70, limits({2})])])},
            {function, vec([u(0), u(0)])},
            {export, vec([export(<<"get_g">>, func, 0),
                          export(<<"mem_size">>, func, 1),
                          export(<<"tab">>, table, 0),
                          export(<<"mem">>, memory, 0)])},
            {code, vec([code([op(global_get), u(0)]),
                        code(op(memory_size))])}]).

%% A start function that calls env.init, then sets global g to 7.
start_module() ->
    module([{type, vec([functype([], [])])},
            {import, vec([func_import(<<"env">>, <<"init">>, 0)])},
            {function, vec([u(0)])},
            {global, vec([[16#7f, 1, op(i32_const), s(0), op('end')]])},
            {export, vec([export(<<"g">>, global, 0)])},
            {start, u(1)},
            {code, vec([code([op(call), u(0), op(i32_const), s(7),
                              op(global_set), u(0)])])}]).

start_basic() ->
    {ok, Mod} = beamr:compile(basic_module()),
    {ok, Inst} = beamr:start(Mod),
    Inst.

%% ------------------------------------------------------------------
%% Modules and instances

compile_once_start_many_test() ->
    {ok, Mod} = beamr:compile(basic_module()),
    Insts = [begin {ok, I} = beamr:start(Mod), I end
             || _ <- lists:seq(1, 5)],
    [?assertEqual({ok, [N + 1]}, beamr:call(I, <<"add">>, [N, 1]))
     || {I, N} <- lists:zip(Insts, lists:seq(1, 5))],
    %% Instances do not share memory.
    [I1, I2 | _] = Insts,
    ok = beamr:write(I1, 0, <<"one">>),
    ?assertEqual({ok, <<0, 0, 0>>}, beamr:read(I2, 0, 3)),
    [beamr:stop(I) || I <- Insts].

start_from_bytes_test() ->
    {ok, Inst} = beamr:start(basic_module()),
    ?assertEqual({ok, [42]}, beamr:call(Inst, "answer", [])),
    beamr:stop(Inst).

exports_and_imports_test() ->
    {ok, Mod} = beamr:compile(import_module()),
    ?assertEqual([{<<"env">>, <<"f">>, {func, [i32], [i32]}},
                  {<<"env">>, <<"cb">>, {func, [], [i32]}}],
                 beamr:imports(Mod)),
    Exports = beamr:exports(Mod),
    ?assertMatch([{<<"call_f">>, {func, [i32], [i32]}},
                  {<<"outer">>, {func, [], [i32]}},
                  {<<"inner">>, {func, [], [i32]}},
                  {<<"memory">>, {memory, #{min := 1, max := undefined,
                                            is64 := false}}}],
                 Exports),
    {ok, Inst} = beamr:start(Mod, #{lazy_imports => true}),
    ?assertEqual(Exports, beamr:exports(Inst)),
    ?assertEqual("(ii)F", beamr:signature([i32, i32], [f64])),
    beamr:stop(Inst).

call_by_table_index_test() ->
    Inst = start_basic(),
    ?assertEqual({ok, [5]}, beamr:call(Inst, 0, [2, 3])),
    ?assertEqual({ok, [42]}, beamr:call(Inst, 1, [])),
    ?assertEqual({error, function_not_found}, beamr:call(Inst, 2, [])),
    ?assertEqual({ok, 2}, beamr:table_size(Inst, <<"table">>)),
    {ok, Ref} = beamr:table_get(Inst, <<"table">>, 1),
    ?assertNotEqual(null, Ref),
    ?assertEqual({error, out_of_bounds},
                 beamr:table_get(Inst, <<"table">>, 2)),
    ?assertEqual({error, no_table}, beamr:table_size(Inst, <<"nope">>)),
    beamr:stop(Inst).

trap_test() ->
    Inst = start_basic(),
    {error, {trap, T}} = beamr:call(Inst, <<"trap">>, []),
    ?assertMatch(#{reason := unreachable, message := <<_/binary>>,
                   stack := [{8, _} | _]}, T),
    {error, {trap, D}} = beamr:call(Inst, <<"deep">>, []),
    ?assertMatch(#{reason := call_stack_exhausted}, D),
    %% Traps leave the instance usable.
    ?assertEqual({ok, [3]}, beamr:call(Inst, <<"add">>, [1, 2])),
    beamr:stop(Inst).

call_depth_limit_test() ->
    {ok, Inst} = beamr:start(basic_module(),
                             #{limits => #{max_call_depth => 50}}),
    ?assertMatch({error, {trap, #{reason := call_stack_exhausted}}},
                 beamr:call(Inst, <<"deep">>, [])),
    beamr:stop(Inst).

memory_limit_test() ->
    {ok, Inst} = beamr:start(basic_module(),
                             #{limits => #{max_memory_pages => 1}}),
    ?assertEqual({error, limit}, beamr:grow(Inst, 1)),
    beamr:stop(Inst),
    {ok, Inst2} = beamr:start(basic_module()),
    ?assertEqual({ok, 1}, beamr:grow(Inst2, 1)),
    ?assertEqual({ok, 2 * 65536}, beamr:memory_size(Inst2)),
    ?assertEqual({error, limit}, beamr:grow(Inst2, 1)),   % declared max 2
    beamr:stop(Inst2).

%% ------------------------------------------------------------------
%% Values

int_range_test() ->
    Inst = start_basic(),
    C = fun(F, A) -> beamr:call(Inst, F, [A]) end,
    ?assertEqual({ok, [-1]}, C(<<"id_i32">>, 16#ffffffff)),
    ?assertEqual({ok, [-16#80000000]}, C(<<"id_i32">>, -16#80000000)),
    ?assertEqual({ok, [16#7fffffff]}, C(<<"id_i32">>, 16#7fffffff)),
    ?assertMatch({error, {invalid_args, _}}, C(<<"id_i32">>, 16#100000000)),
    ?assertMatch({error, {invalid_args, _}},
                 C(<<"id_i32">>, -16#80000001)),
    ?assertMatch({error, {invalid_args, _}}, C(<<"id_i32">>, 1.0)),
    ?assertEqual({ok, [-1]}, C(<<"id_i64">>, 16#ffffffffffffffff)),
    ?assertEqual({ok, [-16#8000000000000000]},
                 C(<<"id_i64">>, -16#8000000000000000)),
    ?assertMatch({error, {invalid_args, _}},
                 C(<<"id_i64">>, 16#10000000000000000)),
    ?assertMatch({error, {invalid_args, _}},
                 C(<<"id_i64">>, -16#8000000000000001)),
    beamr:stop(Inst).

float_values_test() ->
    Inst = start_basic(),
    C = fun(F, A) -> beamr:call(Inst, F, A) end,
    ?assertEqual({ok, [1.5]}, C(<<"id_f64">>, [1.5])),
    ?assertEqual({ok, [3.0]}, C(<<"id_f64">>, [3])),       % integer accepted
    ?assertEqual({ok, [0.25]}, C(<<"id_f32">>, [0.25])),
    [?assertEqual({ok, [V]}, C(F, [V]))
     || F <- [<<"id_f64">>, <<"id_f32">>],
        V <- [nan, infinity, '-infinity']],
    ?assertEqual({ok, [infinity]}, C(<<"div_f64">>, [1.0, 0.0])),
    ?assertEqual({ok, ['-infinity']}, C(<<"div_f64">>, [-1, 0])),
    ?assertEqual({ok, [nan]}, C(<<"div_f64">>, [0.0, 0.0])),
    ?assertEqual({ok, [nan]}, C(<<"div_f32">>, [infinity, infinity])),
    ?assertEqual({ok, [infinity]}, C(<<"div_f32">>, [1.0e30, 1.0e-30])),
    ?assertMatch({error, {invalid_args, _}}, C(<<"id_f64">>, [<<"x">>])),
    ?assertMatch({error, {invalid_args, _}}, C(<<"id_f64">>, [inf])),
    beamr:stop(Inst).

arity_test() ->
    Inst = start_basic(),
    ?assertEqual({error, {invalid_args, [1]}},
                 beamr:call(Inst, <<"add">>, [1])),
    ?assertEqual({error, {invalid_args, [1, 2, 3]}},
                 beamr:call(Inst, <<"add">>, [1, 2, 3])),
    ?assertEqual({error, {invalid_args, not_a_list}},
                 beamr:call(Inst, <<"add">>, not_a_list)),
    ?assertEqual({error, {invalid_args, [1 | 2]}},
                 beamr:call(Inst, <<"add">>, [1 | 2])),
    ?assertEqual({ok, [3]}, beamr:call(Inst, <<"add">>, [1, 2])),
    beamr:stop(Inst).

v128_test() ->
    Bin = module([{type, vec([functype([v128], [v128])])},
                  {function, vec([u(0)])},
                  {export, vec([export(<<"id">>, func, 0)])},
                  {code, vec([code([op(local_get), u(0)])])}]),
    {ok, Inst} = beamr:start(Bin),
    Big = 1 bsl 127 + 12345678901234567890,
    [?assertEqual({ok, [V]}, beamr:call(Inst, <<"id">>, [V]))
     || V <- [0, 1, 1 bsl 64, Big, 1 bsl 128 - 1]],
    ?assertMatch({error, {invalid_args, _}},
                 beamr:call(Inst, <<"id">>, [1 bsl 128])),
    ?assertMatch({error, {invalid_args, _}},
                 beamr:call(Inst, <<"id">>, [-1])),
    beamr:stop(Inst).

%% ------------------------------------------------------------------
%% Errors at compile and link time

truncated_binaries_test() ->
    Bin = basic_module(),
    %% A prefix that ends on a section boundary can be a valid module.
    Bounds = section_ends(Bin, 8),
    [case lists:member(N, Bounds) of
         false ->
             ?assertMatch({error, {_, #{reason := _}}},
                          beamr:compile(binary:part(Bin, 0, N)));
         true ->
             ?assertMatch({_, _}, beamr:compile(binary:part(Bin, 0, N)))
     end || N <- lists:seq(0, byte_size(Bin))],
    ?assertMatch({ok, _}, beamr:compile(Bin)).

section_ends(Bin, Pos) when Pos >= byte_size(Bin) ->
    [Pos];
section_ends(Bin, Pos) ->
    <<_:Pos/binary, _Id, Rest/binary>> = Bin,
    {Size, LebLen} = uleb(Rest, 0, 0),
    [Pos | section_ends(Bin, Pos + 1 + LebLen + Size)].

uleb(<<1:1, V:7, Rest/binary>>, Shift, N) ->
    {Acc, L} = uleb(Rest, Shift + 7, N + 1),
    {Acc + (V bsl Shift), L};
uleb(<<0:1, V:7, _/binary>>, Shift, N) ->
    {V bsl Shift, N + 1}.

random_binaries_test() ->
    rand:seed(exsss, {1, 2, 3}),
    [begin
         Junk = rand:bytes(rand:uniform(200)),
         R1 = beamr:compile(Junk),
         R2 = beamr:compile(<<0, "asm", 1, 0, 0, 0, Junk/binary>>),
         ?assertMatch({error, _}, R1),
         ?assert(element(1, R2) =:= ok orelse element(1, R2) =:= error)
     end || _ <- lists:seq(1, 500)].

bad_magic_test() ->
    ?assertMatch({error, {malformed, #{reason := magic_header_not_detected,
                                      message := <<_/binary>>}}},
                 beamr:compile(<<"not a valid wasm file">>)).

invalid_code_test() ->
    Bin = module([{type, vec([functype([], [i32])])},
                   {function, vec([u(0)])},
                   {code, vec([code([op(f64_const), <<0:64>>])])}]),
    ?assertMatch({error, {validation, #{reason := type_mismatch,
                                        message := <<_/binary>>,
                                        offset := Off}}}
                 when is_integer(Off) andalso Off > 0,
                 beamr:compile(Bin)).

link_error_test() ->
    {ok, Mod} = beamr:compile(linked_module()),
    ?assertMatch({error, {link, #{reason := incompatible_import_type,
                                  module := <<"env">>, name := <<"g">>}}},
                 beamr:start(Mod, #{imports =>
                                        #{{<<"env">>, <<"g">>} =>
                                              {global, <<"x">>}}})),
    ?assertMatch({error, {link, _}},
                 beamr:start(Mod, #{imports =>
                                        #{{<<"env">>, <<"mem">>} =>
                                              {memory, 0, undefined}}})).

%% A data segment past the end of memory traps at instantiation.
instantiation_trap_test() ->
    Bin = module([{memory, vec([limits({1})])},
                  {data, vec([[0, op(i32_const), s(65534), op('end'),
                               vec([<<C>> || <<C>> <= <<"abcd">>])]])}]),
    ?assertMatch({error, {trap, #{reason := out_of_bounds_memory_access}}},
                 beamr:start(Bin)).

%% ------------------------------------------------------------------
%% Imports

imported_global_memory_table_test() ->
    {ok, Mod} = beamr:compile(linked_module()),
    ?assertMatch([{<<"env">>, <<"g">>, {global, i32, const}},
                  {<<"env">>, <<"mem">>, {memory, #{min := 1}}},
                  {<<"env">>, <<"tab">>, {table, funcref, #{min := 2}}}],
                 beamr:imports(Mod)),
    {ok, I} = beamr:start(Mod, #{imports =>
                                     #{{<<"env">>, <<"g">>} => {global, -7},
                                       {<<"env">>, <<"mem">>} =>
                                           {memory, 3, 5},
                                       {<<"env">>, <<"tab">>} =>
                                           {table, 4, undefined}}}),
    ?assertEqual({ok, [-7]}, beamr:call(I, <<"get_g">>, [])),
    ?assertEqual({ok, [3]}, beamr:call(I, <<"mem_size">>, [])),
    ?assertEqual({ok, 3 * 65536}, beamr:memory_size(I)),
    ?assertEqual({ok, 4}, beamr:table_size(I, <<"tab">>)),
    ?assertEqual({ok, null}, beamr:table_get(I, <<"tab">>, 0)),
    beamr:stop(I),
    %% Defaults: declared minimum sizes, zero globals.
    {ok, D} = beamr:start(Mod),
    ?assertEqual({ok, [0]}, beamr:call(D, <<"get_g">>, [])),
    ?assertEqual({ok, [1]}, beamr:call(D, <<"mem_size">>, [])),
    beamr:stop(D).

unhandled_import_test() ->
    {ok, I} = beamr:start(import_module(), #{lazy_imports => true}),
    ?assertEqual({error, {unhandled_import, <<"env">>, <<"f">>}},
                 beamr:call(I, <<"call_f">>, [1])),
    ?assertEqual({ok, [41]}, beamr:call(I, <<"inner">>, [])),
    beamr:stop(I).

import_fun_results_test() ->
    {ok, I} = beamr:start(import_module(), #{lazy_imports => true}),
    Call = fun(Answer) ->
                   beamr:call(I, <<"call_f">>, [5],
                              fun(S, _, _) -> Answer(S) end, s, #{})
           end,
    ?assertEqual({ok, [10], s},
                 Call(fun(S) -> {ok, [10], S} end)),
    ?assertEqual({ok, [10], s},                          % extra ignored
                 Call(fun(S) -> {ok, [10, 11], S} end)),
    ?assertMatch({error, {trap, #{reason := host_error}}},
                 Call(fun(S) -> {ok, [], S} end)),       % too few
    ?assertMatch({error, {trap, #{reason := host_error}}},
                 Call(fun(S) -> {ok, [1.5], S} end)),    % wrong type
    ?assertMatch({error, {trap, #{reason := host_error}}},
                 Call(fun(S) -> {ok, [1 bsl 40], S} end)), % out of range
    ?assertMatch({error, {trap, #{reason := host_error}}},
                 Call(fun(_) -> what end)),              % bad shape
    ?assertMatch({error, error, boom, [_ | _], s},
                 Call(fun(_) -> error(boom) end)),
    ?assertMatch({error, exit, bye, _, s},
                 Call(fun(_) -> exit(bye) end)),
    ?assertEqual({ok, [6], s}, Call(fun(S) -> {ok, [6], S} end)),
    beamr:stop(I).

%% The import fun reads memory and calls back into the same instance.
import_fun_reentry_test() ->
    {ok, I} = beamr:start(import_module(), #{lazy_imports => true}),
    ok = beamr:write(I, 8, <<"ping">>),
    Fun = fun(S, #{instance := Inst, func := <<"cb">>}, _) ->
                  {ok, <<"ping">>} = beamr:read(Inst, 8, 4),
                  ok = beamr:write(Inst, 8, <<"pong">>),
                  {ok, [V]} = beamr:call(Inst, <<"inner">>, []),
                  {ok, [V], S + 1}
          end,
    ?assertEqual({ok, [42], 1}, beamr:call(I, <<"outer">>, [], Fun, 0, #{})),
    ?assertEqual({ok, <<"pong">>}, beamr:read(I, 8, 4)),
    beamr:stop(I).

%% A nested call that itself needs an import.
nested_import_test() ->
    {ok, I} = beamr:start(import_module(), #{lazy_imports => true}),
    Fun = fun(S, #{func := <<"cb">>, instance := Inst}, O) ->
                  {ok, [R], S1} = beamr:call(Inst, <<"call_f">>, [20],
                                             get(fun_self), S + 1, O),
                  {ok, [R], S1};
             (S, #{func := <<"f">>, args := [X]}, _) ->
                  {ok, [X * 2], S + 10}
          end,
    put(fun_self, Fun),
    ?assertEqual({ok, [41], 11}, beamr:call(I, <<"outer">>, [], Fun, 0, #{})),
    erase(fun_self),
    beamr:stop(I).

start_function_test() ->
    {ok, Mod} = beamr:compile(start_module()),
    Self = self(),
    Fun = fun(S, #{func := <<"init">>}, _) -> Self ! init, {ok, [], S} end,
    {ok, I} = beamr:start(Mod, #{import_fun => Fun}),
    receive init -> ok after 1000 -> ?assert(false) end,
    ?assertEqual({ok, 7}, beamr:global_get(I, <<"g">>)),
    beamr:stop(I),
    ?assertMatch({error, {unhandled_import, <<"env">>, <<"init">>}},
                 beamr:start(Mod, #{lazy_imports => true})),
    %% Checked at start, nothing serves it:
    ?assertMatch({error, {link, #{reason := unknown_import,
                                  module := <<"env">>, name := <<"init">>}}},
                 beamr:start(Mod)).

%% ------------------------------------------------------------------
%% Memory

memory_test() ->
    Inst = start_basic(),
    ?assertEqual({ok, 65536}, beamr:memory_size(Inst)),
    ?assertEqual({ok, <<"hello">>}, beamr:read(Inst, 16, 5)),
    ?assertEqual({ok, <<"hello">>}, beamr:read_string(Inst, 16)),
    ok = beamr:write(Inst, 65530, <<"edge!!">>),
    ?assertEqual({ok, <<"edge!!">>}, beamr:read(Inst, 65530, 6)),
    ?assertEqual({ok, <<>>}, beamr:read(Inst, 65536, 0)),
    ?assertEqual({error, out_of_bounds}, beamr:read(Inst, 65531, 6)),
    ?assertEqual({error, out_of_bounds}, beamr:read(Inst, 65537, 0)),
    %% Negative offsets and lengths are programmer errors (issue 12).
    ?assertError(badarg, beamr:read(Inst, -1, 1)),
    ?assertError(badarg, beamr:read(Inst, 0, -1)),
    ?assertEqual({error, out_of_bounds},
                 beamr:read(Inst, 16#ffffffffffffffff, 2)),
    ?assertEqual({error, out_of_bounds}, beamr:read(Inst, 1 bsl 70, 1)),
    ?assertEqual({error, out_of_bounds}, beamr:write(Inst, 65535, <<1, 2>>)),
    ?assertEqual({error, out_of_bounds}, beamr:write(Inst, -5, <<1>>)),
    ?assertEqual({error, out_of_bounds}, beamr:read_string(Inst, 65530)),
    ?assertError(badarg, beamr:read(Inst, a, 1)),
    beamr:stop(Inst),
    ?assertEqual({error, stopped}, beamr:read(Inst, 0, 1)).

no_memory_test() ->
    {ok, I} = beamr:start(fixture("test.wasm")),
    ?assertEqual({error, no_memory}, beamr:memory_size(I)),
    ?assertEqual({error, no_memory}, beamr:read(I, 0, 1)),
    beamr:stop(I).

%% ------------------------------------------------------------------
%% Globals (Wasmex's globals.wasm)

globals_test() ->
    {ok, I} = beamr:start(fixture("wasmex", "globals.wasm")),
    ?assertEqual({ok, 42}, beamr:global_get(I, <<"meaning_of_life">>)),
    ?assertEqual({ok, -32}, beamr:global_get(I, "count_32")),
    ?assertEqual({ok, -64}, beamr:global_get(I, <<"count_64">>)),
    ?assertEqual({ok, null}, beamr:global_get(I, <<"externref">>)),
    ?assertEqual({ok, null}, beamr:global_get(I, <<"funcref">>)),
    ok = beamr:global_set(I, <<"count_32">>, 99),
    ?assertEqual({ok, 99}, beamr:global_get(I, <<"count_32">>)),
    ok = beamr:global_set(I, <<"bad_pi_64">>, 3.14),
    ?assertEqual({ok, 3.14}, beamr:global_get(I, <<"bad_pi_64">>)),
    ok = beamr:global_set(I, <<"bad_pi_32">>, nan),
    ?assertEqual({ok, nan}, beamr:global_get(I, <<"bad_pi_32">>)),
    ?assertEqual({error, immutable},
                 beamr:global_set(I, <<"meaning_of_life">>, 1)),
    ?assertEqual({error, {invalid_args, [1 bsl 40]}},
                 beamr:global_set(I, <<"count_32">>, 1 bsl 40)),
    ?assertEqual({error, not_found}, beamr:global_get(I, <<"nope">>)),
    beamr:stop(I).

%% ------------------------------------------------------------------
%% NIF lifecycle: reload the NIF module; old objects keep working.

nif_reload_test() ->
    {ok, Mod} = beamr:compile(basic_module()),
    {ok, I} = beamr:start(Mod),
    {module, beamr_nif} = code:load_file(beamr_nif),
    ?assertEqual(undefined, beamr_nif:load_error()),
    ?assertEqual({ok, [3]}, beamr:call(I, <<"add">>, [1, 2])),
    {ok, I2} = beamr:start(Mod),
    ?assertEqual({ok, [5]}, beamr:call(I2, <<"add">>, [2, 3])),
    true = code:soft_purge(beamr_nif),
    beamr:stop(I),
    beamr:stop(I2).
